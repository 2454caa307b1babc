"""Meeting packets (docs/architecture.md §7): a coordinator chooses cases of the task force, a background task builds
one PDF of
them (Django's immediate backend in tests: it runs when the request's transaction commits), each case redacted for
the coordinator; only the coordinator follows its progress and downloads it, for 24 hours; every case in it is a
disclosure in the audit trail.

WeasyPrint takes about a second a packet, so the whole life of one packet (chosen on the form, built, followed,
downloaded by its owner and refused to others, expired and purged) is played once per module by ``scenario``, inside
a transaction it rolls back (nothing stays behind, not even the audit events PostgreSQL refuses to delete); the
tests of sections 2 and 3 read what it saw. The other sections are ordinary tests on the suite's cast: 1 and 4 the
form and the build, 5 to 8 the packet checked again as things change around it, its content against the case
pages, its file, and its limits (the attacks a security review tried, decision 0012).
"""

import contextlib
import html
import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from pypdf import PdfReader

from agencies.models import Agency, Membership, Role, User
from agencies.roles import role_group
from agencies.selectors import audit_event_list_visible_to
from agencies.services import membership_change_role, user_deactivate
from cases import packets, selectors, tasks
from cases.models import Case, CaseParticipant, CaseShare, MeetingPacket, Visibility
from cases.packets import Handling
from cases.services import (
    case_create,
    case_share_grant,
    case_share_revoke,
    case_transition,
    case_update,
    consent_revoke,
    document_upload,
    meeting_packet_request,
    meeting_packets_purge,
    note_add,
    person_add_to_case,
)
from portal import pdf as portal_pdf
from portal.models import AuditEvent
from portal.pdf import Typeset
from referrals.models import Referral
from tests.cases.fixtures import CLIENT_NAME, CLIENT_PHONE, VICTIM_NAME, VICTIM_PHONE
from tests.cases.fixtures import LE_SECRET as LE_CASE_SECRET
from tests.factories import AgencyFactory, TaskForceFactory, UserFactory, given_consent, sent_referral
from tests.helpers import fetched_by_the_typesetter
from tests.services_directory.factories import listed_service

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "packets"
MEETING_ON = "2026-12-03"
CASE_NUMBER = re.compile(r"HT-\d{4}-\d{5}")

# Sentinels: single tokens, so a line break in the PDF cannot hide them once whitespace is squashed.
QUIET_VICTIM = "Morwenkla"  # in a case the coordinator sees at summary level only: never in their packet
QUIET_PHONE = "555-0111-404"
BUSY_VICTIM = "Palomirth"  # in a case shared with the coordinator's office with personal information
LE_SECRET = "SENTINEL-MEETING-WIRETAP"  # law-enforcement-sensitive: a coordinator never holds that permission
# In the cases of the suite's cast (section 6): ``le_case`` (its narrative is ``LE_CASE_SECRET``) and ``ngo_case``.
SUSPECT_GIVEN = "Grendolyx"
LE_NOTE = "SENTINEL-LE-NOTE"
TEAM_NOTE = "SENTINEL-TEAM-NOTE"
LE_FILE = "SENTINEL-LE-FILE.pdf"
TEAM_FILE = "SENTINEL-TEAM-FILE.pdf"
SHELTER_NOTE = "SENTINEL-SHELTER-NOTE"
SHELTER_FILE = "SENTINEL-SHELTER-FILE.pdf"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def squash(text: str) -> str:
    """The text without whitespace: pypdf breaks lines (and sometimes words) where the typesetter did."""
    return "".join(text.split())


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@dataclass
class Cases:
    quiet: Case  # opened a month ago, nothing since; summary share with the coordination office
    busy: Case  # opened a month ago, a note today; personal share
    fresh: Case  # opened today; summary share
    closed: Case  # opened today, shared, closed since
    unshared: Case  # of the task force, never shared with the coordination office


def make_cases(investigator, supervisor, task_force, office) -> Cases:
    def make(title: str, level: str | None, **victim) -> Case:
        case = case_create(
            actor=investigator,
            title=title,
            intake_channel=Case.Channel.HOTLINE,
            summary=f"{title}: tip from the hotline.",
            le_narrative=LE_SECRET,
            task_force=task_force,
        )
        if victim:
            person_add_to_case(case=case, role=CaseParticipant.Role.VICTIM, actor=investigator, **victim)
        if level:
            case_share_grant(case=case, agency=office, level=level, reason="Coordination meeting", actor=supervisor)
        return case

    with time_machine.travel(timezone.now() - timedelta(days=30)):
        quiet = make("Nail salon", CaseShare.Level.SUMMARY, given_name=QUIET_VICTIM, phone=QUIET_PHONE)
        busy = make("Farm labor camp", CaseShare.Level.PERSONAL, given_name=BUSY_VICTIM)
    note_add(case=busy, text="Interview scheduled with the survivor.", actor=investigator)
    fresh = make("Truck stop", CaseShare.Level.SUMMARY)
    closed = make("Old motel", CaseShare.Level.SUMMARY)
    case_transition(case=closed, transition="close", reason=Case.ClosedReason.INSUFFICIENT, actor=supervisor)
    unshared = make("Undercover operation", None)
    return Cases(quiet=quiet, busy=busy, fresh=fresh, closed=closed, unshared=unshared)


@pytest.fixture
def cases(investigator, supervisor, task_force, coordination_office) -> Cases:
    return make_cases(investigator, supervisor, task_force, coordination_office)


def one_case_too_many(investigator, supervisor, task_force, office) -> list[Case]:
    """``MeetingPacket.MAX_CASES`` + 1 cases of the task force, each shared with the coordination office."""
    many = []
    for number in range(MeetingPacket.MAX_CASES + 1):
        case = case_create(
            actor=investigator, title=f"Case {number}", intake_channel=Case.Channel.HOTLINE, task_force=task_force
        )
        case_share_grant(case=case, agency=office, level=CaseShare.Level.SUMMARY, reason="Meeting", actor=supervisor)
        many.append(case)
    return many


def post_packet(client: Client, task_force, **data) -> HttpResponse:
    return client.post(reverse("meeting_packets"), {"task_force": task_force.pk, "meeting_on": MEETING_ON, **data})


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="agencies.auth.AuthenticationBackend")
    return client


def numbers_on(page: str) -> set[str]:
    return set(CASE_NUMBER.findall(page))


# 1. Choosing the cases: by hand, or every open case with activity since a day; only cases the coordinator sees.


def test_the_form_offers_the_open_cases_shared_with_the_coordinator_and_no_other(client_as, coordinator, cases):
    response = client_as(coordinator).get(reverse("meeting_packets"))
    assert response.status_code == 200
    offered = {pk for pk, _label in response.context["form"].fields["cases"].widget.choices}
    assert offered == {cases.quiet.pk, cases.busy.pk, cases.fresh.pk}
    page = response.content.decode()
    assert numbers_on(page) == {cases.quiet.number, cases.busy.number, cases.fresh.number}
    assert cases.unshared.title not in page


