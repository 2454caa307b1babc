"""The closed loop in a real browser: an advocate refers her client to another provider's shelter from the ranked
matches, the shelter's staff accept, start and complete it with an outcome, and the advocate sees the loop closed;
the coordinator sees it on the board. axe finds nothing on the inbox, the board and the referral page."""

from playwright.sync_api import Page, expect

from agencies.models import Agency, Role
from cases.models import Need
from cases.services import need_add
from tests.browser.conftest import check_axe
from tests.browser.test_sign_in import sign_in
from tests.factories import AgencyFactory, UserFactory, sent_join_request
from tests.services_directory.factories import listed_service


def test_a_referral_goes_round_the_loop(
    browser, live_server, page: Page, advocate, coordinator, ngo_case, ngo_client, task_force
):
    bayou = AgencyFactory(name="Bayou Family Shelter", short_name="Bayou", kind=Agency.Kind.VICTIM_SERVICES)
    task_force.agencies.add(bayou, through_defaults={})
    staff = UserFactory(email="intake@bayou.example", full_name="Bea Bayou", agency=bayou, role=Role.PROVIDER_STAFF)
    listed_service(name="Bayou family shelter", agency=bayou, languages=("en", "es"))
    need_add(
        case=ngo_case, person=ngo_client, category=Need.Category.EMERGENCY_SHELTER, urgency="urgent", actor=advocate
    )

    sign_in(page, advocate)
    page.goto(f"/cases/{ngo_case.pk}/")
    page.get_by_role("link", name="Find services").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Services for: Emergency shelter")
    page.get_by_role("link", name="Refer to Bayou family shelter").click()
    page.get_by_label("Safety notes for the provider").fill("Her former employer watches the bus station.")
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_text("The referral is sent.")).to_be_visible()
    referral_url = page.url
    expect(page.get_by_text("Sent", exact=True).first).to_be_visible()

    shelter = browser.new_context(base_url=live_server.url).new_page()
    sign_in(shelter, staff)
    shelter.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Referrals (1 new)").click()
    number = referral_url.rstrip("/").split("/")[-1]
    expect(shelter.get_by_role("link", name=f"Referral #{number}: sent")).to_be_visible()  # the notice it counts
    shelter.goto("/referrals/")
    check_axe(shelter, "referrals-inbox")
    shelter.get_by_role("link", name=f"#{number}", exact=True).click()
    expect(shelter.get_by_text("Her former employer watches the bus station.")).to_be_visible()
    expect(shelter.get_by_text("this referral is de-identified")).to_be_visible()
    check_axe(shelter, "referral-detail-recipient")
    shelter.get_by_role("button", name="Accept").click()
    expect(shelter.get_by_text("Done: the referral is accepted.")).to_be_visible()
    shelter.get_by_role("button", name="Start work").click()
    shelter.get_by_label("Outcome", exact=True).first.select_option("service-delivered")
    shelter.get_by_role("button", name="Record the outcome: completed").click()
    expect(shelter.get_by_text("Done: the referral is completed.")).to_be_visible()

    page.goto(referral_url)
    expect(page.get_by_text("Completed", exact=True).first).to_be_visible()
    expect(page.get_by_text("Service delivered")).to_be_visible()
    timeline = page.get_by_role("region", name="Timeline")
    for step in ["Sent", "Opened by the recipient", "Accepted", "Work started", "Completed"]:
        expect(timeline.get_by_text(step, exact=True)).to_be_visible()
    check_axe(page, "referral-detail-closed")

    board = browser.new_context(base_url=live_server.url).new_page()
    sign_in(board, coordinator)
    board.goto("/referrals/board/")
    check_axe(board, "referrals-board")


def test_a_coordinators_reroute_of_an_ask_to_join_waits_for_the_lead_and_the_history_shows_closed_ones(
    browser, live_server, page: Page, coordinator, supervisor, le_case, ngo, task_force
):
    """Decision 0014 in a browser: the coordinator proposes another agency for an unanswered "ask to join"; the
    lead's supervisor sends it; the first request shows in the board's history with how it closed."""
    from cases.models import CaseShare

    clinic = AgencyFactory(name="Gulf Survivor Clinic", short_name="GSC", kind=Agency.Kind.VICTIM_SERVICES)
    task_force.agencies.add(clinic, through_defaults={})
    first = sent_join_request(le_case, ngo, CaseShare.Level.PERSONAL, by=supervisor, request_note="Victim advocacy.")

    sign_in(page, coordinator)
    page.goto(f"/referrals/{first.pk}/")
    expect(page.get_by_text("Victim advocacy.")).to_have_count(0)  # routing view: not the request's words
    elsewhere = page.get_by_role("region", name="Send it elsewhere")
    elsewhere.get_by_label("New recipient").select_option(label=clinic.name)
    elsewhere.get_by_label("Reason").fill("The shelter has not answered for two days.")
    elsewhere.get_by_role("button", name="Re-route").click()
    expect(page.get_by_text("Proposed: the lead agency decides whether to send this new referral.")).to_be_visible()
    expect(page.get_by_text("Cora Coordinator proposed this agency.", exact=False)).to_be_visible()
    proposal_url = page.url
    check_axe(page, "referral-proposal-coordinator")

    lead = browser.new_context(base_url=live_server.url).new_page()
    sign_in(lead, supervisor)
    lead.goto(proposal_url)
    lead.get_by_role("button", name="Send it: this agency joins the case if it accepts").click()
    expect(lead.get_by_text("Done: the referral is sent.")).to_be_visible()
    expect(lead.get_by_role("region", name="Timeline").get_by_text("Sent", exact=True)).to_be_visible()

    page.goto("/referrals/board/")
    page.get_by_role("link", name="Closed referrals and their outcomes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Closed referrals")
    expect(page.get_by_role("link", name=f"#{first.pk}", exact=True)).to_be_visible()
    expect(page.get_by_text("Sent to another recipient instead")).to_be_visible()
    check_axe(page, "referral-history")
