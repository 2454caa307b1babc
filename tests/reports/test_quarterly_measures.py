"""The quarterly measures against tables computed by hand on tests/reports/quarterly_world.py (its docstring is the
data): new and continuing across the fiscal-year boundary (30 September / 1 October), the partitions (a provider's
client is the provider's, another agency's arrest is theirs), and a constant number of queries."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from cases.models import Case, CaseParticipant, CaseShare
from cases.models import VictimIdentification as V
from cases.services import case_share_grant, victim_identification_save
from referrals import services as referral_services
from referrals.models import Referral
from reports.quarterly.measures import TABLES, Draft, compute, report_kind_of
from tests.factories import AgencyFactory
from tests.reports.quarterly_world import (  # noqa: F401  (the fixtures)
    NOW,
    Q1_2027,
    Q2_2027,
    Q4_2026,
    at,
    frozen_after_q2_fixture,
    open_case,
    prosecutor_office_fixture,
    served,
    victim,
    world_fixture,
)
from tests.services_directory.factories import listed_service

pytestmark = pytest.mark.django_db


def row_values(draft: Draft, code: str) -> list[tuple[int, ...]]:
    return list(table(draft, code).values())


def table(draft: Draft, code: str) -> dict[str, tuple[int, ...]]:
    """One table of the draft as {row key: (value of each column)}."""
    [spec] = [t for t in TABLES[draft.kind] if t.code == code]
    return {
        row_key: tuple(draft.values[spec.cell_code(r, c)] for c in range(len(spec.columns)))
        for r, (row_key, _label) in enumerate(spec.rows)
    }


@pytest.mark.parametrize(
    ("kind", "report"),
    [
        (Agency.Kind.FEDERAL_LE, "law_enforcement"),
        (Agency.Kind.STATE_LE, "law_enforcement"),
        (Agency.Kind.LOCAL_LE, "law_enforcement"),
        (Agency.Kind.PROSECUTOR, "law_enforcement"),
        (Agency.Kind.VICTIM_SERVICES, "victim_services"),
        (Agency.Kind.OTHER_GOVERNMENT, None),
        (Agency.Kind.COORDINATION, None),
    ],
)
def test_the_report_kind_follows_the_agency_kind(kind, report):
    assert report_kind_of(AgencyFactory(kind=kind)) == report


# --- Law enforcement (the Federal Field Office).


def test_investigations_new_ongoing_and_closed_by_type(world, lead_agency):
    # Q4: A (sex), B and C (labor) opened; B closed on 30 September.
    assert table(compute(lead_agency, Q4_2026), "LE-1") == {
        "new": (3, 1, 2, 0, 0),
        "ongoing": (0, 0, 0, 0, 0),
        "closed": (1, 0, 1, 0, 0),
    }
    # Q1: D opened; A and C (closed on 1 October, so open on the quarter's first day) ongoing; B closed before it.
    assert table(compute(lead_agency, Q1_2027), "LE-1") == {
        "new": (1, 0, 0, 0, 1),
        "ongoing": (2, 1, 1, 0, 0),
        "closed": (1, 0, 1, 0, 0),
    }


def test_victims_at_the_fiscal_year_boundary(world, lead_agency):
    """a1, identified on 30 September, is new in FY2026-Q4 and new again in FY2027-Q1 (new once per fiscal year),
    then continuing in Q2; a2, identified on 1 October, first counts in FY2027-Q1; b1's case closed on 30 September,
    so b1 is not counted after it; c1's closed on 1 October, so c1 is counted in Q1 and not in Q2."""
    q4, q1, q2 = compute(lead_agency, Q4_2026), compute(lead_agency, Q1_2027), compute(lead_agency, Q2_2027)
    assert table(q4, "LE-2") == {"new": (3,), "continuing": (0,)}  # a1, b1, c1
    assert table(q1, "LE-2") == {"new": (5,), "continuing": (0,)}  # a1, a2, c1, d1, d2
    assert table(q2, "LE-2") == {"new": (1,), "continuing": (4,)}  # e1 new; a1, a2, d1, d2 continuing

    assert table(q4, "LE-3") == {
        "sex": (1, 0),
        "labor": (2, 0),
        "both": (0, 0),
        "unknown": (0, 0),
        "not_recorded": (0, 0),
    }
    assert table(q1, "LE-3") == {
        "sex": (2, 0),
        "labor": (1, 0),
        "both": (0, 0),
        "unknown": (1, 0),
        "not_recorded": (1, 0),
    }
    assert table(q2, "LE-3") == {
        "sex": (1, 2),
        "labor": (0, 0),
        "both": (0, 0),
        "unknown": (0, 1),
        "not_recorded": (0, 1),
    }

    assert table(q4, "LE-4") == {"minor": (1, 0), "adult": (1, 0), "unknown": (1, 0), "not_recorded": (0, 0)}
    assert table(q1, "LE-4") == {"minor": (2, 0), "adult": (1, 0), "unknown": (1, 0), "not_recorded": (1, 0)}
    assert table(q2, "LE-4") == {"minor": (0, 2), "adult": (1, 1), "unknown": (0, 0), "not_recorded": (0, 1)}

    assert table(q1, "LE-5") == {
        "us_citizen": (1, 0),
        "permanent_resident": (0, 0),
        "foreign_national": (2, 0),
        "not_reported": (1, 0),
        "not_recorded": (1, 0),
    }
    assert table(q4, "LE-5")["permanent_resident"] == (1, 0)  # b1


