"""The dashboard in a real browser (decision 0036): a supervisor goes to it from the navigation, sees every
section's charts drawn as SVG under the portal's CSP with their tables, and axe finds nothing."""

from playwright.sync_api import Page, expect

from cases.models import CaseParticipant, Need
from cases.services import need_add, victim_identification_save
from reports.services import outreach_event_record
from tests.browser.conftest import check_axe
from tests.browser.test_sign_in import sign_in


def test_the_dashboard_is_drawn_and_accessible(browser, live_server, page: Page, investigator, supervisor, le_case):
    victim = le_case.participants.get(role=CaseParticipant.Role.VICTIM).person
    need_add(
        case=le_case, person=victim, category=Need.Category.EMERGENCY_SHELTER, urgency="urgent", actor=investigator
    )
    victim_identification_save(
        case=le_case, person=victim, version=0, actor=investigator, identified_on=le_case.opened_on, status="potential"
    )
    outreach_event_record(
        actor=supervisor,
        held_on=le_case.opened_on,
        title="Hotel staff training",
        kind="professional_training",
        audience="hospitality",
        people_reached=25,
    )
    sign_in(page, supervisor)
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    for section in ("Prevention", "Protection", "Pipeline", "Investigations"):
        expect(page.get_by_role("heading", name=section, level=2)).to_be_visible()
    expect(page.get_by_role("img", name="Outreach and training events by kind")).to_be_visible()
    expect(page.get_by_role("table", name="Victims identified, potential and confirmed")).to_contain_text("1")
    check_axe(page, "reports-dashboard")
