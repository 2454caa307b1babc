from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.utils import timezone

from agencies.models import User
from reports import sections, suppression
from reports.charts import Chart
from reports.fiscal import parse_quarter


def scope_for(user: User, quarter: str = "FY2027-Q1", **filters) -> sections.Scope:
    q = parse_quarter(quarter)
    return sections.Scope(user=user, start=q.start, end=q.end, now=timezone.now(), **filters)


def table(chart: Chart) -> dict[str, tuple[str, ...]]:
    """A chart as the viewer reads it: {row label: (cell texts...)}."""
    return {row.label: tuple(c.text for c in row.cells) for row in chart.rows}


def column(chart: Chart, index: int = 0) -> dict[str, str]:
    return {row.label: row.cells[index].text for row in chart.rows}


def period(start: date, end: date) -> dict[str, str]:
    return {"start": start.isoformat(), "end": end.isoformat()}


@contextmanager
def unsuppressed() -> Iterator[None]:
    """The true counts behind the charts: no cell suppressed (a threshold of 1), so no complement either. What a
    filter counts is checked against these, what the viewer reads against the suppressed ones."""
    threshold = suppression.THRESHOLD
    suppression.THRESHOLD = 1
    try:
        yield
    finally:
        suppression.THRESHOLD = threshold
