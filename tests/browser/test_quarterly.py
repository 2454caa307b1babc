"""The quarterly report in a real browser (decision 0037): a supervisor goes from the dashboard to their agency's
reports, opens the last completed quarter, reads its tables and the record missing a field, signs it, and sees it
frozen; axe finds nothing on the list, the draft or the signed report."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Case, CaseParticipant
from cases.services import case_create, person_add_to_case, victim_identification_save
from reports.fiscal import quarter_of
from reports.models import QuarterlyReport
from tests.browser.conftest import check_axe
from tests.browser.test_sign_in import sign_in


def test_a_supervisor_reads_and_signs_the_quarterly_report(browser, live_server, page: Page, investigator, supervisor):
    last = quarter_of(timezone.localdate()).previous()
    case = case_create(
        actor=investigator,
        title="Quarter case",
        intake_channel=Case.Channel.HOTLINE,
        case_type=Case.Type.LABOR,
        opened_on=last.start,
    )
    victim = person_add_to_case(
        case=case, role=CaseParticipant.Role.VICTIM, actor=investigator, given_name="Quinn", family_name="Quarter"
    )
    victim_identification_save(
        case=case,
        person=victim.person,
        version=0,
        actor=investigator,
        status="potential",
        identified_on=last.start + timedelta(days=1),
        trafficking_type="labor",
        citizenship="foreign_national",
    )

    sign_in(page, supervisor)
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name=re.compile("Your agency's quarterly reports")).click()
    expect(page.get_by_role("heading", name="Quarterly reports", level=1)).to_be_visible()
    check_axe(page, "quarterly-list")

    page.get_by_role("link", name=last.code, exact=True).click()
    expect(page.get_by_role("heading", name=f"Quarterly report {last.code}", level=1)).to_be_visible()
    victims = page.get_by_role("table", name=re.compile(r"^LE-2\. Potential victims, new and continuing"))
    expect(victims.get_by_role("row", name=re.compile("New this fiscal year"))).to_contain_text("1")
    expect(page.get_by_role("table", name=re.compile(r"^LE-1\. Investigations"))).to_be_visible()
    missing = page.get_by_role("region", name="Records missing a required field")
    expect(missing.get_by_role("link", name=re.compile("Quinn Quarter"))).to_be_visible()
    expect(missing).to_contain_text("no date of birth, so no age")
    check_axe(page, "quarterly-draft")

    # USWDS draws its own box and hides the input itself: the person ticks the label.
    page.locator("label[for=id_confirm]").click()
    expect(page.get_by_label(re.compile("I have read these measures"))).to_be_checked()
    page.get_by_role("button", name="Sign the report").click()
    expect(page.get_by_text("The report is signed. It is frozen as you read it.")).to_be_visible()
    expect(page.get_by_role("heading", name="Signed and frozen")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Download the CSV"))).to_be_visible()
    expect(page.get_by_text("Nothing has changed")).to_be_visible()
    check_axe(page, "quarterly-signed")
    report = QuarterlyReport.objects.get()
    assert (report.signed_by, report.quarter_code) == (supervisor, last.code)
