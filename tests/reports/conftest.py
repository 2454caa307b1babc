"""A small task force's quarter, FY2027-Q1 (2026-10-01..2026-12-31), seen on 2026-12-20, whose every number the
tests compute by hand.

Case A (Federal Field Office, sex): v1, 15 when identified, potential, sex; v2, 30, confirmed, sex. Shared with the
  Bayport Police at summary level. Needs: v1 emergency shelter (urgent).
Case B (Federal Field Office, labor): v3, no date of birth, potential, labor.
Case C (Safe Harbor, the NGO, labor): c1, the shelter's client, 20, potential, labor; shared with the Field Office
  at personal level. Needs: c1 medical (emergency) and emergency shelter (emergency).
Case D (Bayport Police, sex, not shared): d1, 40, potential, sex.
Case E (Faraway Sheriff, another task force): three victims, 25, potential, labor.
Outreach: the Field Office two community events in October (10 and 20 people), the Bayport Police one training in
  November (40), Faraway one public awareness event (500, outside the task force).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
import time_machine

from cases.models import Case, CaseParticipant, CaseShare, Need, Person, VictimIdentification
from cases.services import case_create, case_share_grant, need_add, person_add_to_case, victim_identification_save
from reports.models import OutreachEvent
from reports.services import outreach_event_record

NOW = datetime(2026, 12, 20, 15, 0, tzinfo=UTC)
QUARTER = "FY2027-Q1"
POTENTIAL, CONFIRMED = VictimIdentification.Status.POTENTIAL, VictimIdentification.Status.CONFIRMED
SEX, LABOR = VictimIdentification.TraffickingType.SEX, VictimIdentification.TraffickingType.LABOR


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def born(age: int, on: date) -> date:
    return date(on.year - age, 1, 1) if on.month > 1 else date(on.year - age - 1, 1, 1)


def open_case(actor, title: str, case_type: str, opened_on: date, task_force) -> Case:
    return case_create(
        actor=actor,
        title=title,
        intake_channel=Case.Channel.HOTLINE,
        case_type=case_type,
        task_force=task_force,
        opened_on=opened_on,
    )


def victim(case: Case, actor, *, age: int | None, identified_on: date, status: str, kind: str) -> Person:
    participant = person_add_to_case(
        case=case,
        role=CaseParticipant.Role.VICTIM,
        actor=actor,
        given_name="V",
        family_name=f"{case.pk}-{identified_on.isoformat()}-{age}",
        date_of_birth=born(age, identified_on) if age is not None else None,
    )
    victim_identification_save(
        case=case,
        person=participant.person,
        version=0,
        actor=actor,
        status=status,
        identified_on=identified_on,
        confirmed_on=identified_on if status == CONFIRMED else None,
        trafficking_type=kind,
    )
    return participant.person


@dataclass
class World:
    a: Case
    b: Case
    c: Case
    d: Case
    e: Case


@pytest.fixture
def world(
    frozen,
    investigator,
    supervisor,
    partner_investigator,
    advocate,
    shelter_supervisor,
    outsider,
    lead_agency,
    partner_agency,
    task_force,
) -> World:
    a = open_case(investigator, "A", Case.Type.SEX, date(2026, 10, 5), task_force)
    v1 = victim(a, investigator, age=15, identified_on=date(2026, 10, 6), status=POTENTIAL, kind=SEX)
    victim(a, investigator, age=30, identified_on=date(2026, 10, 7), status=CONFIRMED, kind=SEX)
    need_add(
        case=a, person=v1, category=Need.Category.EMERGENCY_SHELTER, urgency=Need.Urgency.URGENT, actor=investigator
    )
    case_share_grant(case=a, agency=partner_agency, level=CaseShare.Level.SUMMARY, reason="Venue", actor=supervisor)

    b = open_case(investigator, "B", Case.Type.LABOR, date(2026, 11, 10), task_force)
    victim(b, investigator, age=None, identified_on=date(2026, 11, 11), status=POTENTIAL, kind=LABOR)

    c = open_case(advocate, "C", Case.Type.LABOR, date(2026, 11, 20), task_force)
    c1 = victim(c, advocate, age=20, identified_on=date(2026, 11, 21), status=POTENTIAL, kind=LABOR)
    need_add(case=c, person=c1, category=Need.Category.MEDICAL, urgency=Need.Urgency.EMERGENCY, actor=advocate)
    need_add(
        case=c, person=c1, category=Need.Category.EMERGENCY_SHELTER, urgency=Need.Urgency.EMERGENCY, actor=advocate
    )
    case_share_grant(
        case=c, agency=lead_agency, level=CaseShare.Level.PERSONAL, reason="Joint", actor=shelter_supervisor
    )

    d = open_case(partner_investigator, "D", Case.Type.SEX, date(2026, 12, 1), task_force)
    victim(d, partner_investigator, age=40, identified_on=date(2026, 12, 2), status=POTENTIAL, kind=SEX)

    e = open_case(outsider, "E", Case.Type.LABOR, date(2026, 10, 15), None)
    for _ in range(3):
        victim(e, outsider, age=25, identified_on=date(2026, 10, 16), status=POTENTIAL, kind=LABOR)

    K, A = OutreachEvent.Kind, OutreachEvent.Audience
    for held_on, people in ((date(2026, 10, 3), 10), (date(2026, 10, 24), 20)):
        outreach_event_record(
            actor=investigator,
            held_on=held_on,
            title="Fair",
            kind=K.COMMUNITY_OUTREACH,
            audience=A.COMMUNITY,
            people_reached=people,
        )
    outreach_event_record(
        actor=partner_investigator,
        held_on=date(2026, 11, 5),
        title="Roll call",
        kind=K.PROFESSIONAL_TRAINING,
        audience=A.LAW_ENFORCEMENT,
        people_reached=40,
    )
    outreach_event_record(
        actor=outsider,
        held_on=date(2026, 11, 6),
        title="Billboards",
        kind=K.PUBLIC_AWARENESS,
        audience=A.COMMUNITY,
        people_reached=500,
    )
    return World(a, b, c, d, e)
