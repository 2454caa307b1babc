from django.utils.translation import gettext_lazy as _

from portal.navigation import NavItem


def items(user) -> list[NavItem]:
    if not user.has_perm("cases.view_case"):
        return []
    return [NavItem(_("Cases"), "case_list", _("Open the cases your agency works or that were shared with it"))]