def test_the_boundary_day_by_day(world, investigator, task_force, lead_agency):
    """A case opened and its victim identified on the last day of the fiscal year counts in that year's Q4; one
    identified the next day, in the new year's Q1 only."""
    with time_machine.travel(at(date(2026, 10, 1)), tick=False):
        late = open_case(investigator, "Late", Case.Type.SEX, date(2026, 9, 30), task_force)
        victim(late, investigator, "z1", identified_on=date(2026, 9, 30), age=20)
        early = open_case(investigator, "Early", Case.Type.SEX, date(2026, 10, 1), task_force)
        victim(early, investigator, "z2", identified_on=date(2026, 10, 1), age=20)
    assert table(compute(lead_agency, Q4_2026), "LE-2") == {"new": (4,), "continuing": (0,)}
    assert table(compute(lead_agency, Q1_2027), "LE-2") == {"new": (7,), "continuing": (0,)}
    assert table(compute(lead_agency, Q4_2026), "LE-1")["new"][0] == 4
    assert table(compute(lead_agency, Q1_2027), "LE-1")["new"][0] == 2


def test_arrests_charges_decisions_and_dispositions(world, lead_agency, partner_agency):
    q1 = compute(lead_agency, Q1_2027)
    assert table(q1, "LE-6") == {"arrests": (1,), "people": (1,)}  # the Bayport Police's arrest is theirs
    assert table(q1, "LE-7") == {"all": (2,), "trafficking": (1,), "other": (1,)}
    # Decided in Q1: 1591 charged; 1594 (an arrest of Q4) declined.
    assert table(q1, "LE-8") == {"charged": (1, 1), "declined": (1, 1)}
    assert table(q1, "LE-9") == {"convicted_at_trial": (0, 0), "plea": (1, 1), "dismissed": (0, 0), "acquitted": (0, 0)}
    q4 = compute(lead_agency, Q4_2026)
    assert table(q4, "LE-6") == {"arrests": (1,), "people": (1,)}
    assert table(q4, "LE-8") == {"charged": (0, 0), "declined": (0, 0)}


