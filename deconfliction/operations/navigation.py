from django.utils.translation import gettext_lazy as _

from agencies.models import User
from deconfliction.operations import selectors
from portal.navigation import NavItem


def items(user: User) -> list[NavItem]:
    """ "Operations" for those who plan them; "Operation conflicts" for the coordinators who settle them."""
    found = []
    if selectors.can_plan_operations(user):
        found.append(
            NavItem(_("Operations"), "operation_list", _("Plan operations and learn when another agency's overlap"))
        )
    if selectors.can_resolve_conflicts(user):
        found.append(
            NavItem(
                _("Operation conflicts"),
                "operation_conflict_board",
                _("Settle the task force's operations that overlap in time and place"),
            )
        )
    return found
