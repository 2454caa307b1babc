"""A filtered chart published as one part of a partition (``suppression.partitioned``, ``sections._published``):
no small cell of an agency's chart is the unfiltered cell minus the other agencies' (decision 0036).

First the helper on tables made by hand, then the dashboard's charts on the fixture, asked for every agency the
filter offers, as someone differencing them would."""

import random
from dataclasses import replace
from datetime import date, timedelta
from functools import partial

import pytest

from cases.models import Case, CaseShare
from cases.services import case_share_grant
from reports import sections, selectors
from reports.suppression import Cell, Summed, cell, complement, partitioned
from tests.reports.conftest import LABOR, POTENTIAL, SEX, open_case, victim
from tests.reports.helpers import scope_for, table, unsuppressed

# --- The helper, on hand-made tables.


def values(cells: list[Cell]) -> list[int | None]:
    return [c.value for c in cells]


def lone(protected: dict, relations: list[tuple[str | None, list[str]]], width: int, whole=None) -> list:
    """The relations (a total's key, None for the unfiltered cell, and its parts' keys) that would tell a suppressed
    cell at some position: exactly one of its members suppressed, another non-zero shown to subtract. The unfiltered
    cell (``whole``, all shown when None) is a member where it is suppressed."""
    found = []
    for position in range(width):
        for total, of in relations:
            members = [protected[key][position] for key in of if key in protected]
            if total is not None:
                members.append(protected[total][position])
            elif whole is not None:
                members.append(whole[position])
            hidden = [m for m in members if m.suppressed]
            if len(hidden) == 1 and any(m.value for m in members):
                found.append((total, of, position))
    return found


def test_an_agencys_small_cell_is_not_the_unfiltered_cell_minus_the_others():
    # Victims by type, labor: 22 in all, shown; the Field Office 9, Bayport 3, the Sheriff 10, none the viewer's.
    counts = {"A": 9, "B": 3, "C": 10}
    # Each agency's chart protected alone (as before): A and C shown, so B = 22 - 9 - 10.
    assert [complement([cell(n)], [])[0].value for n in counts.values()] == [9, None, 10]
    parts = partitioned({key: [cell(n)] for key, n in counts.items()})
    assert values(parts["B"]) == [None]
    assert values(parts["A"]) == [None]  # the second: the smallest shown with another agency's records
    assert values(parts["C"]) == [10]
    assert lone(parts, [(None, ["A", "B", "C"])], 1) == []


def test_the_viewers_own_part_goes_with_the_others_small_one():
    # All agencies 6, shown; the viewer's own 2 (exact alone): the others' 4 would be 6 - 2.
    whole = [cell(6, 2)]
    assert values(whole) == [6]
    parts = partitioned({"own": [cell(2, 2)], "others": [cell(4, 0)]}, whole=whole)
    assert values(parts["others"]) == [None]
    assert values(parts["own"]) == [None]  # even the viewer's own: a forwarded CSV must not tell it either


def test_the_charts_own_sums_hold_in_every_part_and_a_part_absent_counts_nothing():
    # Two rows (sex, labor) summing to a total published elsewhere ("New"), for three agencies; a fourth, D, has
    # no record: no part is given for it, and the chart shows it zeros.
    sums: list[Summed] = [(None, (0, 1))]
    raw = {"A": (6, 9), "B": (0, 3), "C": (7, 10)}
    parts = partitioned({key: [cell(sex), cell(labor)] for key, (sex, labor) in raw.items()}, sums)
    assert "D" not in parts
    assert values(parts["B"]) == [0, None]
    assert values(parts["A"]) == [None, None]  # labor beside B's, then sex beside its own labor
    assert values(parts["C"]) == [None, None]  # sex beside A's, then labor beside its own sex
    relations = [(None, ["A", "B", "C", "D"])]
    assert lone(parts, relations, 2) == []
    for key in parts:  # within each part, the rows' sum
        assert sum(c.suppressed for c in parts[key]) != 1 or not any(c.value for c in parts[key])


def test_the_unfiltered_pages_suppressed_cell_is_not_the_sum_of_the_parts():
    # Unfiltered: labor's 3 (the shelter's) suppressed, and sex's 10 beside it (the complement). Sex is the Field
    # Office's 5 and Bayport's 5: both shown, they would add up to it, and labor would be "New" minus it.
    whole = complement([cell(10), cell(3)], [(None, (0, 1))])
    assert values(whole) == [None, None]
    raw = {"A": (5, 0), "B": (5, 0), "C": (0, 3)}
    parts = partitioned({key: [cell(s), cell(lab)] for key, (s, lab) in raw.items()}, [(None, (0, 1))], whole=whole)
    assert sorted([values(parts["A"])[0], values(parts["B"])[0]], key=str) == [5, None]
    # Where the unfiltered cell is suppressed and a part of it too, the others need not be: the viewer's own 2 beside
    # the shelter's 1 (3 in all, "fewer than 5") stays, as nothing known is left to subtract it from.
    parts = partitioned({"own": [cell(2, 2)], "shelter": [cell(1, 0)]}, whole=[cell(3, 2)])
    assert values(parts["own"]) == [2]
    assert values(parts["shelter"]) == [None]


