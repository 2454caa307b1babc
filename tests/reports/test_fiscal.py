from datetime import date

import pytest

from reports.fiscal import FiscalQuarter, fiscal_year_of, month_starts, parse_quarter, quarter_of, recent_quarters


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(2026, 9, 30), "FY2026-Q4"),
        (date(2026, 10, 1), "FY2027-Q1"),
        (date(2026, 12, 31), "FY2027-Q1"),
        (date(2027, 1, 1), "FY2027-Q2"),
        (date(2027, 3, 31), "FY2027-Q2"),
        (date(2027, 4, 1), "FY2027-Q3"),
        (date(2027, 6, 30), "FY2027-Q3"),
        (date(2027, 7, 1), "FY2027-Q4"),
        (date(2027, 9, 30), "FY2027-Q4"),
        (date(2028, 2, 29), "FY2028-Q2"),
    ],
)
def test_a_day_falls_in_its_fiscal_quarter(day, code):
    assert quarter_of(day).code == code


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("FY2027-Q1", date(2026, 10, 1), date(2026, 12, 31)),
        ("FY2027-Q2", date(2027, 1, 1), date(2027, 3, 31)),
        ("FY2028-Q2", date(2028, 1, 1), date(2028, 3, 31)),
        ("FY2027-Q3", date(2027, 4, 1), date(2027, 6, 30)),
        ("FY2027-Q4", date(2027, 7, 1), date(2027, 9, 30)),
        ("fy2027-q4 ", date(2027, 7, 1), date(2027, 9, 30)),
    ],
)
def test_a_quarter_is_parsed_with_its_first_and_last_days(code, start, end):
    quarter = parse_quarter(code)
    assert (quarter.start, quarter.end) == (start, end)


@pytest.mark.parametrize(
    "text", ["", "FY2027", "FY2027-Q5", "FY2027-Q0", "2027-Q1", "FY27-Q1", "FY2027Q1", "FY0999-Q1"]
)
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError, match=r"(Not a fiscal quarter|out of range)"):
        parse_quarter(text)


def test_the_fiscal_year_turns_on_the_first_of_october():
    assert fiscal_year_of(date(2026, 9, 30)) == 2026
    assert fiscal_year_of(date(2026, 10, 1)) == 2027


def test_quarters_step_across_fiscal_years():
    assert FiscalQuarter(2027, 4).next() == FiscalQuarter(2028, 1)
    assert FiscalQuarter(2027, 1).previous() == FiscalQuarter(2026, 4)
    assert [q.code for q in recent_quarters(date(2026, 12, 4), 3)] == ["FY2027-Q1", "FY2026-Q4", "FY2026-Q3"]


def test_month_buckets_cover_the_period_including_empty_ends():
    assert month_starts(date(2026, 11, 15), date(2027, 2, 1)) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]
    assert month_starts(date(2027, 1, 1), date(2026, 12, 31)) == []
