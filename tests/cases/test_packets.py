"""Case packets (docs/architecture.md §7, cases/packets.py): a packet shows its reader exactly what the case page shows
them, carries
its handling mark, its reader and its page number on every page, and is an audit event.

WeasyPrint takes about a second a packet, so the redaction table is rendered once per module: ``packets`` builds its
cases, renders each row and fetches the same reader's case page inside one transaction that it rolls back (nothing
stays behind, not even the audit events PostgreSQL refuses to delete), and the table's tests read what it kept.
"""

import io
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from agencies.models import Agency, Role
from cases import selectors
from cases.models import Case, CaseParticipant, CaseShare, Consent, Need, Visibility
from cases.packets import Handling, render_case_packet, timeline_of
from cases.services import (
    case_create,
    case_share_grant,
    consent_revoke,
    document_upload,
    need_add,
    note_add,
    person_add_to_case,
)
from portal.models import AuditEvent
from tests.cases.fixtures import CLIENT_NAME, LE_SECRET, VICTIM_NAME
from tests.cases.fixtures import VICTIM_PHONE as LE_VICTIM_PHONE
from tests.factories import AgencyFactory, TaskForceFactory, UserFactory, given_consent, sent_referral
from tests.services_directory.factories import listed_service

# Every test here reads the database, the table's too (through ``packets``): the marker makes pytest-django set up
# the test database even when only the table's tests run.
pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "packets"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# When the long packet is made: 23:45 UTC is 17:45 or 18:45 in the portal's time zone (America/Chicago).
PREPARED_AT = datetime.combine(datetime.now(UTC).date() + timedelta(days=1), time(23, 45), tzinfo=UTC)

# Sentinels: short single tokens, so that a line break in the PDF cannot hide them once whitespace is squashed.
VICTIM_GIVEN = "Zorvanka"  # a victim the lead (law enforcement) entered
VICTIM_PHONE = "555-0199-777"
SUSPECT_GIVEN = "Grendolyx"
LE_NARRATIVE = "SENTINEL-LE-NARRATIVE"
LE_NOTE = "SENTINEL-LE-NOTE"
TEAM_NOTE = "SENTINEL-TEAM-NOTE"
MEDICAL_DETAIL = "SENTINEL-MEDICAL-DETAIL"  # details of the victim's medical need
FILE_NAME = "SENTINEL-FILE.pdf"
CLIENT_GIVEN = "Quillabeth"  # a shelter's client: other agencies see her only through her consent
CLIENT_PHONE = "555-0142-868"
SHELTER_NOTE = "SENTINEL-SHELTER-NOTE"  # written by the shelter (a victim service provider)
CLIENT_MEDICAL = "SENTINEL-CLIENT-MEDICAL"
SENTINELS = frozenset(
    {
        VICTIM_GIVEN,
        VICTIM_PHONE,
        SUSPECT_GIVEN,
        LE_NARRATIVE,
        LE_NOTE,
        TEAM_NOTE,
        MEDICAL_DETAIL,
        FILE_NAME,
        CLIENT_GIVEN,
        CLIENT_PHONE,
        SHELTER_NOTE,
        CLIENT_MEDICAL,
    }
)
EVERYTHING_IN_THE_LE_CASE = frozenset(
    {VICTIM_GIVEN, VICTIM_PHONE, SUSPECT_GIVEN, LE_NARRATIVE, LE_NOTE, TEAM_NOTE, MEDICAL_DETAIL, FILE_NAME}
)
ALL_CATEGORIES = tuple(sorted(Consent.Category.values))
# In ``le_case`` (section 6): a street of a victim's address (the contact category), an alias and a nationality
# (identity).
ADDRESS = "Sentinelweg"
ALIAS = "Sentinelalias"
NATIONALITY = "Sentinelland"


def squash(text: str) -> str:
    """The text without any whitespace: pypdf breaks lines (and sometimes words) where the typesetter did."""
    return "".join(text.split())


