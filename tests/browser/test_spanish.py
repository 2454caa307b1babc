"""The whole portal in Spanish: an advocate chooses Español in the header; the choice is kept on her account (it
survives signing out, and a browser that forgot the cookie); the main pages then show none of the catalogue's
English headings, buttons, labels or sentences, dates are written in Spanish, and axe finds nothing."""

import re

from django.utils import formats, translation
from playwright.sync_api import Page, expect

from portal import catalogue
from tests.browser.conftest import check_axe
from tests.browser.test_sign_in import HOME_URL, MFA_URL, SIGN_IN_URL, sign_in, submit_password
from tests.factories import totp_code

# What a person reads as a label: the catalogue's English must not be any of these, whole.
LABELS = "h1, h2, h3, h4, button, label, legend, th, caption, .usa-nav-link, .usa-button, .usa-alert__text"
PLACEHOLDER = re.compile(r"%\(\w+\)|\{\w*\}|<")


def english_messages() -> tuple[set[str], list[str]]:
    """The catalogue's English that Spanish says differently: the short ones (compared with whole labels) and the
    sentences (searched for anywhere in the page)."""
    messages = {
        entry.msgid
        for entry in catalogue.read_entries(catalogue.catalogue_path("es"))
        if not PLACEHOLDER.search(entry.msgid) and entry.msgstr[0] != entry.msgid
    }
    return messages, sorted(message for message in messages if len(message) >= 25)


def assert_no_english(page: Page, name: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "es")
    messages, sentences = english_messages()
    # Not the switcher's button for English: it is named in its own language, and marked so (lang="en").
    labels = page.eval_on_selector_all(
        LABELS,
        """nodes => nodes.filter(node => node.closest('[lang]').getAttribute('lang') === 'es')
                         .map(node => node.textContent.replace(/\\s+/g, ' ').trim())""",
    )
    assert {label for label in labels if label in messages} == set(), name
    body = " ".join(page.locator("body").inner_text().split())
    assert [sentence for sentence in sentences if sentence in body] == [], name


def test_an_advocate_works_in_spanish_and_the_portal_remembers_it(
    page: Page, advocate, ngo_case, ngo_client, client_consent
):
    sign_in(page, advocate)
    header = page.get_by_role("banner")
    header.get_by_role("button", name="Español").click()
    expect(page).to_have_url(HOME_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bienvenido/a, {advocate.get_short_name()}")
    expect(header.get_by_role("button", name="English")).to_have_attribute("lang", "en")
    assert_no_english(page, "home")
    check_axe(page, "es-home")

    nav = page.get_by_role("navigation", name="Navegación principal")
    nav.get_by_role("link", name="Casos", exact=True).click()
    expect(page.get_by_role("heading", name="Casos", level=1)).to_be_visible()
    assert_no_english(page, "case list")
    check_axe(page, "es-case-list")

    page.get_by_role("link", name=ngo_case.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ngo_case.title)
    with translation.override("es"):
        until = formats.date_format(client_consent.expires_on, "DATE_FORMAT")
    assert re.fullmatch(r"\d{1,2} de [a-z]+ de \d{4}", until), until
    expect(page.get_by_text(f"hasta el {until}")).to_be_visible()
    # what the consent releases, in words
    expect(page.get_by_text("Identidad (nombres, fecha de nacimiento, documentos de identidad)")).to_be_visible()
    assert_no_english(page, "case page")
    check_axe(page, "es-case-detail")

    nav.get_by_role("link", name="Directorio de servicios").click()
    expect(page.get_by_role("heading", name="Directorio de servicios", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Buscar", exact=True)).to_be_visible()
    assert_no_english(page, "directory")
    check_axe(page, "es-directory")

    # Signing out keeps the language (the cookie); the sign-in page is in Spanish too.
    header.get_by_role("button", name="Cerrar sesión").click()
    expect(page).to_have_url(SIGN_IN_URL)
    expect(page.get_by_role("heading", name="Iniciar sesión", level=1)).to_be_visible()
    assert_no_english(page, "sign-in")
    check_axe(page, "es-sign-in")

    # A browser without the cookie (another computer) starts in its own language, English; once she is signed in,
    # her account's choice applies again.
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    submit_password(page, advocate)
    expect(page).to_have_url(MFA_URL)
    # The code of the next period: the current one may be the code she used a moment ago, which is refused.
    page.get_by_label("Code").fill(totp_code(advocate, offset=1))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bienvenido/a, {advocate.get_short_name()}")
    # the sign-in message too, although the request that signed her in began in English
    expect(page.get_by_role("status")).not_to_contain_text("Successfully signed in")
    assert_no_english(page, "home again")

    # On a phone the switcher stays in the header, beside the menu button, without covering it.
    page.set_viewport_size({"width": 390, "height": 844})
    switcher = page.get_by_role("banner").get_by_role("button", name="English")
    menu = page.get_by_role("banner").get_by_role("button", name="Menú")
    expect(switcher).to_be_visible()
    expect(menu).to_be_visible()
    switcher_box, menu_box = switcher.bounding_box(), menu.bounding_box()
    assert switcher_box is not None
    assert menu_box is not None
    header_box = page.get_by_role("banner").bounding_box()
    assert header_box is not None
    assert switcher_box["x"] + switcher_box["width"] <= menu_box["x"], (switcher_box, menu_box)
    assert switcher_box["y"] >= header_box["y"], "the switcher covers the handling banner"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    check_axe(page, "es-home-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # And back to English, for her and for the page she is on.
    page.get_by_role("banner").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    advocate.refresh_from_db()
    assert advocate.preferred_language == "en"