# Arrests and charges are law-enforcement-sensitive: an agency counts those on cases it holds that access to (it
# leads them, or an active share at law-enforcement level or above), not those someone recorded in its name on a
# case it cannot see that far. The FFO recorded the Bayport Police's arrest and the U.S. Attorney's decisions on A.
@pytest.mark.parametrize(
    ("who", "share", "arrests", "charges", "decided"),
    [
        ("partner_agency", None, 0, 0, 0),
        ("partner_agency", CaseShare.Level.PERSONAL, 0, 0, 0),
        ("partner_agency", CaseShare.Level.LAW_ENFORCEMENT, 1, 1, 0),
        ("partner_agency", CaseShare.Level.COLLABORATE, 1, 1, 0),
        ("prosecutor_office", None, 0, 0, 0),
        ("prosecutor_office", CaseShare.Level.PERSONAL, 0, 0, 0),
        ("prosecutor_office", CaseShare.Level.LAW_ENFORCEMENT, 0, 0, 1),
    ],
)
def test_arrests_and_charges_count_on_cases_held_at_law_enforcement_level(
    request, world, supervisor, who, share, arrests, charges, decided
):
    agency = request.getfixturevalue(who)
    if share is not None:
        case_share_grant(case=world.ffo_cases["A"], agency=agency, level=share, reason="Joint", actor=supervisor)
    q1 = compute(agency, Q1_2027)
    assert table(q1, "LE-6")["arrests"] == (arrests,)
    assert table(q1, "LE-7")["all"] == (charges,)
    assert table(q1, "LE-8") == {"charged": (decided, decided), "declined": (decided, decided)}
    assert table(q1, "LE-9")["plea"] == (decided, decided)


def test_an_expired_share_no_longer_counts(world, supervisor, partner_agency):
    case_share_grant(
        case=world.ffo_cases["A"],
        agency=partner_agency,
        level=CaseShare.Level.LAW_ENFORCEMENT,
        reason="Joint",
        actor=supervisor,
    )
    CaseShare.objects.filter(agency=partner_agency).update(expires_on=date(2027, 4, 1))  # not yet revoked by the job
    assert table(compute(partner_agency, Q1_2027), "LE-6")["arrests"] == (0,)


def test_an_identification_recorded_later_does_not_move_a_victim_already_counted(world, investigator, lead_agency):
    """d1, added to D in Q1 without an identification, is identified in Q2: new in Q1 (as counted then), continuing
    in Q2, never new twice in the fiscal year; and Q1's breakdowns show d1 as they were when Q1 ended (nothing
    recorded), not the identification made after it."""
    d1 = world.people["d1"]
    with time_machine.travel(at(date(2027, 1, 15)), tick=False):
        victim_identification_save(
            case=world.ffo_cases["D"],
            person=d1.person,
            version=0,
            actor=investigator,
            status=V.Status.POTENTIAL,
            identified_on=date(2027, 1, 15),
            trafficking_type=V.TraffickingType.LABOR,
            citizenship=V.Citizenship.US_CITIZEN,
            gender=V.Gender.NOT_REPORTED,
        )
    q1, q2 = compute(lead_agency, Q1_2027), compute(lead_agency, Q2_2027)
    assert table(q1, "LE-2") == {"new": (5,), "continuing": (0,)}  # a1, a2, c1, d1, d2
    assert table(q2, "LE-2") == {"new": (1,), "continuing": (4,)}  # e1; a1, a2, d1, d2
    assert table(q1, "LE-3")["labor"] == (1, 0)  # c1 only
    assert table(q1, "LE-3")["not_recorded"] == (1, 0)  # d1, as at the end of Q1
    assert table(q2, "LE-3")["labor"] == (0, 1)  # d1, identified in Q2