def shown_in(text: str) -> set[str]:
    squashed = squash(text)
    return {sentinel for sentinel in SENTINELS if sentinel in squashed}


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def page_numbers(page: str) -> list[tuple[int, int]]:
    return [(int(number), int(total)) for number, total in re.findall(r"Page\s+(\d+)\s+of\s+(\d+)", page)]


@dataclass(frozen=True)
class Row:
    """One reader of the redaction table: who reads which case, under which consent, and what they should get."""

    id: str
    viewer: str
    case: str  # "le": led by the field office; "shelter": led by the shelter, about its client
    handling: Handling
    sees: frozenset[str]
    pii: tuple[tuple[str, tuple[str, ...]], ...]  # whose PII (by person) and which categories, as audited
    consent: tuple[str, ...] = ()  # categories the shelter's client released to the reader's agency


EVERYONE = ("victim", ALL_CATEGORIES), ("suspect", ALL_CATEGORIES)
ROWS = [
    Row(
        id="lead investigator",
        viewer="investigator",
        case="le",
        handling=Handling.LAW_ENFORCEMENT_PII,
        sees=EVERYTHING_IN_THE_LE_CASE,
        pii=EVERYONE,
    ),
    Row(
        id="partner with a summary share",
        viewer="partner_investigator",
        case="le",
        handling=Handling.RESTRICTED,
        sees=frozenset({TEAM_NOTE}),  # not even the medical need: its person's categories are none
        pii=(),
    ),
    Row(
        id="coordinator with a personal share",
        viewer="coordinator",
        case="le",
        handling=Handling.PII,
        sees=frozenset({VICTIM_GIVEN, VICTIM_PHONE, TEAM_NOTE, MEDICAL_DETAIL, FILE_NAME}),  # no suspect, nothing LE
        pii=(("victim", ALL_CATEGORIES),),
    ),
    Row(
        id="law-enforcement partner with a law_enforcement share",
        viewer="trooper",
        case="le",
        handling=Handling.LAW_ENFORCEMENT_PII,
        sees=EVERYTHING_IN_THE_LE_CASE,
        pii=EVERYONE,
    ),
    Row(
        id="shelter that holds the client",
        viewer="advocate",
        case="shelter",
        handling=Handling.PII,
        sees=frozenset({CLIENT_GIVEN, CLIENT_PHONE, SHELTER_NOTE, CLIENT_MEDICAL}),
        pii=(("client", ALL_CATEGORIES),),
    ),
    Row(
        id="another NGO without consent",
        viewer="other_advocate",
        case="shelter",
        handling=Handling.RESTRICTED,
        sees=frozenset(),
        pii=(),
    ),
    Row(
        id="another NGO with consent to identity and contact",
        viewer="other_advocate",
        case="shelter",
        consent=("identity", "contact"),
        handling=Handling.PII,
        sees=frozenset({CLIENT_GIVEN, CLIENT_PHONE}),  # the shelter's note and the medical need stay with it
        pii=(("client", ("contact", "identity")),),
    ),
    Row(
        id="another NGO with consent to narrative and medical",
        viewer="other_advocate",
        case="shelter",
        consent=("medical", "narrative"),
        # The identity stays withheld, but the client's account and medical needs are printed: the mark says the
        # packet holds personal information and the audit names whose, with the categories released.
        handling=Handling.PII,
        sees=frozenset({SHELTER_NOTE, CLIENT_MEDICAL}),
        pii=(("client", ("medical", "narrative")),),
    ),
]
BY_ID = {row.id: row for row in ROWS}
row_ids = pytest.mark.parametrize("row_id", list(BY_ID))


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: list[str]
    case_page: str  # the case page's HTML for the same reader, at the same moment
    event: dict[str, Any]  # the packet's audit event
    viewer_id: int
    viewer_name: str
    agency_name: str
    case_pk: int
    case_number: str