def test_a_cell_the_unfiltered_page_tells_is_not_taken_as_a_complement():
    # Arrests by month, parts of the quarter's: the Field Office's own 1 in October and 1 in November, Bayport's 1
    # in December. Unfiltered, October goes with December; November is shown, and is the Field Office's, everyone
    # else's November being 0: suppressing it in the Field Office's chart would hide nothing.
    sums: list[Summed] = [(None, (0, 1, 2))]
    whole = complement([cell(1, 1), cell(1, 1), cell(1, 0)], sums)
    assert values(whole) == [None, 1, None]
    parts = partitioned(
        {"A": [cell(1, 1), cell(1, 1), cell(0)], "B": [cell(0), cell(0), cell(1, 0)]}, sums, whole=whole
    )
    assert values(parts["A"]) == [None, 1, 0]  # October, the unfiltered one, hidden with it
    assert values(parts["B"]) == [0, 0, None]


def test_both_filters_cut_every_view_from_one_suppression():
    # Pairs (agency, task force): the Field Office's 9 all in T, Bayport's 3 in T, the Sheriff's 5 in T and 5 in U.
    # An agency's chart is the sum of its pairs, a task force's of its own, the pair's the pair.
    raw = {("A", "T"): 9, ("B", "T"): 3, ("C", "T"): 5, ("C", "U"): 5}
    agencies = {("A",): [("A", "T")], ("B",): [("B", "T")], ("C",): [("C", "T"), ("C", "U")]}
    task_forces = {("T",): [("A", "T"), ("B", "T"), ("C", "T")], ("U",): [("C", "U")]}

    def unions(family: dict) -> dict:
        return {key: ([cell(sum(raw[p] for p in of))], of) for key, of in family.items()}

    parts = partitioned({key: [cell(n)] for key, n in raw.items()}, unions=[unions(agencies), unions(task_forces)])
    relations: list = [(None, list(raw)), (None, list(agencies)), (None, list(task_forces))]
    relations += [(key, of) for family in (agencies, task_forces) for key, of in family.items()]
    assert lone(parts, relations, 1) == []
    # The Field Office's own chart suppresses its 9 beside Bayport's 3; so does its chart in T, where all of it is:
    # cut separately, T's would show the 9 (the Sheriff's 5 there the smaller) and Bayport's 3 = 22 - 9 - 10.
    assert values(parts[("B",)]) == [None]
    assert values(parts[("A",)]) == [None]
    assert values(parts[("A", "T")]) == [None]
    assert values(parts[("C",)]) == [10]


def _naive_complement(cells: list[Cell], sums: list[Summed]) -> list[Cell]:
    """``complement`` as it was first written: every sum looked at again on every pass."""
    result = list(cells)
    changed = True
    while changed:
        changed = False
        for total, parts in sums:
            members = [*parts, *(() if total is None else (total,))]
            hidden = [i for i in members if result[i].suppressed]
            if len(hidden) != 1:
                continue
            shown = [i for i in members if not result[i].suppressed and result[i].value]
            if not shown:
                continue
            pick = min(shown, key=lambda i: (not result[i].others, result[i].value or 0, i))
            result[pick] = replace(result[pick], value=None)
            changed = True
    return result


def test_complement_skips_only_the_sums_that_did_not_change():
    chance = random.Random(36)
    for _ in range(300):
        size = chance.randint(2, 30)
        cells = [cell(chance.choice([0, 0, 1, 2, 3, 4, 5, 8, 13]), chance.choice([0, 0, 2])) for _ in range(size)]
        sums: list[Summed] = []
        for _ in range(chance.randint(1, 12)):
            members = chance.sample(range(size), chance.randint(2, min(size, 6)))
            sums.append((None if chance.random() < 0.5 else members[0], tuple(members[1:])))
        assert complement(cells, sums) == _naive_complement(cells, sums)


# --- The dashboard's charts, differenced as a viewer could.


