from django.utils.translation import gettext_lazy as _

from portal.navigation import NavItem


def items(user) -> list[NavItem]:
    if not user.has_perm("cases.view_case"):
        return []
    items = [NavItem(_("Cases"), "case_list", _("Open the cases your agency works or that were shared with it"))]
    if user.has_perm("cases.view_case_pii"):
        items.append(NavItem(_("Find a person"), "person_search", _("Find a person across the cases you may see")))
    return items
