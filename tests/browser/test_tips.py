"""From an airline report to a case, in the browser (issue 15): the intake officer enters the report with its
flight, the queue counts down to 45 minutes before landing, she assesses it, the supervisor assigns it to the
partner department's investigator, who opens a case from it. Every page is axe-clean, with no JavaScript needed
for any step."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_axe
from tests.browser.test_sign_in import sign_in
from tests.tips.conftest import intake, partner_supervisor  # noqa: F401  (fixtures)
from tips.models import Tip


def _as(page: Page, user) -> None:
    page.context.clear_cookies()
    sign_in(page, user)


def test_an_airline_report_becomes_a_case(page: Page, intake, supervisor, partner_investigator):  # noqa: F811
    _as(page, intake)
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Tips").click()
    expect(page.get_by_role("heading", name="Tips", level=1)).to_be_visible()
    page.get_by_role("link", name="Enter a tip").click()
    check_axe(page, "tip-form")
    landing = timezone.localtime(timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    page.get_by_label("Came in through").select_option(Tip.Channel.AIRLINE)
    page.get_by_label("What was reported").fill("Two teenagers with a man who holds their passports, seats 23A-C.")
    page.get_by_text("Involves a minor", exact=True).click()
    flight = page.get_by_role("group", name="The flight (airline reports only)")
    flight.get_by_label("Flight number").fill("GA 207")
    flight.get_by_label("Scheduled arrival").fill(landing.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Enter the tip").click()
    expect(page.get_by_role("heading", name="Tip #", level=1)).to_be_visible()
    check_axe(page, "tip-received")
    tip = Tip.objects.get()
    assert tip.assess_by == tip.received_at + timedelta(hours=1)  # a minor: sooner than landing - 45 min

    page.get_by_role("link", name="Tips", exact=True).first.click()
    expect(page.get_by_text("min left")).to_be_visible()
    check_axe(page, "tip-queue")

    page.get_by_role("link", name=f"Tip #{tip.pk}").click()
    page.get_by_label("The basis for reasonable suspicion (facts, not conclusions)").fill(
        "Passports held by an adult who is not a parent; two minors."
    )
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.locator("#tip-status")).to_contain_text("Assessed")

    _as(page, supervisor)
    page.goto(f"/tips/{tip.pk}/")
    page.get_by_label("Owner (their agency is assigned)").select_option(str(partner_investigator.pk))
    page.get_by_label("Due").fill((timezone.localdate() + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Assign").click()
    expect(page.locator("#tip-status")).to_contain_text("Assigned")
    check_axe(page, "tip-assigned")

    _as(page, partner_investigator)
    page.goto(f"/tips/{tip.pk}/")
    page.get_by_role("button", name="Open a new case from this tip").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Tip #{tip.pk}")
    tip.refresh_from_db()
    assert tip.case is not None
    assert page.url.endswith(f"/cases/{tip.case_id}/")