@dataclass(frozen=True)
class Table:
    rows: dict[str, Rendered]
    long: Rendered  # a case of many notes, for the lead investigator
    people: dict[str, int]  # "victim", "suspect", "client": their person ids


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="agencies.auth.AuthenticationBackend")
    return client


def _render(viewer, case: Case) -> Rendered:
    pdf = render_case_packet(case, viewer)
    event = AuditEvent.objects.filter(action="cases.packet.generated").order_by("-id").first()
    assert event is not None
    case_page = _client_for(viewer).get(reverse("case_detail", args=[case.pk]))
    assert case_page.status_code == 200
    return Rendered(
        pdf=pdf,
        pages=pages_of(pdf),
        case_page=case_page.content.decode(),
        event={
            "actor_id": event.actor_id,
            "agency_name": event.agency_name,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "details": event.details,
        },
        viewer_id=viewer.pk,
        viewer_name=viewer.full_name,
        agency_name=viewer.agency.name,
        case_pk=case.pk,
        case_number=case.number,
    )


def _build_and_render() -> Table:
    lead = AgencyFactory(name="Federal Field Office", short_name="FFO", kind=Agency.Kind.FEDERAL_LE)
    police = AgencyFactory(name="Bayport Police Department", short_name="BPD", kind=Agency.Kind.LOCAL_LE)
    state_police = AgencyFactory(name="Gulf State Police", short_name="GSP", kind=Agency.Kind.STATE_LE)
    shelter = AgencyFactory(name="Safe Harbor Shelter", short_name="Safe Harbor", kind=Agency.Kind.VICTIM_SERVICES)
    bridges = AgencyFactory(name="Bridges Survivor Advocacy", short_name="Bridges", kind=Agency.Kind.VICTIM_SERVICES)
    office = AgencyFactory(name="Task Force Coordination", short_name="TFC", kind=Agency.Kind.COORDINATION)
    task_force = TaskForceFactory(member_agencies=[lead, police, state_police, shelter, bridges, office])
    cast = {
        "investigator": UserFactory(full_name="Ivy Investigator", agency=lead),
        "supervisor": UserFactory(full_name="Sue Supervisor", agency=lead, role=Role.SUPERVISOR),
        "partner_investigator": UserFactory(full_name="Pat Partner", agency=police),
        "trooper": UserFactory(full_name="Tess Trooper", agency=state_police),
        "coordinator": UserFactory(full_name="Cora Coordinator", agency=office, role=Role.COORDINATOR),
        "advocate": UserFactory(full_name="Ana Advocate", agency=shelter),
        "shelter_supervisor": UserFactory(full_name="Sam Shelter", agency=shelter, role=Role.SUPERVISOR),
        "other_advocate": UserFactory(full_name="Kofi Bridges", agency=bridges),
    }
    investigator, advocate = cast["investigator"], cast["advocate"]

    le_case = case_create(
        actor=investigator,
        title="Warehouse labor ring",
        intake_channel=Case.Channel.HOTLINE,
        case_type=Case.Type.LABOR,
        summary="Workers held at a port warehouse.",
        le_narrative=LE_NARRATIVE,
        task_force=task_force,
    )
    victim = person_add_to_case(
        case=le_case,
        role=CaseParticipant.Role.VICTIM,
        actor=investigator,
        given_name=VICTIM_GIVEN,
        family_name="Vexmoor",
        phone=VICTIM_PHONE,
        sex="female",
        languages=["es"],
    ).person
    suspect = person_add_to_case(
        case=le_case, role=CaseParticipant.Role.SUSPECT, actor=investigator, given_name=SUSPECT_GIVEN
    ).person
    need_add(case=le_case, person=victim, category=Need.Category.MEDICAL, details=MEDICAL_DETAIL, actor=investigator)
    note_add(case=le_case, text=TEAM_NOTE, actor=investigator)
    note_add(case=le_case, text=LE_NOTE, visibility=Visibility.LAW_ENFORCEMENT, actor=investigator)
    document_upload(case=le_case, uploaded_file=SimpleUploadedFile(FILE_NAME, PDF), actor=investigator)
    for agency, level in [
        (police, CaseShare.Level.SUMMARY),
        (office, CaseShare.Level.PERSONAL),
        (state_police, CaseShare.Level.LAW_ENFORCEMENT),
    ]:
        case_share_grant(case=le_case, agency=agency, level=level, reason="Task force", actor=cast["supervisor"])

    shelter_case = case_create(
        actor=advocate,
        title="Shelter client intake",
        intake_channel=Case.Channel.NGO,
        case_type=Case.Type.LABOR,
        task_force=task_force,
    )
    client = person_add_to_case(
        case=shelter_case,
        role=CaseParticipant.Role.VICTIM,
        actor=advocate,
        given_name=CLIENT_GIVEN,
        family_name="Ombrecht",
        phone=CLIENT_PHONE,
    ).person
    need_add(case=shelter_case, person=client, category=Need.Category.MEDICAL, details=CLIENT_MEDICAL, actor=advocate)
    note_add(case=shelter_case, text=SHELTER_NOTE, actor=advocate, about=[client])
    case_share_grant(
        case=shelter_case,
        agency=bridges,
        level=CaseShare.Level.PERSONAL,
        reason="Co-advocacy",
        actor=cast["shelter_supervisor"],
    )

    cases = {"le": le_case, "shelter": shelter_case}
    rendered = {}
    for row in ROWS:
        viewer = cast[row.viewer]
        consent = None
        if row.consent:
            consent = given_consent(client, viewer.agency, row.consent, by=advocate, days=90)
        rendered[row.id] = _render(viewer, cases[row.case])
        if consent is not None:
            consent_revoke(consent=consent, actor=advocate)

    long_case = case_create(
        actor=investigator, title="Long case", intake_channel=Case.Channel.HOTLINE, task_force=task_force
    )
    for number in range(30):
        note_add(
            case=long_case, text=f"Interview {number}: " + "the witness described the venue " * 12, actor=investigator
        )
    case_share_grant(
        case=long_case, agency=police, level=CaseShare.Level.SUMMARY, reason="Task force", actor=cast["supervisor"]
    )
    with time_machine.travel(PREPARED_AT, tick=False):
        long = _render(investigator, long_case)
    return Table(rows=rendered, long=long, people={"victim": victim.pk, "suspect": suspect.pk, "client": client.pk})