def test_activity_since_a_day_takes_the_open_cases_touched_since_and_no_other(
    client_as, coordinator, task_force, cases
):
    since = timezone.localdate() - timedelta(days=7)
    response = post_packet(client_as(coordinator), task_force, since=since.isoformat())
    packet = MeetingPacket.objects.get()
    assert response["Location"] == reverse("meeting_packet_detail", args=[packet.pk])
    # quiet: nothing for a month; closed: closed; unshared: not the coordinator's to see.
    assert set(packet.cases.all()) == {cases.busy, cases.fresh}
    assert (packet.requested_by, packet.task_force, packet.steps_total) == (coordinator, task_force, 3)
    requested = AuditEvent.objects.get(action="cases.meeting_packet.requested")
    assert requested.details["case_ids"] == sorted([cases.busy.pk, cases.fresh.pk])


@pytest.mark.parametrize("which", ["unshared", "closed"])
def test_a_case_the_coordinator_may_not_choose_is_refused_when_posted_by_id(
    client_as, coordinator, task_force, cases, which
):
    response = post_packet(client_as(coordinator), task_force, cases=[cases.fresh.pk, getattr(cases, which).pk])
    assert response.status_code == 200
    assert "cases" in response.context["form"].errors
    assert "Select a valid choice" in response.content.decode()
    assert not MeetingPacket.objects.exists()


@pytest.mark.parametrize("which", ["unshared", "closed"])
def test_the_service_refuses_a_case_the_coordinator_may_not_choose(coordinator, task_force, cases, which):
    with pytest.raises(ValidationError) as refused:
        meeting_packet_request(
            actor=coordinator,
            task_force=task_force,
            meeting_on=timezone.localdate(),
            cases=[cases.fresh, getattr(cases, which)],
        )
    assert "cases" in refused.value.message_dict
    assert not MeetingPacket.objects.exists()


@pytest.mark.parametrize(
    ("data", "field_name", "message"),
    [
        ({}, "cases", "Choose cases, or a day to take every case with activity since."),
        ({"since": "2099-01-01"}, "since", "No open case of this task force you may see has activity since then."),
        ({"meeting_on": ""}, "meeting_on", "This field is required."),
    ],
    ids=["no cases and no day", "no activity since the day", "no meeting date"],
)
def test_a_form_without_cases_is_shown_again_with_its_error_and_creates_nothing(
    client_as, coordinator, task_force, cases, data, field_name, message
):
    response = post_packet(client_as(coordinator), task_force, **data)
    assert response.status_code == 200
    assert response.context["form"].errors[field_name] == [message]
    assert message in response.content.decode()
    assert not MeetingPacket.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="cases.meeting_packet").exists()


def test_a_packet_of_more_than_fifty_cases_is_refused_by_hand_and_by_activity_since(
    client_as, coordinator, investigator, supervisor, task_force, coordination_office
):
    many = one_case_too_many(investigator, supervisor, task_force, coordination_office)
    client = client_as(coordinator)
    for data in [{"cases": [case.pk for case in many]}, {"since": timezone.localdate().isoformat()}]:
        response = post_packet(client, task_force, **data)
        assert response.status_code == 200, data
        assert response.context["form"].errors["cases"] == ["A packet holds at most 50 cases."], data
        assert "A packet holds at most 50 cases." in response.content.decode()
    assert not MeetingPacket.objects.exists()
    # Fifty is allowed.
    assert post_packet(client, task_force, cases=[case.pk for case in many[:50]]).status_code == 302
    assert MeetingPacket.objects.get().cases.count() == 50


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordinator", 200),
        ("investigator", 404),  # preparing meeting packets is the coordinator's role (docs/architecture.md §4.3)
        ("agency_admin", 404),  # no case content at all
        ("provider_staff", 404),
        ("outsider", 404),  # their agency is in no task force
    ],
)
def test_who_may_open_the_meeting_packets_page(request, client_as, task_force, who, status):
    response = client_as(request.getfixturevalue(who)).get(reverse("meeting_packets"))
    assert response.status_code == status


# 2. and 3. One packet's life, played once (see the module's docstring).


