"""The portal on a phone held upright (390 px): as each of several demo roles, no page of the navigation, nor a case,
a referral, a service or the audit trail, scrolls sideways; lists' filters fold behind a "Filters" button that a
mouse and a keyboard open and close, so that the results come first (the directory's stay open until a search);
axe finds nothing on any of them.

The screenshots of the case page and the audit trail at this width are ``test-artifacts/screenshots/small-case.png``
and ``small-audit-trail.png``; every page's is ``small-<role>-<path>.png``.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from agencies.demo import DEMO_PASSWORD
from agencies.models import User
from cases.models import Case
from cases.selectors import case_ids_visible_to
from referrals.selectors import referral_list_visible_to
from services_directory.models import Service
from tests.browser.conftest import TIMEOUT_MS, check_axe
from tests.browser.test_sign_in import MFA_URL, NOTICE
from tests.factories import totp_code

PHONE = {"width": 390, "height": 844}

# The lists whose filters must fold (the others are checked too when they have filters).
FOLDING_LISTS = (
    "case_list",
    "referral_inbox",
    "referral_outbox",
    "referral_history",
    "service_search",
    "audit_trail",
    "people",
)

WIDER_THAN_THE_WINDOW = """() => {
    const width = window.innerWidth;
    const wide = [...document.querySelectorAll("body *")]
        .filter(element => element.getBoundingClientRect().right > width + 0.5)
        .filter(element => !element.closest(".usa-table-container--scrollable, .usa-nav, .usa-skipnav"))
        .slice(0, 5)
        .map(element => `${element.tagName.toLowerCase()}.${[...element.classList].join(".")}`);
    return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide: wide};
}"""


@pytest.fixture
def demo(transactional_db) -> None:
    call_command("seed_demo", "--force", stdout=StringIO())


# A code signs in once: a second sign-in of the same person within its 30 s takes the next one (the portal accepts
# one period ahead, MFA_TOTP_TOLERANCE).
_CODES_USED: set[tuple[str, str]] = set()
HOME_PAGE = re.compile(r"^https?://[^/]+/$")  # the home itself (HOME_URL matches any path ending in a slash)


def _sign_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_text(NOTICE).click()
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(MFA_URL)
    user = User.objects.get(email=email)
    code = totp_code(user)
    if (email, code) in _CODES_USED:
        code = totp_code(user, offset=1)
    _CODES_USED.add((email, code))
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(HOME_PAGE)


def _navigation(page: Page) -> list[tuple[str, str]]:
    """The navigation's pages (label, path) as this person has them; the drawer holds them on a small screen. Found
    by its class, not its name, which is in the reader's language."""
    links = page.locator("nav.usa-nav a.usa-nav-link")
    found = [(link.inner_text().strip(), link.get_attribute("href") or "") for link in links.all()]
    assert found, "the navigation has no links"
    return found


def _pages_of(user: User) -> list[tuple[str, str]]:
    """A case (the one with the most people), a referral and a service this person may open, where there is one."""
    pages = []
    case = (
        Case.objects.filter(pk__in=case_ids_visible_to(user))
        .annotate(people=Count("participants"))
        .order_by("-people", "pk")
        .first()
    )
    if case is not None:
        pages.append(("the case page", reverse("case_detail", args=[case.pk])))
    referral = referral_list_visible_to(user).order_by("pk").first()
    if referral is not None:
        pages.append(("a referral", reverse("referral_detail", args=[referral.pk])))
    service = Service.objects.order_by("name").first()
    pages.append(("a service", reverse("service_detail", args=[service.pk])))
    return pages


def _fits(page: Page, name: str) -> None:
    measured = page.evaluate(WIDER_THAN_THE_WINDOW)
    assert measured["scrollWidth"] <= measured["innerWidth"], (
        f"{name} scrolls sideways at {measured['innerWidth']} px: {measured['scrollWidth']} px wide "
        f"({', '.join(measured['wide'])})"
    )


def _filters_fold(page: Page, name: str, *, required: bool, open_at_first: bool) -> None:
    """The filters show or not as the page comes; then a click and the keyboard's Enter and Space open and fold
    them; they are left folded."""
    filters = page.locator(".portal-filters")
    if not required and not filters.count():
        return
    assert filters.count() == 1, f"{name} has no folding filters"
    toggle = filters.get_by_role("button", name="Filters")
    form = filters.locator("form")
    expect(toggle).to_have_attribute("aria-expanded", "true" if open_at_first else "false")
    if open_at_first:
        expect(form).to_be_visible()
        toggle.click()
    expect(form).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(form).to_be_visible()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(form).to_be_hidden()
    page.keyboard.press("Space")
    expect(form).to_be_visible()
    toggle.click()
    expect(form).to_be_hidden()


