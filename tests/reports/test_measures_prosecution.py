"""Arrests, charges, charging decisions and dispositions, against the tables worked out by hand from ``activity``
(tests/reports/conftest.py): counted only where the reader holds law-enforcement access to the case, another
agency's 1-4 suppressed, complements, the filters."""

from datetime import date

import pytest

from cases.models import Case, CaseShare
from cases.services import case_create, case_share_grant
from reports import sections
from tests.reports.conftest import TRAFFICKING, arrested, suspect
from tests.reports.helpers import column, scope_for, table, unsuppressed

F5 = "fewer than 5"
DECISIONS = ("Charged", "Declined", "Decision pending")
DISPOSITIONS = ("Convicted at trial", "Guilty plea", "Dismissed", "Acquitted", "Pending")
ZERO3 = ("0", "0", "0")


def _rows(labels, changed):
    return {label: ZERO3 for label in labels} | changed


def _prosecution(viewer, quarter: str = "FY2027-Q1", **filters):
    scope = scope_for(viewer, quarter, **filters)
    return (
        column(sections.arrests_by_month(scope)),
        column(sections.charges_by_statute(scope)),
        table(sections.charging_decisions(scope)),
        table(sections.dispositions(scope)),
    )


def _months(oct_: str = "0", nov: str = "0", dec: str = "0") -> dict[str, str]:
    return {"2026-10": oct_, "2026-11": nov, "2026-12": dec}


PROSECUTION = [
    (
        # A (its own) and D (Bayport's, at law-enforcement level).
        "investigator",
        _months(F5, "1", F5),  # s1, s2 its own; s3 by Bayport in December: October goes with it
        {"Trafficking statute": F5, "Other statute": F5},  # 2 (its own) and 2 (one of them Bayport's)
        _rows(
            DECISIONS,
            {
                "Charged": ("1", "1", "0"),  # 1591, brought on 11-01
                "Declined": ("1", "0", "1"),  # the drug charge
                "Decision pending": (F5, "1", F5),  # s2's 1594 (its own) and s3's weapons charge (Bayport's)
            },
        ),
        _rows(DISPOSITIONS, {"Guilty plea": ("1", "1", "0")}),
    ),
    (
        # A only at summary level: none of its prosecution. D its own.
        "partner_investigator",
        _months(dec="1"),
        {"Trafficking statute": "0", "Other statute": "1"},
        _rows(DECISIONS, {"Decision pending": ("1", "0", "1")}),
        _rows(DISPOSITIONS, {}),
    ),
    (
        # The prosecutor's office sees A at law-enforcement level: its decisions are its own, the rest the Field
        # Office's.
        "prosecutor",
        _months(F5, F5),
        # 1591 (its decision) and 1594 (the Field Office's); the drug charge it declined, its own, goes with them.
        {"Trafficking statute": F5, "Other statute": F5},
        _rows(
            DECISIONS,
            {"Charged": ("1", "1", "0"), "Declined": ("1", "0", "1"), "Decision pending": (F5, F5, "0")},
        ),
        _rows(DISPOSITIONS, {"Guilty plea": ("1", "1", "0")}),
    ),
    (
        "advocate",
        _months(),
        {"Trafficking statute": "0", "Other statute": "0"},
        _rows(DECISIONS, {}),
        _rows(DISPOSITIONS, {}),
    ),
    (
        "coordinator",
        _months(),
        {"Trafficking statute": "0", "Other statute": "0"},
        _rows(DECISIONS, {}),
        _rows(DISPOSITIONS, {}),
    ),
    (
        "outsider",
        _months(oct_="1"),
        {"Trafficking statute": "3", "Other statute": "0"},
        _rows(DECISIONS, {"Decision pending": ("3", "3", "0")}),
        _rows(DISPOSITIONS, {}),
    ),
]


@pytest.mark.parametrize(("who", "arrests", "charges", "decisions", "dispositions"), PROSECUTION)
def test_prosecution_per_reader(request, activity, who, arrests, charges, decisions, dispositions):
    viewer = activity.prosecutor if who == "prosecutor" else request.getfixturevalue(who)
    assert _prosecution(viewer) == (arrests, charges, decisions, dispositions)