@dataclass(frozen=True)
class Seen:
    """A response as its reader saw it."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, response) -> "Seen":
        streamed = getattr(response, "streaming", False)
        body = b"".join(response.streaming_content) if streamed else response.content
        return cls(status=response.status_code, body=body, headers=dict(response.headers))

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


@dataclass(frozen=True)
class Scenario:
    posted: Seen
    packet: dict[str, Any]  # the packet's row once built
    detail_url: str
    download_url: str
    pdf: bytes
    pages: list[str]
    cases: dict[str, tuple[int, str, str]]  # "quiet", "busy", ...: pk, number, title
    viewer_name: str
    viewer_agency: str
    viewer_id: int
    generated: list[dict[str, Any]]  # the cases.packet.generated events
    progress: list[tuple[str, str]]  # what the polling part said before each step of the build: text, percent
    owner: dict[str, Seen]  # "detail", "htmx", "download"
    downloads_audited: int
    others: dict[str, dict[str, Seen]]  # who -> "detail", "htmx", "download", "list"
    life: dict[str, Any]  # what happened in the 24 hours after it was ready


OTHERS = ["auditor", "investigator", "outsider"]
PROGRESS = re.compile(r'role="status">\s*(.*?)\s*</p>.*?value="(\d+)"', re.DOTALL)


def _play() -> Scenario:
    lead = AgencyFactory(name="Federal Field Office", short_name="FFO", kind=Agency.Kind.FEDERAL_LE)
    office = AgencyFactory(name="Task Force Coordination", short_name="TFC", kind=Agency.Kind.COORDINATION)
    faraway = AgencyFactory(name="Faraway Sheriff", short_name="FS", kind=Agency.Kind.LOCAL_LE)
    task_force = TaskForceFactory(name="Gulf Coast Task Force", member_agencies=[lead, office])
    investigator = UserFactory(full_name="Ivy Investigator", agency=lead)
    supervisor = UserFactory(full_name="Sue Supervisor", agency=lead, role=Role.SUPERVISOR)
    coordinator = UserFactory(full_name="Cora Coordinator", agency=office, role=Role.COORDINATOR)
    others = {
        "auditor": UserFactory(full_name="Otto Auditor", agency=office, role=Role.AUDITOR),
        "investigator": investigator,  # leads every case in the packet
        "outsider": UserFactory(full_name="Olga Outsider", agency=faraway),
    }
    cases = make_cases(investigator, supervisor, task_force, office)
    chosen = [cases.quiet, cases.busy, cases.fresh]
    # The busy case has one open referral: the victim was referred to a clinic outside the portal, by phone.
    sent_referral(
        cases.busy,
        cases.busy.participants.get().person,
        listed_service(name="Open Door Clinic", categories=("medical",)),
        by=investigator,
        delivery=Referral.Delivery.PHONE,
    )

    # While the task runs, the coordinator's page polls: read what it says before each case and the typesetting.
    watcher = signed_in(coordinator)
    progress: list[tuple[str, str]] = []

    def look():
        packet = MeetingPacket.objects.get()
        partial = watcher.get(reverse("meeting_packet_detail", args=[packet.pk]), headers={"HX-Request": "true"})
        found = PROGRESS.search(partial.content.decode())
        progress.append(found.groups() if found else ("", ""))

    def gathering(*args, **kwargs):
        look()
        return section_context(*args, **kwargs)

    def typesetting(*args, **kwargs):
        look()
        return typeset(*args, **kwargs)

    section_context, typeset = packets.case_section_context, tasks.typeset
    with (
        mock.patch.object(packets, "case_section_context", gathering),
        mock.patch.object(tasks, "typeset", typesetting),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        posted = post_packet(signed_in(coordinator), task_force, cases=[case.pk for case in chosen])
    packet = MeetingPacket.objects.get()
    with packet.file.open("rb") as file:
        pdf = file.read()
    detail = reverse("meeting_packet_detail", args=[packet.pk])
    download = reverse("meeting_packet_download", args=[packet.pk])
    row = {
        "pk": packet.pk,
        "status": packet.status,
        "case_ids": set(packet.cases.values_list("pk", flat=True)),
        "steps_done": packet.steps_done,
        "steps_total": packet.steps_total,
        "percent_done": packet.percent_done,
        "pages": packet.pages,
        "cases_left_out": packet.cases_left_out,
        "finished_at": packet.finished_at,
        "expires_at": packet.expires_at,
        "file_name": packet.file.name,
    }
    generated = [
        {"actor_id": e.actor_id, "object_type": e.object_type, "object_id": e.object_id, "details": e.details}
        for e in AuditEvent.objects.filter(action="cases.packet.generated")
    ]

    owner_client = signed_in(coordinator)
    owner = {
        "detail": Seen.of(owner_client.get(detail)),
        "htmx": Seen.of(owner_client.get(detail, headers={"HX-Request": "true"})),
        "download": Seen.of(owner_client.get(download)),
    }
    downloads_audited = AuditEvent.objects.filter(action="cases.meeting_packet.downloaded", actor=coordinator).count()
    seen_by_others = {}
    for who, user in others.items():
        client = signed_in(user)
        seen_by_others[who] = {
            "detail": Seen.of(client.get(detail)),
            "htmx": Seen.of(client.get(detail, headers={"HX-Request": "true"})),
            "download": Seen.of(client.get(download)),
            "list": Seen.of(client.get(reverse("meeting_packets"))),
        }
    downloads_by_others = AuditEvent.objects.filter(action="cases.meeting_packet.downloaded").exclude(actor=coordinator)

    storage = packet_storage()
    life: dict[str, Any] = {
        "downloads_by_others": downloads_by_others.count(),
        "stored_when_ready": storage.exists(packet.file.name),
        "purged_when_ready": meeting_packets_purge(),
    }
    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        life["download_after_23h"] = signed_in(coordinator).get(download).status_code
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        client = signed_in(coordinator)  # the session of the day before ended long ago
        life["download_after_25h"] = client.get(download).status_code
        life["purged_after_25h"] = meeting_packets_purge()
        life["stored_after_purge"] = storage.exists(row["file_name"])
        packet.refresh_from_db()
        life["status_after_purge"] = packet.status
        life["file_after_purge"] = packet.file.name
        life["download_after_purge"] = client.get(download).status_code
        life["detail_after_purge"] = Seen.of(client.get(detail))
        life["purged_again"] = meeting_packets_purge()
    life["deletions_audited"] = AuditEvent.objects.filter(action="cases.meeting_packet.deleted").count()

    return Scenario(
        posted=Seen.of(posted),
        packet=row,
        detail_url=detail,
        download_url=download,
        pdf=pdf,
        pages=pages_of(pdf),
        cases={name: (case.pk, case.number, case.title) for name, case in vars(cases).items()},
        viewer_name=coordinator.full_name,
        viewer_agency=office.name,
        viewer_id=coordinator.pk,
        generated=generated,
        progress=progress,
        owner=owner,
        downloads_audited=downloads_audited,
        others=seen_by_others,
        life=life,
    )


@pytest.fixture(scope="module")
def scenario(django_db_setup, django_db_blocker) -> Scenario:
    with django_db_blocker.unblock(), transaction.atomic():
        played = _play()
        transaction.set_rollback(True)
    return played


def chosen_of(scenario: Scenario) -> list[tuple[int, str, str]]:
    return [scenario.cases[name] for name in ("quiet", "busy", "fresh")]


# 2. The packet: an agenda, one section per case, each redacted for the coordinator, marked on every page.


def test_a_coordinator_gets_a_ready_packet_of_the_cases_chosen_by_hand(scenario):
    packet = scenario.packet
    assert scenario.posted.status == 302
    assert scenario.posted.headers["Location"] == scenario.detail_url
    assert packet["status"] == MeetingPacket.Status.READY
    assert packet["case_ids"] == {pk for pk, _number, _title in chosen_of(scenario)}
    assert packet["steps_done"] == packet["steps_total"] == 4  # one step per case, one for the typesetting
    assert packet["percent_done"] == 100
    assert packet["cases_left_out"] == 0
    assert packet["pages"] == len(scenario.pages) > 1
    assert packet["expires_at"] == packet["finished_at"] + timedelta(hours=24)
    assert isinstance(packet["finished_at"], datetime)
    assert scenario.pdf.startswith(b"%PDF-")


def test_the_packet_opens_with_an_agenda_that_points_to_one_section_per_case(scenario):
    agenda = scenario.pages[0]
    assert "Agenda" in agenda
    assert numbers_on(agenda) == {number for _pk, number, _title in chosen_of(scenario)}
    for _pk, number, title in chosen_of(scenario):
        starts = [n for n, page in enumerate(scenario.pages, start=1) if squash(f"{number} · {title}") in squash(page)]
        assert len(starts) == 1, f"{title}: one section"
        # The agenda's row ends with the section's page.
        assert re.search(
            rf"{re.escape(squash(f'{number} {title} FFO Open'))}(notshown|\d+){starts[0]}", squash(agenda)
        ), title
    everything = squash("".join(scenario.pages))
    for name in ["closed", "unshared"]:
        _pk, number, title = scenario.cases[name]
        assert number not in everything
        assert squash(title) not in everything


def test_the_agenda_says_referrals_are_not_shown_to_a_coordinator_rather_than_none(scenario):
    """The packet shows referrals to those who work the case, as the case page does (decision 0012); a coordinator
    follows them on the referral board. The agenda says "not shown", never "—" or 0, which would read as none."""
    agenda = squash(scenario.pages[0])
    for name in ["quiet", "busy", "fresh"]:
        _pk, number, title = scenario.cases[name]
        row = re.search(rf"{re.escape(squash(f'{number} {title} FFO Open'))}(notshown|—|\d)", agenda)
        assert row is not None, name
        assert row.group(1) == "notshown", name


def test_every_page_carries_the_handling_mark_and_who_it_was_prepared_for(scenario):
    mark = squash(str(Handling.PII.label))  # a case with personal information, nothing law-enforcement-sensitive
    prepared_for = squash(f"Prepared for {scenario.viewer_name}, {scenario.viewer_agency},")
    total = len(scenario.pages)
    for number, page in enumerate(scenario.pages, start=1):
        text = squash(page)
        assert text.count(mark) >= 2, f"page {number}: the mark in the header and the footer"
        assert prepared_for in text, f"page {number}"
        assert f"Page{number}of{total}" in text, f"page {number}"


def test_each_case_is_redacted_for_the_coordinator(scenario):
    everything = squash("".join(scenario.pages))
    assert BUSY_VICTIM in everything  # shared with personal information: the name is shown
    assert QUIET_VICTIM not in everything  # shared at summary level: withheld
    assert QUIET_PHONE not in everything
    assert LE_SECRET not in everything  # a coordinator never sees law-enforcement-sensitive text
    _pk, number, title = scenario.cases["quiet"]
    quiet_section = next(page for page in scenario.pages if squash(f"{number} · {title}") in squash(page))
    assert str(Handling.RESTRICTED.label) in quiet_section  # the section's own mark
    assert "Withheld" in quiet_section


def test_the_first_page_of_the_packet_is_saved_as_a_picture(scenario):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "meeting-packet.pdf"
    pdf.write_bytes(scenario.pdf)
    for old in ARTIFACTS.glob("meeting-packet-*.png"):
        old.unlink()
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm (Debian's poppler-utils) is needed"
    subprocess.run(
        [pdftoppm, "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf), str(ARTIFACTS / "meeting-packet")],
        check=True,
        timeout=60,
    )
    [png] = ARTIFACTS.glob("meeting-packet-*.png")  # -1.png, or -01.png for a packet of 10 pages or more
    assert png.exists()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_case_in_the_packet_is_one_disclosure_event(scenario):
    events = scenario.generated
    assert sorted(event["object_id"] for event in events) == sorted(str(pk) for pk, _n, _t in chosen_of(scenario))
    for event in events:
        assert event["actor_id"] == scenario.viewer_id
        assert event["object_type"] == "cases.case"
        assert event["details"]["meeting_packet_id"] == scenario.packet["pk"]
        assert event["details"]["packet"] == "meeting"
        assert BUSY_VICTIM not in str(event["details"])


# 3. Progress and download: the coordinator's alone, for 24 hours.


def test_the_coordinator_follows_the_progress_and_downloads_the_packet(scenario):
    page = scenario.owner["detail"]
    assert page.status == 200
    assert f'href="{scenario.download_url}"' in page.text
    assert f"{scenario.packet['pages']} pages, available until" in page.text

    partial = scenario.owner["htmx"]
    assert partial.status == 200
    assert partial.text.lstrip().startswith('<div id="packet-progress"')
    assert "<html" not in partial.text
    assert "hx-trigger" not in partial.text  # ready: nothing left to poll for
    assert f'href="{scenario.download_url}"' in partial.text

    download = scenario.owner["download"]
    assert download.status == 200
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.body == scenario.pdf
    assert "no-store" in download.headers["Cache-Control"]  # a file of personal information: no copy kept
    assert scenario.downloads_audited == 1


def test_while_it_is_built_the_coordinator_sees_each_step(scenario):
    assert scenario.progress == [
        ("Gathering case 1 of 3…", "0"),
        ("Gathering case 2 of 3…", "25"),
        ("Gathering case 3 of 3…", "50"),
        ("Typesetting the packet…", "75"),
    ]


@pytest.mark.parametrize("who", OTHERS)  # another of the office, the lead investigator of every case, an outsider
def test_nobody_else_sees_the_progress_or_downloads_the_packet(scenario, who):
    seen = scenario.others[who]
    assert seen["detail"].status == 404
    assert seen["htmx"].status == 404
    assert seen["download"].status == 404
    assert scenario.pdf not in seen["download"].body
    assert scenario.detail_url not in seen["list"].text
    assert scenario.life["downloads_by_others"] == 0


def test_the_file_is_kept_24_hours_then_purged_and_the_packet_marked_expired(scenario):
    life = scenario.life
    assert life["stored_when_ready"]
    assert life["purged_when_ready"] == 0
    assert life["download_after_23h"] == 200
    assert life["download_after_25h"] == 404  # before any purge ran: the lifetime alone decides
    assert life["purged_after_25h"] == 1
    assert not life["stored_after_purge"]
    assert life["status_after_purge"] == MeetingPacket.Status.EXPIRED
    assert not life["file_after_purge"]
    assert life["download_after_purge"] == 404
    assert life["detail_after_purge"].status == 200
    assert "The file was deleted 24 hours after it was prepared." in life["detail_after_purge"].text
    assert life["purged_again"] == 0
    assert life["deletions_audited"] == 1


# 4. While it is built, and when a case slips out of view in between.


def test_while_the_packet_waits_the_page_polls_and_offers_a_refresh_link(client_as, coordinator, task_force, cases):
    # Inside the test's transaction nothing commits, so the task has not run: the packet waits.
    post_packet(client_as(coordinator), task_force, cases=[cases.fresh.pk])
    packet = MeetingPacket.objects.get()
    assert packet.status == MeetingPacket.Status.QUEUED
    client = client_as(coordinator)
    detail = reverse("meeting_packet_detail", args=[packet.pk])
    partial = client.get(detail, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in partial
    assert f'hx-get="{detail}"' in partial
    assert "Waiting to start" in partial
    assert "<html" not in partial
    page = client.get(detail).content.decode()
    assert "<html" in page
    assert f'href="{detail}">Refresh</a>' in page
    assert reverse("meeting_packet_download", args=[packet.pk]) not in page
    assert client.get(reverse("meeting_packet_download", args=[packet.pk])).status_code == 404


def test_a_case_whose_share_is_revoked_before_the_build_is_left_out_and_counted(
    client_as, coordinator, supervisor, task_force, coordination_office, cases, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as build:
        packet = meeting_packet_request(
            actor=coordinator, task_force=task_force, meeting_on=timezone.localdate(), cases=[cases.quiet, cases.fresh]
        )
    assert len(build) == 1
    share = CaseShare.objects.get(case=cases.fresh, agency=coordination_office, status=CaseShare.Status.ACTIVE)
    case_share_revoke(share=share, actor=supervisor, reason="No longer involved")
    build[0]()  # the request's transaction commits: the task runs

    packet.refresh_from_db()
    assert packet.status == MeetingPacket.Status.READY
    assert packet.cases_left_out == 1
    assert packet.steps_done == packet.steps_total == 3
    with packet.file.open("rb") as file:
        text = squash("".join(pages_of(file.read())))
    assert cases.quiet.number in text
    assert cases.fresh.number not in text
    assert squash("1 chosen case was left out: you can no longer see it.") in text
    events = AuditEvent.objects.filter(action="cases.packet.generated")
    assert [event.object_id for event in events] == [str(cases.quiet.pk)]
    page = client_as(coordinator).get(reverse("meeting_packet_detail", args=[packet.pk])).content.decode()
    assert "1 case was left out: you can no longer see it." in page


def fake_typeset(html: str) -> Typeset:
    """Stands in for WeasyPrint where the PDF itself does not matter."""
    return Typeset(pdf=b"%PDF-1.7 a stand-in", pages=1)


def packet_storage() -> Storage:
    """Where packets are kept: the file field's own storage. ``storages["private"]`` is another instance once a test
    has changed a static files setting (Django then empties the ``storages`` cache; the field keeps its own)."""
    return MeetingPacket._meta.get_field("file").storage


def packet_files() -> set[str]:
    storage = packet_storage()
    return set(storage.listdir("meeting-packets")[1]) if storage.exists("meeting-packets") else set()


def test_a_packet_that_cannot_be_typeset_is_marked_failed_and_says_so(
    client_as, coordinator, task_force, cases, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(tasks, "typeset", side_effect=RuntimeError("the typesetter broke")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        post_packet(client_as(coordinator), task_force, cases=[cases.fresh.pk])
    packet = MeetingPacket.objects.get()
    assert packet.status == MeetingPacket.Status.FAILED
    assert packet.finished_at is not None
    assert not packet.file
    assert not AuditEvent.objects.filter(action="cases.packet.generated").exists()
    partial = client_as(coordinator).get(
        reverse("meeting_packet_detail", args=[packet.pk]), headers={"HX-Request": "true"}
    )
    assert "The packet could not be prepared." in partial.content.decode()
    assert "hx-trigger" not in partial.content.decode()


def test_a_packet_whose_last_step_fails_is_marked_failed_and_leaves_no_file_behind(
    client_as, coordinator, task_force, cases, django_capture_on_commit_callbacks
):
    """The last step saves the file, marks the packet ready and records the disclosures in one transaction. If it
    fails, the packet must not poll "Being prepared" for ever, and its PDF (personal information) must not stay in
    private storage where the 24-hour purge, which looks only at ready packets, never reaches it."""
    files_before = packet_files()
    with (
        mock.patch.object(tasks, "typeset", fake_typeset),
        mock.patch.object(tasks, "audit_records", side_effect=DatabaseError("the audit table is unavailable")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        post_packet(client_as(coordinator), task_force, cases=[cases.fresh.pk])
    packet = MeetingPacket.objects.get()
    left_behind = packet_files() - files_before
    assert (packet.status, left_behind) == (MeetingPacket.Status.FAILED, set())


# 5. A packet checked again whenever it is built or downloaded, as things change around it.
#
# Most packets here are typeset by ``HtmlTypeset``, which stores the HTML the task would hand to WeasyPrint as the
# "PDF": what the packet says is then plain to read (in the HTML and in the downloaded file), at no WeasyPrint cost.
# A few typeset real PDFs and read them with pypdf.


def pdf_text(pdf: bytes) -> str:
    return squash("".join(pages_of(pdf)))


class HtmlTypeset:
    """Stands in for ``tasks.typeset``: the "PDF" is the HTML itself, kept for the test to read."""

    def __init__(self) -> None:
        self.html: list[str] = []

    def __call__(self, markup: str) -> Typeset:
        self.html.append(markup)
        return Typeset(pdf=markup.encode(), pages=1)

    @property
    def text(self) -> str:
        return html.unescape(self.html[-1])


@pytest.fixture
def build(django_capture_on_commit_callbacks, coordinator, task_force):
    """``build(cases, between=None, typeset=HtmlTypeset(), at=now)``: the coordinator asks for a meeting packet of
    ``cases``; ``between()`` runs after the request committed and before the background task starts; then the task
    runs (at the time ``at``)."""

    def make(
        cases: list[Case],
        *,
        between: Callable[[], Any] | None = None,
        typeset: Callable[[str], Typeset] | None = None,
        at: datetime | None = None,
    ) -> MeetingPacket:
        with django_capture_on_commit_callbacks() as callbacks:
            packet = meeting_packet_request(
                actor=coordinator, task_force=task_force, meeting_on=timezone.localdate(), cases=cases
            )
        assert len(callbacks) == 1
        if between is not None:
            between()
        typesetter = typeset if typeset is not None else HtmlTypeset()
        clock = time_machine.travel(at) if at is not None else contextlib.nullcontext()
        with mock.patch.object(tasks, "typeset", typesetter), clock:
            callbacks[0]()
        packet.refresh_from_db()
        return packet

    return make


def shared_for_the_meeting(case: Case, office: Agency, *, by, expires_on=None) -> None:
    """``by`` shares ``case`` with the coordination office with personal information, for the meeting."""
    case_share_grant(
        case=case, agency=office, level=CaseShare.Level.PERSONAL, reason="Meeting", actor=by, expires_on=expires_on
    )


@pytest.fixture
def meeting_case(le_case, supervisor, coordination_office):
    """``le_case`` (its victim, phone and LE narrative) shared with the coordination office with personal
    information: the coordinator's packet may carry the victim's name and phone, never anything LE."""
    shared_for_the_meeting(le_case, coordination_office, by=supervisor)
    return le_case


@pytest.fixture
def consented_client(ngo_case, ngo_client, advocate, shelter_supervisor, coordination_office):
    """The shelter's client in ``ngo_case``, whose identity she released to the coordination office, and the case
    shared with it with personal information. Returns the consent."""
    shared_for_the_meeting(ngo_case, coordination_office, by=shelter_supervisor)
    return given_consent(ngo_client, coordination_office, by=advocate)


def move_to(user, agency: Agency, role: str) -> None:
    """An administrator moves ``user`` to another agency (Membership is one per user): the agency's group and the
    role group follow, as ``membership_create`` sets them."""
    membership = Membership.objects.get(user=user)
    old = membership.agency
    membership.agency, membership.role = agency, role
    membership.save()
    user.groups.remove(old.group, *Group.objects.filter(name__startswith="role:"))
    user.groups.add(agency.group, role_group(role))


def test_a_consent_revoked_after_the_build_stops_the_download(build, coordinator, advocate, ngo_case, consented_client):
    packet = build([ngo_case], typeset=portal_pdf.typeset)  # a real PDF, through WeasyPrint
    with packet.file.open("rb") as file:
        assert squash(CLIENT_NAME) in pdf_text(file.read())  # released by her consent when it was built
    consent_revoke(consent=consented_client, actor=advocate)  # she withdraws it (VAWA: takes effect at once)

    client = signed_in(coordinator)
    page = client.get(reverse("case_detail", args=[ngo_case.pk]))
    assert page.status_code == 200
    assert CLIENT_NAME.split()[0] not in page.content.decode()  # the case page withholds her name now

    download = client.get(reverse("meeting_packet_download", args=[packet.pk]))
    shown = download.status_code == 200 and squash(CLIENT_NAME) in pdf_text(Seen.of(download).body)
    assert not shown, "the packet still hands out the name her revoked consent released"


def _revoke_the_share(le_case, coordination_office, supervisor, coordinator) -> None:
    share = CaseShare.objects.get(case=le_case, agency=coordination_office, status=CaseShare.Status.ACTIVE)
    case_share_revoke(share=share, actor=supervisor, reason="No longer involved")


def _move_to_another_agency(le_case, coordination_office, supervisor, coordinator) -> None:
    move_to(coordinator, AgencyFactory(name="Faraway Sheriff", kind=Agency.Kind.LOCAL_LE), Role.CASEWORKER)


def _make_agency_admin(le_case, coordination_office, supervisor, coordinator) -> None:
    admin = UserFactory(agency=coordination_office, role=Role.AGENCY_ADMIN)
    membership_change_role(membership=coordinator.membership, role=Role.AGENCY_ADMIN, actor=admin)


@pytest.mark.parametrize(
    "change",
    [_revoke_the_share, _move_to_another_agency, _make_agency_admin],
    ids=["share revoked", "requester moved to another agency", "requester made agency admin (no case content)"],
)
def test_a_ready_packet_is_not_downloaded_by_a_requester_who_may_no_longer_read_it(
    build, coordinator, supervisor, coordination_office, meeting_case, change
):
    packet = build([meeting_case])
    assert packet.status == MeetingPacket.Status.READY
    change(meeting_case, coordination_office, supervisor, coordinator)

    client = signed_in(coordinator)
    assert client.get(reverse("case_detail", args=[meeting_case.pk])).status_code == 404
    name = packet.file.name
    download = client.get(reverse("meeting_packet_download", args=[packet.pk]))
    assert VICTIM_PHONE.encode() not in Seen.of(download).body
    # Withdrawn: the file is deleted and the requester is sent to the packet's page, which says why.
    assert download.status_code == 302
    assert download["Location"] == reverse("meeting_packet_detail", args=[packet.pk])
    packet.refresh_from_db()
    assert packet.status == MeetingPacket.Status.WITHDRAWN
    assert not packet_storage().exists(name)
    assert AuditEvent.objects.filter(action="cases.meeting_packet.withdrawn", object_id=str(packet.pk)).exists()
    assert not AuditEvent.objects.filter(action="cases.meeting_packet.downloaded").exists()


@pytest.mark.parametrize("change", ["moved to another task force", "closed"])
def test_a_case_that_left_the_task_force_or_closed_before_the_build_is_left_out(
    build, supervisor, lead_agency, meeting_case, change
):
    def between():
        if change == "closed":
            case_transition(
                case=meeting_case, transition="close", reason=Case.ClosedReason.INSUFFICIENT, actor=supervisor
            )
            return
        elsewhere = TaskForceFactory(name="Northern Task Force", member_agencies=[lead_agency])
        fresh = Case.objects.get(pk=meeting_case.pk)
        case_update(case=fresh, version=fresh.version, actor=supervisor, task_force=elsewhere)

    typeset = HtmlTypeset()
    packet = build([meeting_case], between=between, typeset=typeset)
    # The coordinator still sees the case (their office's share stands): it would not be chosen now.
    assert selectors.case_get_for_user(packet.requested_by, meeting_case.pk)
    assert not selectors.meeting_cases_for(packet.requested_by, packet.task_force).filter(pk=meeting_case.pk)
    assert meeting_case.number not in typeset.text
    assert packet.cases_left_out == 1


@pytest.mark.parametrize("change", ["role changed to caseworker", "agency left the task force"])
def test_a_requester_who_no_longer_prepares_meeting_packets_gets_none_built(
    build, coordinator, coordination_office, task_force, meeting_case, change
):
    def between():
        if change == "agency left the task force":
            task_force.agencies.remove(coordination_office)
        else:
            admin = UserFactory(agency=coordination_office, role=Role.AGENCY_ADMIN)
            membership_change_role(membership=coordinator.membership, role=Role.CASEWORKER, actor=admin)

    packet = build([meeting_case], between=between)
    assert not selectors.meeting_task_forces_of(User.objects.get(pk=coordinator.pk)).filter(pk=task_force.pk)
    assert packet.status != MeetingPacket.Status.READY
    assert not packet.file


def test_activity_since_is_not_revealed_by_a_note_the_coordinator_may_not_read(
    client_as, investigator, supervisor, task_force, coordination_office
):
    with time_machine.travel(timezone.now() - timedelta(days=30)):
        case = case_create(
            actor=investigator, title="Quiet case", intake_channel=Case.Channel.HOTLINE, task_force=task_force
        )
        shared_for_the_meeting(case, coordination_office, by=supervisor)
    note_add(case=case, text=LE_NOTE, visibility=Visibility.LAW_ENFORCEMENT, actor=investigator)
    coordinator = UserFactory(agency=coordination_office, role=Role.COORDINATOR)
    page = client_as(coordinator).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert LE_NOTE not in page  # nothing on the case page says anything happened this month

    since = timezone.localdate() - timedelta(days=1)
    assert not selectors.meeting_cases_for(coordinator, task_force, since=since).filter(pk=case.pk).exists()


def test_a_share_expiring_between_request_and_build_leaves_the_case_out(
    build, supervisor, coordination_office, le_case
):
    """Withstood: a share's end day is read when the packet is built (the revoked share is tested in
    tests/cases/test_meeting_packets.py)."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    shared_for_the_meeting(le_case, coordination_office, by=supervisor, expires_on=tomorrow)
    typeset = HtmlTypeset()
    at = datetime.combine(tomorrow, time(12), tzinfo=timezone.get_current_timezone())
    packet = build([le_case], typeset=typeset, at=at)
    assert packet.status == MeetingPacket.Status.READY
    assert packet.cases_left_out == 1
    for secret in [VICTIM_PHONE, le_case.number, le_case.title]:
        assert secret not in typeset.text
    assert not AuditEvent.objects.filter(action="cases.packet.generated").exists()


