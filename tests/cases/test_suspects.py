"""Suspects exist only for those who may see law-enforcement-sensitive information (security review, issue 11,
point 5): for anyone else a suspect is not listed, not counted, not in a timeline or the activity, not found by a
search, and not in any packet. The rule is ``cases.selectors.people_of_case_for``; the page and the packets show
what it returns."""

import io

import pytest
from django.db import transaction
from django.urls import reverse
from pypdf import PdfReader

from cases import selectors
from cases.models import CaseParticipant, CaseShare, MeetingPacket
from cases.packets import render_case_packet, timeline_of
from cases.services import case_create, case_share_grant, meeting_packet_request, need_add, person_add_to_case
from cases.tasks import build_meeting_packet

SUSPECT_GIVEN = "Grendolyx"
SUSPECT_LANGUAGE = "Xq-sentinel"  # a language no one else in the case speaks: it would give the suspect away


def squash(text: str) -> str:
    return "".join(text.split())


def packet_text(case, user) -> str:
    pdf = render_case_packet(case, user)
    return squash("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


@pytest.fixture
def suspect(le_case, investigator):
    return person_add_to_case(
        case=le_case,
        role=CaseParticipant.Role.SUSPECT,
        actor=investigator,
        given_name=SUSPECT_GIVEN,
        family_name="Harrowgate",
        sex="male",
        languages_note=SUSPECT_LANGUAGE,
    ).person


def _share(case, agency, level, supervisor) -> None:
    case_share_grant(case=case, agency=agency, level=level, reason="Task force", actor=supervisor)


# (who, the level their agency's share has, or None for the lead, whether suspects exist for them)
CAST = [
    ("investigator", None, True),
    ("partner_investigator", CaseShare.Level.SUMMARY, False),
    ("partner_investigator", CaseShare.Level.PERSONAL, False),
    ("partner_investigator", CaseShare.Level.LAW_ENFORCEMENT, True),
    ("partner_investigator", CaseShare.Level.COLLABORATE, True),
    ("coordinator", CaseShare.Level.PERSONAL, False),
    ("advocate", CaseShare.Level.PERSONAL, False),
]
cast = pytest.mark.parametrize(("who", "level", "sees_suspects"), CAST)


@pytest.fixture
def reader(request, le_case, suspect, supervisor, who, level):
    user = request.getfixturevalue(who)
    if level is not None:
        _share(le_case, user.agency, level, supervisor)
    return user


@cast
def test_a_suspect_is_in_the_people_only_for_those_with_law_enforcement_access(le_case, reader, sees_suspects):
    access = selectors.case_access_for_user(reader, le_case.pk)
    people = selectors.people_of_case_for(reader, access.case, access.permissions)
    roles = sorted(participant.role for participant, _view in people)
    assert roles == (["suspect", "victim"] if sees_suspects else ["victim"])


@cast
def test_the_case_page_shows_a_suspect_only_to_those_with_law_enforcement_access(
    client_as, le_case, reader, sees_suspects
):
    page = client_as(reader).get(reverse("case_detail", args=[le_case.pk])).content.decode()
    assert ("Suspect" in page) == sees_suspects
    assert (SUSPECT_LANGUAGE in page) == sees_suspects
    assert (SUSPECT_GIVEN in page) == sees_suspects


@cast
def test_the_packet_shows_a_suspect_only_to_those_with_law_enforcement_access(le_case, reader, sees_suspects):
    text = packet_text(le_case, reader)
    assert ("Suspect" in text) == sees_suspects  # the people table, and the timeline's "Suspect #N ... added"
    assert (SUSPECT_LANGUAGE in text) == sees_suspects
    assert (SUSPECT_GIVEN in text) == sees_suspects


@cast
def test_the_timeline_tells_of_a_suspect_only_to_those_with_law_enforcement_access(
    le_case, suspect, reader, sees_suspects
):
    access = selectors.case_access_for_user(reader, le_case.pk)
    texts = [entry.text for entry in timeline_of(selectors.case_dossier_for(reader, access))]
    assert any("as suspect" in text for text in texts) == sees_suspects
    assert any(f"#{suspect.pk}" in text for text in texts) is False  # named, or not there at all


@cast
def test_a_suspects_needs_exist_only_for_those_with_law_enforcement_access(
    le_case, suspect, investigator, reader, sees_suspects
):
    need = need_add(case=le_case, person=suspect, category="interpretation", actor=investigator)
    case = selectors.case_get_for_user(reader, le_case.pk)
    assert (need in selectors.needs_visible_to(reader, case)) == sees_suspects


def test_the_activity_leaves_out_events_about_suspects_without_law_enforcement_access(le_case, suspect, investigator):
    """The lead always holds every permission, so the case page's activity is read here with a narrower set."""
    from portal.audit import audit_record

    audit_record(action="cases.pii.viewed", actor=investigator, target=le_case, details={"person_id": suspect.pk})
    everything = frozenset(selectors.CASE_PERMISSIONS)
    no_le = everything - {selectors.VIEW_LE}
    with_le = [(event.action, event.details) for event in selectors.case_activity(le_case, everything)]
    without = [(event.action, event.details) for event in selectors.case_activity(le_case, no_le)]
    about_suspect = [
        ("cases.participant.added", {"person_id": suspect.pk, "role": "suspect"}),
        ("cases.pii.viewed", {"person_id": suspect.pk}),
    ]
    assert all(event in with_le for event in about_suspect)
    assert not [event for event in about_suspect if event in without]
    assert [event for event in with_le if event not in about_suspect] == without  # nothing else goes


@pytest.mark.parametrize(
    ("level", "found"),
    [(CaseShare.Level.PERSONAL, False), (CaseShare.Level.LAW_ENFORCEMENT, True)],
)
def test_a_search_finds_a_suspect_only_with_law_enforcement_access(
    le_case, suspect, supervisor, partner_investigator, level, found
):
    _share(le_case, partner_investigator.agency, level, supervisor)
    people = list(selectors.person_search_for(partner_investigator, SUSPECT_GIVEN))
    assert (suspect in people) == found


def test_a_search_does_not_list_the_case_where_someone_found_is_a_suspect_without_law_enforcement_access(
    le_case, suspect, supervisor, investigator, partner_investigator
):
    """The same person is a victim in a case the partner reads with personal information and a suspect in one it
    reads without law-enforcement access: found, with the first case only."""
    _share(le_case, partner_investigator.agency, CaseShare.Level.PERSONAL, supervisor)
    second = case_create(actor=investigator, title="Second", intake_channel="hotline")
    CaseParticipant.objects.create(case=second, person=suspect, role=CaseParticipant.Role.VICTIM, added_by=investigator)
    _share(second, partner_investigator.agency, CaseShare.Level.PERSONAL, supervisor)
    [found] = selectors.person_search_for(partner_investigator, SUSPECT_GIVEN)
    assert found == suspect
    assert selectors.cases_of_people_visible_to(partner_investigator, [found]) == {suspect.pk: [second]}


def test_a_meeting_packet_leaves_suspects_out_for_a_coordinator(le_case, suspect, supervisor, coordinator, task_force):
    _share(le_case, coordinator.agency, CaseShare.Level.PERSONAL, supervisor)
    with transaction.atomic():
        packet = meeting_packet_request(
            actor=coordinator, task_force=task_force, meeting_on=le_case.opened_on, cases=[le_case]
        )
    build_meeting_packet.call(packet.pk)
    packet.refresh_from_db()
    assert packet.status == MeetingPacket.Status.READY
    with packet.file.open("rb") as file:
        text = squash("".join(page.extract_text() for page in PdfReader(io.BytesIO(file.read())).pages))
    assert le_case.number in text
    assert "Suspect" not in text
    assert SUSPECT_LANGUAGE not in text
