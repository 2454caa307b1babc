"""An investigator corrects a person's record and picks their languages from the list; a partner at summary level
reads why the name is withheld and whom to ask. Every page passes axe."""

from playwright.sync_api import Page, expect

from cases.models import CaseParticipant
from tests.browser.conftest import check_axe
from tests.browser.test_sign_in import sign_in


def test_a_person_is_corrected_with_languages_from_the_list_and_a_partner_reads_why_it_is_withheld(
    browser, live_server, page: Page, investigator, partner_investigator, le_case
):
    person = le_case.participants.get(role=CaseParticipant.Role.VICTIM).person
    sign_in(page, investigator)
    page.goto(f"/cases/{le_case.pk}/")
    page.get_by_role("link", name="Correct the record").click()
    expect(page.get_by_role("heading", name="Correct a person's record", level=1)).to_be_visible()
    check_axe(page, "person-form")

    languages = page.get_by_role("group", name="Languages the person speaks")
    expect(languages.get_by_label("Spanish", exact=True)).to_be_checked()
    languages.get_by_text("K'iche'", exact=True).click()  # USWDS styles the label, not the box
    page.get_by_label("Preferred language").select_option(label="K'iche'")
    page.get_by_label("Family name").fill("Sentinel-Corrected")
    page.get_by_role("button", name="Save the record").click()

    expect(page.get_by_text("The person's record is saved.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Sentinel-Corrected")
    expect(row).to_contain_text("Spanish, K'iche'")
    expect(row).to_contain_text("prefers K'iche'")
    check_axe(page, "case-detail-person-corrected")
    person.refresh_from_db()
    assert (person.languages, person.preferred_language, person.version) == (["es", "quc"], "quc", 2)

    partner_page = browser.new_context(base_url=live_server.url).new_page()
    sign_in(partner_page, partner_investigator)
    partner_page.goto(f"/cases/{le_case.pk}/")
    access = partner_page.get_by_role("region", name="Your access")
    expect(access).to_contain_text("shares this case with your agency at the level: Summary only")
    expect(access).to_contain_text(f"Ask {le_case.lead_agency.name}, which leads the case")
    partner_row = partner_page.get_by_role("row").filter(has_text="identity withheld")
    expect(partner_row).to_contain_text(f"Victim or survivor #{person.pk} (identity withheld)")
    expect(partner_row).to_contain_text("your agency's share of this case does not include personal information")
    expect(partner_page.get_by_text("Sentinel-Corrected")).to_have_count(0)
    check_axe(partner_page, "case-detail-withheld-reason")