def test_a_consent_expiring_between_request_and_build_withholds_the_name_and_is_audited(
    build, coordinator, ngo_case, ngo_client, consented_client
):
    """Withstood: consent is read when the packet is built; the expired consent is its own audit event."""
    expiry = datetime.combine(consented_client.expires_on, time(12), tzinfo=timezone.get_current_timezone())
    typeset = HtmlTypeset()
    packet = build([ngo_case], typeset=typeset, at=expiry)
    assert packet.status == MeetingPacket.Status.READY
    assert packet.cases_left_out == 0
    assert ngo_case.number in typeset.text
    for secret in [CLIENT_NAME.split()[0], CLIENT_PHONE]:
        assert secret not in typeset.text
    expired = AuditEvent.objects.get(action="cases.consent.expired_when_read")
    assert expired.details == {
        "person_id": ngo_client.pk,
        "consent_id": consented_client.pk,
        "via": "packet",
        "packet": "meeting",
        "meeting_packet_id": packet.pk,
    }
    assert expired.actor == coordinator


def test_a_requester_deactivated_between_request_and_build_gets_no_case_in_the_packet(
    build, coordinator, coordination_office, meeting_case
):
    """Withstood: an inactive account prepares nothing; the packet fails before anything is gathered or typeset."""
    admin = UserFactory(agency=coordination_office, role=Role.AGENCY_ADMIN)
    typeset = HtmlTypeset()
    packet = build([meeting_case], between=lambda: user_deactivate(user=coordinator, actor=admin), typeset=typeset)
    assert packet.status == MeetingPacket.Status.FAILED
    assert packet.cases_left_out == 1
    assert typeset.html == []
    assert not packet.file
    assert not AuditEvent.objects.filter(action="cases.packet.generated").exists()


