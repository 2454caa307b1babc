"""The federal fiscal year and its quarters, the periods the grant reports count by.

The federal fiscal year runs from 1 October to 30 September and is named by the calendar year it ends in: FY2027
is 2026-10-01..2027-09-30, and its first quarter 2026-10-01..2026-12-31. A quarter is written ``FY2027-Q1``.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

_QUARTER = re.compile(r"^FY(?P<year>\d{4})-Q(?P<quarter>[1-4])$")


@dataclass(frozen=True, order=True)
class FiscalQuarter:
    fiscal_year: int
    quarter: int  # 1..4

    @property
    def start(self) -> date:
        # Q1 starts in October of the year before the fiscal year's name; each quarter three months later.
        month = 10 + 3 * (self.quarter - 1)
        year = self.fiscal_year - 1
        if month > 12:
            month -= 12
            year += 1
        return date(year, month, 1)

    @property
    def end(self) -> date:
        """The quarter's last day (inclusive)."""
        return self.next().start - timedelta(days=1)

    def next(self) -> "FiscalQuarter":
        if self.quarter == 4:
            return FiscalQuarter(self.fiscal_year + 1, 1)
        return FiscalQuarter(self.fiscal_year, self.quarter + 1)

    def previous(self) -> "FiscalQuarter":
        if self.quarter == 1:
            return FiscalQuarter(self.fiscal_year - 1, 4)
        return FiscalQuarter(self.fiscal_year, self.quarter - 1)

    @property
    def code(self) -> str:
        return f"FY{self.fiscal_year}-Q{self.quarter}"

    def __str__(self) -> str:
        return self.code


def fiscal_year_of(day: date) -> int:
    """FY2027 for any day from 2026-10-01 to 2027-09-30."""
    return day.year + 1 if day.month >= 10 else day.year


def quarter_of(day: date) -> FiscalQuarter:
    months_in = (day.month - 10) % 12  # October is month 0 of the fiscal year
    return FiscalQuarter(fiscal_year_of(day), months_in // 3 + 1)


def parse_quarter(text: str) -> FiscalQuarter:
    """``"FY2027-Q1"`` (case-insensitive, spaces around ignored) as a quarter; ``ValueError`` for anything else."""
    found = _QUARTER.match(text.strip().upper())
    if found is None:
        raise ValueError(f"Not a fiscal quarter (FY2027-Q1): {text!r}")
    year = int(found["year"])
    if not 1901 <= year <= 9999:
        raise ValueError(f"Fiscal year out of range: {year}")
    return FiscalQuarter(year, int(found["quarter"]))


def recent_quarters(today: date, count: int = 8) -> list[FiscalQuarter]:
    """The quarter ``today`` is in and the ``count - 1`` before it, newest first (the filter's choices)."""
    found = [quarter_of(today)]
    while len(found) < count:
        found.append(found[-1].previous())
    return found


def month_starts(start: date, end: date) -> list[date]:
    """The first day of each calendar month from ``start``'s to ``end``'s inclusive: a trend's buckets, so that a
    month with nothing in it is shown as 0 rather than left out."""
    if end < start:
        return []
    months = []
    current = start.replace(day=1)
    while current <= end:
        months.append(current)
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    return months
