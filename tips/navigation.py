from django.utils.translation import gettext_lazy as _

from agencies.models import User
from portal.navigation import NavItem
from tips import selectors


def items(user: User) -> list[NavItem]:
    """ "Tips" for those who triage, assign or oversee them: the queue, by deadline."""
    if not selectors.can_triage_tips(user):
        return []
    return [NavItem(_("Tips"), "tip_queue", _("Enter tips and assess them before their deadline"))]