@pytest.fixture
def more(activity, investigator):
    """Four more labor trafficking victims in the Field Office's case B, and two more of sex trafficking in its A.
    For the Field Office's reader, labor is then 6 (v3 and these, its own 5, and the shelter's c1) and sex 5 (v1, v2
    and these, its own 4, and Bayport's d1): shown unfiltered. Filtered to the Field Office, its own 5 and 4 would
    be exact, and the shelter's 1 and Bayport's 1 the differences."""
    for n in range(4):
        victim(
            activity.world.b, investigator, age=30 + n, identified_on=date(2026, 11, 12), status=POTENTIAL, kind=LABOR
        )
    for n in range(2):
        victim(activity.world.a, investigator, age=40 + n, identified_on=date(2026, 10, 8), status=POTENTIAL, kind=SEX)
    return activity


def _read(chart) -> dict[tuple[str, int], Cell]:
    """The chart's counts by (row, column); derived figures (a rate, a mean) left out."""
    return {
        (row.label, number): value
        for row in chart.rows
        for number, value in enumerate(row.cells)
        if value.figure is None
    }


def _at(charts: dict[str, dict[tuple[str, int], Cell]], key: str, position: tuple[str, int]) -> Cell:
    """A chart's cell, 0 where the chart has no such row (a provider the part sent nothing to)."""
    return charts[key].get(position, cell(0))


def _charts(viewer, **filters) -> dict[str, dict[tuple[str, int], Cell]]:
    scope = scope_for(viewer, **filters)
    return {spec.key: _read(spec.build(scope)) for section in sections.SECTIONS for spec in section.charts}


def test_no_agencys_small_cell_is_the_unfiltered_cell_minus_the_others(more, investigator, task_force):
    offered = list(selectors.agencies_in_view(investigator))
    assert len(offered) >= 4
    unfiltered = _charts(investigator)
    read = {agency.pk: _charts(investigator, agency=agency) for agency in offered}
    with unsuppressed():
        true = {agency.pk: _charts(investigator, agency=agency) for agency in offered}
    assert unfiltered["protection.victims_by_type"][("Labor trafficking", 0)].value == 6
    assert unfiltered["protection.victims_by_type"][("Sex trafficking", 0)].value == 5
    for key, whole in unfiltered.items():
        for agency in offered:
            for position, shown in read[agency.pk][key].items():
                exact = true[agency.pk][key][position].value
                if not shown.suppressed:
                    assert shown.value == exact, (key, agency.short_name, position)
                    continue
                others = [read[other.pk][key].get(position, cell(0)) for other in offered if other != agency]
                total = whole[position].value
                if total is None or any(c.suppressed for c in others):
                    continue
                rest = total - sum(c.value or 0 for c in others)
                assert rest != exact, (key, agency.short_name, position, "the unfiltered cell minus the others")
    # The cells the attack needs are there: the shelter's labor victim suppressed, the unfiltered labor shown.
    shelter = next(agency for agency in offered if agency.short_name == "Safe Harbor")
    assert read[shelter.pk]["protection.victims_by_type"][("Labor trafficking", 0)].suppressed
    own = investigator.agency.pk
    assert read[own]["protection.victims_by_type"][("Labor trafficking", 0)].suppressed  # its own 5, with it
    assert true[own]["protection.victims_by_type"][("Labor trafficking", 0)].value == 5
    # Filtered to the task force, or to an agency in it, the cells shown are the true counts too.
    for filters in [{"task_force": task_force}, *({"agency": a, "task_force": task_force} for a in offered)]:
        seen = _charts(investigator, **filters)
        with unsuppressed():
            counted = _charts(investigator, **filters)
        for key, cells in seen.items():
            for position, value in cells.items():
                assert value.suppressed or value.value == counted[key][position].value, (key, position, filters)


@pytest.fixture
def second(more, partner_investigator, lead_agency, partner_agency):
    """A second task force of the Field Office and Bayport, and a Bayport case in it shared with the Field Office:
    five victims, potential, sex, identified 12-04. Bayport's potential victims are then d1 in the first task force
    (fewer than 5) and these five in the second: shown alone, with Bayport's 6 shown, d1 would be the difference."""
    from agencies.models import User
    from tests.factories import TaskForceFactory

    other = TaskForceFactory(name="Second Task Force", member_agencies=[lead_agency, partner_agency])
    case = open_case(partner_investigator, "D2", Case.Type.SEX, date(2026, 12, 3), other)
    for n in range(5):
        victim(case, partner_investigator, age=35 + n, identified_on=date(2026, 12, 4), status=POTENTIAL, kind=SEX)
    sergeant = User.objects.get(email="sergeant@bpd.example")
    case_share_grant(case=case, agency=lead_agency, level=CaseShare.Level.PERSONAL, reason="Joint", actor=sergeant)
    return other


