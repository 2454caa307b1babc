"""A count never reveals a record the viewer could not open: cases, people, referrals and tips outside a viewer's
sight change none of their numbers; a provider's client counts outside the provider only under suppression."""

from datetime import date, timedelta

import pytest

from cases.models import Case, CaseShare
from cases.services import case_share_grant, case_share_revoke
from reports import sections
from tests.reports.conftest import LABOR, POTENTIAL, SEX, open_case, victim
from tests.reports.helpers import scope_for, table


def everything(user) -> dict[str, dict[str, tuple[str, ...]]]:
    return {chart.key: table(chart) for section in sections.build(scope_for(user)) for chart in section.charts}


@pytest.mark.parametrize("who", ["investigator", "partner_investigator", "advocate", "coordinator", "outsider"])
def test_cases_nobody_shared_change_no_number(request, world, who, other_agency, partner_investigator, task_force):
    viewer = request.getfixturevalue(who)
    before = everything(viewer)
    # Cases the viewer cannot open: the outsider's own agency's are theirs, so add elsewhere for them.
    actor = partner_investigator if who == "outsider" else request.getfixturevalue("outsider")
    for n in range(6):
        case = open_case(actor, f"Hidden {n}", Case.Type.SEX, date(2026, 10, 10 + n), None)
        victim(case, actor, age=14, identified_on=date(2026, 10, 11 + n), status=POTENTIAL, kind=SEX)
    assert everything(viewer) == before


def test_a_revoked_share_takes_its_case_out_of_the_counts(world, investigator, shelter_supervisor):
    with_share = table(sections.victims_by_status(scope_for(investigator)))
    share = world.c.shares.get(status=CaseShare.Status.ACTIVE)  # the shelter's C, personal, to the Field Office
    case_share_revoke(share=share, actor=shelter_supervisor, reason="Done")
    without = table(sections.victims_by_status(scope_for(investigator)))
    assert with_share == {"Potential victim": ("fewer than 5",), "Confirmed victim": ("fewer than 5",)}
    assert without == {"Potential victim": ("2",), "Confirmed victim": ("1",)}  # A and B alone, its own


def test_a_providers_clients_count_exactly_at_five_and_inside_the_provider(
    world, advocate, shelter_supervisor, investigator, lead_agency, task_force
):
    case = open_case(advocate, "Five more", Case.Type.LABOR, date(2026, 11, 1), task_force)
    for n in range(4):
        victim(case, advocate, age=30 + n, identified_on=date(2026, 11, 2), status=POTENTIAL, kind=LABOR)
    shown_before_share = table(sections.victims_by_type(scope_for(investigator)))["Labor trafficking"]
    case_share_grant(
        case=case, agency=lead_agency, level=CaseShare.Level.PERSONAL, reason="J", actor=shelter_supervisor
    )
    # The Field Office now sees B's v3 (its own) and five of the shelter's clients: 6, at least 5, shown.
    assert shown_before_share == ("fewer than 5",)
    assert table(sections.victims_by_type(scope_for(investigator)))["Labor trafficking"] == ("6",)
    # Inside the shelter, its five clients (c1 and the four) exactly.
    assert table(sections.victims_by_type(scope_for(advocate)))["Labor trafficking"] == ("5",)


def test_a_referral_the_viewer_stands_on_no_side_of_is_not_counted(world, investigator, partner_investigator):
    from referrals.models import Referral
    from referrals.services import referral_accept
    from tests.factories import sent_referral
    from tests.services_directory.factories import listed_service

    shelter = listed_service(name="Harbor House", agency=world.c.lead_agency, email="h@example.org")
    v1 = world.a.participants.filter(role="victim").order_by("pk").first().person
    referral = sent_referral(world.a, v1, shelter, by=investigator, urgency=Referral.Urgency.URGENT)
    provider = world.c.created_by
    referral_accept(referral=referral, actor=provider)
    seen = table(sections.referral_outcomes(scope_for(investigator)))
    assert seen == {"Safe Harbor Shelter": ("1", "1", "0", "0", "100%", "0.0")}
    inside = table(sections.referral_outcomes(scope_for(provider)))
    assert inside == seen  # the recipient reads it whole too
    assert table(sections.referral_outcomes(scope_for(partner_investigator))) == {}  # on no side of it
    outcomes = table(sections.referral_outcome_kinds(scope_for(investigator)))
    assert outcomes["No outcome yet"] == ("1",)
    assert set(outcomes.values()) == {("1",), ("0",)}
    assert set(table(sections.referral_outcome_kinds(scope_for(partner_investigator))).values()) == {("0",)}


def test_overdue_tips_count_for_those_who_see_them(world, supervisor, coordinator, investigator):
    from agencies.models import Role
    from tests.factories import UserFactory
    from tests.tips.conftest import receive

    intake = UserFactory(email="in@ffo.example", full_name="In Take", agency=supervisor.agency, role=Role.INTAKE)
    receive(intake)
    later = scope_for(supervisor)
    later = sections.Scope(user=supervisor, start=later.start, end=later.end, now=later.now + timedelta(days=2))
    assert table(sections.overdue_now(later))["Tips awaiting assessment"] == ("1",)
    assert table(sections.tips_by_status(scope_for(supervisor)))["Received: awaiting assessment"] == ("1",)
    coordinated = sections.Scope(user=coordinator, start=later.start, end=later.end, now=later.now)
    assert table(sections.overdue_now(coordinated))["Tips awaiting assessment"] == ("fewer than 5",)
    # The investigator has no side on a tip in the bin.
    assert table(sections.tips_by_status(scope_for(investigator)))["Received: awaiting assessment"] == ("0",)
