from django.utils.translation import gettext_lazy as _

from agencies.models import User
from cases import selectors
from portal.navigation import NavItem


def items(user: User) -> list[NavItem]:
    if not selectors.can_read_cases(user):
        return []
    items = [NavItem(_("Cases"), "case_list", _("Open the cases your agency works or that were shared with it"))]
    if selectors.can_find_people(user):
        items.append(NavItem(_("Find a person"), "person_search", _("Find a person across the cases you may see")))
    return items
