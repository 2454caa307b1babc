from django.utils.translation import gettext_lazy as _

from agencies.models import User
from portal.navigation import NavItem
from protection import selectors


def items(user: User) -> list[NavItem]:
    """ "Immigration relief" for those who may see a victim's relief: the case's law-enforcement team and the
    victims' advocates (decision 0033)."""
    if not selectors.can_read_relief(user):
        return []
    return [
        NavItem(
            _("Immigration relief"),
            "relief_queue",
            _("HHS notices, expiring Continued Presence and declarations awaiting a decision"),
        )
    ]