# 6. What a packet holds, against what the case pages show.


@pytest.fixture
def crowded_cases(
    le_case, ngo_case, ngo_client, investigator, advocate, shelter_supervisor, coordination_office, supervisor
):
    """Two cases shared with the coordination office with personal information. ``le_case`` holds a suspect, an LE
    note and file and the LE narrative (never for a coordinator) beside a team note and file and its victim (for
    them); ``ngo_case`` holds the shelter's client (no consent to the office), its note and its file (they stay
    with the shelter)."""
    person_add_to_case(
        case=le_case, role=CaseParticipant.Role.SUSPECT, actor=investigator, given_name=SUSPECT_GIVEN, phone="555-1"
    )
    note_add(case=le_case, text=TEAM_NOTE + ' <img src="http://127.0.0.1:9/x.png"> <b>bold</b>', actor=investigator)
    note_add(case=le_case, text=LE_NOTE, visibility=Visibility.LAW_ENFORCEMENT, actor=investigator)
    document_upload(case=le_case, uploaded_file=SimpleUploadedFile(TEAM_FILE, PDF), actor=investigator)
    document_upload(
        case=le_case,
        uploaded_file=SimpleUploadedFile(LE_FILE, PDF),
        actor=investigator,
        visibility=Visibility.LAW_ENFORCEMENT,
    )
    shared_for_the_meeting(le_case, coordination_office, by=supervisor)
    note_add(case=ngo_case, text=SHELTER_NOTE, actor=advocate, about=[ngo_client])
    document_upload(case=ngo_case, uploaded_file=SimpleUploadedFile(SHELTER_FILE, PDF), actor=advocate)
    shared_for_the_meeting(ngo_case, coordination_office, by=shelter_supervisor)
    return [le_case, ngo_case]


