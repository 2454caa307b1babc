"""An investigator opens a case, records a victim and shares the case; the partner sees the summary, not the PII.
Every page on the way passes axe."""

import re

from playwright.sync_api import Page, Request, expect

from cases.models import Case, CaseParticipant
from cases.services import case_create, person_add_to_case
from tests.browser.conftest import check_axe
from tests.browser.test_sign_in import sign_in
from tests.cases.fixtures import VICTIM_NAME


def test_a_case_is_opened_shared_and_seen_by_the_partner_without_pii(
    browser, live_server, page: Page, investigator, supervisor, partner_investigator
):
    sign_in(page, investigator)
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Cases", exact=True).click()
    expect(page.get_by_role("heading", name="Cases", level=1)).to_be_visible()
    check_axe(page, "case-list-empty")

    page.get_by_role("link", name="Open a case").click()
    check_axe(page, "case-form")
    page.get_by_label("Title").fill("Nail salon on Harbor Road")
    page.get_by_label("Type").select_option("labor")
    page.get_by_label("Came in through").select_option("hotline")
    page.get_by_label("Summary").fill("Workers sleep in the back room and are not paid.")
    page.get_by_text("Debt bondage").click()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nail salon on Harbor Road")
    number = re.search(r"HT-\d{4}-\d{5}", page.get_by_role("heading", level=1).inner_text()).group(0)

    page.get_by_role("link", name="Add a person").click()
    check_axe(page, "participant-form")
    page.get_by_label("Role in the case").select_option("victim")
    page.get_by_label("Given name").fill("Linh")
    page.get_by_label("Family name").fill("Tranquil-Sentinel")
    page.get_by_label("Phone").fill("555-0142-999")
    languages = page.get_by_role("group", name="Languages the person speaks")
    languages.get_by_text("Vietnamese", exact=True).click()  # USWDS styles the label, not the box
    languages.get_by_text("English", exact=True).click()
    page.get_by_role("button", name="Add the person").click()
    expect(page.get_by_role("rowheader", name="Linh Tranquil-Sentinel")).to_be_visible()
    check_axe(page, "case-detail")

    page.get_by_role("link", name="Share", exact=True).click()
    check_axe(page, "share-form")
    page.get_by_label("Agency").select_option(label="Bayport Police Department")
    page.get_by_text("Summary only").click()
    page.get_by_label("Why they need it").fill("The salon is in city limits.")
    page.get_by_role("button", name="Share", exact=True).click()
    expect(
        page.get_by_text("A supervisor will approve sharing the case with Bayport Police Department.")
    ).to_be_visible()
    expect(page.get_by_text("Awaiting a supervisor")).to_be_visible()
    case_url = page.url

    supervisor_context = browser.new_context(base_url=live_server.url)
    supervisor_page = supervisor_context.new_page()
    sign_in(supervisor_page, supervisor)
    supervisor_page.goto(case_url)
    check_axe(supervisor_page, "case-detail-supervisor")
    supervisor_page.get_by_role("button", name="Approve sharing with Bayport Police Department").click()
    expect(supervisor_page.get_by_text("Bayport Police Department sees the case from now on.")).to_be_visible()
    supervisor_context.close()

    partner_context = browser.new_context(base_url=live_server.url)
    partner_page = partner_context.new_page()
    sign_in(partner_page, partner_investigator)
    partner_page.goto("/cases/")
    partner_page.get_by_role("link", name=number).click()
    expect(partner_page.get_by_role("heading", level=1)).to_contain_text("Nail salon on Harbor Road")
    expect(partner_page.get_by_text("Workers sleep in the back room")).to_be_visible()
    body = partner_page.content()
    assert "Tranquil-Sentinel" not in body
    assert "555-0142-999" not in body
    expect(partner_page.get_by_role("rowheader", name="Withheld")).to_be_visible()
    check_axe(partner_page, "case-detail-partner")
    partner_context.close()


