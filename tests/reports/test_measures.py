"""Each measure against the tables worked out by hand from the fixture (tests/reports/conftest.py)."""

from reports import sections
from tests.reports.helpers import column, scope_for, table, unsuppressed

F5 = "fewer than 5"


def test_victims_by_status_per_reader(world, investigator, partner_investigator, advocate):
    # Field Office: A (v1 potential, v2 confirmed), B (v3 potential), C (c1, the shelter's client, potential).
    assert column(sections.victims_by_status(scope_for(investigator))) == {
        "Potential victim": F5,  # 3, one of them the shelter's
        "Confirmed victim": F5,  # its own 1, suppressed beside the lone suppressed cell: "New" minus it would tell
    }
    # Bayport: A at summary level, whose victims' identifications its case page withholds, so only its own D (d1).
    assert column(sections.victims_by_status(scope_for(partner_investigator))) == {
        "Potential victim": "1",
        "Confirmed victim": "0",
    }
    # The shelter sees its own case only: exact.
    assert column(sections.victims_by_status(scope_for(advocate))) == {
        "Potential victim": "1",
        "Confirmed victim": "0",
    }


def test_victims_by_month(world, investigator, advocate):
    assert column(sections.victims_by_month(scope_for(investigator))) == {
        "2026-10": F5,  # v1, v2: its own, the complement of November's
        "2026-11": F5,  # v3 and the shelter's c1
        "2026-12": "0",
    }
    assert column(sections.victims_by_month(scope_for(advocate))) == {"2026-10": "0", "2026-11": "1", "2026-12": "0"}


def test_victims_by_type_and_age(world, investigator):
    assert column(sections.victims_by_type(scope_for(investigator))) == {
        "Sex trafficking": F5,  # v1, v2 (own): the complement of labor's
        "Labor trafficking": F5,  # v3 (own) and c1 (the shelter's)
        "Sex and labor trafficking": "0",
        "Not known yet": "0",
    }
    assert column(sections.victims_by_age(scope_for(investigator))) == {
        "Minors (under 18)": F5,  # v1 (own), else the lone part 12-17 would be it
        "Adults (18 and over)": F5,
        "Under 12": "0",
        "12 to 17": F5,  # v1 (own): the smallest complement of 18-24 among the bands
        "18 to 24": F5,  # c1 alone: the shelter's client
        "25 to 59": "1",
        "60 and over": "0",
        "Age not known": "1",
    }


def test_new_and_continuing(world, investigator):
    # In FY2027-Q2 nobody is new; the four the Field Office sees are continuing (no case closed).
    assert column(sections.victims_new_and_continuing(scope_for(investigator, "FY2027-Q2"))) == {
        "New": "0",
        "Continuing": F5,
    }
    assert column(sections.victims_new_and_continuing(scope_for(investigator))) == {"New": F5, "Continuing": "0"}


def test_unmet_needs_keep_a_clients_medical_need_inside_the_shelter(world, investigator, advocate):
    seen = table(sections.unmet_needs(scope_for(investigator)))
    assert seen["Emergency shelter"] == (F5, F5, "1", "0")  # all, emergency (c1), urgent (v1, its own), routine
    assert seen["Medical"] == ("0", "0", "0", "0")  # c1's: the shelter's to count
    own = table(sections.unmet_needs(scope_for(advocate)))
    assert own["Medical"] == ("1", "1", "0", "0")
    assert own["Emergency shelter"] == ("1", "1", "0", "0")


def test_outreach_counts_the_task_force_and_not_beyond(world, investigator):
    assert table(sections.outreach_by_kind(scope_for(investigator))) == {
        "Community outreach": (F5, "30"),  # the Field Office's 2, the complement of Bayport's 1
        "Training for professionals": (F5, "40"),  # one event of Bayport's; 40 people is no small cell
        "Public awareness": ("0", "0"),  # Faraway's is another task force's
        "Other": ("0", "0"),
    }
    assert table(sections.outreach_by_month(scope_for(investigator))) == {
        "2026-10": (F5, "30"),
        "2026-11": (F5, "40"),
        "2026-12": ("0", "0"),
    }


def test_cases_by_type_and_month(world, investigator, partner_investigator):
    assert column(sections.cases_by_type(scope_for(investigator))) == {
        "Sex trafficking": F5,  # A (own): the complement of labor's
        "Labor trafficking": F5,  # B (own) and C (the shelter's)
        "Sex and labor trafficking": "0",
        "Not yet known": "0",
    }
    assert column(sections.cases_by_month(scope_for(partner_investigator))) == {
        "2026-10": F5,  # A, the Field Office's
        "2026-11": "0",
        "2026-12": F5,  # D, its own: the complement of October's
    }


def test_filters_narrow_to_an_agency_and_a_task_force(world, investigator, lead_agency, ngo, task_force):
    with unsuppressed():
        assert column(sections.victims_by_status(scope_for(investigator, agency=lead_agency))) == {
            "Potential victim": "2",
            "Confirmed victim": "1",
        }
        assert column(sections.victims_by_status(scope_for(investigator, agency=ngo)))["Potential victim"] == "1"
        assert column(sections.cases_by_type(scope_for(investigator, task_force=task_force)))["Sex trafficking"] == "1"
    # As read: a filtered chart is one part of the unfiltered one (decision 0036). The Field Office's own confirmed
    # victim (v2) is the unfiltered "Confirmed", suppressed there beside the potential victims (the shelter's c1
    # among them): shown here with the shelter's 0, it would tell it. Its potential ones then go with it ("New").
    assert column(sections.victims_by_status(scope_for(investigator, agency=lead_agency))) == {
        "Potential victim": F5,
        "Confirmed victim": F5,
    }
    assert column(sections.victims_by_status(scope_for(investigator, agency=ngo))) == {
        "Potential victim": F5,
        "Confirmed victim": "0",
    }
    assert column(sections.cases_by_type(scope_for(investigator, task_force=task_force)))["Sex trafficking"] == F5


def test_another_quarter_counts_nothing_of_this_one(world, investigator):
    assert set(column(sections.victims_by_status(scope_for(investigator, "FY2027-Q2"))).values()) == {"0"}
    assert set(column(sections.outreach_by_kind(scope_for(investigator, "FY2026-Q4"))).values()) == {"0"}
