"""A create form sent twice (a retry after a lost answer, a double click) creates once (portal/idempotency.py,
docs/decisions/0017-submission-keys.md). The forms are read from the served HTML, as a browser without JavaScript
would post them: the key is a hidden input the server rendered."""

import uuid
from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseParticipant, Consent, Document, Need, Note
from cases.services import note_add
from portal import idempotency
from portal.idempotency import create_once, owned_key
from portal.models import AuditEvent
from referrals.models import ReferralMessage
from tests.referrals.conftest import (  # noqa: F401 (fixtures)
    le_victim,
    service_referral,
    shelter_need,
    shelter_service,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class _Forms(HTMLParser):
    """The fields of each form of a page, by its action, as a browser would post them (hidden inputs included)."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self._current = self.forms.setdefault(attributes.get("action") or self.page_url, {})
        elif tag == "input" and self._current is not None and attributes.get("type") == "hidden":
            self._current[attributes["name"] or ""] = attributes.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def hidden_fields(client: Any, page_url: str, action: str) -> dict[str, str]:
    response = client.get(page_url)
    assert response.status_code == 200
    parser = _Forms(page_url)
    parser.feed(response.content.decode())
    return parser.forms[action]


def _today() -> str:
    return timezone.localdate().isoformat()


def _expiry() -> str:
    return (timezone.localdate() + timedelta(days=30)).isoformat()


# name: (who, page showing the form, where it posts, fields the person fills in, model created, its audit action)
FORMS: dict[str, tuple[str, Callable[..., str], Callable[..., str], Callable[..., dict[str, Any]], type, str]] = {
    "case": (
        "investigator",
        lambda f: reverse("case_create"),
        lambda f: reverse("case_create"),
        lambda f: {"title": "Nail salon", "case_type": Case.Type.LABOR, "intake_channel": Case.Channel.HOTLINE},
        Case,
        "cases.case.created",
    ),
    "person": (
        "investigator",
        lambda f: reverse("participant_add", args=[f["le_case"].pk]),
        lambda f: reverse("participant_add", args=[f["le_case"].pk]),
        lambda f: {"role": CaseParticipant.Role.WITNESS, "given_name": "Wren", "sex": "unknown"},
        CaseParticipant,
        "cases.participant.added",
    ),
    "consent": (
        "advocate",
        lambda f: reverse("consent_create", args=[f["ngo_case"].pk]),
        lambda f: reverse("consent_create", args=[f["ngo_case"].pk]),
        lambda f: {
            "person": f["ngo_client"].pk,
            "recipient_agency": f["lead_agency"].pk,
            "categories": ["identity"],
            "purpose": "Joint investigation",
            "signed_on": _today(),
            "expires_on": _expiry(),
        },
        Consent,
        "cases.consent.recorded",
    ),
    "note": (
        "investigator",
        lambda f: reverse("case_detail", args=[f["le_case"].pk]),
        lambda f: reverse("note_add", args=[f["le_case"].pk]),
        lambda f: {"text": "Called the venue's landlord."},
        Note,
        "cases.note.added",
    ),
    "need": (
        "investigator",
        lambda f: reverse("case_detail", args=[f["le_case"].pk]),
        lambda f: reverse("need_add", args=[f["le_case"].pk]),
        lambda f: {
            "person": f["le_victim"].pk,
            "category": Need.Category.LEGAL_IMMIGRATION,
            "urgency": Need.Urgency.ROUTINE,
        },
        Need,
        "cases.need.added",
    ),
    "document": (
        "investigator",
        lambda f: reverse("case_detail", args=[f["le_case"].pk]),
        lambda f: reverse("document_upload", args=[f["le_case"].pk]),
        lambda f: {"file": SimpleUploadedFile("lease.pdf", PDF), "description": "Lease"},
        Document,
        "cases.document.uploaded",
    ),
    "referral message": (
        "provider_staff",
        lambda f: reverse("referral_detail", args=[f["service_referral"].pk]),
        lambda f: reverse("referral_message", args=[f["service_referral"].pk]),
        lambda f: {"body": "Can she arrive after 8 pm?"},
        ReferralMessage,
        "referrals.message.added",
    ),
}

FIXTURES = ["le_case", "ngo_case", "ngo_client", "lead_agency", "le_victim", "service_referral"]


@pytest.fixture
def given(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {name: request.getfixturevalue(name) for name in FIXTURES}


@pytest.mark.parametrize("form", FORMS)
def test_a_form_posted_twice_with_its_key_creates_one_row_and_one_audit_event(request, client_as, given, form):
    who, page, action, filled, model, audit_action = FORMS[form]
    client = client_as(request.getfixturevalue(who))
    fields = hidden_fields(client, page(given), action(given))
    assert uuid.UUID(fields["submission_key"])  # rendered by the server: no script makes it
    rows, events = model.objects.count(), AuditEvent.objects.filter(action=audit_action).count()

    first = client.post(action(given), {**fields, **filled(given)})
    again = client.post(action(given), {**fields, **filled(given)})

    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]  # the first object's page, shown again
    assert model.objects.count() == rows + 1
    assert AuditEvent.objects.filter(action=audit_action).count() == events + 1


@pytest.mark.parametrize("form", FORMS)
def test_each_new_showing_of_a_form_is_a_new_submission(request, client_as, given, form):
    who, page, action, filled, model, _audit = FORMS[form]
    client = client_as(request.getfixturevalue(who))
    rows = model.objects.count()
    for _ in range(2):
        client.post(action(given), {**hidden_fields(client, page(given), action(given)), **filled(given)})
    assert model.objects.count() == rows + 2


def test_a_form_that_comes_back_with_errors_keeps_its_key(client_as, investigator):
    client = client_as(investigator)
    key = hidden_fields(client, reverse("case_create"), reverse("case_create"))["submission_key"]
    response = client.post(reverse("case_create"), {"submission_key": key, "title": ""})
    assert response.status_code == 200
    assert f'name="submission_key" value="{key}"' in response.content.decode()
    assert not Case.objects.filter(title="").exists()


def test_another_person_posting_the_same_key_gets_their_own_note_not_the_first(investigator, colleague, le_case):
    key = uuid.uuid4()
    first = note_add(case=le_case, text="Mine", actor=investigator, submission_key=key)

    theirs = note_add(case=le_case, text="Theirs", actor=colleague, submission_key=key)

    assert theirs.pk != first.pk
    assert (theirs.author, theirs.text) == (colleague, "Theirs")
    assert note_add(case=le_case, text="Mine", actor=investigator, submission_key=key).pk == first.pk
    assert Note.objects.filter(case=le_case).count() == 2


def test_a_form_posted_without_a_key_is_still_created_each_time(client_as, investigator, le_case):
    client = client_as(investigator)
    for _ in range(2):
        assert client.post(reverse("note_add", args=[le_case.pk]), {"text": "No key"}).status_code == 302
    assert Note.objects.filter(text="No key").count() == 2


def test_the_same_form_at_the_same_moment_returns_the_row_the_other_request_wrote(investigator, le_case):
    """Both requests miss the lookup (the other one had not committed yet); the unique key refuses the later insert,
    which then answers with the row the other request wrote."""
    key = uuid.uuid4()
    winner = Note.objects.create(
        case=le_case,
        author=investigator,
        author_agency=investigator.agency,
        text="First",
        submission_key=owned_key(investigator, key),
    )
    real_lookup = idempotency._created_with
    lookups = iter([lambda model, stored: None, real_lookup])

    def create(stored_key: uuid.UUID | None) -> Note:
        return Note.objects.create(
            case=le_case, author=investigator, author_agency=investigator.agency, text="Late", submission_key=stored_key
        )

    with mock.patch.object(idempotency, "_created_with", lambda model, stored: next(lookups)(model, stored)):
        assert create_once(Note, actor=investigator, key=key, create=create) == winner
    assert not Note.objects.filter(text="Late").exists()
