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


# --- Services, relief and prosecution (issue 17's records): a record on a case the viewer cannot open, or in a part
# of a case they cannot see (a victim's relief, a sensitive service, the law-enforcement part), changes no number.

VIEWERS = ["investigator", "partner_investigator", "advocate", "coordinator", "outsider"]


def _hide_in_the_parts_they_cannot_see(activity, request, who: str) -> None:
    """In A, which the Bayport Police see at summary level: a medical service (sensitive), relief and an arrest
    (law enforcement's). In C, which the Field Office sees at personal level: the client's relief, her mental health
    service, and a referral for a medical and a food need whose completion recorded both (withheld from the Field
    Office: its recipient would tell the medical need), the needs then met. In E (the Faraway Sheriff's, shared with
    nobody): a service, relief and an arrest; for the outsider, whose E is, the same in D (Bayport's, not shared with
    Faraway)."""
    from cases.models import Need
    from cases.services import need_add, need_mark_met
    from protection.models import ReliefAction
    from referrals.models import Referral
    from referrals.services import referral_accept, referral_complete
    from tests.factories import sent_referral
    from tests.reports.conftest import TRAFFICKING, arrested, relief, served, suspect, victims_of
    from tests.services_directory.factories import listed_service

    world = activity.world
    investigator, advocate = request.getfixturevalue("investigator"), request.getfixturevalue("advocate")
    provider_staff = request.getfixturevalue("provider_staff")
    outsider = request.getfixturevalue("outsider")
    partner = request.getfixturevalue("partner_investigator")
    day = date(2026, 12, 12)
    v1, _v2 = victims_of(world.a)
    served(investigator, v1, Need.Category.MENTAL_HEALTH, day)
    relief(world.a, v1, ReliefAction.Kind.U_VISA, investigator, day)
    arrested(world.a, suspect(world.a, investigator, "Hidden"), investigator, investigator.agency, day, TRAFFICKING)
    (c1,) = victims_of(world.c)
    served(advocate, c1, Need.Category.MEDICAL, day)
    relief(world.c, c1, ReliefAction.Kind.U_VISA, advocate, day)
    medical = need_add(case=world.c, person=c1.person, category=Need.Category.MEDICAL, actor=advocate)
    food = need_add(case=world.c, person=c1.person, category=Need.Category.FOOD, actor=advocate)
    house = listed_service(name="Harbor House", agency=world.c.lead_agency, email="h@example.org")
    referral = sent_referral(world.c, c1.person, house, by=advocate, needs=[medical, food])
    referral_accept(referral=referral, actor=provider_staff)
    referral_complete(referral=referral, actor=provider_staff, outcome=Referral.Outcome.SERVICE_DELIVERED)
    for need in (medical, food):
        need_mark_met(need=need, actor=advocate)
    case, actor = (world.d, partner) if who == "outsider" else (world.e, outsider)
    first = victims_of(case)[0]
    served(actor, first, Need.Category.FOOD, day)
    relief(case, first, ReliefAction.Kind.T_VISA, actor, day)
    arrested(case, suspect(case, actor, "Hidden"), actor, actor.agency, day, TRAFFICKING)


NEW_CHARTS = (
    "protection.services_by_category",
    "protection.relief_pending",
    "protection.relief_expiring",
    "prosecution.arrests_by_month",
    "prosecution.charges_by_statute",
    "prosecution.charging_decisions",
    "prosecution.dispositions",
)


@pytest.mark.parametrize("who", VIEWERS)
def test_services_relief_and_prosecution_they_cannot_see_change_no_number(request, activity, who):
    viewer = request.getfixturevalue(who)
    before = everything(viewer)
    _hide_in_the_parts_they_cannot_see(activity, request, who)
    after = everything(viewer)
    if who == "investigator":
        # The Field Office sees A whole: its own mental health service, U visa and arrest count (a sentinel that the
        # records were added); nothing of C's nor E's.
        changed = {key for key in before if before[key] != after[key]}
        assert changed <= {
            "protection.services_by_category",
            "protection.relief_pending",
            *(key for key in NEW_CHARTS if key.startswith("prosecution.")),
        }
        assert after["protection.services_by_category"]["Mental health"] == ("1", "0")
        assert (
            after["protection.services_by_category"]["Medical"] == before["protection.services_by_category"]["Medical"]
        )
        assert after["protection.services_by_category"]["Food"] == before["protection.services_by_category"]["Food"]
        assert after["protection.relief_pending"]["U visa"] == ("1", "1", "0")
    elif who == "advocate":
        # The shelter sees its own client whole: her medical service (twice: directly and through the referral),
        # the food service of the referral and her U visa. Nothing of A, D or E.
        assert after["protection.services_by_category"]["Medical"] == ("2", "0")
        assert after["protection.relief_pending"]["U visa"] == ("1", "1", "0")
        assert {key: after[key] for key in after if key.startswith("prosecution.")} == {
            key: before[key] for key in before if key.startswith("prosecution.")
        }
    elif who == "coordinator":
        # The coordinator follows every referral of the task force on its board: the shelter's referral is counted
        # there. Nothing else changes.
        referrals = {"protection.referral_outcomes", "protection.referral_outcome_kinds"}
        assert {k: v for k, v in after.items() if k not in referrals} == {
            k: v for k, v in before.items() if k not in referrals
        }
    else:
        assert after == before


def test_the_services_counted_are_those_the_case_pages_show(request, activity):
    """For each reader, the services the dashboard counts are exactly those their case pages list in the period (no
    consent releases a sensitive category here, where the page would show more)."""
    from cases import selectors as case_selectors

    _hide_in_the_parts_they_cannot_see(activity, request, "investigator")
    for who in (*VIEWERS, "colleague", "supervisor"):
        viewer = request.getfixturevalue(who)
        scope = scope_for(viewer)
        counted = set(sections._services(scope).values_list("pk", flat=True))
        shown = set()
        for case in case_selectors.case_list_visible_to(viewer):
            access = case_selectors.case_access_for_user(viewer, case.pk)
            dossier = case_selectors.case_dossier_for(viewer, access)
            shown |= {s.event.pk for s in dossier.services if scope.start <= s.event.provided_on <= scope.end}
        assert counted == shown, who
