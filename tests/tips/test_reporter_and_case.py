"""A caller who did not give permission is never identified to law enforcement (docs/decisions/0026-tips.md): their
name and contact are withheld on every page but from the person who took the report, and never copied into a case.
Opening a case from a tip: its subjects become the case's people, its indicators and narrative come along, and
the case came in through the tip's channel."""

import pytest
from django.urls import reverse

from cases.models import Case, CaseParticipant
from tests.tips.conftest import NARRATIVE, REPORTER_NAME, REPORTER_PHONE, SUBJECT_NAME, assigned, receive
from tips import selectors, services
from tips.models import Tip

PERMISSIONS = [Tip.ReporterPermission.YES, Tip.ReporterPermission.NO, Tip.ReporterPermission.NOT_ASKED]


@pytest.mark.parametrize("permission", PERMISSIONS)
@pytest.mark.parametrize(
    ("who", "sees_when_refused"),
    [
        ("intake", True),  # took the report
        ("intake_colleague", False),  # the same law-enforcement bin, did not take it
        ("supervisor", False),
        ("partner_investigator", False),  # the owner
        ("partner_supervisor", False),
    ],
)
def test_the_reporter_is_shown_only_with_their_permission(
    request, client_as, intake, supervisor, partner_investigator, partner_supervisor, permission, who, sees_when_refused
):
    tip = assigned(receive(intake, permission=permission), supervisor, partner_investigator)
    reader = request.getfixturevalue(who)
    body = client_as(reader).get(reverse("tip_detail", args=[tip.pk])).content.decode()
    shown = permission == Tip.ReporterPermission.YES or sees_when_refused
    assert (REPORTER_NAME in body) == shown
    assert (REPORTER_PHONE in body) == shown
    assert "neighbour" in body  # the reporter's role is not their identity


def test_a_coordinator_never_sees_the_reporter_even_with_permission(client_as, intake, coordinator):
    tip = receive(intake, permission=Tip.ReporterPermission.YES)
    body = client_as(coordinator).get(reverse("tip_detail", args=[tip.pk])).content.decode()
    assert REPORTER_NAME not in body
    assert "neighbour" not in body


def test_a_hotline_that_is_not_law_enforcement_keeps_its_callers_details(ngo, task_force):
    from agencies.models import Role
    from tests.factories import UserFactory

    hotline_staff = UserFactory(agency=ngo, role=Role.INTAKE)
    hotline_colleague = UserFactory(agency=ngo, role=Role.INTAKE)
    tip = receive(hotline_staff, permission=Tip.ReporterPermission.NO)
    assert selectors.tip_access_for_user(hotline_colleague, tip.pk).may_read_reporter


@pytest.mark.parametrize("permission", PERMISSIONS)
def test_the_reporter_reaches_the_case_only_with_permission(
    intake, supervisor, partner_investigator, client_as, permission
):
    tip = assigned(receive(intake, permission=permission), supervisor, partner_investigator)
    case = services.tip_open_case(tip=tip, actor=partner_investigator).case
    copied = " ".join([case.title, case.summary, case.le_narrative])
    assert (REPORTER_NAME in copied) == (permission == Tip.ReporterPermission.YES)
    assert (REPORTER_PHONE in copied) == (permission == Tip.ReporterPermission.YES)
    assert "neighbour" in copied
    names = {person.given_name for person in [p.person for p in case.participants.all()]}
    assert REPORTER_NAME not in names


def test_opening_a_case_carries_the_tip_over(intake, supervisor, partner_investigator, partner_agency):
    tip = assigned(receive(intake, channel=Tip.Channel.PORT_OF_ENTRY), supervisor, partner_investigator)
    opened = services.tip_open_case(tip=tip, actor=partner_investigator, title="Port of Bayport, container 7")
    case = opened.case
    assert opened.status == Tip.Status.CASE_OPENED
    assert case.lead_agency == partner_agency
    assert case.title == "Port of Bayport, container 7"
    assert case.intake_channel == Case.Channel.PORT_OF_ENTRY
    assert case.indicators == sorted(tip.indicators)
    assert NARRATIVE in case.le_narrative
    assert "ABC1234 TX" in case.le_narrative  # the suspect's plate: a person has no field for it
    assert case.task_force is not None
    people = {(p.person.given_name, p.role) for p in case.participants.select_related("person")}
    assert people == {(SUBJECT_NAME, CaseParticipant.Role.VICTIM), ("Big Mike", CaseParticipant.Role.SUSPECT)}
    assert opened.events.last().details == {"case_id": case.pk}


def test_opening_a_case_from_the_page_leads_to_the_case(client_as, intake, supervisor, partner_investigator):
    tip = assigned(
        receive(intake, channel=Tip.Channel.AIRLINE, flight_number="GC 411"), supervisor, partner_investigator
    )
    response = client_as(partner_investigator).post(reverse("tip_step", args=[tip.pk, "open-case"]), {})
    tip.refresh_from_db()
    assert tip.case is not None
    assert response["Location"] == reverse("case_detail", args=[tip.case_id])
    assert tip.case.intake_channel == Case.Channel.AIRLINE


def test_linking_a_tip_to_a_case(client_as, intake, supervisor, partner_investigator, le_case):
    tip = assigned(receive(intake), supervisor, partner_investigator)
    response = client_as(partner_investigator).post(
        reverse("tip_step", args=[tip.pk, "link"]), {"link-case_number": le_case.number}
    )
    assert response.status_code == 302
    tip.refresh_from_db()
    assert (tip.status, tip.case) == (Tip.Status.LINKED, le_case)