def test_a_meeting_packet_shows_the_coordinator_what_the_case_pages_show_and_fetches_only_static_files(
    build, coordinator, crowded_cases
):
    """Withstood: suspects, LE notes and files, the narrative, a shelter's client, notes and files stay out of the
    packet, as off the case pages; markup in a note is printed as text; the renderer is asked only for static files;
    the audit trail holds no value."""
    with fetched_by_the_typesetter() as asked:
        packet = build(crowded_cases, typeset=portal_pdf.typeset)
    assert (packet.status, packet.cases_left_out) == (MeetingPacket.Status.READY, 0)
    with packet.file.open("rb") as file:
        text = pdf_text(file.read())
    client = signed_in(coordinator)
    pages = "".join(client.get(reverse("case_detail", args=[case.pk])).content.decode() for case in crowded_cases)
    secrets = [SUSPECT_GIVEN, LE_NOTE, LE_FILE, LE_CASE_SECRET, SHELTER_NOTE, SHELTER_FILE, CLIENT_NAME.split()[0]]
    shown = [VICTIM_NAME.split()[0], VICTIM_PHONE, TEAM_NOTE, TEAM_FILE]
    for secret in secrets:
        assert secret not in text, secret
        assert secret not in pages, secret
    for value in shown:
        assert value in text, value
        assert value in pages, value
    assert squash('<img src="http://127.0.0.1:9/x.png">') in text  # the markup, printed as text
    static = portal_pdf.static_roots()
    assert asked, "the stylesheet's fonts are fetched"
    for url in asked:
        assert url.startswith("file://"), url
        assert any(url.removeprefix("file://").startswith(str(root)) for root in static), url
    recorded = json.dumps([event.details for event in AuditEvent.objects.filter(actor=coordinator)])
    for value in [*shown, *secrets, VICTIM_NAME.split()[1]]:
        assert value not in recorded, value


