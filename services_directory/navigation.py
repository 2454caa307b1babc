from django.utils.translation import gettext_lazy as _

from portal.navigation import NavItem
from services_directory import selectors


def items(user) -> list[NavItem]:
    if not user.has_perm(selectors.VIEW_PERMISSION):
        return []
    items = [
        NavItem(
            _("Service directory"),
            "service_search",
            _("Find shelters, legal aid, clinics and other services, ranked for the person you are helping"),
        )
    ]
    if user.has_perm(selectors.CHANGE_PERMISSION):
        items.append(NavItem(_("My listings"), "my_services", _("Keep your services and today's capacity current")))
    if user.has_perm("services_directory.view_apitoken"):
        items.append(NavItem(_("API tokens"), "api_tokens", _("Issue keys for partner directories to read ours")))
    return items
