"""The steps people take, in a real browser (issue 14): the recipient's referral page leads with the next step,
"Refer someone" from the directory leads to the case, the person and the refer form, and a provider edits its
opening hours. axe finds nothing on each page."""

from playwright.sync_api import Page, expect

from cases.models import CaseParticipant, Need
from cases.services import need_add
from referrals.models import Referral
from tests.browser.conftest import check_axe
from tests.browser.test_sign_in import sign_in
from tests.factories import sent_referral
from tests.services_directory.factories import listed_service


def _shelter(ngo):
    return listed_service(name="Harbor House", agency=ngo, categories=("emergency_shelter",), languages=("en", "es"))


def _victim_need(le_case, investigator):
    victim = le_case.participants.get(role=CaseParticipant.Role.VICTIM).person
    need = need_add(
        case=le_case, person=victim, category=Need.Category.EMERGENCY_SHELTER, urgency="urgent", actor=investigator
    )
    return victim, need


def test_the_recipient_page_leads_with_the_next_step(page: Page, provider_staff, investigator, le_case, ngo):
    victim, need = _victim_need(le_case, investigator)
    referral = sent_referral(
        le_case, victim, _shelter(ngo), by=investigator, needs=[need], urgency=Referral.Urgency.URGENT
    )

    sign_in(page, provider_staff)
    page.goto("/referrals/")
    row = page.get_by_role("row").filter(has_text=f"#{referral.pk}")
    expect(row).to_contain_text("Harbor House")
    expect(row).to_contain_text("Emergency shelter")
    check_axe(page, "referral-steps-inbox")
    row.get_by_role("link", name=f"#{referral.pk}").click()

    next_step = page.get_by_role("region", name="Your next step")
    expect(next_step).to_contain_text("Accept or decline it by")
    expect(next_step.get_by_role("button")).to_have_text(["Accept", "Decline"])
    expect(next_step.get_by_label("Why you decline (the sender reads this)")).to_be_visible()
    check_axe(page, "referral-steps-recipient-next-step")
    next_step.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Done: the referral is accepted.")).to_be_visible()
    expect(page.get_by_role("region", name="Your next step").get_by_role("button").first).to_have_text("Start work")
    check_axe(page, "referral-steps-recipient-accepted")


def test_refer_someone_from_the_directory(page: Page, investigator, le_case, ngo):
    _shelter(ngo)
    _victim, need = _victim_need(le_case, investigator)

    sign_in(page, investigator)
    page.goto("/directory/")
    expect(page.get_by_text("Choose what the person needs, or where, and search.")).to_be_visible()
    expect(page.get_by_text("services match")).to_have_count(0)
    page.get_by_label("Near").fill("99999")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("99999 is not a known U.S. ZIP code.")).to_have_count(1)
    check_axe(page, "referral-steps-directory-bad-zip")
    page.get_by_label("Near").fill("")
    page.get_by_label("Words").fill("Harbor")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Refer someone to Harbor House").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Refer someone to Harbor House")
    page.get_by_label("1. The case").select_option(str(le_case.pk))
    page.get_by_role("button", name="Show its people").click()
    people = page.get_by_role("region", name=f"2. The person and the need, in {le_case.number}")
    expect(people.get_by_role("heading", level=3)).to_have_count(1)
    check_axe(page, "referral-steps-refer-someone")
    people.get_by_role("link", name="Refer for Emergency shelter").click()

    expect(page.get_by_label("Safety notes for the provider")).to_be_visible()
    expect(page.get_by_label(need.get_category_display(), exact=False).first).to_be_checked()
    check_axe(page, "referral-steps-refer-form")


def test_a_provider_edits_its_opening_hours_and_locations(page: Page, provider_staff, ngo):
    shelter = _shelter(ngo)

    sign_in(page, provider_staff)
    page.goto(f"/directory/services/{shelter.pk}/")
    page.get_by_role("link", name="Edit hours").click()
    monday = page.get_by_role("group", name="Monday")
    monday.get_by_label("Opens").fill("09:00")
    monday.get_by_label("Closes").fill("17:00")
    saturday = page.get_by_role("group", name="Saturday")
    saturday.get_by_label("Opens").fill("10:00")
    check_axe(page, "referral-steps-hours-form")
    page.get_by_role("button", name="Save the hours").click()
    expect(page.get_by_text("Give both times, or neither if it is closed that day.")).to_be_visible()
    check_axe(page, "referral-steps-hours-error")
    page.get_by_role("group", name="Saturday").get_by_label("Closes").fill("14:00")
    page.get_by_role("button", name="Save the hours").click()

    expect(page.get_by_text("The opening hours of Harbor House are saved.")).to_be_visible()
    hours = page.get_by_role("region", name="Where and when")
    expect(hours).to_contain_text("Mon, 09:00-17:00")
    expect(hours).to_contain_text("Sat, 10:00-14:00")
    page.get_by_role("button", name="Available").click()
    expect(page.get_by_role("status").filter(has_text="Saved at")).to_contain_text("Harbor House is Available")
    check_axe(page, "referral-steps-service-after-edit")

    page.get_by_role("link", name="Edit locations").click()
    check_axe(page, "referral-steps-locations")
    page.get_by_role("link", name="Add a location").click()
    page.get_by_label("Name of the place").fill("Downtown office")
    page.get_by_label("Street address").fill("1 Main Street")
    page.get_by_label("City").fill("Houston")
    page.get_by_label("State").fill("TX")
    page.get_by_label("ZIP code").fill("77002")
    check_axe(page, "referral-steps-location-form")
    page.get_by_role("button", name="Save the location").click()
    expect(page.get_by_text("The location Downtown office is saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Downtown office", level=2)).to_be_visible()
