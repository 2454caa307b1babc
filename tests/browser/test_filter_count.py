"""On a phone, the case list's filters fold behind a "Filters" button that says how many filters narrow the list:
applied in place (htmx), the count follows; cleared, it goes."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import check_axe
from tests.browser.test_sign_in import sign_in


def test_the_filters_button_counts_what_narrows_the_list_on_a_phone(page: Page, investigator, le_case):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, investigator)
    page.goto("/cases/")
    toggle = page.locator(".portal-filters").get_by_role("button", name="Filters")
    expect(toggle).to_have_text("Filters")
    toggle.click()
    page.evaluate("window.stayedOnThePage = true")
    page.get_by_label("Status").select_option("open")
    page.get_by_label("Type", exact=True).select_option("sex")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("1 case matches.")
    expect(toggle).to_have_text("Filters (2)")
    assert page.evaluate("window.stayedOnThePage === true")  # swapped in out of band, the page not reloaded
    check_axe(page, "case-list-filtered-small")

    page.get_by_label("Type", exact=True).select_option("")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(toggle).to_have_text("Filters (1)")
    page.reload()
    expect(page.locator(".portal-filters").get_by_role("button", name="Filters")).to_have_text("Filters (1)")
