"""An advocate searches the directory and opens a service; a shelter's staff reports capacity in one click and the
advocate sees it. Every page on the way passes axe, with and without htmx's swaps."""

from playwright.sync_api import Page, expect

from services_directory.models import Service
from tests.browser.conftest import check_axe
from tests.browser.test_sign_in import sign_in
from tests.services_directory.factories import ScheduleFactory, listed_service


def _directory(ngo):
    shelter = listed_service(
        name="Harbor House",
        agency=ngo,
        confidential=True,
        address="17 Secret Lane",
        languages=("es", "en"),
        minimum_age=18,
        accepts_minors=False,
        accepts_without_status=True,
    )
    ScheduleFactory(service=shelter, byday="", opens_at="00:00", closes_at="00:00")
    listed_service(
        name="Bayou Youth Shelter",
        latitude=29.2804,
        longitude=-94.8553,
        languages=("en",),
        minimum_age=12,
        maximum_age=20,
        accepts_minors=True,
        capacity=Service.Capacity.AVAILABLE,
        capacity_count=2,
    )
    listed_service(name="Harbor Legal Aid", categories=("legal_immigration",), languages=("es",))
    return shelter


def test_an_advocate_finds_a_ranked_service_and_a_provider_updates_capacity(
    browser, live_server, page: Page, advocate, provider_staff, outsider, ngo
):
    shelter = _directory(ngo)

    sign_in(page, provider_staff)
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="My listings").click()
    expect(page.get_by_role("heading", name="My listings", level=1)).to_be_visible()
    check_axe(page, "directory-my-listings")
    listing = page.get_by_role("region", name="Harbor House")
    listing.get_by_label("Places or slots open").fill("4")
    listing.get_by_role("button", name="Available").click()  # htmx swaps the capacity box in place
    expect(listing.get_by_role("status")).to_contain_text("Available (4 open), updated within the hour")
    check_axe(page, "directory-my-listings-updated")
    shelter.refresh_from_db()
    assert (shelter.capacity, shelter.capacity_count) == ("available", 4)

    advocate_page = page.context.browser.new_context(base_url=live_server.url).new_page()
    sign_in(advocate_page, advocate)
    advocate_page.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="Service directory"
    ).click()
    check_axe(advocate_page, "directory-search-empty")
    form = advocate_page.get_by_role("form", name="Search services")
    form.get_by_text("Emergency shelter", exact=True).click()  # USWDS styles the label, not the box
    form.get_by_label("Person's language").select_option("es")
    form.get_by_label("Near").fill("77002")
    form.get_by_label("Person's age").fill("19")
    form.get_by_role("button", name="Search").click()
    results = advocate_page.get_by_role("list", name="Services, best match first")
    expect(results.get_by_role("heading", level=2)).to_have_text(["Harbor House", "Bayou Youth Shelter"])
    first = results.get_by_role("listitem").first
    expect(first).to_contain_text("Eligible (ages 18 and over)")
    expect(first).to_contain_text("Available (4 open), updated within the hour")
    expect(first).to_contain_text("Speaks Spanish")
    expect(first).to_contain_text("0.0 mi from 77002")
    expect(first).to_contain_text("17 Secret Lane")  # the advocate's own agency's shelter
    check_axe(advocate_page, "directory-search-results")

    results.get_by_role("link", name="Harbor House", exact=True).click()
    expect(advocate_page.get_by_role("heading", name="Harbor House", level=1)).to_be_visible()
    expect(advocate_page.get_by_text("Confidential address")).to_be_visible()
    check_axe(advocate_page, "directory-service-detail")

    outsider_page = page.context.browser.new_context(base_url=live_server.url).new_page()
    sign_in(outsider_page, outsider)
    outsider_page.goto(f"/directory/services/{shelter.pk}/")
    expect(outsider_page.get_by_text("Confidential location: the provider gives the address")).to_be_visible()
    expect(outsider_page.get_by_text("17 Secret Lane")).to_have_count(0)
    check_axe(outsider_page, "directory-service-detail-outsider")


def test_a_provider_edits_its_listing_in_the_browser(browser, live_server, page: Page, provider_staff, ngo):
    shelter = _directory(ngo)
    sign_in(page, provider_staff)
    page.goto(f"/directory/services/{shelter.pk}/")
    page.get_by_role("link", name="Edit listing").click()
    check_axe(page, "directory-service-form")
    page.get_by_text("Transitional housing", exact=True).click()
    page.get_by_text("Vietnamese", exact=True).click()
    page.get_by_label("Documents a person must bring").fill("Nothing: come as you are")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The listing is saved.")).to_be_visible()
    expect(page.get_by_text("Nothing: come as you are")).to_be_visible()
    expect(page.get_by_text("Transitional housing")).to_be_visible()
