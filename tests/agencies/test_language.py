"""The header's language switcher: a signed-in person's choice is kept on their account and applied on every request
(over the cookie and the browser); before sign-in the cookie, then the browser's Accept-Language, decide."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from agencies.language import set_preferred_language

SWITCH = reverse("switch_language")


def switch(client: Client, language: str, next_url: str = "/cases/"):
    return client.post(SWITCH, {"language": language, "next": next_url})


def test_a_signed_in_person_keeps_the_language_they_choose(client_as, investigator):
    client = client_as(investigator)
    response = switch(client, "es")
    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    investigator.refresh_from_db()
    assert investigator.preferred_language == "es"

    page = client.get(reverse("home"))
    assert page["Content-Language"] == "es"
    assert '<html lang="es">' in page.content.decode()
    assert "Cerrar sesión" in page.content.decode()


def test_the_choice_follows_the_person_to_another_browser_over_its_cookie_and_language(client_as, investigator):
    set_preferred_language(investigator, "es")
    client = client_as(investigator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US")
    assert response["Content-Language"] == "es"
    # the cookie now says the same, so the sign-in page after signing out stays in Spanish
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


def test_a_person_who_has_not_chosen_gets_their_browsers_language(client_as, investigator):
    assert investigator.preferred_language == ""
    client = client_as(investigator)
    assert client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es-US,es;q=0.9")["Content-Language"] == "es"
    assert client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US")["Content-Language"] == "en"


def test_before_sign_in_the_choice_is_the_cookies_and_nothing_is_saved(db):
    client = Client()
    response = switch(client, "es", reverse("account_login"))
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US")
    assert page["Content-Language"] == "es"
    assert "Iniciar sesión" in page.content.decode()


def test_the_sign_in_page_follows_the_browser_until_a_choice_is_made(db):
    page = Client().get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert page["Content-Language"] == "es"
    # the switcher offers the other language, named in that language
    assert 'lang="en"' in page.content.decode()
    assert ">English</button>" in page.content.decode()


@pytest.mark.parametrize(
    ("language", "next_url", "expected_location", "saved"),
    [
        ("es", "/referrals/", "/referrals/", "es"),
        ("en", "/referrals/", "/referrals/", "en"),
        ("fr", "/referrals/", "/referrals/", ""),  # not a language of the portal: nothing changes
        ("es", "https://evil.example/", "/", "es"),  # only a page of this site
        ("es", "//evil.example/", "/", "es"),
        ("es", "", "/", "es"),
    ],
)
def test_the_switch_accepts_only_the_portals_languages_and_pages(
    client_as, investigator, language, next_url, expected_location, saved
):
    response = switch(client_as(investigator), language, next_url)
    assert response.status_code == 302
    assert response["Location"] == expected_location
    investigator.refresh_from_db()
    assert investigator.preferred_language == saved


def test_the_switch_needs_a_post_with_a_csrf_token(client_as, investigator):
    assert client_as(investigator).get(SWITCH).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(investigator, backend="agencies.auth.AuthenticationBackend")
    assert switch(strict, "es").status_code == 403
    investigator.refresh_from_db()
    assert investigator.preferred_language == ""


def test_only_the_portals_languages_are_kept(investigator):
    set_preferred_language(investigator, "es")
    investigator.refresh_from_db()
    assert investigator.preferred_language == "es"
    with pytest.raises(ValueError, match="Unsupported language"):
        set_preferred_language(investigator, "fr")


def test_the_switcher_does_not_echo_the_query_string(client_as, investigator):
    page = client_as(investigator).get(reverse("home"), {"q": "Nobody-Matches-This"}).content.decode()
    assert f'name="next" value="{reverse("home")}"' in page
    assert "Nobody-Matches-This" not in page
