"""Meeting packets (docs/architecture.md §7): a coordinator chooses cases of the task force, a background task builds
one PDF of
them (Django's immediate backend in tests: it runs when the request's transaction commits), each case redacted for
the coordinator; only the coordinator follows its progress and downloads it, for 24 hours; every case in it is a
disclosure in the audit trail.

WeasyPrint takes about a second a packet, so the whole life of one packet (chosen on the form, built, followed,
downloaded by its owner and refused to others, expired and purged) is played once per module by ``scenario``, inside
a transaction it rolls back (nothing stays behind, not even the audit events PostgreSQL refuses to delete); the
tests of sections 2 and 3 read what it saw. Sections 1 and 4 are ordinary tests on the suite's cast.
"""

import io
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from agencies.models import Agency, Role
from cases import packets, tasks
from cases.models import Case, CaseParticipant, CaseShare, MeetingPacket
from cases.packets import Handling
from cases.services import (
    case_create,
    case_share_grant,
    case_share_revoke,
    case_transition,
    meeting_packet_request,
    meeting_packets_purge,
    note_add,
    person_add_to_case,
)
from portal.models import AuditEvent
from portal.pdf import Typeset
from referrals.models import Referral
from tests.factories import AgencyFactory, TaskForceFactory, UserFactory, sent_referral
from tests.services_directory.factories import listed_service

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "packets"
MEETING_ON = "2026-12-03"
CASE_NUMBER = re.compile(r"HT-\d{4}-\d{5}")

# Sentinels: single tokens, so a line break in the PDF cannot hide them once whitespace is squashed.
QUIET_VICTIM = "Morwenkla"  # in a case the coordinator sees at summary level only: never in their packet
QUIET_PHONE = "555-0111-404"
BUSY_VICTIM = "Palomirth"  # in a case shared with the coordinator's office with personal information
LE_SECRET = "SENTINEL-MEETING-WIRETAP"  # law-enforcement-sensitive: a coordinator never holds that permission


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
    many = []
    for number in range(MeetingPacket.MAX_CASES + 1):
        case = case_create(
            actor=investigator, title=f"Case {number}", intake_channel=Case.Channel.HOTLINE, task_force=task_force
        )
        case_share_grant(
            case=case, agency=coordination_office, level=CaseShare.Level.SUMMARY, reason="Meeting", actor=supervisor
        )
        many.append(case)
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

    storage = storages["private"]
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
    client_as, coordinator, investigator, task_force, coordination_office, cases, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as build:
        packet = meeting_packet_request(
            actor=coordinator, task_force=task_force, meeting_on=timezone.localdate(), cases=[cases.quiet, cases.fresh]
        )
    assert len(build) == 1
    share = CaseShare.objects.get(case=cases.fresh, agency=coordination_office, status=CaseShare.Status.ACTIVE)
    case_share_revoke(share=share, actor=investigator)
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


def packet_files() -> set[str]:
    storage = storages["private"]
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