@pytest.fixture(scope="module")
def packets(django_db_setup, django_db_blocker) -> Table:
    with django_db_blocker.unblock(), transaction.atomic():
        table = _build_and_render()
        transaction.set_rollback(True)
    return table


# 1. Redaction: each reader gets exactly what they may see, and what their case page shows them.


@row_ids
def test_a_packet_shows_each_reader_exactly_what_they_may_see(packets, row_id):
    packet = packets.rows[row_id]
    assert shown_in("".join(packet.pages)) == BY_ID[row_id].sees


@row_ids
def test_a_packet_shows_what_the_case_page_shows_the_same_reader(packets, row_id):
    packet = packets.rows[row_id]
    assert shown_in("".join(packet.pages)) == shown_in(packet.case_page)


@row_ids
def test_the_case_page_links_to_its_packet_for_every_reader(packets, row_id):
    packet = packets.rows[row_id]
    assert f'href="{reverse("case_packet", args=[packet.case_pk])}"' in packet.case_page


# 2. Every page: the handling mark, who it was prepared for, page N of M; contents only for a long packet.


def _assert_every_page_marked(packet: Rendered, handling: Handling, prepared_at: str = "") -> None:
    total = len(packet.pages)
    label = squash(str(handling.label))
    # Other marks, except those the expected one contains ("LAW ENFORCEMENT SENSITIVE" in "... - CONTAINS PII").
    others = [squash(str(other.label)) for other in Handling if squash(str(other.label)) not in label]
    prepared_for = squash(f"Prepared for {packet.viewer_name}, {packet.agency_name}, {prepared_at}")
    for number, page in enumerate(packet.pages, start=1):
        text = squash(page)
        assert text.count(label) >= 2, f"page {number}: the mark in the header and the footer"
        assert not [other for other in others if other in text], f"page {number}"
        assert prepared_for in text, f"page {number}"
        assert page_numbers(page) == [(number, total)]


