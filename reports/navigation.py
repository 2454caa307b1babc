from django.utils.translation import gettext_lazy as _

from agencies.models import User
from portal.navigation import NavItem
from reports import selectors
from reports.quarterly.access import can_read_quarterly_reports


def items(user: User) -> list[NavItem]:
    """ "Dashboard" for those whose work it counts (caseworkers, supervisors, coordinators), whose Prevention section
    links to their agency's outreach events and whose page links to the quarterly reports; "Outreach events" and
    "Quarterly reports" in the header only for the auditors who read them without the dashboard (the header is
    full)."""
    if selectors.can_view_dashboard(user):
        return [NavItem(_("Dashboard"), "reports_dashboard", _("See the task force's work in charts and tables"))]
    found = []
    if selectors.can_read_outreach(user):
        found.append(
            NavItem(_("Outreach events"), "outreach_list", _("Record your agency's outreach and training events"))
        )
    if can_read_quarterly_reports(user):
        # An auditor of a law-enforcement agency or a provider: the signed reports they check (the dashboard's
        # readers reach the reports from it).
        found.append(
            NavItem(_("Quarterly reports"), "quarterly_list", _("Read your agency's signed quarterly reports"))
        )
    return found
