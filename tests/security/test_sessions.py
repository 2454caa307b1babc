"""30 minutes idle, 12 hours in all, and signing out ends the session on the server (docs/architecture.md §10)."""

from datetime import timedelta

import time_machine
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from tests.helpers import sign_in


def _signed_in(client, user):
    sign_in(client, user)
    assert client.get(reverse("home")).status_code == 200


def test_a_session_idle_for_more_than_thirty_minutes_ends(client, investigator):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _signed_in(client, investigator)
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    event = AuditEvent.objects.get(action="auth.session.expired")
    assert event.actor == investigator
    assert event.details == {"limit": "idle"}


def test_activity_keeps_a_session_alive_until_twelve_hours(client, investigator):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _signed_in(client, investigator)
    for minutes in range(25, 12 * 60, 25):  # a request every 25 minutes
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("home")).status_code == 200, f"refused after {minutes} minutes"
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="auth.session.expired").details == {"limit": "absolute"}


def test_twenty_nine_idle_minutes_are_fine(client, investigator):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _signed_in(client, investigator)
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get(reverse("home")).status_code == 200


def test_signing_out_ends_the_session_on_the_server(client, investigator):
    _signed_in(client, investigator)
    session_key = client.session.session_key
    assert Session.objects.filter(session_key=session_key).exists()
    assert UserSession.objects.filter(user=investigator).exists()

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=session_key).exists()
    assert AuditEvent.objects.filter(action="auth.logout", actor=investigator).count() == 1

    # The old cookie is worth nothing now.
    client.cookies["sessionid"] = session_key
    assert client.get(reverse("home")).status_code == 302


def test_sign_out_needs_a_post(client_as, investigator):
    client = client_as(investigator)
    client.get(reverse("account_logout"))
    assert client.get(reverse("home")).status_code == 200


def _writes(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]


def test_pages_within_a_minute_write_nothing_to_keep_the_session(client, investigator):
    """The session's stamp and allauth's record of where one is signed in are renewed once a minute, not on every
    page: a page read is not a write transaction."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _signed_in(client, investigator)
    with time_machine.travel(start + timedelta(seconds=30), tick=False), CaptureQueriesContext(connection) as seen:
        assert client.get(reverse("home")).status_code == 200
    assert _writes(seen.captured_queries) == []


def test_a_page_after_a_minute_renews_the_stamp_and_where_one_is_signed_in(client, investigator):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _signed_in(client, investigator)
    later = start + timedelta(minutes=20)
    with time_machine.travel(later, tick=False):
        assert client.get(reverse("home")).status_code == 200
    assert UserSession.objects.get(user=investigator).last_seen_at == later
    # Twenty more idle minutes are counted from the renewed stamp, not from signing in: still signed in.
    with time_machine.travel(later + timedelta(minutes=20), tick=False):
        assert client.get(reverse("home")).status_code == 200


def test_a_request_from_another_address_is_recorded_at_once(client, investigator):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _signed_in(client, investigator)
    with time_machine.travel(start + timedelta(seconds=10), tick=False):
        assert client.get(reverse("home"), REMOTE_ADDR="198.51.100.7").status_code == 200
    assert UserSession.objects.get(user=investigator).ip == "198.51.100.7"