@row_ids
def test_every_page_carries_the_handling_mark_the_reader_and_its_number(packets, row_id):
    _assert_every_page_marked(packets.rows[row_id], BY_ID[row_id].handling)


@row_ids
def test_a_short_packet_has_no_contents(packets, row_id):
    packet = packets.rows[row_id]
    assert len(packet.pages) <= 2
    assert "Contents" not in "".join(packet.pages)


def test_a_long_packet_has_contents_and_every_page_its_mark_reader_and_number(packets):
    packet = packets.long
    assert len(packet.pages) >= 3
    # The mark follows what the packet holds, not who reads it: notes only, nobody's PII, nothing LE.
    _assert_every_page_marked(packet, Handling.RESTRICTED, prepared_at=PREPARED_AT.strftime("%Y-%m-%d %H:%M UTC"))
    first = packet.pages[0]
    assert "Contents" in first
    entries = re.findall(r"^(\w[\w ]+?)\s*\.{3,}\s*(\d+)\s*$", first, flags=re.MULTILINE)
    assert [title for title, _page in entries][:4] == ["People", "Needs", "Services", "Notes"]
    for title, page in entries:  # each entry names the page its section starts on
        assert title in packet.pages[int(page) - 1], title
    assert int(dict(entries)["Timeline"]) > 1


def test_a_packet_of_a_few_people_and_no_notes_has_no_contents(le_case, investigator):
    for number in range(7):
        person_add_to_case(case=le_case, role=CaseParticipant.Role.WITNESS, actor=investigator, given_name=f"W{number}")
    pages = pages_of(render_case_packet(le_case, investigator))
    assert len(pages) <= 2
    assert "Contents" not in "".join(pages)