# 7. The file: built once, the requester's alone for 24 hours, its purge in the agency's audit trail.


def test_two_workers_starting_the_same_packet_build_it_once(
    django_capture_on_commit_callbacks, coordinator, task_force, meeting_case
):
    before = packet_files()
    with django_capture_on_commit_callbacks() as callbacks:
        packet = meeting_packet_request(
            actor=coordinator, task_force=task_force, meeting_on=timezone.localdate(), cases=[meeting_case]
        )
    save = tasks._save
    raced: list[bool] = []

    def racing_save(row: MeetingPacket, **changes) -> None:
        # The first worker read "queued" and is about to say "running": a second worker read "queued" too, and
        # runs the whole build first.
        if changes.get("status") == MeetingPacket.Status.RUNNING and not raced:
            raced.append(True)
            tasks.build_meeting_packet.call(row.pk)
        save(row, **changes)

    with mock.patch.object(tasks, "typeset", HtmlTypeset()), mock.patch.object(tasks, "_save", racing_save):
        callbacks[0]()
    packet.refresh_from_db()
    assert packet.status == MeetingPacket.Status.READY
    disclosures = AuditEvent.objects.filter(action="cases.packet.generated").count()
    files = packet_files() - before
    # One file (the packet's own, which the purge will delete) and one disclosure for its one case.
    assert (len(files), disclosures) == (1, 1)
    assert files == {packet.file.name.removeprefix("meeting-packets/")}


def test_a_ready_packet_is_the_requesters_alone_and_refused_after_24_hours_even_before_the_purge(
    build, coordinator, coordination_office, superuser, meeting_case
):
    """Withstood: another coordinator of the same office and a superuser get 404; the requester gets it for 24
    hours, then 404 whether or not the purge ran; the purge leaves nothing in storage."""
    before = packet_files()
    packet = build([meeting_case])
    url = reverse("meeting_packet_download", args=[packet.pk])
    other = UserFactory(agency=coordination_office, role=Role.COORDINATOR)
    for user in [other, superuser]:
        for name in ["meeting_packet_download", "meeting_packet_detail"]:
            assert signed_in(user).get(reverse(name, args=[packet.pk])).status_code == 404
    assert signed_in(coordinator).get(url).status_code == 200
    with time_machine.travel(packet.expires_at + timedelta(seconds=1)):
        assert signed_in(coordinator).get(url).status_code == 404
        assert meeting_packets_purge() == 1
    assert packet_files() == before
    downloads = AuditEvent.objects.filter(action="cases.meeting_packet.downloaded")
    assert [event.actor for event in downloads] == [coordinator]


def test_the_purge_of_a_packet_is_in_the_requesters_agency_audit_trail(build, auditor, meeting_case):
    packet = build([meeting_case])
    assert packet.expires_at is not None
    with time_machine.travel(packet.expires_at + timedelta(seconds=1)):
        assert meeting_packets_purge() == 1
    visible = audit_event_list_visible_to(auditor)
    # The disclosures of the build are in the office auditor's trail; the deletion of their file must be too.
    assert visible.filter(action="cases.packet.generated", object_id=str(meeting_case.pk)).exists()
    assert visible.filter(action="cases.meeting_packet.deleted", object_id=str(packet.pk)).exists()


# 8. Limits: fifty cases, a thousand form fields, packets waiting per requester, a malformed task force.


