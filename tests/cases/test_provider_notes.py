"""A shelter's note is released to another agency only when each client it is about released their account
(security review, issue 11, point 11). Two clients of the shelter, A and B, in one case shared with the federal
field office: a consent from A releases the notes about A, not those about B, about A and B, or naming nobody."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from cases import selectors
from cases.models import CaseParticipant, Note
from cases.packets import render_case_packet
from cases.services import consent_revoke, document_upload, note_add, person_add_to_case
from tests.factories import given_consent

ABOUT_A, ABOUT_B, ABOUT_BOTH, UNNAMED = "NOTE-ABOUT-A", "NOTE-ABOUT-B", "NOTE-ABOUT-A-AND-B", "NOTE-NAMING-NOBODY"
SHELTER_FILE = "SHELTER-FILE.txt"


@pytest.fixture
def client_a(ngo_client):
    return ngo_client


@pytest.fixture
def client_b(ngo_case, advocate):
    return person_add_to_case(
        case=ngo_case, role=CaseParticipant.Role.VICTIM, actor=advocate, given_name="Brisk", family_name="Bellamy"
    ).person


@pytest.fixture
def shelter_notes(ngo_case, advocate, client_a, client_b):
    note_add(case=ngo_case, text=ABOUT_A, actor=advocate, about=[client_a])
    note_add(case=ngo_case, text=ABOUT_B, actor=advocate, about=[client_b])
    note_add(case=ngo_case, text=ABOUT_BOTH, actor=advocate, about=[client_a, client_b])
    # A note from before notes named their clients: written straight to the table, as the service now refuses it.
    Note.objects.create(case=ngo_case, author=advocate, author_agency=advocate.agency, text=UNNAMED)
    document_upload(case=ngo_case, uploaded_file=SimpleUploadedFile(SHELTER_FILE, b"Intake interview"), actor=advocate)


def _consent(person, agency, advocate, categories=("narrative",)):
    return given_consent(person, agency, categories, by=advocate)


# (who released what to the field office, the shelter's notes it reads, whether it sees the shelter's file)
TABLE = [
    ("nobody", {}, set(), False),
    ("A", {"a": ("narrative",)}, {ABOUT_A}, False),
    ("B", {"b": ("narrative",)}, {ABOUT_B}, False),
    ("A, identity only", {"a": ("identity",)}, set(), False),
    ("A and B", {"a": ("narrative",), "b": ("narrative",)}, {ABOUT_A, ABOUT_B, ABOUT_BOTH, UNNAMED}, True),
    ("A, and B revoked", {"a": ("narrative",), "b": "revoked"}, {ABOUT_A}, False),
]
table = pytest.mark.parametrize(
    ("released", "notes", "sees_file"), [row[1:] for row in TABLE], ids=[row[0] for row in TABLE]
)


@pytest.fixture
def reader(investigator, lead_agency, advocate, client_a, client_b, shelter_notes, released):
    for key, categories in released.items():
        person = {"a": client_a, "b": client_b}[key]
        if categories == "revoked":
            consent_revoke(consent=_consent(person, lead_agency, advocate), actor=advocate)
        else:
            _consent(person, lead_agency, advocate, categories)
    return investigator


def _texts(notes) -> set[str]:
    return {note.text for note in notes}


@table
def test_a_shelter_note_is_read_only_when_each_client_it_is_about_released_their_account(
    ngo_case, reader, notes, sees_file
):
    access = selectors.case_access_for_user(reader, ngo_case.pk)
    assert _texts(selectors.notes_visible(reader, access.case, access.permissions)) == notes


@table
def test_a_shelter_file_is_read_only_when_every_client_of_the_shelter_released_their_account(
    ngo_case, reader, notes, sees_file
):
    access = selectors.case_access_for_user(reader, ngo_case.pk)
    documents = selectors.documents_visible(reader, access.case, access.permissions)
    names = {document.original_name for document in documents}
    assert (SHELTER_FILE in names) == sees_file


@table
def test_the_case_page_shows_the_shelter_notes_the_rule_releases(client_as, ngo_case, reader, notes, sees_file):
    page = client_as(reader).get(reverse("case_detail", args=[ngo_case.pk])).content.decode()
    assert {text for text in (ABOUT_A, ABOUT_B, ABOUT_BOTH, UNNAMED) if text in page} == notes


def test_the_packet_shows_the_note_about_a_alone_when_only_a_released_their_account(
    ngo_case, investigator, lead_agency, advocate, client_a, shelter_notes
):
    _consent(client_a, lead_agency, advocate)
    pdf = render_case_packet(ngo_case, investigator)
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    assert {t for t in (ABOUT_A, ABOUT_B, ABOUT_BOTH, UNNAMED) if t in text} == {ABOUT_A}


def test_the_shelter_reads_all_its_notes(ngo_case, advocate, shelter_notes):
    access = selectors.case_access_for_user(advocate, ngo_case.pk)
    assert _texts(selectors.notes_visible(advocate, access.case, access.permissions)) == {
        ABOUT_A,
        ABOUT_B,
        ABOUT_BOTH,
        UNNAMED,
    }


def test_reading_notes_costs_the_same_queries_for_4_and_24_notes(
    ngo_case, investigator, lead_agency, advocate, client_a, client_b, shelter_notes
):
    _consent(client_a, lead_agency, advocate)
    access = selectors.case_access_for_user(investigator, ngo_case.pk)

    def read():
        with CaptureQueriesContext(connection) as queries:
            list(selectors.notes_visible(investigator, access.case, access.permissions))
        return len(queries)

    few = read()
    for number in range(10):
        note_add(case=ngo_case, text=f"A {number}", actor=advocate, about=[client_a])
        note_add(case=ngo_case, text=f"AB {number}", actor=advocate, about=[client_a, client_b])
    assert read() == few


# Writing: the shelter names whom the note is about, among its own clients in the case.


def test_a_shelter_note_must_name_whom_it_is_about(ngo_case, advocate):
    with pytest.raises(ValidationError, match="Say which of your clients"):
        note_add(case=ngo_case, text="Unnamed", actor=advocate)


def test_a_shelter_note_is_about_its_own_clients_only(le_case, ngo_case, advocate, client_a):
    someone_else = le_case.participants.get().person
    with pytest.raises(ValidationError, match="your agency's clients"):
        note_add(case=ngo_case, text="About someone else", actor=advocate, about=[client_a, someone_else])


def test_law_enforcement_notes_name_nobody(le_case, investigator):
    note = note_add(case=le_case, text="Canvass done", actor=investigator)
    assert list(note.about.all()) == []
    assert list(selectors.note_subjects_for(investigator, le_case)) == []


def test_the_note_form_offers_the_shelter_its_clients_by_name(client_as, ngo_case, advocate, client_a, client_b):
    response = client_as(advocate).get(reverse("case_detail", args=[ngo_case.pk]))
    field = response.context["note_form"].fields["about"]
    assert set(field.queryset) == {client_a, client_b}
    assert field.required
    assert "Brisk Bellamy" in response.content.decode()


@pytest.mark.parametrize(
    ("about", "added"),
    [([], False), (["a"], True), (["a", "b"], True)],
    ids=["naming nobody", "about A", "about A and B"],
)
def test_the_shelter_adds_a_note_about_the_clients_it_chose(
    client_as, ngo_case, advocate, client_a, client_b, about, added
):
    people = {"a": client_a, "b": client_b}
    response = client_as(advocate).post(
        reverse("note_add", args=[ngo_case.pk]), {"text": "Court date set", "about": [people[k].pk for k in about]}
    )
    assert response.status_code == 302
    notes = Note.objects.filter(case=ngo_case, text="Court date set")
    assert notes.exists() == added
    if added:
        assert set(notes.get().about.all()) == {people[k] for k in about}
