"""The small-cell rule, stated once: every cell of every chart, table and CSV goes through ``cell``.

A count of records that another agency owns (its cases, an NGO's clients, its tips, its events) is shown exactly
only from 5 up; from 1 to 4 it shows as "fewer than 5". A cell of records the viewer's own agency owns is shown
exactly, since the agency already holds every record behind it. 0 is shown as 0: it reveals no person (nobody is
in the cell), it is what federal small-cell practice (CDC/NCHS, HHS, the Census Bureau) publishes, and a chart of
suppressed zeros would tell a task force nothing. Suppressing 1-4 alone is the usual rule; complementary cells (a
total minus the others) are handled by the dashboard showing no totals beside suppressed cells.
"""

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _

THRESHOLD = 5


@dataclass(frozen=True)
class Cell:
    """What the viewer is shown of one count: ``value`` is None when suppressed, so the exact number never reaches
    a template, a CSV or an SVG."""

    value: int | None
    figure: str | None = None  # a figure derived from counts (a rate, a mean), already decided on and written

    @property
    def suppressed(self) -> bool:
        return self.value is None and self.figure is None

    @property
    def text(self) -> str:
        if self.figure is not None:
            return self.figure
        if self.value is None:
            return _("fewer than %(threshold)s") % {"threshold": THRESHOLD}
        return number_format(self.value, force_grouping=True)

    @property
    def plotted(self) -> int:
        """The length a bar may take: none for a suppressed cell (a bar would tell its size)."""
        return self.value or 0


def cell(total: int | None, owned: int | None = 0) -> Cell:
    """``total`` records counted in a cell, ``owned`` of them owned by the viewer's agency: exact when the viewer's
    agency owns them all or when there are none or at least ``THRESHOLD``; otherwise suppressed."""
    total = int(total or 0)
    owned = int(owned or 0)
    if 0 < total < THRESHOLD and owned < total:
        return Cell(None)
    return Cell(total)


def figure(text: str) -> Cell:
    """A derived figure (a rate, a mean) whose counts the caller has already put through ``cell``: never plotted."""
    return Cell(None, text)


NOTHING = "—"  # a figure with nothing to derive it from (no referral answered yet)