def test_every_filtered_view_of_a_chart_is_cut_from_one_suppression(second, investigator, task_force):
    """An agency's chart is the sum of its charts in each task force (every case here is in one of the two), a task
    force's the sum of its agencies', the unfiltered chart the sum of the agencies': for every chart and cell, none
    of these sums has exactly one suppressed member beside a shown one to subtract it from (each view cut alone,
    the Field Office's own cell suppressed in its chart could be shown in its chart in one task force)."""
    agencies = list(selectors.agencies_in_view(investigator))
    task_forces = list(selectors.task_forces_of(investigator))
    assert len(task_forces) == 2
    unfiltered = _charts(investigator)
    alone = {agency.pk: _charts(investigator, agency=agency) for agency in agencies}
    within = {t.pk: _charts(investigator, task_force=t) for t in task_forces}
    pair = {(a.pk, t.pk): _charts(investigator, agency=a, task_force=t) for a in agencies for t in task_forces}
    members = {(a.pk, t.pk) for a in agencies for t in task_forces if t.members.filter(agency=a.pk).exists()}

    def lone(cells: list[Cell]) -> bool:
        return sum(c.suppressed for c in cells) == 1 and any(c.value for c in cells)

    for key, whole in unfiltered.items():
        by_agency = key.startswith(("prevention.", "pipeline."))  # an agency's tips and events, in every task force
        for position in whole:
            at = partial(_at, key=key, position=position)
            assert not lone([whole[position], *(at(alone[a.pk]) for a in agencies)]), (key, position)
            for a in agencies:
                if by_agency:
                    for t in task_forces:  # the agency's own rows, or none
                        expected = at(alone[a.pk]) if (a.pk, t.pk) in members else cell(0)
                        assert at(pair[(a.pk, t.pk)]).text == expected.text, (key, position, a.short_name)
                    continue
                parts = [at(pair[(a.pk, t.pk)]) for t in task_forces]
                assert not lone([at(alone[a.pk]), *parts]), (key, position, a.short_name)
            if not by_agency:
                for t in task_forces:
                    parts = [at(pair[(a.pk, t.pk)]) for a in agencies]
                    assert not lone([at(within[t.pk]), *parts]), (key, position, t.name)


def test_an_agency_with_nothing_counted_shows_zeros(more, investigator, coordination_office):
    for key, cells in _charts(investigator, agency=coordination_office).items():
        assert {c.text for c in cells.values()} <= {"0"}, key


def test_a_parts_referrals_and_mean_days_to_accept_are_its_own(world, investigator, lead_agency, partner_agency):
    """The Field Office refers v1 (case A, the first task force) to the shelter, accepted the day it is sent, and a
    victim of a case of its own in a second task force, accepted four days later: its own referrals, exact. Each
    task force's chart has its own referral and wait; the Field Office's both, and the mean of the two waits."""
    from referrals.models import Referral, ReferralEvent
    from referrals.services import referral_accept
    from tests.factories import TaskForceFactory, sent_referral
    from tests.services_directory.factories import listed_service

    shelter = listed_service(name="Harbor House", agency=world.c.lead_agency, email="h@example.org")
    second = TaskForceFactory(name="Second Task Force", member_agencies=[lead_agency, world.c.lead_agency])
    elsewhere = open_case(investigator, "Elsewhere", Case.Type.SEX, date(2026, 12, 1), second)
    victim(elsewhere, investigator, age=30, identified_on=date(2026, 12, 2), status=POTENTIAL, kind=SEX)
    for case, days in ((world.a, 0), (elsewhere, 4)):
        person = case.participants.filter(role="victim").order_by("pk").first().person
        referral = referral_accept(
            referral=sent_referral(case, person, shelter, by=investigator), actor=world.c.created_by
        )
        accepted = ReferralEvent.objects.filter(referral=referral, to_status=Referral.Status.ACCEPTED)
        accepted.update(occurred_at=referral.created_at + timedelta(days=days))

    def row(**filters) -> tuple[str, ...]:
        return table(sections.referral_outcomes(scope_for(investigator, **filters)))["Safe Harbor Shelter"]

    assert row() == ("2", "2", "0", "0", "100%", "2.0")
    assert row(agency=lead_agency) == ("2", "2", "0", "0", "100%", "2.0")
    first = world.a.task_force
    assert row(task_force=first) == ("1", "1", "0", "0", "100%", "0.0")
    assert row(task_force=second) == ("1", "1", "0", "0", "100%", "4.0")
    assert row(agency=lead_agency, task_force=second) == ("1", "1", "0", "0", "100%", "4.0")
    # Bayport sent none: the chart has no provider row for it, rather than the shelter's with zeros.
    assert table(sections.referral_outcomes(scope_for(investigator, agency=partner_agency))) == {}
