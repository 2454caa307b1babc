"""Security review of case packets, meeting packets and the referral letter (decision 0012, docs/architecture.md §4,
§7, §8, §10).

The review's findings are fixed, each with its test here (a ready packet re-checked at download, one build per
packet, the page's fields only, "activity since" from visible activity only, the build re-checking the task force and
the requester, the purge in the agency's trail, a cap on packets in the works, a malformed task force refused, the
letter naming whoever prints it). The other tests are attacks the code withstood, kept so it goes on withstanding them.

Most meeting packets here are typeset by ``HtmlTypeset``, which stores the HTML the task would hand to WeasyPrint as
the "PDF": what the packet says is then plain to read (in the HTML and in the downloaded file), at no WeasyPrint cost.
A few tests typeset real PDFs and read them with pypdf, as tests/cases/test_packets.py does.
"""

import contextlib
import html
import io
import json
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from agencies.models import Agency, Membership, Role, User
from agencies.roles import role_group
from agencies.selectors import audit_event_list_visible_to
from agencies.services import membership_change_role, user_deactivate
from cases import selectors, tasks
from cases.models import Case, CaseParticipant, CaseShare, MeetingPacket, Need, Visibility
from cases.packets import render_case_packet
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
    need_add,
    note_add,
    person_add_to_case,
)
from portal import pdf as portal_pdf
from portal.models import AuditEvent
from portal.pdf import Typeset
from referrals.letters import render_referral_letter
from referrals.models import Referral
from tests.cases.fixtures import CLIENT_NAME, CLIENT_PHONE, LE_SECRET, VICTIM_NAME, VICTIM_PHONE
from tests.factories import AgencyFactory, TaskForceFactory, UserFactory, given_consent, sent_referral
from tests.services_directory.factories import listed_service

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Sentinels: single tokens, so a line break in a PDF cannot hide them once whitespace is squashed.
SUSPECT_GIVEN = "Grendolyx"
LE_NOTE = "SENTINEL-LE-NOTE"
TEAM_NOTE = "SENTINEL-TEAM-NOTE"
LE_FILE = "SENTINEL-LE-FILE.pdf"
TEAM_FILE = "SENTINEL-TEAM-FILE.pdf"
SHELTER_NOTE = "SENTINEL-SHELTER-NOTE"
SHELTER_FILE = "SENTINEL-SHELTER-FILE.pdf"
ADDRESS = "Sentinelweg"  # a street in the victim's address (the contact category)
ALIAS = "Sentinelalias"  # identity category
NATIONALITY = "Sentinelland"  # identity category


def squash(text: str) -> str:
    return "".join(text.split())