# Each role, and the lists it reaches from a page rather than from the navigation (label, URL name, query).
ROLES = [
    (
        "caseworker",
        "dana.reyes@fbi.example",
        [("Sent referrals", "referral_outbox", ""), ("Services near 77002", "service_search", "?near=77002")],
    ),
    # "Referrals (N new)" leads to the notices while some are unread: the inbox is reached from there.
    ("provider staff", "jo.park@safeharbor.example", [("Referral inbox", "referral_inbox", "")]),
    ("coordinator", "carla.diaz@gctf.example", [("Closed referrals", "referral_history", "")]),
    ("auditor", "owen.price@gctf.example", []),
    ("agency admin", "priya.nair@fbi.example", []),
]
# Pages that show every role the same: axe reads them once.
SAME_FOR_EVERYONE = ("service_search", "mfa_index")


def _phone(browser: Browser, live_server, email: str) -> Page:
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-US", timezone_id="UTC")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    _sign_in(page, email)
    return page


def test_no_page_scrolls_sideways_at_390_px_and_the_filters_fold(browser: Browser, live_server, demo, subtests):
    folding = {reverse(name) for name in FOLDING_LISTS}
    read_once = {reverse(name) for name in SAME_FOR_EVERYONE}
    open_until_searched = {reverse("service_search")}  # the directory shows nothing before a search
    visited: set[str] = set()
    for role, email, lists in ROLES:
        page = _phone(browser, live_server, email)
        reached = [(label, reverse(url_name) + query) for label, url_name, query in lists]
        for label, path in _navigation(page) + reached + _pages_of(User.objects.get(email=email)):
            name = f"{label} ({path}) as the {role}"
            with subtests.test(msg=name):
                page.goto(path)
                _fits(page, name)
                _filters_fold(page, name, required=path in folding, open_at_first=path in open_until_searched)
                if path not in read_once or path not in visited:
                    check_axe(page, re.sub(r"[^a-z0-9]+", "-", f"small {role} {path.strip('/') or 'home'}"))
                visited.add(path)
        page.context.close()
    assert folding <= visited, f"never visited: {sorted(folding - visited)}"

    page = _phone(browser, live_server, "dana.reyes@fbi.example")
    page.goto(_pages_of(User.objects.get(email="dana.reyes@fbi.example"))[0][1])
    _fits(page, "the case page")
    check_axe(page, "small-case")
    page.goto(reverse("service_search") + "?near=77002")
    expect(page.locator("#service-results")).to_be_in_viewport()  # not below a screenful of filters
    page.goto(reverse("case_list"))
    expect(page.locator("#case-results")).to_be_in_viewport()
    page.set_viewport_size({"width": 1280, "height": 900})  # a wide screen shows the filters, and no button
    expect(page.get_by_role("button", name="Filters")).to_be_hidden()
    expect(page.get_by_role("button", name="Filter", exact=True)).to_be_visible()
    page.context.close()

    page = _phone(browser, live_server, "owen.price@gctf.example")
    page.goto(reverse("audit_trail"))
    expect(page.get_by_role("table")).to_be_visible()
    _fits(page, "the audit trail")
    check_axe(page, "small-audit-trail")
    page.get_by_role("link", name="Next page").click()  # USWDS hides Previous and Next on small screens
    expect(page.get_by_text("Page 2 of")).to_be_visible()
    _fits(page, "the audit trail's second page")
    page.context.close()


@pytest.mark.parametrize("screen", ["wide", "phone"])
def test_every_page_in_spanish_has_no_accessibility_violation(browser: Browser, live_server, demo, subtests, screen):
    """The same pages, for people who chose Spanish, on a wide screen and on a phone: each is in Spanish
    (``lang="es"``) and axe finds nothing (translated labels can break what English passed: a name that no longer
    matches, say); on the phone no page scrolls sideways (Spanish runs about a fifth longer than English)."""
    User.objects.filter(email__in=[email for _role, email, _lists in ROLES]).update(preferred_language="es")
    viewport = PHONE if screen == "phone" else {"width": 1280, "height": 900}
    visited: set[str] = set()
    for role, email, lists in ROLES:
        context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-US", timezone_id="UTC")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        _sign_in(page, email)
        reached = [(label, reverse(url_name) + query) for label, url_name, query in lists]
        for label, path in _navigation(page) + reached + _pages_of(User.objects.get(email=email)):
            if path in visited and path.split("?")[0] in {reverse(name) for name in SAME_FOR_EVERYONE}:
                continue
            with subtests.test(msg=f"{label} ({path}) as the {role}, in Spanish"):
                page.goto(path)
                expect(page.locator("html")).to_have_attribute("lang", "es")
                if screen == "phone":
                    _fits(page, f"{path} as the {role}, in Spanish")
                check_axe(page, re.sub(r"[^a-z0-9]+", "-", f"es {screen} {role} {path.strip('/') or 'home'}"))
            visited.add(path)
        context.close()
