from django.utils.translation import gettext_lazy as _

from agencies.models import User
from portal.navigation import NavItem
from reports import selectors


def items(user: User) -> list[NavItem]:
    """ "Dashboard" for those whose work it counts (caseworkers, supervisors, coordinators); "Outreach events" for
    them and their agency's auditors."""
    found = []
    if selectors.can_view_dashboard(user):
        found.append(NavItem(_("Dashboard"), "reports_dashboard", _("See the task force's work in charts and tables")))
    if selectors.can_read_outreach(user):
        found.append(
            NavItem(_("Outreach events"), "outreach_list", _("Record your agency's outreach and training events"))
        )
    return found
