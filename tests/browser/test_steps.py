"""Steps people take (issue 14), in the browser: a caseworker is offered only what they may do (no "Close the
case", no "Stop sharing" on a share a supervisor approved, and a 403 page with a way back if they try anyway);
the share form explains its levels; a supervisor stops a share after confirming why; the auditor reads the trail
in words and in the task force's time zone, and a reversed date range is an error. Every page passes axe."""

from playwright.sync_api import Page, expect

from cases.models import CaseShare
from cases.services import case_share_grant
from tests.browser.conftest import check_axe
from tests.browser.test_sign_in import sign_in


def test_a_caseworker_sees_only_their_steps_and_a_supervisor_stops_a_share(
    browser, live_server, page: Page, console_errors, investigator, supervisor, auditor, le_case, coordination_office
):
    case_share_grant(
        case=le_case,
        agency=coordination_office,
        level=CaseShare.Level.SUMMARY,
        reason="For the monthly case-coordination meeting",
        actor=investigator,
    )
    approved = le_case.shares.get(agency__short_name="BPD", status=CaseShare.Status.ACTIVE)
    case_url = f"/cases/{le_case.pk}/"

    sign_in(page, investigator)
    page.goto(case_url)
    status = page.get_by_label("Status change")
    expect(status.locator("option")).to_have_text(["Start the investigation"])
    expect(page.get_by_text("Close the case")).to_have_count(0)
    shares = page.get_by_role("region", name="Shared with")
    expect(shares.get_by_text("a supervisor ends it")).to_be_visible()
    expect(shares.get_by_role("link", name="Stop sharing with Bayport Police Department")).to_have_count(0)
    expect(
        shares.get_by_role("link", name="Withdraw the request to share with Task Force Coordination")
    ).to_be_visible()
    check_axe(page, "steps-case-caseworker")

    page.get_by_role("link", name="Share", exact=True).click()
    expect(page.get_by_text("A supervisor of your agency must approve the share.")).to_be_visible()
    expect(page.get_by_text("Only for law enforcement and prosecutors.").first).to_be_visible()
    check_axe(page, "steps-share-form-caseworker")

    page.goto(f"/cases/{le_case.pk}/shares/{approved.pk}/revoke/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This step is not open to you")
    expect(page.get_by_text("A supervisor approved this share: a supervisor ends it.")).to_be_visible()
    check_axe(page, "steps-403")
    console_errors.clear()  # the browser reports the 403 it was sent here to get
    page.get_by_role("link", name="Go to your home page").click()
    expect(page).to_have_url(f"{live_server.url}/")

    page.goto(f"/cases/{le_case.pk + 1000}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    check_axe(page, "steps-404")
    console_errors.clear()

    boss = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    boss_page = boss.new_page()
    sign_in(boss_page, supervisor)
    boss_page.goto(case_url)
    boss_shares = boss_page.get_by_role("region", name="Shared with")
    expect(boss_shares.get_by_text("Requested by Ivy Investigator, because:")).to_be_visible()
    expect(boss_shares.get_by_text("For the monthly case-coordination meeting")).to_be_visible()
    expect(boss_page.get_by_label("Status change").locator("option")).to_have_text(
        ["Start the investigation", "Close the case"]
    )
    check_axe(boss_page, "steps-case-supervisor")

    boss_shares.get_by_role("link", name="Stop sharing with Bayport Police Department").click()
    expect(boss_page.get_by_role("heading", level=1)).to_have_text("Stop sharing with Bayport Police Department?")
    check_axe(boss_page, "steps-stop-sharing-confirm")
    boss_page.get_by_role("button", name="Stop sharing").click()
    expect(boss_page.locator(".usa-error-message")).to_be_visible()
    check_axe(boss_page, "steps-stop-sharing-error")
    boss_page.get_by_label("Why should the agency stop seeing the case?").fill("The venue closed.")
    boss_page.get_by_role("button", name="Stop sharing").click()
    expect(boss_page.get_by_text("Bayport Police Department no longer sees this case.")).to_be_visible()
    activity = boss_page.get_by_role("region", name="Activity")
    expect(activity.get_by_text("stopped sharing the case")).to_be_visible()
    expect(activity.get_by_text("viewed the case")).not_to_have_count(0)
    check_axe(boss_page, "steps-case-activity")
    boss.close()

    approved.refresh_from_db()
    assert approved.status == CaseShare.Status.REVOKED
    assert approved.end_reason == "The venue closed."

    reader = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    reader_page = reader.new_page()
    sign_in(reader_page, auditor)
    reader_page.goto("/agency/audit/")
    table = reader_page.get_by_role("table", name="Audit events")
    expect(table.get_by_role("rowheader", name="Stopped sharing the case")).to_be_visible()
    expect(table.get_by_text(le_case.number).first).to_be_visible()
    expect(table.get_by_text("Denied").first).to_be_visible()
    expect(reader_page.get_by_role("columnheader", name="When (America/Chicago)")).to_be_visible()
    check_axe(reader_page, "steps-audit-trail")

    reader_page.get_by_label("From (date)").fill("2026-12-05")
    reader_page.get_by_label("To (date)").fill("2026-12-01")
    reader_page.get_by_role("button", name="Filter").click()
    summary = reader_page.get_by_role("alert").filter(has_text="Correct the filters")
    expect(summary).to_contain_text("The end date comes before the start date")
    expect(reader_page.get_by_role("table", name="Audit events")).to_have_count(0)
    check_axe(reader_page, "steps-audit-trail-inverted")
    reader.close()
