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
from typing import Any

import pytest
import time_machine

from cases.models import Case, CaseParticipant, CaseShare, Need, Person, ServiceEvent, VictimIdentification
from cases.services import (
    case_create,
    case_share_grant,
    need_add,
    person_add_to_case,
    service_event_record,
    victim_identification_save,
)
from prosecution.models import Charge
from prosecution.services import arrest_record, charge_decide, charge_dispose
from protection.models import ReliefAction
from protection.services import relief_action_record, relief_action_step
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


# --- The quarter's services, relief and prosecution, on top of ``world`` (the charts of issue 17's records).
#
# The Bayport Police share D with the Field Office at law-enforcement level (so the Field Office sees another
# agency's records in small numbers), and an immigration legal aid joins the task force and sees C at personal level.
#
# Services (provided on):
#   A v1: case management delivered 10-10, emergency shelter delivered 11-01, legal and immigration referred 11-02,
#         medical delivered 12-01, food delivered 2026-09-15 (the quarter before).
#   A v2: emergency shelter delivered 10-20.
#   C c1 (the shelter's client): emergency shelter delivered 11-22, mental health delivered 11-23, food referred 12-05.
#   D d1: case management delivered 12-03 (by the Bayport Police).
#   E: case management delivered 10-20 to each of its three victims.
# Relief (today 2026-12-20):
#   A v1: an HHS notification requested 10-07; a T visa declaration asked of the Field Office 11-01 (both pending).
#   A v2: Continued Presence granted 10-15, expiring 2027-01-09 (in 20 days); employment authorization submitted
#         10-12 (pending); a second employment authorization granted 10-16, expiring 2027-02-03 (in 45 days).
#   C c1: a T visa requested 11-25 (pending); employment authorization granted 11-26, expiring 2027-03-10 (80 days).
#   D d1: a U visa certification asked of the Bayport Police 12-03 (pending).
#   E: three employment authorizations requested 10-20 (pending).
# Prosecution (a U.S. Attorney's Office in the task force decides):
#   A s1 arrested by the Field Office 10-20: 18 U.S.C. 1591 (trafficking) charged 11-01 and pleaded 12-10; a state
#     drug charge (other) declined 11-01. A s2 arrested by the Field Office 11-15: 18 U.S.C. 1594 (trafficking),
#     decision pending.
#   D s3 arrested by the Bayport Police 12-05: a state weapons charge (other), decision pending.
#   E s4 arrested by the Faraway Sheriff 10-25: three counts of 18 U.S.C. 1591, decisions pending.

TRAFFICKING, WEAPONS, DRUGS = (
    "18 U.S.C. § 1591(a)(1)",
    "Gulf State Rev. Stat. § 14:95",
    "Gulf State Rev. Stat. § 40:966",
)


@dataclass
class Activity:
    world: World
    legal_aid: Any
    prosecutor_office: Any
    prosecutor: Any
    attorney: Any


def victims_of(case: Case) -> list[CaseParticipant]:
    return list(case.participants.filter(role=CaseParticipant.Role.VICTIM).order_by("pk"))


def served(actor, participant, category, on: date, *, referred: bool = False) -> None:
    service_event_record(
        actor=actor,
        participant=participant,
        category=category,
        on=on,
        kind=ServiceEvent.Kind.REFERRED if referred else ServiceEvent.Kind.DELIVERED,
        provider_name="Outside Legal Help" if referred else "",
    )


def relief(case, participant, kind, actor, requested_on: date, *, agency=None, step: str = "", **step_fields):
    action = relief_action_record(
        case=case,
        person=participant.person,
        kind=kind,
        actor=actor,
        requested_on=requested_on,
        requesting_agency=agency,
    )
    if step:
        action = relief_action_step(action=action, verb=step, version=action.version, actor=actor, **step_fields)
    return action


def suspect(case: Case, actor, name: str) -> CaseParticipant:
    return person_add_to_case(
        case=case, role=CaseParticipant.Role.SUSPECT, actor=actor, given_name=name, family_name="S"
    )


def arrested(case, participant, actor, agency, on: date, *statutes: str):
    return arrest_record(
        case=case,
        participant=participant,
        arrested_on=on,
        arresting_agency=agency,
        charges=[{"statute": statute} for statute in statutes],
        actor=actor,
    )


