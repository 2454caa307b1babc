from django.utils.translation import gettext_lazy as _

from agencies.models import User
from portal.navigation import NavItem
from services_directory import selectors


def items(user: User) -> list[NavItem]:
    if not selectors.can_read_directory(user):
        return []
    items = [
        NavItem(
            _("Service directory"),
            "service_search",
            _("Find shelters, legal aid, clinics and other services, ranked for the person you are helping"),
        )
    ]
    if selectors.can_edit_listings(user):
        items.append(NavItem(_("My listings"), "my_services", _("Keep your services and today's capacity current")))
    if selectors.can_read_api_tokens(user):
        items.append(NavItem(_("API tokens"), "api_tokens", _("Issue keys for partner directories to read ours")))
    return items
