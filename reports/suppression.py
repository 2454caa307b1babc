"""The small-cell rule, stated once: every cell of every chart, table and CSV goes through ``cell``.

A count of records that another agency owns (its cases, an NGO's clients, its tips, its events) is shown exactly
only from 5 up; from 1 to 4 it shows as "fewer than 5". A cell of records the viewer's own agency owns is shown
exactly, since the agency already holds every record behind it. 0 is shown as 0: it reveals no person (nobody is
in the cell), it is what federal small-cell practice (CDC/NCHS, HHS, the Census Bureau) publishes, and a chart of
suppressed zeros would tell a task force nothing.

Suppressing 1-4 alone (primary suppression) leaves a cell recoverable as a total minus its other parts: "Minors"
minus "Under 12", a need's "All" minus its other urgencies, the victims identified ("New") minus the other
statuses. ``complement`` closes that: wherever exactly one part of a sum is suppressed, a second is, the smallest
shown that holds another agency's records (decision 0036).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.utils.formats import number_format
from django.utils.translation import gettext as _

THRESHOLD = 5


@dataclass(frozen=True)
class Cell:
    """What the viewer is shown of one count: ``value`` is None when suppressed, so the exact number never reaches
    a template, a CSV or an SVG."""

    value: int | None
    figure: str | None = None  # a figure derived from counts (a rate, a mean), already decided on and written
    others: bool = False  # some of the records counted are another agency's (what ``complement`` protects)
    withheld: bool = False  # a derived figure not shown because counts behind it are suppressed

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
        return Cell(None, others=True)
    return Cell(total, others=owned < total)


def figure(text: str) -> Cell:
    """A derived figure (a rate, a mean) whose counts the caller has already put through ``cell``: never plotted."""
    return Cell(None, text)


NOTHING = "—"  # a figure with nothing to derive it from (no referral answered yet)


def not_shown() -> Cell:
    """A rate or a mean withheld because a count behind it is suppressed: "not shown", never "fewer than 5" (which
    would read as a rate under 5% or a mean under 5 days). The table says why beneath it."""
    return Cell(None, _("not shown"), withheld=True)


# A sum among a chart's cells: (the total's index, or None when the total is published elsewhere, the parts'
# indexes). The victims by status sum to "New" in another chart: that total is taken as known (None).
Summed = tuple[int | None, tuple[int, ...]]


def complement(cells: Sequence[Cell], sums: Iterable[Summed]) -> list[Cell]:
    """Complementary suppression: ``cells`` with, for every sum in ``sums`` that would have exactly one suppressed
    member (part or total), a second member suppressed, so that no member is the known rest of the sum. The second
    is the smallest shown non-zero member that holds another agency's records (suppressing a cell wholly the
    viewer's own hides nothing from them), else the smallest shown non-zero one. Repeated until no sum has a lone
    suppressed member, since a suppression can leave one in another sum. No candidate means the others are all 0,
    so the suppressed member is the total itself, under 5 and another agency's: suppressed wherever it is shown."""
    result = list(cells)
    sums = [(total, parts) for total, parts in sums]
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
