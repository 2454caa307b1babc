"""A database outage answers 503 with the portal's page and ``Retry-After``, wherever in the request it strikes
(docs/decisions/0019-a-database-outage-answers-503.md); a session truly deleted meanwhile still gets Django's 400.

The outage is simulated at the connection: ``connection.execute_wrapper`` raises ``OperationalError`` for the
queries chosen, as the driver does when the server went away (Django wraps psycopg's error in its own), and
``ensure_connection`` raising it is a server that refuses connections."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from asgiref.sync import async_to_sync
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import DatabaseError, OperationalError, ProgrammingError, connection
from django.test import Client
from django.urls import reverse

from portal.sessions import SessionStore

OUTAGE_MESSAGE = "The portal cannot reach its database; try again in a moment."
SERVER_GONE = "server closed the connection unexpectedly"
DJANGO_SESSION_DELETED = "The request's session was deleted before the request completed"


@pytest.fixture
def signed_in(investigator) -> Client:
    """The investigator signed in, with a client that answers what the portal answers instead of re-raising."""
    client = Client(raise_request_exception=False)
    client.force_login(investigator, backend="agencies.auth.AuthenticationBackend")
    return client


@contextmanager
def queries_fail(when: Callable[[str], bool], error: Exception) -> Iterator[list[str]]:
    """Every query for which ``when(sql)`` holds raises ``error`` instead of running; yields the SQL it refused."""
    refused: list[str] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if when(sql):
            refused.append(sql)
            raise error
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield refused


def is_session_update(sql: str) -> bool:
    return sql.startswith('UPDATE "django_session"')


def assert_outage_page(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert OUTAGE_MESSAGE in page
    assert DJANGO_SESSION_DELETED not in page
    assert SERVER_GONE not in page  # never the error's text


def test_the_pages_answer_normally(signed_in):
    """The control: the same request with the database up is the home page, and its session is saved."""
    response = signed_in.get(reverse("home"))
    assert response.status_code == 200
    assert OUTAGE_MESSAGE not in response.content.decode()


def test_database_gone_while_the_session_is_saved_answers_503_not_session_deleted(signed_in):
    """The view ran; the database died before the session's row was updated (the session is saved on every
    request). Django's store would call that a deleted session (400)."""
    with queries_fail(is_session_update, OperationalError(SERVER_GONE)) as refused:
        response = signed_in.get(reverse("home"))
    assert refused, "the session's update was never attempted: the test did not test anything"
    assert_outage_page(response)


def test_database_gone_before_the_request_answers_503(signed_in):
    """No connection at all: the session cannot even be read. The page itself needs no database."""
    with mock.patch.object(connection, "ensure_connection", side_effect=OperationalError(SERVER_GONE)):
        response = signed_in.get(reverse("case_list"))
    assert_outage_page(response)


def test_database_gone_during_the_view_answers_503(signed_in, investigator):
    """The session and the user were read; the view's own query finds the database gone."""
    with queries_fail(lambda sql: '"cases_case"' in sql, OperationalError(SERVER_GONE)) as refused:
        response = signed_in.get(reverse("case_list"))
    assert refused
    assert_outage_page(response)


def test_other_database_errors_stay_a_500(signed_in):
    """A bug (here a query the database refuses) is not an outage: the generic 500, no Retry-After."""
    with queries_fail(lambda sql: '"cases_case"' in sql, ProgrammingError("column does not exist")) as refused:
        response = signed_in.get(reverse("case_list"))
    assert refused
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert OUTAGE_MESSAGE not in response.content.decode()


def test_a_session_deleted_meanwhile_still_gets_djangos_400(signed_in):
    """Signed out in another tab while this request ran: the session's row is gone when this request saves it.
    That is Django's ``SessionInterrupted`` (400), unchanged."""
    session_key = signed_in.cookies["sessionid"].value
    deleted: list[str] = []

    def delete_first(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if is_session_update(sql) and not deleted:
            deleted.append(session_key)  # (inside the save's savepoint here; committed by the other request in life)
            Session.objects.filter(session_key=session_key).delete()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(delete_first):
        response = signed_in.get(reverse("home"))
    assert deleted
    assert response.status_code == 400
    assert "Retry-After" not in response
    assert OUTAGE_MESSAGE not in response.content.decode()


def _parent_asave_failing_with(error: Exception) -> Callable[..., Any]:
    """Django's ``asave`` as it fails: ``UpdateError`` raised while handling the database's error."""

    async def asave(self: Any, must_create: bool = False) -> None:
        try:
            raise error
        except DatabaseError as caught:
            raise UpdateError from caught

    return asave


@pytest.mark.parametrize(
    ("database_error", "raised"),
    [
        (OperationalError(SERVER_GONE), OperationalError),
        (DatabaseError("Forced update did not affect any rows."), UpdateError),  # the session was deleted
    ],
)
def test_the_async_save_tells_an_outage_from_a_deleted_session(database_error, raised):
    """``asave`` (no request path uses it under WSGI) keeps the same rule as ``save``."""
    store = SessionStore(session_key="k" * 32)
    with (
        mock.patch.object(db.SessionStore, "asave", _parent_asave_failing_with(database_error)),
        pytest.raises(raised),
    ):
        async_to_sync(store.asave)()
