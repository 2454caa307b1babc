"""Refuse by default (DESIGN §4.9): every URL needs sign-in unless it is on this explicit list."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agencies.models import User

# Each entry is a decision: a page an anonymous person must reach. Adding one needs a reason.
PUBLIC_URL_NAMES = {
    "healthz",  # load balancer probe; says only "ok"
    "account_login",
    "account_logout",  # signing out must work whatever the session's state
    "account_inactive",
    "account_signup",  # shows "sign-up is closed" (accounts come from invitations)
    "account_email_verification_sent",
    "account_confirm_email",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_confirm_login_code",
    "mfa_authenticate",  # the second step of sign-in
    "invitation_accept",  # the one-time link from an invitation e-mail
}


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name, pattern


ALL_PATTERNS = list(_walk(get_resolver().url_patterns))


def _is_public(pattern: URLPattern) -> bool:
    return getattr(pattern.callback, "login_required", True) is False


def test_only_the_listed_urls_are_public():
    public = {name for _route, name, pattern in ALL_PATTERNS if _is_public(pattern)}
    assert public == PUBLIC_URL_NAMES


def test_the_walk_found_the_whole_urlconf():
    names = {name for _route, name, _pattern in ALL_PATTERNS}
    for expected in ["home", "people", "person_invite", "mfa_index", "admin:index", "usersessions_list"]:
        assert expected in names


def _sample_path(route: str) -> str | None:
    """A concrete path for a route: converters filled with a plausible value; regex routes are skipped."""
    if "^" in route or "(?P" in route:
        return None
    path = re.sub(r"<int:\w+>", "1", route)
    path = re.sub(r"<(?:str|slug|path|uuid):?\w*>", "x", path)
    return "/" + path


PRIVATE_PATHS = [
    (route, _sample_path(route))
    for route, name, pattern in ALL_PATTERNS
    if not _is_public(pattern) and _sample_path(route) is not None and "static" not in route
]


@pytest.mark.parametrize(("route", "path"), PRIVATE_PATHS, ids=[route for route, _ in PRIVATE_PATHS])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, db, route, path):
    response = client.get(path)
    assert response.status_code == 302, f"{path} answered {response.status_code} to an anonymous visitor"
    # The admin sends visitors to its login page first, which sends them on to the portal's (tested below).
    sign_in_pages = (reverse("account_login"), reverse("admin:login"))
    assert response["Location"].startswith(sign_in_pages)


def test_the_admin_has_no_sign_in_of_its_own(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_sign_up_is_closed(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "stranger@example.com",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert response.status_code == 200
    assert "closed" in response.content.decode().lower()
    assert not User.objects.filter(email="stranger@example.com").exists()
