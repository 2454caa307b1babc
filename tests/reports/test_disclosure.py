"""What a reviewer found the dashboard told beyond what the case pages show (decision 0036): identifications and
sensitive needs of cases whose people the viewer may not see, a suppressed cell as a total minus its other parts
(in one table, or "New" against the victims by status), a rate or mean read as "fewer than 5", a mean of
acceptances rather than of referrals, and dates compared through a cast that no index serves."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, Need
from cases.services import need_add
from reports import sections
from reports.charts import Chart, Row
from reports.suppression import cell, complement, not_shown
from tests.reports.conftest import CONFIRMED, SEX, open_case, victim
from tests.reports.helpers import column, scope_for, table

F5 = "fewer than 5"
AGE_ROWS = ("Minors (under 18)", "Adults (18 and over)", "Under 12", "12 to 17", "18 to 24", "25 to 59")


def _victims_of(case: Case):
    return [p.person for p in case.participants.filter(role="victim").order_by("pk")]


# --- 1. An identification counts only where the viewer sees the person's identity (view_case_pii).


@pytest.mark.parametrize(
    ("who", "status", "minors"),
    [
        # A and B its own, C the shelter's shared at personal level: v1, v3, c1 potential; v2 confirmed.
        ("investigator", {"Potential victim": F5, "Confirmed victim": F5}, F5),
        # A shared at summary level (its case page withholds v1's and v2's identifications): D alone.
        ("partner_investigator", {"Potential victim": "1", "Confirmed victim": "0"}, "0"),
        ("advocate", {"Potential victim": "1", "Confirmed victim": "0"}, "0"),  # C, its own client
        ("coordinator", {"Potential victim": "0", "Confirmed victim": "0"}, "0"),
    ],
)
def test_identifications_count_only_where_the_viewer_sees_identities(request, world, who, status, minors):
    viewer = request.getfixturevalue(who)
    assert column(sections.victims_by_status(scope_for(viewer))) == status
    assert column(sections.victims_by_age(scope_for(viewer)))["Minors (under 18)"] == minors


def test_a_summary_share_counts_no_identification_even_at_five(world, investigator, partner_investigator):
    case = world.a
    for n in range(5):
        victim(case, investigator, age=30 + n, identified_on=date(2026, 10, 8), status=CONFIRMED, kind=SEX)
    assert column(sections.victims_by_status(scope_for(partner_investigator)))["Confirmed victim"] == "0"
    assert column(sections.victims_new_and_continuing(scope_for(partner_investigator)))["New"] == "1"  # d1


# --- 2. A medical, mental health or immigration need counts only where the case page shows it.


def test_a_sensitive_need_counts_only_where_the_viewer_sees_the_person(world, investigator, partner_investigator):
    v1 = _victims_of(world.a)[0]
    need_add(case=world.a, person=v1, category=Need.Category.MEDICAL, urgency=Need.Urgency.ROUTINE, actor=investigator)
    need_add(case=world.a, person=v1, category=Need.Category.FOOD, urgency=Need.Urgency.ROUTINE, actor=investigator)
    assert table(sections.unmet_needs(scope_for(investigator)))["Medical"] == ("1", "0", "0", "1")
    partner = table(sections.unmet_needs(scope_for(partner_investigator)))
    assert partner["Medical"] == ("0", "0", "0", "0")  # A at summary level: withheld on its page
    assert partner["Food"] == (F5, "0", "0", F5)  # not sensitive: its page shows it


# --- 3. Complementary suppression inside one table.


@pytest.mark.parametrize(
    ("cells", "sums", "shown"),
    [
        # Minors = under 12 + 12-17: a lone suppressed band takes the other (the smallest non-zero) with it.
        ([cell(7), cell(5), cell(2, 0)], [(0, (1, 2))], ["7", F5, F5]),
        # ... and the total when the other band is 0.
        ([cell(2, 0), cell(0), cell(2, 0)], [(0, (1, 2))], [F5, "0", F5]),
        # A total published elsewhere (None): the smallest of the others, one holding another agency's first.
        ([cell(3, 1), cell(6, 6), cell(9, 0), cell(0)], [(None, (0, 1, 2, 3))], [F5, "6", F5, "0"]),
        ([cell(3, 1), cell(6, 6), cell(9, 9)], [(None, (0, 1, 2))], [F5, F5, "9"]),
        # Two suppressed already: nothing more.
        ([cell(12), cell(3, 0), cell(2, 0), cell(7)], [(0, (1, 2, 3))], ["12", F5, F5, "7"]),
        # Nothing else non-zero: the suppressed part is the total, itself suppressed wherever shown.
        ([cell(3, 0), cell(0)], [(None, (0, 1))], [F5, "0"]),
        # A suppression made for one sum leaves a lone one in another: repeated until none is alone.
        ([cell(9), cell(8), cell(1, 0), cell(8), cell(5), cell(3)], [(0, (2, 3)), (None, (0, 4, 5))], None),
    ],
)
def test_complement_leaves_no_sum_with_a_lone_suppressed_member(cells, sums, shown):
    protected = complement(cells, sums)
    if shown is not None:
        assert [c.text for c in protected] == shown
    for total, parts in sums:
        members = [*parts, *(() if total is None else (total,))]
        assert sum(protected[i].suppressed for i in members) != 1 or not any(
            protected[i].value for i in members if not protected[i].suppressed
        )


def test_minors_are_not_a_band_plus_a_shown_total(world, investigator, advocate, shelter_supervisor, task_force):
    # Five more minors of the Field Office's own, 12-17: minors 6 (shown), 12-17 6 ... and one client of the shelter
    # under 12 seen through a personal share: under 12 is 1 (suppressed), and 6 + 1 - 6 would tell it.
    for n in range(5):
        case = open_case(investigator, f"Minor {n}", Case.Type.SEX, date(2026, 10, 10), task_force)
        victim(case, investigator, age=13, identified_on=date(2026, 10, 11), status=CONFIRMED, kind=SEX)
    young = open_case(advocate, "Young", Case.Type.SEX, date(2026, 10, 10), task_force)
    victim(young, advocate, age=9, identified_on=date(2026, 10, 11), status=CONFIRMED, kind=SEX)
    from cases.models import CaseShare
    from cases.services import case_share_grant

    case_share_grant(
        case=young, agency=investigator.agency, level=CaseShare.Level.PERSONAL, reason="J", actor=shelter_supervisor
    )
    ages = column(sections.victims_by_age(scope_for(investigator)))
    assert ages["Under 12"] == F5
    assert ages["12 to 17"] == "6"  # v1 and the five
    assert ages["Minors (under 18)"] == F5  # 7, another agency's in it: the complement


def test_a_needs_all_is_not_the_sum_beside_one_suppressed_urgency(world, investigator, advocate):
    v1, c1 = _victims_of(world.a)[0], _victims_of(world.c)[0]
    for _ in range(5):
        need_add(case=world.a, person=v1, category=Need.Category.FOOD, urgency=Need.Urgency.ROUTINE, actor=investigator)
    need_add(case=world.c, person=c1, category=Need.Category.FOOD, urgency=Need.Urgency.EMERGENCY, actor=advocate)
    # All 6 and routine 5 shown, emergency 1 suppressed: 6 - 5 would tell it. "All" (another agency's in it) goes.
    assert table(sections.unmet_needs(scope_for(investigator)))["Food"] == (F5, F5, "0", "5")


# --- 4. "New" is the total of the victims by status, month, type and age: no lone suppressed cell in any of them.


def test_new_minus_the_shown_statuses_tells_no_suppressed_one(world, investigator, task_force):
    for n in range(5):
        case = open_case(investigator, f"Own {n}", Case.Type.SEX, date(2026, 10, 10), task_force)
        victim(case, investigator, age=30, identified_on=date(2026, 10, 11), status=CONFIRMED, kind=SEX)
    scope = scope_for(investigator)
    assert column(sections.victims_new_and_continuing(scope))["New"] == "9"  # v1, v2, v3, c1 and the five
    # Potential: v1, v3 and the shelter's c1 (3, suppressed); confirmed 6, all its own, would have been shown.
    assert column(sections.victims_by_status(scope)) == {"Potential victim": F5, "Confirmed victim": F5}
    for chart in (sections.victims_by_type, sections.victims_by_month, sections.victims_by_age):
        cells = [row.cells[0] for row in chart(scope).rows]
        assert sum(c.suppressed for c in cells) != 1, chart.__name__


# --- 6. A rate or a mean of suppressed counts reads "not shown", explained, on the page and in the CSV.


def test_a_withheld_rate_or_mean_reads_not_shown():
    assert sections._rate(cell(3, 0), cell(6)).text == "not shown"
    assert sections._rate(cell(6), cell(0)).text == "100%"
    assert sections._wait((timedelta(days=2), 2, 0)).text == "not shown"
    assert sections._wait((timedelta(days=2), 5, 0)).text == "2.0"
    chart = Chart(
        "t.t", "T", "D", "bars", "Provider", ("Sent", "Accepted of answered"), [Row("P", (cell(9), not_shown()))]
    )
    assert chart.has_withheld
    assert not chart.has_suppressed
    lines = chart.csv().splitlines()
    assert lines[1] == "P,9,not shown"
    assert lines[-1].startswith("Not shown: a rate or mean")


# --- 8. Periods compared as timestamps, not as dates cast per row.


def test_the_periods_bounds_are_timestamps_an_index_serves(world, investigator):
    scope = scope_for(investigator)
    with CaptureQueriesContext(connection) as queries:
        for build in (sections.unmet_needs, sections.referral_outcomes, sections.tips_by_status):
            build(scope)
    sql = " ".join(q["sql"] for q in queries).lower()
    assert "cast_date" not in sql  # SQLite's __date
    assert "at time zone" not in sql  # PostgreSQL's: ("col" AT TIME ZONE tz)::date (a parameter's ::date is fine)


# --- 9. The mean days to accept is over referrals, from their first acceptance.


def test_a_referral_accepted_twice_waits_once(world, investigator):
    from referrals.models import Referral, ReferralEvent
    from referrals.services import referral_accept
    from tests.factories import sent_referral
    from tests.services_directory.factories import listed_service

    shelter = listed_service(name="Harbor House", agency=world.c.lead_agency, email="h@example.org")
    v1 = _victims_of(world.a)[0]
    referral = sent_referral(world.a, v1, shelter, by=investigator)
    referral_accept(referral=referral, actor=world.c.created_by)
    first = ReferralEvent.objects.get(referral=referral, to_status=Referral.Status.ACCEPTED)
    again = ReferralEvent.objects.create(
        referral=referral, verb=first.verb, from_status=Referral.Status.ON_HOLD, to_status=Referral.Status.ACCEPTED
    )
    ReferralEvent.objects.filter(pk=again.pk).update(occurred_at=first.occurred_at + timedelta(days=4))
    row = table(sections.referral_outcomes(scope_for(investigator)))["Safe Harbor Shelter"]
    assert row[-1] == "0.0"  # from sending to the first acceptance; (0 + 4) / 2 counted the events
    waits = sections._days_to_accept(scope_for(investigator))
    assert [n for _mean, n, _own in waits.values()] == [1]


def test_a_referral_accepted_then_cancelled_was_accepted(world, investigator):
    # Its status says cancelled; its timeline says the provider accepted it, and the acceptance rate counts that.
    from referrals.services import referral_accept, referral_cancel
    from tests.factories import sent_referral
    from tests.services_directory.factories import listed_service

    shelter = listed_service(name="Harbor House", agency=world.c.lead_agency, email="h@example.org")
    v1 = _victims_of(world.a)[0]
    referral = sent_referral(world.a, v1, shelter, by=investigator)
    referral = referral_accept(referral=referral, actor=world.c.created_by)
    referral_cancel(referral=referral, actor=investigator, reason="The person moved away")
    row = table(sections.referral_outcomes(scope_for(investigator)))["Safe Harbor Shelter"]
    assert row[:2] == ("1", "1")  # sent, accepted