def test_a_past_quarters_breakdowns_ignore_identifications_made_after_it(world, investigator, lead_agency):
    """a1 (identified on A on 30 September: sex, foreign national) is identified again on E in Q2 as a U.S. citizen
    in labor trafficking: Q1 still shows a1 as identified by its end."""
    a1 = world.people["a1"]
    before = compute(lead_agency, Q1_2027)
    with time_machine.travel(at(date(2027, 1, 11)), tick=False):
        again = CaseParticipant.objects.create(
            case=world.ffo_cases["E"], person=a1.person, role=CaseParticipant.Role.VICTIM, added_by=investigator
        )
        V.objects.create(
            participant=again,
            identified_on=date(2027, 1, 11),
            identified_by=investigator,
            identified_by_agency=lead_agency,
            trafficking_type=V.TraffickingType.LABOR,
            age_at_identification=16,
            citizenship=V.Citizenship.US_CITIZEN,
        )
    after = compute(lead_agency, Q1_2027)
    assert after.values == before.values
    assert table(compute(lead_agency, Q2_2027), "LE-3")["labor"] == (0, 1)  # a1 continuing, as now identified


def test_trainings_are_the_training_events(world, lead_agency, partner_agency):
    assert table(compute(lead_agency, Q1_2027), "LE-10") == {"events": (1,), "people": (25,)}
    assert table(compute(lead_agency, Q2_2027), "LE-10") == {"events": (0,), "people": (0,)}


def test_each_agency_counts_only_its_own_victims(world, lead_agency, partner_agency):
    """Safe Harbor's client on the FFO's case (na) is the shelter's: not in the FFO's report; the Bayport Police's
    victim (p1) is theirs."""
    assert table(compute(lead_agency, Q1_2027), "LE-2")["new"] == (5,)  # not na, not p1
    assert table(compute(partner_agency, Q1_2027), "LE-2") == {"new": (1,), "continuing": (0,)}
    assert table(compute(partner_agency, Q1_2027), "LE-3")["sex"] == (1, 0)


# --- Victim services (Safe Harbor).


def test_clients_new_once_per_fiscal_year(world, ngo):
    """n1 served in Q4 (new), again in Q1 (new again: a new fiscal year), again in Q2 (continuing)."""
    q4, q1, q2 = compute(ngo, Q4_2026), compute(ngo, Q1_2027), compute(ngo, Q2_2027)
    assert table(q4, "VS-1") == {"new": (1,), "continuing": (0,)}  # n1
    assert table(q1, "VS-1") == {"new": (4,), "continuing": (0,)}  # n1, n2, n3, na
    assert table(q2, "VS-1") == {"new": (1,), "continuing": (1,)}  # n4 new; n1 continuing

    assert table(q1, "VS-2") == {
        "sex": (1, 0),
        "labor": (2, 0),
        "both": (0, 0),
        "unknown": (0, 0),
        "not_recorded": (1, 0),
    }
    assert table(q1, "VS-3") == {"minor": (1, 0), "adult": (2, 0), "unknown": (0, 0), "not_recorded": (1, 0)}
    assert table(q1, "VS-4") == {
        "female": (2, 0),
        "male": (0, 0),
        "self_described": (0, 0),
        "not_reported": (1, 0),
        "not_recorded": (1, 0),
    }
    assert table(q1, "VS-5") == {
        "us_citizen": (2, 0),
        "permanent_resident": (0, 0),
        "foreign_national": (1, 0),
        "not_reported": (0, 0),
        "not_recorded": (1, 0),
    }
    assert table(q2, "VS-4")["male"] == (1, 0)
    assert table(q2, "VS-4")["female"] == (0, 1)


def test_services_referrals_and_outreach(world, ngo):
    q1 = compute(ngo, Q1_2027)
    services = table(q1, "VS-6")
    assert {row: values for row, values in services.items() if any(values)} == {
        "emergency_shelter": (1, 0),  # a2, the FFO's victim: the shelter's work all the same
        "legal_immigration": (0, 1),
        "mental_health": (1, 0),
        "food": (1, 0),
    }
    assert table(q1, "VS-7") == {"sent": (1,), "accepted": (0,), "declined": (0,), "delivered": (0,)}
    outreach = table(q1, "VS-8")
    assert outreach["public_awareness"] == (1, 200)
    assert outreach["professional_training"] == (0, 0)  # the FFO's training is the FFO's


