from django.utils.translation import gettext_lazy as _

from agencies.models import User
from portal.navigation import NavItem
from prosecution import selectors


def items(user: User) -> list[NavItem]:
    """ "Trafficking statutes" for the coordinators who keep their task forces' list (decision 0034)."""
    if selectors.can_edit_statutes(user):
        return [
            NavItem(
                _("Trafficking statutes"),
                "trafficking_statutes",
                _("The state statutes your task force counts as trafficking charges"),
            )
        ]
    return []
