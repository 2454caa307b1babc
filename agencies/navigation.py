from django.utils.translation import gettext_lazy as _

from agencies import selectors
from agencies.models import User
from portal.navigation import NavItem


def items(user: User) -> list[NavItem]:
    entries: list[NavItem] = []
    if selectors.can_manage_people(user):
        entries.append(
            NavItem(_("People"), "people", _("Invite people, change their roles, unlock or deactivate accounts"))
        )
    if selectors.can_read_audit_trail(user):
        entries.append(
            NavItem(
                _("Audit trail"),
                "audit_trail",
                _("Review the audit trail: sign-ins, account changes and disclosures"),
            )
        )
    return entries