def _clinic_referral(world) -> Referral:
    return Referral.objects.get(person=world.people["n2"].person, kind=Referral.Kind.SERVICE)


def test_a_referral_accepted_then_cancelled_counts_as_accepted(world, ngo, advocate):
    referral = _clinic_referral(world)
    with time_machine.travel(at(date(2026, 11, 7)), tick=False):
        referral = referral_services.referral_accept(referral=referral, actor=advocate)
        referral_services.referral_cancel(referral=referral, actor=advocate, reason="The person moved away")
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.CANCELLED
    assert table(compute(ngo, Q1_2027), "VS-7") == {"sent": (1,), "accepted": (1,), "declined": (0,), "delivered": (0,)}


def test_a_rerouted_referral_counts_once(world, ngo, advocate):
    """The clinic's referral, re-routed to another clinic: one request, counted once (as its re-route)."""
    other = listed_service(name="Harbor Health", categories=("medical",), email="desk@harborhealth.example")
    with time_machine.travel(at(date(2026, 11, 9)), tick=False):
        new = referral_services.referral_reroute(
            referral=_clinic_referral(world),
            actor=advocate,
            reason="The clinic is full this month",
            recipient_service=other,
            delivery="email",
        )
    assert new.rerouted_from is not None
    assert table(compute(ngo, Q1_2027), "VS-7")["sent"] == (1,)


def test_a_client_in_two_cases_counts_once(world, ngo, advocate, task_force):
    with time_machine.travel(at(date(2026, 11, 10)), tick=False):
        other = open_case(advocate, "N2", Case.Type.SEX, date(2026, 11, 10), task_force)
        again = CaseParticipant.objects.create(
            case=other, person=world.people["n1"].person, role=CaseParticipant.Role.VICTIM, added_by=advocate
        )
    served(again, advocate, "food", date(2026, 11, 11))
    assert table(compute(ngo, Q1_2027), "VS-1") == {"new": (4,), "continuing": (0,)}


def test_the_law_enforcement_report_counts_no_client_even_with_a_personal_share(world, lead_agency, shelter_supervisor):
    """The FFO comes to see the shelter's case N at personal level: n1..n4 stay the shelter's."""
    case_share_grant(
        case=world.ngo_case,
        agency=lead_agency,
        level=CaseShare.Level.PERSONAL,
        reason="Joint",
        actor=shelter_supervisor,
    )
    assert table(compute(lead_agency, Q1_2027), "LE-2")["new"] == (5,)


# --- Constant queries.


def _more(n: int, investigator, advocate, task_force) -> None:
    """``n`` more cases of the FFO and clients of the shelter in FY2027-Q1, each with a service."""
    for i in range(n):
        case = open_case(investigator, f"More {i}", Case.Type.LABOR, date(2026, 10, 2), task_force)
        victim(case, investigator, f"m{i}", identified_on=date(2026, 10, 3), age=30 + i)
        shelter = open_case(advocate, f"Shelter {i}", Case.Type.SEX, date(2026, 10, 2), task_force)
        client = victim(shelter, advocate, f"s{i}", identified_on=date(2026, 10, 3), age=20 + i)
        served(client, advocate, "food", date(2026, 10, 4))


@pytest.mark.parametrize("n", [2, 20])
def test_a_report_costs_the_same_queries_whatever_the_records(n, investigator, advocate, task_force, lead_agency, ngo):
    with time_machine.travel(NOW, tick=False):
        _more(n, investigator, advocate, task_force)
        with CaptureQueriesContext(connection) as le:
            draft = compute(lead_agency, Q1_2027)
        with CaptureQueriesContext(connection) as vs:
            client_draft = compute(ngo, Q1_2027)
    assert table(draft, "LE-2")["new"] == (n,)
    assert table(client_draft, "VS-1")["new"] == (n,)
    assert (len(le.captured_queries), len(vs.captured_queries)) == (5, 4)
