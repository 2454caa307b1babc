"""A small task force around the fiscal-year boundary (FY2026-Q4 2026-07-01..09-30, FY2027-Q1 2026-10-01..12-31,
FY2027-Q2 2027-01-01..03-31), seen on 2027-04-15, whose quarterly reports the tests compute by hand
(tests/reports/test_quarterly_measures.py holds the tables).

The Federal Field Office (FFO, law enforcement) leads:
  A  opened 2026-08-10, sex, open.      a1 identified 2026-09-30 (the fiscal year's last day), 15, foreign national,
                                        sex. a2 identified 2026-10-01 (the next year's first day), 26, U.S. citizen,
                                        sex, confirmed. Safe Harbor's client "na" is a victim here too (as a tip
                                        the shelter reported puts them), identified 2026-12-10, 25, U.S., labor.
  B  opened 2026-07-05, labor, closed 2026-09-30.  b1 identified 2026-07-06, 40, permanent resident, labor.
  C  opened 2026-09-01, labor, closed 2026-10-01.  c1 identified 2026-09-02, no date of birth, not reported, labor.
  D  opened 2026-11-15, not known.      d1 added 2026-11-16, no identification. d2 identified 2026-11-20, type not
                                        known yet, 17, foreign national.
  E  opened 2027-01-10, sex.            e1 identified 2027-01-11, 22, U.S. citizen, sex.
  Arrests on A: 2026-09-15 by FFO (18 U.S.C. 1594, declined on 2026-10-05 by the U.S. Attorney); 2026-10-20 by FFO
  (18 U.S.C. 1591 charged 2026-11-01 and a guilty plea on 2026-12-15; a state assault charge, no decision yet);
  2026-10-25 by the Bayport Police (a state assault charge, no decision yet).
  Events: a training on 2026-11-05 (25 people), a community outreach on 2026-11-06 (50).

Safe Harbor (the NGO) leads N, opened 2026-09-10:
  n1 (client) identified 2026-09-12, 19, female, foreign national, sex; shelter delivered 2026-09-15, counselling
     (mental health) 2026-10-03, shelter again 2027-02-01.
  n2 (client) identified 2026-11-02, 16, gender not reported, U.S., labor; referred elsewhere for legal aid
     2026-11-03; a service referral sent through the portal on 2026-11-05.
  n3 (client) added 2026-12-01 without identification; food delivered 2026-12-02.
  n4 (client) identified 2027-02-10, 30, male, permanent resident, labor.
  Safe Harbor also sheltered a2, the FFO's victim, on 2026-10-20 (as a completed referral records it).
  Events: a public awareness event on 2026-10-15 (200 people).

The Bayport Police lead P, opened 2026-10-02, sex: p1 identified 2026-10-03, 33, U.S., sex.

The fixtures are named apart from their functions (``world_fixture`` is the fixture ``world``) so that a test module
imports them without shadowing them (``from tests.reports.quarterly_world import world_fixture``).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from agencies.models import Agency, Role, TaskForceMember
from cases.models import Case, CaseParticipant, Person, ServiceEvent, VictimIdentification
from cases.services import (
    case_create,
    case_transition,
    person_add_to_case,
    service_event_record,
    victim_identification_save,
)
from prosecution import services as prosecution
from prosecution.models import Charge
from reports.fiscal import parse_quarter
from reports.models import OutreachEvent
from reports.services import outreach_event_record
from tests.factories import AgencyFactory, UserFactory, sent_referral
from tests.services_directory.factories import listed_service

NOW = datetime(2027, 4, 15, 15, 0, tzinfo=UTC)
Q4_2026, Q1_2027, Q2_2027 = parse_quarter("FY2026-Q4"), parse_quarter("FY2027-Q1"), parse_quarter("FY2027-Q2")
V = VictimIdentification
SEX, LABOR, UNKNOWN = V.TraffickingType.SEX, V.TraffickingType.LABOR, V.TraffickingType.UNKNOWN
US, LPR, FOREIGN, NOT_REPORTED = (
    V.Citizenship.US_CITIZEN,
    V.Citizenship.PERMANENT_RESIDENT,
    V.Citizenship.FOREIGN_NATIONAL,
    V.Citizenship.NOT_REPORTED,
)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 15, 0, tzinfo=UTC)


def born(age: int, on: date) -> date:
    """A date of birth that makes someone ``age`` on ``on`` (their birthday just passed)."""
    return date(on.year - age, on.month, 1) - timedelta(days=1)


def open_case(actor, title: str, case_type: str, opened_on: date, task_force) -> Case:
    return case_create(
        actor=actor,
        title=title,
        intake_channel=Case.Channel.HOTLINE,
        case_type=case_type,
        task_force=task_force,
        opened_on=opened_on,
    )


def close(case: Case, on: date, supervisor) -> None:
    with time_machine.travel(at(on), tick=False):
        case_transition(case=case, transition="close", actor=supervisor, reason=Case.ClosedReason.OTHER)


def victim(
    case: Case,
    actor,
    name: str,
    *,
    identified_on: date | None,
    age: int | None = None,
    kind: str = SEX,
    citizenship: str = NOT_REPORTED,
    gender: str = V.Gender.NOT_REPORTED,
    confirmed: bool = False,
    added_on: date | None = None,
) -> CaseParticipant:
    """A victim of ``case`` named ``name`` (given name), identified on ``identified_on`` (None: no identification,
    added on ``added_on``)."""
    with time_machine.travel(at(added_on or identified_on or NOW.date()), tick=False):
        participant = person_add_to_case(
            case=case,
            role=CaseParticipant.Role.VICTIM,
            actor=actor,
            given_name=name,
            family_name="Sentinel",
            date_of_birth=born(age, identified_on) if age is not None and identified_on else None,
        )
        if identified_on is not None:
            victim_identification_save(
                case=case,
                person=participant.person,
                version=0,
                actor=actor,
                status=V.Status.CONFIRMED if confirmed else V.Status.POTENTIAL,
                identified_on=identified_on,
                confirmed_on=identified_on if confirmed else None,
                trafficking_type=kind,
                citizenship=citizenship,
                gender=gender,
            )
    return participant


def served(participant: CaseParticipant, actor, category: str, on: date, kind: str = "delivered") -> None:
    with time_machine.travel(at(on), tick=False):
        service_event_record(
            actor=actor,
            participant=participant,
            category=category,
            on=on,
            kind=kind,
            provider_name="Gulf Coast Immigrant Legal Aid" if kind == "referred" else "",
        )


@dataclass
class World:
    ffo_cases: dict[str, Case]
    ngo_case: Case
    bpd_case: Case
    people: dict[str, CaseParticipant]
    prosecutor_office: Agency


@pytest.fixture(name="prosecutor_office")
def prosecutor_office_fixture(task_force):
    agency = AgencyFactory(name="U.S. Attorney's Office", short_name="USAO", kind=Agency.Kind.PROSECUTOR)
    TaskForceMember.objects.create(task_force=task_force, agency=agency)
    return agency


@pytest.fixture(name="bpd_supervisor")
def bpd_supervisor_fixture(partner_agency, task_force):
    return UserFactory(
        email="sergeant@bpd.example", full_name="Omar Sergeant", agency=partner_agency, role=Role.SUPERVISOR
    )


@pytest.fixture(name="ffo_auditor")
def ffo_auditor_fixture(lead_agency, task_force):
    return UserFactory(email="auditor@ffo.example", full_name="Aud Itor", agency=lead_agency, role=Role.AUDITOR)


@pytest.fixture(name="ngo_auditor")
def ngo_auditor_fixture(ngo, task_force):
    return UserFactory(email="auditor@safeharbor.example", full_name="Ngo Auditor", agency=ngo, role=Role.AUDITOR)


@pytest.fixture(name="frozen_after_q2")
def frozen_after_q2_fixture():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(name="world")
def world_fixture(
    frozen_after_q2,
    investigator,
    supervisor,
    partner_investigator,
    advocate,
    shelter_supervisor,
    lead_agency,
    partner_agency,
    ngo,
    task_force,
    prosecutor_office,
) -> World:
    people: dict[str, CaseParticipant] = {}
    a = open_case(investigator, "A", Case.Type.SEX, date(2026, 8, 10), task_force)
    people["a1"] = victim(a, investigator, "a1", identified_on=date(2026, 9, 30), age=15, citizenship=FOREIGN)
    people["a2"] = victim(
        a, investigator, "a2", identified_on=date(2026, 10, 1), age=26, citizenship=US, confirmed=True
    )
    b = open_case(investigator, "B", Case.Type.LABOR, date(2026, 7, 5), task_force)
    people["b1"] = victim(b, investigator, "b1", identified_on=date(2026, 7, 6), age=40, kind=LABOR, citizenship=LPR)
    close(b, date(2026, 9, 30), supervisor)
    c = open_case(investigator, "C", Case.Type.LABOR, date(2026, 9, 1), task_force)
    people["c1"] = victim(c, investigator, "c1", identified_on=date(2026, 9, 2), kind=LABOR)
    close(c, date(2026, 10, 1), supervisor)
    d = open_case(investigator, "D", Case.Type.UNKNOWN, date(2026, 11, 15), task_force)
    people["d1"] = victim(d, investigator, "d1", identified_on=None, added_on=date(2026, 11, 16))
    people["d2"] = victim(
        d, investigator, "d2", identified_on=date(2026, 11, 20), age=17, kind=UNKNOWN, citizenship=FOREIGN
    )
    e = open_case(investigator, "E", Case.Type.SEX, date(2027, 1, 10), task_force)
    people["e1"] = victim(e, investigator, "e1", identified_on=date(2027, 1, 11), age=22, citizenship=US)

    n = open_case(advocate, "N", Case.Type.SEX, date(2026, 9, 10), task_force)
    people["n1"] = victim(
        n, advocate, "n1", identified_on=date(2026, 9, 12), age=19, citizenship=FOREIGN, gender=V.Gender.FEMALE
    )
    served(people["n1"], advocate, "emergency_shelter", date(2026, 9, 15))
    served(people["n1"], advocate, "mental_health", date(2026, 10, 3))
    served(people["n1"], advocate, "emergency_shelter", date(2027, 2, 1))
    people["n2"] = victim(n, advocate, "n2", identified_on=date(2026, 11, 2), age=16, kind=LABOR, citizenship=US)
    served(people["n2"], advocate, "legal_immigration", date(2026, 11, 3), kind="referred")
    clinic = listed_service(name="Open Door Clinic", categories=("medical",), email="frontdesk@opendoor.example")
    with time_machine.travel(at(date(2026, 11, 5)), tick=False):
        sent_referral(n, people["n2"].person, clinic, by=advocate, delivery="email")
    people["n3"] = victim(n, advocate, "n3", identified_on=None, added_on=date(2026, 12, 1))
    served(people["n3"], advocate, "food", date(2026, 12, 2))
    people["n4"] = victim(
        n,
        advocate,
        "n4",
        identified_on=date(2027, 2, 10),
        age=30,
        kind=LABOR,
        citizenship=LPR,
        gender=V.Gender.MALE,
    )
    # Safe Harbor's client on the FFO's case, as a tip the shelter reported puts them there (decision 0026): the
    # shelter's, not the FFO's. And the shelter's service to the FFO's victim, as completing a referral records it.
    client = Person.objects.create(given_name="na", family_name="Sentinel", entered_by_agency=ngo, entered_by=advocate)
    people["na"] = CaseParticipant.objects.create(
        case=a, person=client, role=CaseParticipant.Role.VICTIM, added_by=advocate
    )
    V.objects.create(
        participant=people["na"],
        identified_on=date(2026, 12, 10),
        identified_by=advocate,
        identified_by_agency=ngo,
        trafficking_type=LABOR,
        age_at_identification=25,
        citizenship=US,
        gender=V.Gender.FEMALE,
    )
    ServiceEvent.objects.create(
        participant=people["a2"],
        category="emergency_shelter",
        provided_on=date(2026, 10, 20),
        provider=ngo,
        recorded_by=advocate,
        recorded_by_agency=ngo,
    )

    p = open_case(partner_investigator, "P", Case.Type.SEX, date(2026, 10, 2), task_force)
    people["p1"] = victim(p, partner_investigator, "p1", identified_on=date(2026, 10, 3), age=33, citizenship=US)

    suspect = person_add_to_case(
        case=a, role=CaseParticipant.Role.SUSPECT, actor=investigator, given_name="Vorlando", family_name="Quell"
    )
    with time_machine.travel(at(date(2026, 9, 15)), tick=False):
        early = prosecution.arrest_record(
            case=a,
            participant=suspect,
            arrested_on=date(2026, 9, 15),
            arresting_agency=lead_agency,
            charges=[{"statute": "18 U.S.C. § 1594", "level": Charge.Level.FELONY}],
            actor=investigator,
        )
    with time_machine.travel(at(date(2026, 10, 5)), tick=False):
        prosecution.charge_decide(
            charge=early.charges.get(),
            version=1,
            decision=Charge.Decision.DECLINED,
            decided_on=date(2026, 10, 5),
            prosecuting_agency=prosecutor_office,
            decline_reason="Insufficient evidence",
            actor=investigator,
        )
    with time_machine.travel(at(date(2026, 10, 20)), tick=False):
        arrest = prosecution.arrest_record(
            case=a,
            participant=suspect,
            arrested_on=date(2026, 10, 20),
            arresting_agency=lead_agency,
            charges=[
                {"statute": "18 U.S.C. § 1591(a)(1)", "level": Charge.Level.FELONY},
                {"statute": "Gulf State Rev. Stat. § 14:35", "level": Charge.Level.MISDEMEANOR},
            ],
            actor=investigator,
        )
    federal = arrest.charges.get(is_trafficking=True)
    with time_machine.travel(at(date(2026, 11, 1)), tick=False):
        federal = prosecution.charge_decide(
            charge=federal,
            version=1,
            decision=Charge.Decision.CHARGED,
            decided_on=date(2026, 11, 1),
            prosecuting_agency=prosecutor_office,
            actor=investigator,
        )
    with time_machine.travel(at(date(2026, 12, 15)), tick=False):
        prosecution.charge_dispose(
            charge=federal,
            version=federal.version,
            disposition=Charge.Disposition.PLEA,
            disposed_on=date(2026, 12, 15),
            sentence="60 months",
            actor=investigator,
        )
    with time_machine.travel(at(date(2026, 10, 25)), tick=False):
        prosecution.arrest_record(
            case=a,
            participant=suspect,
            arrested_on=date(2026, 10, 25),
            arresting_agency=partner_agency,
            charges=[{"statute": "Gulf State Rev. Stat. § 14:35", "level": Charge.Level.MISDEMEANOR}],
            actor=investigator,
        )

    K, A = OutreachEvent.Kind, OutreachEvent.Audience
    for who, day, kind, audience, reached in (
        (investigator, date(2026, 11, 5), K.PROFESSIONAL_TRAINING, A.HOSPITALITY, 25),
        (investigator, date(2026, 11, 6), K.COMMUNITY_OUTREACH, A.COMMUNITY, 50),
        (advocate, date(2026, 10, 15), K.PUBLIC_AWARENESS, A.SCHOOLS, 200),
    ):
        outreach_event_record(
            actor=who, held_on=day, title="Event", kind=kind, audience=audience, people_reached=reached
        )
    return World(
        ffo_cases={"A": a, "B": b, "C": c, "D": d, "E": e},
        ngo_case=n,
        bpd_case=p,
        people=people,
        prosecutor_office=prosecutor_office,
    )
