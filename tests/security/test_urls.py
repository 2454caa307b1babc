"""Refuse by default (docs/architecture.md §4.9): every URL needs sign-in unless it is on this explicit list."""

import re

import pytest
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

from agencies.models import User
from portal.middleware import MFA_ENROLMENT_URL_NAMES
from portal.models import AuditEvent
from tests.factories import UserFactory
from tests.helpers import post_password

# Each entry is a decision: a page an anonymous person must reach. Adding one needs a reason.
PUBLIC_URL_NAMES = {
    "healthz",  # load balancer probe; says only "ok"
    "readyz",  # operators' readiness probe: "ok" or "unavailable" and the task queue's counts, nothing more
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
    "mfa_enrolment_link",  # the one-time link e-mailed with an authenticator reset (it needs the password too)
    "switch_language",  # the header's language switcher, on the sign-in page too (a POST with CSRF; a cookie only)
    # The HSDS API authenticates by itself, by session or by an agency's API token, and answers 401 otherwise
    # (test_an_anonymous_api_call_is_refused below).
    "hsds_api_meta",
    "hsds_api_openapi",
    "hsds_api_services",
    "hsds_api_service",
    # The tips API opens only to an agency's token of the tips scope (401 otherwise, tests/tips/test_api.py); its
    # description holds no data.
    "tips_api_receive",
    "tips_api_openapi",
}
HSDS_API_URL_NAMES = {"hsds_api_meta", "hsds_api_openapi", "hsds_api_services", "hsds_api_service"}


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
    for expected in ["home", "people", "member_invite", "mfa_index", "admin:index", "usersessions_list"]:
        assert expected in names


def _sample_path(route: str) -> str | None:
    """A concrete path for a route: converters filled with a plausible value; regex routes are skipped."""
    if "^" in route or "(?P" in route:
        return None
    path = re.sub(r"<int:\w+>", "1", route)
    path = re.sub(r"<uuid:\w+>", "00000000-0000-4000-8000-000000000000", path)
    path = re.sub(r"<(?:str|slug|path):?\w*>", "x", path)
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


def test_a_signed_in_person_who_is_not_staff_is_refused_by_the_admin_without_a_loop(client_as, investigator):
    client = client_as(investigator)
    first = client.get("/admin/")
    assert first.status_code == 302
    assert first["Location"].startswith(reverse("admin:login"))
    assert client.get(first["Location"]).status_code == 403


def test_staff_reach_the_admin(client_as, superuser):
    assert client_as(superuser).get("/admin/").status_code == 200


def test_admin_changes_are_audit_events(client_as, superuser, lead_agency):
    client = client_as(superuser)
    url = reverse("admin:agencies_agency_change", args=[lead_agency.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update({"jurisdiction": "Southern District", "is_active": "on"})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:500]
    event = AuditEvent.objects.get(action="admin.agencies.agency.changed")
    assert event.actor == superuser
    assert event.details == {"fields": ["Jurisdiction"]}
    assert event.agency_id == lead_agency.pk


def test_the_admin_deactivates_through_the_service(client_as, superuser, investigator):
    client = client_as(superuser)
    response = client.post(
        reverse("admin:agencies_user_changelist"),
        {"action": "deactivate", "_selected_action": [investigator.pk]},
    )
    assert response.status_code == 302
    investigator.refresh_from_db()
    assert not investigator.is_active
    assert AuditEvent.objects.filter(action="agencies.user.deactivated", object_id=str(investigator.pk)).exists()


@pytest.mark.parametrize(("route", "path"), PRIVATE_PATHS, ids=[route for route, _ in PRIVATE_PATHS])
def test_a_person_without_a_second_factor_reaches_nothing_but_enrolment(client, lead_agency, route, path):
    person = UserFactory(agency=lead_agency, mfa=False, is_staff=True, is_superuser=True)
    assert post_password(client, person.email).status_code == 302  # the password alone signs them in
    name = resolve(path).url_name if _resolves(path) else None
    response = client.get(path)
    if name in MFA_ENROLMENT_URL_NAMES:
        return
    assert response.status_code == 302, f"{path} answered {response.status_code}"
    assert response["Location"] == reverse("mfa_activate_totp"), f"{path} sent the person to {response['Location']}"


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


@pytest.mark.parametrize(
    "path",
    [
        "/api/hsds/",
        "/api/hsds/openapi.json",
        "/api/hsds/services",
        "/api/hsds/services/00000000-0000-4000-8000-000000000000",
    ],
)
def test_an_anonymous_api_call_is_refused(client, db, path):
    assert {name for _route, name, _pattern in ALL_PATTERNS if name in HSDS_API_URL_NAMES} == HSDS_API_URL_NAMES
    response = client.get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {"error": "Sign in, or send an API token: Authorization: Bearer <token>."}