@pytest.fixture
def activity(
    world,
    investigator,
    supervisor,
    partner_investigator,
    advocate,
    shelter_supervisor,
    outsider,
    lead_agency,
    partner_agency,
    other_agency,
    task_force,
) -> Activity:
    from agencies.models import Agency, TaskForceMember
    from tests.factories import AgencyFactory, UserFactory

    legal_aid = AgencyFactory(name="Immigrant Legal Aid", short_name="ILA", kind=Agency.Kind.VICTIM_SERVICES)
    TaskForceMember.objects.create(task_force=task_force, agency=legal_aid)
    attorney = UserFactory(email="attorney@ila.example", full_name="Lia Lawyer", agency=legal_aid)
    office = AgencyFactory(name="U.S. Attorney's Office", short_name="USAO", kind=Agency.Kind.PROSECUTOR)
    TaskForceMember.objects.create(task_force=task_force, agency=office)
    prosecutor = UserFactory(email="ausa@usao.example", full_name="Alma Attorney", agency=office)
    bpd_supervisor = UserFactory(
        email="sergeant@bpd.example", full_name="Sgt Bayport", agency=partner_agency, role="supervisor"
    )
    case_share_grant(
        case=world.d, agency=lead_agency, level=CaseShare.Level.LAW_ENFORCEMENT, reason="Joint", actor=bpd_supervisor
    )
    case_share_grant(
        case=world.c, agency=legal_aid, level=CaseShare.Level.PERSONAL, reason="Immigration", actor=shelter_supervisor
    )
    C = Need.Category
    v1, v2 = victims_of(world.a)
    (c1,) = victims_of(world.c)
    (d1,) = victims_of(world.d)
    served(investigator, v1, C.CASE_MANAGEMENT, date(2026, 10, 10))
    served(investigator, v1, C.EMERGENCY_SHELTER, date(2026, 11, 1))
    served(investigator, v1, C.LEGAL_IMMIGRATION, date(2026, 11, 2), referred=True)
    served(investigator, v1, C.MEDICAL, date(2026, 12, 1))
    served(investigator, v1, C.FOOD, date(2026, 9, 15))
    served(investigator, v2, C.EMERGENCY_SHELTER, date(2026, 10, 20))
    served(advocate, c1, C.EMERGENCY_SHELTER, date(2026, 11, 22))
    served(advocate, c1, C.MENTAL_HEALTH, date(2026, 11, 23))
    served(advocate, c1, C.FOOD, date(2026, 12, 5), referred=True)
    served(partner_investigator, d1, C.CASE_MANAGEMENT, date(2026, 12, 3))
    for e in victims_of(world.e):
        served(outsider, e, C.CASE_MANAGEMENT, date(2026, 10, 20))

    K = ReliefAction.Kind
    relief(world.a, v1, K.HHS_NOTIFICATION, investigator, date(2026, 10, 7))
    relief(world.a, v1, K.T_DECLARATION, investigator, date(2026, 11, 1), agency=lead_agency)
    relief(
        world.a,
        v2,
        K.CONTINUED_PRESENCE,
        investigator,
        date(2026, 10, 8),
        agency=lead_agency,
        step="grant",
        on=date(2026, 10, 15),
        valid_from=date(2026, 10, 15),
        expires_on=date(2027, 1, 9),
    )
    relief(
        world.a, v2, K.EMPLOYMENT_AUTHORIZATION, investigator, date(2026, 10, 10), step="submit", on=date(2026, 10, 12)
    )
    relief(
        world.a,
        v2,
        K.EMPLOYMENT_AUTHORIZATION,
        investigator,
        date(2026, 10, 11),
        step="grant",
        on=date(2026, 10, 16),
        valid_from=date(2026, 10, 16),
        expires_on=date(2027, 2, 3),
    )
    relief(world.c, c1, K.T_VISA, advocate, date(2026, 11, 25))
    relief(
        world.c,
        c1,
        K.EMPLOYMENT_AUTHORIZATION,
        advocate,
        date(2026, 11, 25),
        step="grant",
        on=date(2026, 11, 26),
        valid_from=date(2026, 11, 26),
        expires_on=date(2027, 3, 10),
    )
    relief(world.d, d1, K.U_CERTIFICATION, partner_investigator, date(2026, 12, 3), agency=partner_agency)
    for e in victims_of(world.e):
        relief(world.e, e, K.EMPLOYMENT_AUTHORIZATION, outsider, date(2026, 10, 20))

    s1, s2 = suspect(world.a, investigator, "One"), suspect(world.a, investigator, "Two")
    # The U.S. Attorney's Office sees A at law-enforcement level: its people record their decisions.
    case_share_grant(
        case=world.a, agency=office, level=CaseShare.Level.LAW_ENFORCEMENT, reason="AUSA", actor=supervisor
    )
    first = arrested(world.a, s1, investigator, lead_agency, date(2026, 10, 20), TRAFFICKING, DRUGS)
    sex, drugs = first.charges.order_by("pk")
    sex = charge_decide(
        charge=sex,
        version=sex.version,
        decision=Charge.Decision.CHARGED,
        decided_on=date(2026, 11, 1),
        prosecuting_agency=office,
        actor=prosecutor,
    )
    charge_decide(
        charge=drugs,
        version=drugs.version,
        decision=Charge.Decision.DECLINED,
        decided_on=date(2026, 11, 1),
        prosecuting_agency=office,
        decline_reason="Not enough evidence.",
        actor=prosecutor,
    )
    charge_dispose(
        charge=sex,
        version=sex.version,
        disposition=Charge.Disposition.PLEA,
        disposed_on=date(2026, 12, 10),
        actor=prosecutor,
    )
    arrested(world.a, s2, investigator, lead_agency, date(2026, 11, 15), "18 U.S.C. § 1594(c)")
    s3 = suspect(world.d, partner_investigator, "Three")
    arrested(world.d, s3, partner_investigator, partner_agency, date(2026, 12, 5), WEAPONS)
    s4 = suspect(world.e, outsider, "Four")
    arrested(world.e, s4, outsider, other_agency, date(2026, 10, 25), TRAFFICKING, TRAFFICKING, TRAFFICKING)
    return Activity(world, legal_aid, office, prosecutor, attorney)