def test_the_first_page_is_saved_as_a_picture_for_people_to_look_at(packets):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "lead-investigator.pdf"
    pdf.write_bytes(packets.rows["lead investigator"].pdf)
    for old in ARTIFACTS.glob("lead-investigator-*.png"):
        old.unlink()
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm (Debian's poppler-utils) is needed"
    subprocess.run(
        [pdftoppm, "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf), str(ARTIFACTS / "lead-investigator")],
        check=True,
        timeout=60,
    )
    [png] = ARTIFACTS.glob("lead-investigator-*.png")  # -1.png, or -01.png for 10 pages or more
    assert png.stat().st_size > 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_packet_is_a_tagged_pdf_in_english(packets):
    reader = PdfReader(io.BytesIO(packets.rows["lead investigator"].pdf))
    catalog = reader.root_object
    mark_info = catalog["/MarkInfo"].get_object()
    assert isinstance(mark_info, DictionaryObject)
    assert bool(mark_info["/Marked"])  # PDF/UA: the structure is tagged for screen readers
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en"
    assert reader.metadata is not None
    assert "Case packet HT-" in (reader.metadata.title or "")


def test_the_pdf_title_is_the_packets_name_alone(packets):
    packet = packets.rows["lead investigator"]
    reader = PdfReader(io.BytesIO(packet.pdf))
    assert reader.metadata is not None
    assert reader.metadata.title == f"Case packet {packet.case_number}"


# 3. The audit event: who, which case, the mark, whose PII by id and category, never a value.


@row_ids
def test_generating_a_packet_is_audited_with_ids_and_categories_never_values(packets, row_id):
    packet, row = packets.rows[row_id], BY_ID[row_id]
    event = packet.event
    assert event["actor_id"] == packet.viewer_id
    assert event["agency_name"]
    assert (event["object_type"], event["object_id"]) == ("cases.case", str(packet.case_pk))
    assert set(event["details"]) == {"handling", "pii", "packet"}
    assert event["details"]["packet"] == "case"
    assert event["details"]["handling"] == row.handling.value
    expected = [{"person_id": packets.people[person], "categories": list(categories)} for person, categories in row.pii]
    assert sorted(event["details"]["pii"], key=lambda shown: shown["person_id"]) == sorted(
        expected, key=lambda shown: shown["person_id"]
    )
    recorded = json.dumps(event["details"])
    assert not [sentinel for sentinel in SENTINELS if sentinel in recorded]
    assert "Vexmoor" not in recorded
    assert "Ombrecht" not in recorded


# 4. The view.


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("investigator", 200),
        ("partner_investigator", 200),  # a summary share: a packet without PII
        ("advocate", 404),
        ("coordinator", 404),
        ("agency_admin", 404),
        ("outsider", 404),
    ],
)
def test_the_packet_is_a_pdf_download_for_readers_and_a_404_for_everyone_else(request, client_as, le_case, who, status):
    response = client_as(request.getfixturevalue(who)).get(reverse("case_packet", args=[le_case.pk]))
    assert response.status_code == status
    events = AuditEvent.objects.filter(action="cases.packet.generated")
    if status == 404:
        assert le_case.title.encode() not in response.content
        assert not events.exists()
        return
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{le_case.number}-packet.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")
    assert len(pages_of(response.content)) >= 1
    event = events.get()
    assert event.actor == request.getfixturevalue(who)
    assert event.ip_address == "127.0.0.1"


