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
    if selectors.can_record_consents(user):  # the rule of the page itself (decision 0025)
        items.append(
            NavItem(
                _("Consent requests"),
                "consent_requests",
                _("Answer other agencies' requests to record a client's consent"),
            )
        )
    return items
