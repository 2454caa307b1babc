"""Asking to see more of a case, in the browser (issue 14, decision 0025). A partner police department that sees a
case at summary level asks the lead for personal information from the case page's "Your access" box; the lead's
supervisor finds the request on the home and approves it, and the victim's name appears to the partner. An
investigator asks the shelter to record its client's consent; the shelter's advocate finds the request (home,
header), follows it to the consent form filled in with the client and the agency, records the consent, and the
client's name appears to the investigator. axe finds nothing on the pages on the way; every step is a screenshot
in ``test-artifacts/screenshots/asking-*.png``."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from cases.models import AccessRequest, CaseShare, ConsentRequest
from tests.browser.conftest import ARTIFACTS, check_axe
from tests.browser.test_sign_in import sign_in
from tests.cases.fixtures import CLIENT_NAME, CLIENT_PHONE, VICTIM_NAME

REASON = "A welfare check at a downtown motel found two women who may be this case's victims."
CONSENT_REASON = "We would like to ask her, through her advocate, whether she will give a statement."


def _step(target: Page | Locator, name: str) -> None:
    """A screenshot of one step of the journey (the whole page, or one region of it), beside check_axe's."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(target, Page):
        target.screenshot(path=folder / f"asking-{name}.png", full_page=True)
    else:
        target.screenshot(path=folder / f"asking-{name}.png")


def test_a_partner_asks_the_lead_for_more_access_and_sees_the_names_once_approved(
    browser, live_server, page: Page, partner_investigator, supervisor, le_case
):
    case_url = f"/cases/{le_case.pk}/"
    sign_in(page, partner_investigator)
    page.goto(case_url)
    access = page.get_by_role("region", name="Your access")
    expect(access).to_contain_text("Summary only")
    expect(page.get_by_text(VICTIM_NAME)).to_have_count(0)
    _step(access, "1-partner-access-box")
    check_axe(page, "asking-1-partner-case")

    access.get_by_role("link", name="Ask Federal Field Office for more access").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask Federal Field Office for more access")
    page.get_by_role("button", name="Ask for more access").click()  # nothing chosen: the form says what is missing
    expect(page.locator(".usa-error-message").first).to_be_visible()
    assert not AccessRequest.objects.exists()
    check_axe(page, "asking-2-ask-form-errors")
    page.locator("label.usa-radio__label", has_text="Summary and personal information").click()
    page.get_by_label("Why your agency needs it").fill(REASON)
    check_axe(page, "asking-3-ask-form")
    page.get_by_role("button", name="Ask for more access").click()

    expect(page).to_have_url(f"{live_server.url}{case_url}#access-heading")
    expect(page.get_by_text("Federal Field Office's supervisors will decide")).to_be_visible()
    expect(access).to_contain_text(
        "to see: Summary and personal information. Federal Field Office has not decided yet."
    )
    expect(access.get_by_role("link", name="Ask Federal Field Office for more access")).to_have_count(0)
    _step(access, "4-partner-asked")
    check_axe(page, "asking-4-partner-case-asked")

    boss = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}).new_page()
    sign_in(boss, supervisor)
    asked = boss.get_by_role("region", name="Requests for more access")
    item = asked.get_by_role("link", name=f"{le_case.number}: Bayport Police Department asks for more access")
    expect(item).to_be_visible()
    expect(asked).to_contain_text("Summary and personal information, asked for by Pat Partner")
    check_axe(boss, "asking-5-supervisor-home")
    item.click()
    expect(boss).to_have_url(f"{live_server.url}{case_url}#access-requests-heading")
    lead_box = boss.get_by_role("region", name="Your access")
    expect(lead_box).to_contain_text("Bayport Police Department asks to see: Summary and personal information")
    expect(lead_box).to_contain_text(REASON)
    _step(lead_box, "6-supervisor-access-box")
    check_axe(boss, "asking-6-supervisor-case")
    lead_box.get_by_role("button", name="Approve more access for Bayport Police Department").click()
    expect(
        boss.get_by_text("Bayport Police Department sees the case at the level asked for from now on.")
    ).to_be_visible()
    expect(boss.get_by_role("heading", name="Requests for more access")).to_have_count(0)
    _step(boss, "7-supervisor-approved")
    boss.context.close()

    share = CaseShare.objects.get(case=le_case, agency=partner_investigator.agency, status=CaseShare.Status.ACTIVE)
    assert share.level == CaseShare.Level.PERSONAL
    page.goto(case_url)
    expect(access).to_contain_text("Summary and personal information")
    expect(page.get_by_role("row").filter(has_text=VICTIM_NAME)).to_be_visible()
    _step(page, "8-partner-sees-the-name")
    check_axe(page, "asking-8-partner-case-approved")
    page.goto("/")
    answers = page.get_by_role("region", name="Answers to your requests for access")
    expect(answers.get_by_role("link", name=f"{le_case.number}: More access approved")).to_be_visible()
    _step(page, "9-partner-home-answer")