def pdf_text(pdf: bytes) -> str:
    return squash("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="agencies.auth.AuthenticationBackend")
    return client


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


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


def packet_files() -> set[str]:
    storage = storages["private"]
    return set(storage.listdir("meeting-packets")[1]) if storage.exists("meeting-packets") else set()


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


@pytest.fixture
def meeting_case(le_case, supervisor, coordination_office):
    """``le_case`` (its victim, phone and LE narrative) shared with the coordination office with personal
    information: the coordinator's packet may carry the victim's name and phone, never anything LE."""
    case_share_grant(
        case=le_case, agency=coordination_office, level=CaseShare.Level.PERSONAL, reason="Meeting", actor=supervisor
    )
    return le_case


@pytest.fixture
def consented_client(ngo_case, ngo_client, advocate, shelter_supervisor, coordination_office):
    """The shelter's client in ``ngo_case``, whose identity she released to the coordination office, and the case
    shared with it with personal information. Returns the consent."""
    case_share_grant(
        case=ngo_case,
        agency=coordination_office,
        level=CaseShare.Level.PERSONAL,
        reason="Meeting",
        actor=shelter_supervisor,
    )
    return given_consent(ngo_client, coordination_office, by=advocate)


@pytest.fixture
def shelter_need(le_case, investigator):
    """The victim of ``le_case`` needs emergency shelter (as in tests/referrals/conftest.py)."""
    victim = le_case.participants.get(role=CaseParticipant.Role.VICTIM).person
    return need_add(
        case=le_case,
        person=victim,
        category=Need.Category.EMERGENCY_SHELTER,
        urgency=Need.Urgency.URGENT,
        actor=investigator,
    )


def move_to(user, agency: Agency, role: str) -> None:
    """An administrator moves ``user`` to another agency (Membership is one per user): the agency's group and the
    role group follow, as ``membership_create`` sets them."""
    membership = Membership.objects.get(user=user)
    old = membership.agency
    membership.agency, membership.role = agency, role
    membership.save()
    user.groups.remove(old.group, *Group.objects.filter(name__startswith="role:"))
    user.groups.add(agency.group, role_group(role))


# =====================================================================================================================
# 1. What a meeting packet shows, and to whom, when things change around it.
# =====================================================================================================================


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
    shown = download.status_code == 200 and squash(CLIENT_NAME) in pdf_text(body_of(download))
    assert not shown, "the packet still hands out the name her revoked consent released"


def _revoke_the_share(le_case, coordination_office, supervisor, coordinator) -> None:
    share = CaseShare.objects.get(case=le_case, agency=coordination_office, status=CaseShare.Status.ACTIVE)
    case_share_revoke(share=share, actor=supervisor)


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
    assert VICTIM_PHONE.encode() not in body_of(download)
    # Withdrawn: the file is deleted and the requester is sent to the packet's page, which says why.
    assert download.status_code == 302
    assert download["Location"] == reverse("meeting_packet_detail", args=[packet.pk])
    packet.refresh_from_db()
    assert packet.status == MeetingPacket.Status.WITHDRAWN
    assert not storages["private"].exists(name)
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
        case_share_grant(
            case=case, agency=coordination_office, level=CaseShare.Level.PERSONAL, reason="Meeting", actor=supervisor
        )
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
    case_share_grant(
        case=le_case,
        agency=coordination_office,
        level=CaseShare.Level.PERSONAL,
        reason="Meeting",
        actor=supervisor,
        expires_on=tomorrow,
    )
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
    document_upload(case=le_case, uploaded_file=SimpleUploadedFile(TEAM_FILE, PDF_BYTES), actor=investigator)
    document_upload(
        case=le_case,
        uploaded_file=SimpleUploadedFile(LE_FILE, PDF_BYTES),
        actor=investigator,
        visibility=Visibility.LAW_ENFORCEMENT,
    )
    case_share_grant(
        case=le_case, agency=coordination_office, level=CaseShare.Level.PERSONAL, reason="Meeting", actor=supervisor
    )
    note_add(case=ngo_case, text=SHELTER_NOTE, actor=advocate, about=[ngo_client])
    document_upload(case=ngo_case, uploaded_file=SimpleUploadedFile(SHELTER_FILE, PDF_BYTES), actor=advocate)
    case_share_grant(
        case=ngo_case,
        agency=coordination_office,
        level=CaseShare.Level.PERSONAL,
        reason="Meeting",
        actor=shelter_supervisor,
    )
    return [le_case, ngo_case]


def test_a_meeting_packet_shows_the_coordinator_what_the_case_pages_show_and_fetches_only_static_files(
    build, coordinator, crowded_cases
):
    """Withstood: suspects, LE notes and files, the narrative, a shelter's client, notes and files stay out of the
    packet, as off the case pages; markup in a note is printed as text; the renderer is asked only for static files;
    the audit trail holds no value."""
    asked: list[str] = []
    real_fetch = portal_pdf.fetch_static

    def spy(url: str):
        asked.append(url)
        return real_fetch(url)

    with mock.patch.object(portal_pdf, "fetch_static", spy):
        packet = build(crowded_cases, typeset=portal_pdf.typeset)
    assert (packet.status, packet.cases_left_out) == (MeetingPacket.Status.READY, 0)
    with packet.file.open("rb") as file:
        text = pdf_text(file.read())
    client = signed_in(coordinator)
    pages = "".join(client.get(reverse("case_detail", args=[case.pk])).content.decode() for case in crowded_cases)
    secrets = [SUSPECT_GIVEN, LE_NOTE, LE_FILE, LE_SECRET, SHELTER_NOTE, SHELTER_FILE, CLIENT_NAME.split()[0]]
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


# =====================================================================================================================
# 2. The case packet against the case page.
# =====================================================================================================================


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
    page = signed_in(investigator).get(reverse("case_detail", args=[le_case.pk])).content.decode()
    text = pdf_text(render_case_packet(le_case, investigator))
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
    for value in [*VICTIM_NAME.split(), VICTIM_PHONE, LE_SECRET]:
        assert value not in recorded


# =====================================================================================================================
# 3. Files: kept privately, once, for 24 hours, for the requester alone.
# =====================================================================================================================


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


# =====================================================================================================================
# 4. Injection.
# =====================================================================================================================


def test_directory_text_on_the_letter_is_printed_as_text_and_fetches_nothing(investigator, le_case, shelter_need):
    """Withstood: a service's name comes from the directory (HSDS imports too); markup in it is text to the
    renderer, and no URL it names is fetched."""
    hostile = 'Clinic <img src="http://127.0.0.1:9/x.png"><link rel="stylesheet" href="file:///etc/passwd">'
    service = listed_service(name=hostile, categories=("emergency_shelter",))
    victim = le_case.participants.get(role=CaseParticipant.Role.VICTIM).person
    referral = sent_referral(
        le_case, victim, service, by=investigator, needs=[shelter_need], delivery=Referral.Delivery.PHONE
    )
    asked: list[str] = []
    real_fetch = portal_pdf.fetch_static

    def spy(url: str):
        asked.append(url)
        return real_fetch(url)

    with mock.patch.object(portal_pdf, "fetch_static", spy):
        text = pdf_text(render_referral_letter(referral, investigator))
    assert squash('<img src="http://127.0.0.1:9/x.png">') in text
    assert [url for url in asked if "passwd" in url or "127.0.0.1" in url] == []
    for value in [*VICTIM_NAME.split(), VICTIM_PHONE, le_case.number]:
        assert value not in text


# =====================================================================================================================
# 5. Denial of service.
# =====================================================================================================================


def test_the_service_refuses_more_than_fifty_cases_however_it_is_called(
    coordinator, investigator, supervisor, task_force, coordination_office
):
    """Withstood: the 50-case limit holds in the service itself (the form's two paths are tested in
    tests/cases/test_meeting_packets.py), so no caller can queue a bigger packet."""
    many = []
    for number in range(MeetingPacket.MAX_CASES + 1):
        case = case_create(
            actor=investigator, title=f"C{number}", intake_channel=Case.Channel.HOTLINE, task_force=task_force
        )
        case_share_grant(
            case=case, agency=coordination_office, level=CaseShare.Level.SUMMARY, reason="Meeting", actor=supervisor
        )
        many.append(case)
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


# =====================================================================================================================
# 6. The referral letter.
# =====================================================================================================================


def test_a_partner_whose_share_ended_prints_no_letter_for_the_person_it_referred(
    client_as, le_case, partner_agency, partner_investigator, supervisor, shelter_need
):
    """Withstood: the sender's side needs the case still in view: once the share ends, the letter is a 404."""
    case_share_grant(  # replaces its summary share: the partner now works the case and refers its victim
        case=le_case, agency=partner_agency, level=CaseShare.Level.COLLABORATE, reason="Joint", actor=supervisor
    )
    victim = le_case.participants.get(role=CaseParticipant.Role.VICTIM).person
    referral = sent_referral(
        le_case,
        victim,
        listed_service(name="Harbor Clinic"),
        by=partner_investigator,
        needs=[shelter_need],
        delivery=Referral.Delivery.PHONE,
    )
    client = client_as(partner_investigator)
    assert client.get(reverse("referral_letter", args=[referral.pk])).status_code == 200
    share = CaseShare.objects.get(case=le_case, agency=partner_agency, status=CaseShare.Status.ACTIVE)
    case_share_revoke(share=share, actor=supervisor)
    response = client.get(reverse("referral_letter", args=[referral.pk]))
    assert response.status_code == 404
    printed = AuditEvent.objects.filter(action="referrals.referral.letter_printed")
    assert printed.count() == 1
    assert set(printed.get().details) == {"language"}


def test_the_letter_does_not_send_the_person_to_a_deactivated_sender(
    investigator, colleague, agency_admin, le_case, shelter_need
):
    victim = le_case.participants.get(role=CaseParticipant.Role.VICTIM).person
    referral = sent_referral(
        le_case,
        victim,
        listed_service(name="Harbor Clinic"),
        by=investigator,
        needs=[shelter_need],
        delivery=Referral.Delivery.PHONE,
    )
    user_deactivate(user=investigator, actor=agency_admin)
    text = pdf_text(render_referral_letter(referral, colleague))
    assert squash(investigator.full_name) not in text