def test_a_summary_or_personal_share_counts_no_prosecution(activity, advocate, shelter_supervisor, supervisor, ngo):
    # The shelter sees A with personal information: still no law-enforcement access, no arrest.
    case_share_grant(case=activity.world.a, agency=ngo, level=CaseShare.Level.PERSONAL, reason="V", actor=supervisor)
    arrests, _charges, decisions, _dispositions = _prosecution(advocate)
    assert arrests == _months()
    assert decisions == _rows(DECISIONS, {})


def test_prosecution_follows_the_agency_filter_and_the_period(activity, investigator, lead_agency, partner_agency):
    with unsuppressed():
        arrests, charges, decisions, dispositions = _prosecution(investigator, agency=lead_agency)
    assert arrests == _months("1", "1", "0")
    assert charges == {"Trafficking statute": "2", "Other statute": "1"}
    # As read, one part of the unfiltered chart (decision 0036): October's s1 is the unfiltered October, suppressed
    # beside Bayport's December. November's s2 is the unfiltered November, shown there (nobody else arrested anyone
    # in November): hiding it would hide nothing. Trafficking (s1's and s2's) is the unfiltered trafficking,
    # suppressed beside the other statutes (one of them Bayport's weapons charge); the drug charge goes with it.
    arrests, charges, decisions, dispositions = _prosecution(investigator, agency=lead_agency)
    assert arrests == _months(F5, "1", "0")
    assert charges == {"Trafficking statute": F5, "Other statute": F5}
    assert decisions["Decision pending"] == ("1", "1", "0")
    arrests, charges, decisions, dispositions = _prosecution(investigator, agency=partner_agency)
    assert arrests == _months(dec=F5)
    assert decisions["Decision pending"] == (F5, "0", F5)
    # The quarter after: no arrest, decision or disposition in it; the charges still awaiting one are counted.
    arrests, charges, decisions, dispositions = _prosecution(investigator, "FY2027-Q2")
    assert set(arrests.values()) == {"0"}
    assert charges == {"Trafficking statute": "0", "Other statute": "0"}
    assert decisions == _rows(DECISIONS, {"Decision pending": (F5, "1", F5)})
    assert dispositions == _rows(DISPOSITIONS, {})
    # The quarter before: nothing had happened.
    arrests, charges, decisions, dispositions = _prosecution(investigator, "FY2026-Q4")
    assert decisions == _rows(DECISIONS, {})


def test_prosecution_follows_the_task_force_filter(activity, investigator, lead_agency, task_force):
    elsewhere = case_create(
        actor=investigator,
        title="Outside the task force",
        intake_channel=Case.Channel.HOTLINE,
        case_type=Case.Type.SEX,
        opened_on=date(2026, 10, 1),
    )
    arrested(
        elsewhere, suspect(elsewhere, investigator, "Five"), investigator, lead_agency, date(2026, 11, 3), TRAFFICKING
    )
    assert _prosecution(investigator)[0]["2026-11"] == "2"
    with unsuppressed():
        assert _prosecution(investigator, task_force=task_force)[0]["2026-11"] == "1"
    # As read: the task force's October (s1) is the Field Office's October in it, which is the unfiltered October,
    # suppressed beside Bayport's December; its November goes with it.
    assert _prosecution(investigator, task_force=task_force)[0] == _months(F5, F5, F5)


def test_five_of_another_agencys_arrests_are_shown(activity, investigator, partner_investigator, partner_agency):
    world = activity.world
    for n in range(4):
        arrested(
            world.d,
            suspect(world.d, partner_investigator, f"More {n}"),
            partner_investigator,
            partner_agency,
            date(2026, 12, 6 + n),
            TRAFFICKING,
        )
    arrests, charges, _decisions, _dispositions = _prosecution(investigator)
    assert arrests == _months("1", "1", "5")  # five of Bayport's in December: no small cell, no complement
    # Trafficking 6 (2 + 4) would be shown, but the drug and weapons charges (2, one Bayport's) are suppressed and
    # the two sum to the quarter's charges: the only other non-zero cell goes with them.
    assert charges == {"Trafficking statute": F5, "Other statute": F5}
