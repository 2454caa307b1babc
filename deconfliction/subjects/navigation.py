from django.utils.translation import gettext_lazy as _

from agencies.models import User
from deconfliction.subjects import selectors
from portal.navigation import NavItem


def items(user: User) -> list[NavItem]:
    """ "Deconfliction" for those who check subjects and are told of conflicts; the watch for coordinators."""
    found = []
    if selectors.can_check(user):
        found.append(
            NavItem(_("Deconfliction"), "deconfliction_conflicts", _("Learn which agencies work the same subjects"))
        )
    if selectors.can_watch(user):
        found.append(
            NavItem(_("Deconfliction watch"), "deconfliction_watch", _("Follow and resolve open subject conflicts"))
        )
    return found
