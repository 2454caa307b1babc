"""Steps that several tests take: signing in through the real forms; data built once for a module's tests; what
the PDF typesetter asked for."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from unittest import mock

from django.db import transaction
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from portal import pdf as portal_pdf
from tests.factories import PASSWORD, totp_code


def post_password(client: Client, email: str, password: str = PASSWORD, *, acknowledge: bool = True, **headers):
    data = {"login": email, "password": password}
    if acknowledge:
        data["acknowledge"] = "on"
    return client.post(reverse("account_login"), data, **headers)


def sign_in(client: Client, user, password: str = PASSWORD):
    """Password, then the authenticator code, as a person would. Returns the last response."""
    response = post_password(client, user.email, password)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("mfa_authenticate")
    return client.post(reverse("mfa_authenticate"), {"code": totp_code(user)})


def kept_for_the_tests[T](django_db_blocker: DjangoDbBlocker, build: Callable[[], T]) -> Iterator[T]:
    """For a module- or class-scoped fixture (``yield from kept_for_the_tests(django_db_blocker, build)``): what
    ``build`` writes is there for every test of the scope, and is written once instead of once a test.

    ``build`` runs in a transaction that stays open while the tests run. Each test's own transaction (pytest-django's
    ``db``) is a savepoint inside it, rolled back after the test: a test sees what ``build`` wrote and never what
    another test changed. When the scope ends, the whole transaction is rolled back (nothing stays behind, not even
    the audit events PostgreSQL refuses to delete). The tests reach the database only through ``db``, as usual.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            built = build()
            with django_db_blocker.block():
                yield built
        finally:
            transaction.set_rollback(True)


@contextmanager
def fetched_by_the_typesetter() -> Iterator[list[str]]:
    """The URLs the typesetter asks ``portal.pdf.fetch_static`` for inside the block, in order (still served)."""
    asked: list[str] = []
    fetch = portal_pdf.fetch_static

    def spy(url: str) -> portal_pdf.Fetched:
        asked.append(url)
        return fetch(url)

    with mock.patch.object(portal_pdf, "fetch_static", spy):
        yield asked
