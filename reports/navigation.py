from django.utils.translation import gettext_lazy as _

from agencies.models import User
from portal.navigation import NavItem
from reports import selectors


def items(user: User) -> list[NavItem]:
    """ "Dashboard" for those whose work it counts (caseworkers, supervisors, coordinators), whose Prevention section
    links to their agency's outreach events; "Outreach events" in the header only for the auditors who read them
    without the dashboard (one entry each: the header is full)."""
    if selectors.can_view_dashboard(user):
        return [NavItem(_("Dashboard"), "reports_dashboard", _("See the task force's work in charts and tables"))]
    found = []
    if selectors.can_read_outreach(user):
        found.append(
            NavItem(_("Outreach events"), "outreach_list", _("Record your agency's outreach and training events"))
        )
    return found