def test_a_packet_read_through_an_expired_consent_is_audited_like_the_case_page(
    ngo_case, ngo_client, investigator, client_consent
):
    expiry_day = datetime.combine(client_consent.expires_on, time(12), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(expiry_day):
        text = squash("".join(pages_of(render_case_packet(ngo_case, investigator))))
    assert squash(CLIENT_NAME) not in text
    event = AuditEvent.objects.get(action="cases.consent.expired_when_read")
    assert event.details == {
        "person_id": ngo_client.pk,
        "consent_id": client_consent.pk,
        "via": "packet",
        "packet": "case",
    }
    assert event.actor == investigator


def test_a_packet_is_never_made_for_someone_outside_the_case_even_when_handed_the_case(le_case, outsider):
    with pytest.raises(Http404):
        render_case_packet(le_case, outsider)
    assert not AuditEvent.objects.filter(action="cases.packet.generated").exists()


# 5. Queries: the same for 2 and for 12 people, needs and notes.


def test_a_packet_costs_the_same_queries_for_2_and_12_people_and_notes(le_case, investigator, supervisor, ngo):
    shelter = listed_service(name="Harbor House", agency=ngo)

    def add(count: int) -> None:
        for number in range(count):
            person = person_add_to_case(
                case=le_case, role="victim", actor=investigator, given_name=f"P{number}", phone="555-0100"
            ).person
            need = need_add(case=le_case, person=person, category=Need.Category.EMERGENCY_SHELTER, actor=investigator)
            note_add(case=le_case, text=f"Note {number}", actor=investigator)
            note_add(case=le_case, text=f"LE {number}", visibility=Visibility.LAW_ENFORCEMENT, actor=investigator)
            document_upload(case=le_case, uploaded_file=SimpleUploadedFile(f"f{number}.pdf", PDF), actor=investigator)
            sent_referral(le_case, person, shelter, by=investigator, needs=[need])

    add(1)  # and the victim of le_case: 2 people
    render_case_packet(le_case, investigator)  # warms the caches (content types, the viewer's permissions)
    with CaptureQueriesContext(connection) as few:
        render_case_packet(le_case, investigator)
    add(10)
    case_share_grant(case=le_case, agency=ngo, level=CaseShare.Level.PERSONAL, reason="Advocacy", actor=supervisor)
    with CaptureQueriesContext(connection) as many:
        render_case_packet(le_case, investigator)
    assert le_case.participants.count() == 12
    assert le_case.referrals.count() == 11
    assert len(many) == len(few), [query["sql"] for query in many.captured_queries]


# The pieces: the handling of a meeting packet, the timeline.


@pytest.mark.parametrize(
    ("handlings", "expected"),
    [
        ([], Handling.RESTRICTED),
        ([Handling.RESTRICTED], Handling.RESTRICTED),
        ([Handling.RESTRICTED, Handling.PII], Handling.PII),
        ([Handling.LAW_ENFORCEMENT, Handling.RESTRICTED], Handling.LAW_ENFORCEMENT),
        ([Handling.PII, Handling.LAW_ENFORCEMENT], Handling.LAW_ENFORCEMENT_PII),  # together they outrank either
        ([Handling.LAW_ENFORCEMENT_PII, Handling.RESTRICTED], Handling.LAW_ENFORCEMENT_PII),
    ],
)
def test_the_strictest_handling_of_several_cases_wins(handlings, expected):
    assert Handling.strictest(handlings) == expected


@pytest.mark.parametrize(
    ("who", "sees_name", "sees_shares"),
    [("investigator", True, True), ("partner_investigator", False, False)],
)
def test_the_timeline_tells_only_what_the_reader_may_see(request, le_case, who, sees_name, sees_shares):
    user = request.getfixturevalue(who)
    dossier = selectors.case_dossier_for(user, selectors.case_access_for_user(user, le_case.pk))
    timeline = timeline_of(dossier)
    texts = [entry.text for entry in timeline]
    assert texts[0] == "Case opened by FFO"
    assert [entry.when for entry in timeline] == sorted(entry.when for entry in timeline)
    assert any(VICTIM_NAME in text for text in texts) == sees_name
    assert any("identity withheld" in text for text in texts) == (not sees_name)
    assert ("Shared with BPD: Summary only" in texts) == sees_shares


# 6. The packet against the case page: the same personal fields; a private download, audited without values.


def test_the_case_packet_prints_no_personal_field_the_case_page_does_not_show(le_case, investigator):
    person_add_to_case(
        case=le_case,
        role=CaseParticipant.Role.VICTIM,
        actor=investigator,
        given_name="Other",
        address=f"12 {ADDRESS} Road, Bayport",
        aliases=[ALIAS],
        nationality=NATIONALITY,
    )
    page = _client_for(investigator).get(reverse("case_detail", args=[le_case.pk])).content.decode()
    text = squash("".join(pages_of(render_case_packet(le_case, investigator))))
    shown_on_page = {value for value in [ADDRESS, ALIAS, NATIONALITY] if value in page}
    printed = {value for value in [ADDRESS, ALIAS, NATIONALITY] if value in text}
    assert printed == shown_on_page


def test_the_case_packet_download_is_private_named_by_the_case_number_and_audited_without_values(
    client_as, investigator, le_case
):
    """Withstood: ``no-store``, a filename of the generated number only, one disclosure with ids and categories."""
    response = client_as(investigator).get(reverse("case_packet", args=[le_case.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{le_case.number}-packet.pdf"'
    assert le_case.number.replace("-", "").isalnum()
    assert "no-store" in response["Cache-Control"]
    events = AuditEvent.objects.filter(
        object_id=str(le_case.pk), action__in=["cases.packet.generated", "cases.pii.viewed"]
    )
    assert {event.action for event in events} == {"cases.packet.generated", "cases.pii.viewed"}
    recorded = json.dumps([event.details for event in events])
    for value in [*VICTIM_NAME.split(), LE_VICTIM_PHONE, LE_SECRET]:
        assert value not in recorded