def test_an_investigator_asks_the_shelter_for_a_consent_and_sees_the_client_once_recorded(
    browser, live_server, page: Page, investigator, advocate, lead_agency, ngo_case, ngo_client
):
    case_url = f"/cases/{ngo_case.pk}/"
    sign_in(page, investigator)
    page.goto(case_url)
    access = page.get_by_role("region", name="Your access")
    expect(page.get_by_text(CLIENT_NAME)).to_have_count(0)
    ask = access.get_by_role("link", name="Ask Safe Harbor Shelter to record a consent")
    expect(ask).to_contain_text(f"Victim or survivor #{ngo_client.pk}")  # for a screen reader: whom it is about
    expect(ask).to_be_visible()
    _step(access, "c1-investigator-access-box")
    check_axe(page, "asking-c1-investigator-case")

    ask.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask Safe Harbor Shelter to record a consent")
    expect(page.get_by_role("region", name=f"Victim or survivor #{ngo_client.pk}")).to_be_visible()
    expect(page.get_by_text(CLIENT_NAME)).to_have_count(0)
    page.get_by_label("Why your agency needs the person's information").fill(CONSENT_REASON)
    check_axe(page, "asking-c2-consent-ask-form")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Safe Harbor Shelter is asked; you will find its answer in your notices.")).to_be_visible()
    expect(access).to_contain_text("your agency asked Safe Harbor Shelter on")
    _step(access, "c3-investigator-asked")
    assert ConsentRequest.objects.get().status == ConsentRequest.Status.OPEN

    shelter = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}).new_page()
    sign_in(shelter, advocate)
    waiting = shelter.get_by_role("region", name="Requests to record a consent")
    expect(waiting.get_by_role("link", name="Consent to release to Federal Field Office asked for")).to_be_visible()
    _step(shelter, "c4-advocate-home")
    shelter.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Consent requests").click()
    expect(shelter.get_by_role("heading", level=1)).to_have_text("Requests to record a consent")
    row = shelter.get_by_role("listitem").filter(has_text=CONSENT_REASON)
    expect(row).to_contain_text(f"{CLIENT_NAME} (#{ngo_client.pk})")
    expect(row).to_contain_text("Federal Field Office asks for a consent")
    expect(row).to_contain_text("Asked by Ivy Investigator")
    check_axe(shelter, "asking-c5-consent-requests")

    row.get_by_role("link", name="Record the consent").click()
    expect(shelter.get_by_label("Person")).to_have_value(str(ngo_client.pk))
    expect(shelter.get_by_label("Released to")).to_have_value(str(lead_agency.pk))
    check_axe(shelter, "asking-c6-consent-form-filled-in")
    shelter.get_by_text("Identity (names, date of birth, identity documents)").click()
    shelter.get_by_text("Contact details", exact=True).click()
    shelter.get_by_label("Purpose").fill("A statement about the people who trafficked her.")
    today = timezone.localdate()
    shelter.get_by_label("Signed on").fill(today.isoformat())
    shelter.get_by_label("Expires on").fill((today + timedelta(days=180)).isoformat())
    shelter.get_by_role("button", name="Record the consent").click()
    expect(shelter.get_by_text("The consent is recorded.")).to_be_visible()
    _step(shelter, "c7-advocate-recorded")
    shelter.goto("/cases/consent-requests/")
    expect(shelter.get_by_text("No request is waiting.")).to_be_visible()
    shelter.context.close()

    consent_request = ConsentRequest.objects.get()
    assert consent_request.status == ConsentRequest.Status.RECORDED
    assert consent_request.consent.recipient_agency == lead_agency
    page.goto(case_url)
    client_row = page.get_by_role("row").filter(has_text=CLIENT_NAME)
    expect(client_row).to_contain_text(CLIENT_PHONE)
    expect(access.get_by_role("link", name="Ask Safe Harbor Shelter to record a consent")).to_have_count(0)
    _step(page, "c8-investigator-sees-the-name")
    check_axe(page, "asking-c8-investigator-case-recorded")


def test_the_pages_of_asking_in_spanish_have_no_accessibility_violation(
    browser, live_server, partner_investigator, supervisor, investigator, advocate, le_case, ngo_case, ngo_client
):
    """The same pages for people who chose Spanish (translated labels can break what English passed): the ask
    forms, the lead's box with a request to decide, the shelter's consent requests, each in Spanish and axe-clean."""
    from django.urls import reverse

    from cases.services import access_request_create, consent_request_create

    for person in (partner_investigator, supervisor, investigator, advocate):
        person.preferred_language = "es"
        person.save(update_fields=["preferred_language"])
    access_request_create(case=le_case, level=CaseShare.Level.PERSONAL, reason=REASON, actor=partner_investigator)
    consent_request_create(case=ngo_case, person=ngo_client, reason=CONSENT_REASON, actor=investigator)
    visits = [
        (partner_investigator, f"/cases/{le_case.pk}/", "es-partner-case"),
        (supervisor, f"/cases/{le_case.pk}/", "es-supervisor-case"),
        (supervisor, "/", "es-supervisor-home"),
        (investigator, reverse("consent_request_create", args=[ngo_case.pk, ngo_client.pk]), "es-consent-ask"),
        (advocate, reverse("consent_requests"), "es-consent-requests"),
        (advocate, "/", "es-advocate-home"),
    ]
    signed_in: dict[int, Page] = {}
    for person, path, name in visits:
        if person.pk not in signed_in:
            context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
            signed_in[person.pk] = context.new_page()
            sign_in(signed_in[person.pk], person)
        page = signed_in[person.pk]
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "es")
        check_axe(page, f"asking-{name}")
    partner = signed_in[partner_investigator.pk]
    AccessRequest.objects.all().delete()  # the ask form itself, with its errors: asked again, with nothing chosen
    partner.goto(reverse("access_request_create", args=[le_case.pk]))
    partner.locator("form button[type=submit]").last.click()
    expect(partner.locator(".usa-error-message").first).to_be_visible()
    check_axe(partner, "asking-es-ask-form-errors")
    for page in signed_in.values():
        page.context.close()