def test_the_service_refuses_more_than_fifty_cases_however_it_is_called(
    coordinator, investigator, supervisor, task_force, coordination_office
):
    """Withstood: the 50-case limit holds in the service itself (the form's two paths are tested in
    tests/cases/test_meeting_packets.py), so no caller can queue a bigger packet."""
    many = one_case_too_many(investigator, supervisor, task_force, coordination_office)
    with pytest.raises(ValidationError):
        meeting_packet_request(actor=coordinator, task_force=task_force, meeting_on=timezone.localdate(), cases=many)
    assert not MeetingPacket.objects.exists()


def test_a_form_posting_thousands_of_case_ids_is_refused_outright(client_as, coordinator, task_force):
    """Withstood: Django's DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) refuses the request outright."""
    data = {"task_force": task_force.pk, "meeting_on": "2026-12-03", "cases": [str(n) for n in range(1, 1500)]}
    response = client_as(coordinator).post(reverse("meeting_packets"), data)
    assert response.status_code == 400
    assert not MeetingPacket.objects.exists()


def test_one_requester_cannot_queue_packets_without_limit(coordinator, task_force, meeting_case):
    # The packets wait (inside the test's transaction the task never starts): the twentieth must be refused.
    refused = 0
    for _attempt in range(20):
        try:
            meeting_packet_request(
                actor=coordinator, task_force=task_force, meeting_on=timezone.localdate(), cases=[meeting_case]
            )
        except ValidationError:
            refused += 1
    assert MeetingPacket.objects.filter(requested_by=coordinator, status=MeetingPacket.Status.QUEUED).count() < 20
    assert refused > 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_task_force_that_is_not_a_number_is_refused_politely(client_as, coordinator, task_force, method):
    client = client_as(coordinator)
    client.raise_request_exception = False
    url = reverse("meeting_packets")
    if method == "get":
        response = client.get(url, {"task_force": "x"})
    else:
        response = client.post(url, {"task_force": "x", "meeting_on": "2026-12-03"})
    assert response.status_code in (200, 400)


# 9. A worker killed mid-build (issue 13): a stuck packet is failed by the scheduled purge, stops polling, and never
# blocks its requester.

STUCK = selectors.MEETING_PACKET_STALE_AFTER


def left_behind(coordinator, task_force, case: Case, *, status: str) -> MeetingPacket:
    """A packet whose worker was killed: claimed (``running``, one case of one gathered) or never taken (``queued``);
    inside the test's transaction its task never runs."""
    packet = meeting_packet_request(
        actor=coordinator, task_force=task_force, meeting_on=timezone.localdate(), cases=[case]
    )
    if status == MeetingPacket.Status.RUNNING:  # what the build's claim and its first step write
        MeetingPacket.objects.filter(pk=packet.pk).update(status=status, steps_done=0, updated_at=timezone.now())
    packet.refresh_from_db()
    return packet


@pytest.mark.parametrize("status", [MeetingPacket.Status.RUNNING, MeetingPacket.Status.QUEUED])
def test_a_packet_stuck_past_the_stale_time_is_failed_by_the_purge_and_its_page_stops_polling(
    client_as, auditor, coordinator, task_force, meeting_case, status
):
    packet = left_behind(coordinator, task_force, meeting_case, status=status)
    detail = reverse("meeting_packet_detail", args=[packet.pk])
    start = packet.updated_at

    with time_machine.travel(start + STUCK - timedelta(seconds=5)):
        assert meeting_packets_purge() == 0  # a slow build is not a stuck one
        partial = client_as(coordinator).get(detail, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in partial
    if status == MeetingPacket.Status.RUNNING:
        assert "Gathering case 1 of 1" in partial

    with time_machine.travel(start + STUCK + timedelta(seconds=5)):
        assert meeting_packets_purge() == 1
        partial = client_as(coordinator).get(detail, headers={"HX-Request": "true"}).content.decode()
        assert meeting_packets_purge() == 0
    packet.refresh_from_db()
    assert packet.status == MeetingPacket.Status.FAILED
    assert packet.finished_at is not None
    assert "hx-trigger" not in partial
    assert "Gathering case" not in partial
    assert "The packet could not be prepared." in partial
    given_up = audit_event_list_visible_to(auditor).get(action="cases.meeting_packet.failed")
    assert (given_up.object_id, given_up.actor, given_up.details) == (
        str(packet.pk),
        None,
        {"reason": "stuck", "status": status, "steps_done": 0},
    )


def test_stuck_packets_do_not_count_toward_the_limit_of_packets_being_prepared(
    client_as, coordinator, task_force, meeting_case
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(MeetingPacket.MAX_WORKING_PER_PERSON):
            left_behind(coordinator, task_force, meeting_case, status=MeetingPacket.Status.RUNNING)
    page = client_as(coordinator)
    with time_machine.travel(start + timedelta(minutes=1)):
        refused = post_packet(page, task_force, cases=[meeting_case.pk])
    assert refused.status_code == 200
    assert "You have 3 packets being prepared: wait for one to finish." in refused.content.decode()

    with time_machine.travel(start + STUCK + timedelta(seconds=1)):  # stuck, and no purge has run yet
        accepted = post_packet(page, task_force, cases=[meeting_case.pk])
    assert accepted.status_code == 302
    statuses = sorted(MeetingPacket.objects.filter(requested_by=coordinator).values_list("status", flat=True))
    assert statuses == ["queued", "running", "running", "running"]


def test_a_build_the_purge_gave_up_on_while_it_was_typeset_keeps_no_file_and_discloses_nothing(
    build, coordinator, meeting_case
):
    """The build outlived the stale time in its last step (a very slow typesetting) and the purge failed it: the
    build must not then mark it ready, store its file or record disclosures."""
    files_before = packet_files()
    purged: list[int] = []

    def slow_typeset(html: str) -> Typeset:
        purged.append(meeting_packets_purge(now=timezone.now() + STUCK + timedelta(seconds=1)))
        return fake_typeset(html)

    packet = build([meeting_case], typeset=slow_typeset)
    assert purged == [1]
    assert packet.status == MeetingPacket.Status.FAILED
    assert not packet.file
    assert packet_files() == files_before
    assert not AuditEvent.objects.filter(action="cases.packet.generated").exists()


def test_the_purge_is_scheduled_once_and_queues_its_next_run(settings, db):
    """``meeting_packets_purge --schedule`` starts a chain of purges five minutes apart, whether or not any build
    succeeds; asked twice (``make demo`` twice), it starts one."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    path = "cases.tasks.meeting_packets_purge"
    tasks.meeting_packets_purge.using(run_after=timezone.now() + timedelta(hours=24)).enqueue()  # a packet's expiry
    call_command("meeting_packets_purge", "--schedule", stdout=io.StringIO())
    call_command("meeting_packets_purge", "--schedule", stdout=io.StringIO())
    chain = DBTaskResult.objects.filter(task_path=path, args_kwargs__kwargs__reschedule=True)
    assert chain.count() == 1

    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert tasks.meeting_packets_purge.call(reschedule=True) == 0  # what the worker runs
    # the chain's first (run at once) and the next one it queued, five minutes on
    assert sorted(chain.values_list("run_after", flat=True)) == [now + tasks.PURGE_INTERVAL, get_date_max()]
