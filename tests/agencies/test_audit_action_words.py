"""The audit trail's action filter takes the action's words, as the trail shows them in the reader's language, as
well as the start of its code (issue 14: actions in words)."""

import pytest
from django.urls import reverse
from django.utils import translation

from portal.audit import ACTION_LABELS, action_codes_described_by, audit_record
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(investigator):
    for action in ["auth.login.succeeded", "auth.logout", "auth.login.failed", "cases.consent.revoked"]:
        audit_record(action=action, actor=investigator)


def _actions(client, text: str, language: str = "en") -> set[str]:
    response = client.get(reverse("audit_trail"), {"action": text}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return {event.action for event in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("auth.login", {"auth.login.succeeded", "auth.login.failed"}),  # the start of a code, as before
        ("auth.", {"auth.login.succeeded", "auth.logout", "auth.login.failed"}),
        ("signed in", {"auth.login.succeeded"}),  # words, whatever their case and spacing
        ("SIGNED  In", {"auth.login.succeeded"}),
        ("sign", {"auth.login.succeeded", "auth.logout", "auth.login.failed"}),  # "signed out", "failed to sign in"
        ("revoked a consent", {"cases.consent.revoked"}),
        ("consent.revoked", set()),  # a code is matched from its start only
        ("nothing of the kind", set()),
    ],
)
def test_the_action_filter_takes_words_or_the_start_of_a_code(client_as, auditor, trail, text, found):
    assert _actions(client_as(auditor), text) == found


def test_words_are_read_in_the_readers_language_accents_aside(client_as, auditor, trail):
    client = client_as(auditor)
    with translation.override("es"):
        words = str(ACTION_LABELS["cases.consent.revoked"])
    assert words != "revoked a consent"  # the catalogue translates it
    assert _actions(client, words, "es") == {"cases.consent.revoked"}
    unaccented = words.replace("ó", "o").replace("é", "e").replace("í", "i").replace("á", "a").upper()
    assert _actions(client, unaccented, "es") == {"cases.consent.revoked"}


@translation.override("en")
def test_words_match_from_the_start_of_a_word():
    signed = set(action_codes_described_by("signed"))
    assert {"auth.login.succeeded", "auth.logout", "auth.session.expired"} <= signed  # "was signed out: ..."
    assert "cases.case.assigned" not in signed  # "assigned the case"
    assert action_codes_described_by("   ") == []


def test_the_export_takes_the_same_words(client_as, auditor, trail):
    response = client_as(auditor).get(reverse("audit_trail_export"), {"action": "signed in"})
    rows = b"".join(response.streaming_content).decode().splitlines()[1:]
    assert rows  # the sign-ins of the trail and of the clients signed in here, nothing else
    assert all(",auth.login.succeeded," in row for row in rows)
    assert AuditEvent.objects.get(action="portal.audit.exported").details["filters"] == {"action": "signed in"}
