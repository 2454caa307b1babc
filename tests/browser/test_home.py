"""The home as a work queue in a real browser (decision 0023): a supervisor finds the share a caseworker asked for
and the case's urgent need, opens the request from the home and approves it, and finds its notice among the
notices; the shelter's staff find the referral they must answer and open it. axe finds nothing on either home
or on the notices."""

from playwright.sync_api import Page, expect

from cases.models import CaseParticipant, CaseShare, Need
from cases.services import case_share_grant, need_add
from tests.browser.conftest import check_axe
from tests.browser.test_sign_in import sign_in
from tests.factories import sent_referral
from tests.services_directory.factories import listed_service


def test_two_roles_find_their_work_on_the_home_and_open_it(
    browser, live_server, page: Page, investigator, supervisor, provider_staff, le_case, ngo
):
    victim = le_case.participants.get(role=CaseParticipant.Role.VICTIM).person
    need_add(
        case=le_case, person=victim, category=Need.Category.EMERGENCY_SHELTER, urgency="emergency", actor=investigator
    )
    case_share_grant(
        case=le_case,
        agency=ngo,
        level=CaseShare.Level.PERSONAL,
        reason="The shelter houses the victim.",
        actor=investigator,
    )
    referral = sent_referral(le_case, victim, listed_service(name="Harbor House", agency=ngo), by=investigator)

    sign_in(page, supervisor)
    queue = page.get_by_role("region", name="Waiting for you")
    needs = queue.get_by_role("region", name="Unmet urgent needs in your cases")
    expect(needs.get_by_role("link", name=f"Emergency shelter for a person in {le_case.number}")).to_be_visible()
    expect(needs.get_by_text("Emergency", exact=True)).to_be_visible()
    shares = queue.get_by_role("region", name="Shares awaiting your approval")
    expect(shares.get_by_text("Summary and personal information, asked for by Ivy Investigator")).to_be_visible()
    check_axe(page, "home-supervisor")
    shares.get_by_role("link", name=f"{le_case.number}: share with Safe Harbor Shelter").click()
    expect(page).to_have_url(f"{live_server.url}/cases/{le_case.pk}/#shares-heading")
    page.get_by_role("button", name="Approve sharing with Safe Harbor Shelter").click()
    page.goto("/referrals/notifications/")
    expect(page.get_by_role("link", name=f"{le_case.number}: Share asked for")).to_be_visible()
    check_axe(page, "notices-with-a-share")
    page.goto("/")
    expect(page.get_by_role("region", name="Shares awaiting your approval")).to_have_count(0)

    staff = browser.new_context(base_url=live_server.url).new_page()
    sign_in(staff, provider_staff)
    to_answer = staff.get_by_role("region", name="Referrals to answer")
    item = to_answer.get_by_role("link", name=f"Referral #{referral.pk} to Harbor House")
    expect(item).to_be_visible()
    expect(to_answer.get_by_text("Answer by")).to_be_visible()
    check_axe(staff, "home-provider-staff")
    item.click()
    expect(staff).to_have_url(f"{live_server.url}/referrals/{referral.pk}/")
    expect(staff.get_by_role("button", name="Accept")).to_be_visible()