def test_a_shelter_records_a_consent_and_finds_its_client_on_accessible_pages(page: Page, advocate, ngo_case):
    sign_in(page, advocate)
    page.goto(f"/cases/{ngo_case.pk}/")
    page.get_by_role("link", name="Record a consent").click()
    check_axe(page, "consent-form")
    expect(page.get_by_label("Person")).to_have_value(str(ngo_case.participants.get().person_id))  # the only client
    page.get_by_label("Released to").select_option(label="Federal Field Office")
    page.get_by_text("Identity (names, date of birth, identity documents)").click()
    page.get_by_label("Purpose").fill("T-visa certification")
    page.get_by_label("Signed on").fill("2026-11-01")
    page.get_by_label("Expires on").fill("2027-05-01")
    page.get_by_role("button", name="Record the consent").click()
    expect(page.get_by_text("The consent is recorded.")).to_be_visible()
    expect(page.get_by_role("region", name="Consents your agency holds")).to_contain_text("Federal Field Office")

    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Find a person").click()
    page.get_by_label("Name").fill("Qorvan")
    with page.expect_request(lambda request: "/cases/people/" in request.url) as searched:
        page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("rowheader", name="Qorvan Sentinel-Client")).to_be_visible()
    # The name went in the request's body: not in the URL, the address bar or the history (issue 11).
    assert searched.value.method == "POST"
    assert "Qorvan" in (searched.value.post_data or "")
    assert "Qorvan" not in searched.value.url
    assert "Qorvan" not in page.url
    check_axe(page, "person-search")


def test_filtering_the_case_list_swaps_the_results_in_place(page: Page, investigator, le_case):
    sign_in(page, investigator)
    page.goto("/cases/")
    expect(page.get_by_role("link", name=le_case.number)).to_be_visible()
    page.evaluate("document.body.dataset.marker = 'same-page'")  # lost if the whole page reloads
    page.get_by_label("Status").select_option("closed")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No case matches these filters.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"status=closed"))
    assert page.evaluate("document.body.dataset.marker") == "same-page"
    check_axe(page, "case-list-filtered")


def test_a_name_typed_in_the_case_filter_never_reaches_the_address_bar_or_the_history(
    page: Page, investigator, le_case
):
    given, family = VICTIM_NAME.split()
    for number in range(25):  # 26 cases name the victim: two pages
        case = case_create(actor=investigator, title=f"Venue {number}", intake_channel=Case.Channel.HOTLINE)
        person_add_to_case(
            case=case, role=CaseParticipant.Role.VICTIM, actor=investigator, given_name=given, family_name=family
        )
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    sign_in(page, investigator)
    page.goto("/cases/")
    page.evaluate("document.body.dataset.marker = 'same-page'")  # lost if the whole page reloads
    page.get_by_label("Number, title or name").fill(given)
    page.get_by_label("Status").select_option("open")
    with page.expect_request(lambda request: request.url.endswith("/cases/")) as searched:
        page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("26 cases match.")).to_be_visible()
    assert searched.value.method == "POST"
    assert searched.value.headers.get("hx-request") == "true"
    assert given in (searched.value.post_data or "")
    expect(page).to_have_url(re.compile(r"/cases/\?status=open$"))  # the other filters only

    with page.expect_request(lambda request: request.url.endswith("/cases/")) as paged:
        page.get_by_role("button", name="Next page").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    assert paged.value.method == "POST"
    assert f"q={given}" in (paged.value.post_data or "")
    expect(page).to_have_url(re.compile(r"/cases/\?status=open$"))
    assert page.evaluate("document.body.dataset.marker") == "same-page"
    check_axe(page, "case-list-name-search-page-2")

    visited = [page.url]
    while page.evaluate("history.length") > 1 and "/cases/" in page.url:
        page.go_back()
        # htmx may fetch the restored page: let it finish before the URL is read
        page.wait_for_load_state("networkidle")
        visited.append(page.url)
        if "/cases/" not in page.url:
            break
    assert [url for url in visited if given in url or family in url] == []
    assert [request.url for request in requests if given in request.url or family in request.url] == []
    # htmx keeps no copy of a page that held the name (hx-history="false").
    assert given not in (page.evaluate("localStorage.getItem('htmx-history-cache')") or "")
