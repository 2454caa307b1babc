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

A filtered chart (an agency's, a task force's) is one part of the unfiltered one, which the viewer also reads, and
the viewer may ask for every other part: suppressing within the part alone leaves its small cell the unfiltered
cell minus the other parts' (9 + 3 + 10 = 22: the 3 follows). ``partitioned`` protects all the parts at once.
"""

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
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


def complement(cells: Sequence[Cell], sums: Iterable[Summed], public: Collection[int] = ()) -> list[Cell]:
    """Complementary suppression: ``cells`` with, for every sum in ``sums`` that would have exactly one suppressed
    member (part or total), a second member suppressed, so that no member is the known rest of the sum. The second
    is the smallest shown non-zero member that holds another agency's records (suppressing a cell wholly the
    viewer's own hides nothing from them), else the smallest shown non-zero one. Repeated until no sum has a lone
    suppressed member, since a suppression can leave one in another sum. No candidate means the others are all 0,
    so the suppressed member is the total itself, under 5 and another agency's: suppressed wherever it is shown.
    ``public``: cells whose value is told elsewhere anyway, never picked (suppressing them would hide nothing).

    The sums are passed over in order, again and again; a sum none of whose members changed since it was last
    looked at is skipped (it would be left as it was), so that a partitioned chart's thousands of sums cost
    little."""
    result = list(cells)
    public = set(public)
    groups = [(*parts, *(() if total is None else (total,))) for total, parts in sums]
    holding: list[list[int]] = [[] for _cell in result]  # the sums each cell is a member of
    for number, members in enumerate(groups):
        for index in members:
            holding[index].append(number)
    hidden = [value.suppressed for value in result]
    hiding = [sum(map(hidden.__getitem__, members)) for members in groups]  # each sum's suppressed members
    pending = [True] * len(groups)
    changed = True
    while changed:
        changed = False
        for number, members in enumerate(groups):
            if not pending[number]:
                continue
            pending[number] = False
            if hiding[number] != 1:
                continue
            shown = [i for i in members if not hidden[i] and result[i].value and i not in public]
            if not shown:
                continue
            pick = min(shown, key=lambda i: (not result[i].others, result[i].value or 0, i))
            result[pick] = replace(result[pick], value=None)
            hidden[pick] = True
            for other in holding[pick]:
                hiding[other] += 1
                pending[other] = True
            changed = True
    return result


# A union of parts that is published too (an agency's cells over its task forces): its cells, and its parts' keys.
type Union[K: Hashable] = tuple[Sequence[Cell], Collection[K]]


def partitioned[K: Hashable](
    parts: Mapping[K, Sequence[Cell]],
    sums: Iterable[Summed] = (),
    unions: Iterable[Mapping[K, Union[K]]] = (),
    whole: Sequence[Cell] | None = None,
) -> dict[K, list[Cell]]:
    """A chart published in parts: every part's and union's cells after one ``complement`` over them all.

    ``parts``: the cells (each ``cell(total, owned)``, row by row, all of one shape) of each part of a partition of
    what the unfiltered chart counts: every agency's records, say, those of an agency the viewer cannot choose too
    (it is the unfiltered chart minus the others). A part with no records need not be given (its cells are 0).
    ``sums``: the chart's own sums within one table (``Summed`` indexes into a part's cells), kept in every part and
    union. ``unions``: families of unions of parts that are published as well, each union its cells and its parts'
    keys, the unions of one family disjoint (every agency's cells over its task forces; every task force's over its
    agencies). ``whole``: the unfiltered chart's cells as its page shows them (``None``: all shown). The sums, at
    each position of the table, of the unfiltered cell: a known total (``None``) where the unfiltered page shows
    it, else that suppressed cell, which the parts must not tell either (all shown, they would add up to it):

    - the parts;
    - each family's unions, with the parts outside all of them;
    - and each union the total of its parts.

    So no suppressed cell of a part or union is the unfiltered cell, or a union, minus cells shown, nor the
    unfiltered page's suppressed cell the sum of shown ones. A cell that the unfiltered page tells anyway
    (``_told``: an agency's November when every other agency's is 0) is never taken as a complement. A union with
    the parts outside it, of the unfiltered cell, needs no sum of its own: where its family's and its unions' sums
    have no lone suppressed member, neither has it, unless a lone one is no secret anyway (every other member 0)."""
    unions = list(unions)
    tables = [*parts.items(), *((key, cells) for family in unions for key, (cells, _of) in family.items())]
    if not tables:
        return {}
    width = len(tables[0][1])
    at = {key: number * width for number, (key, _cells) in enumerate(tables)}
    flat = [value for _key, cells in tables for value in cells]
    assert len(flat) == width * len(tables), "every part and union has the chart's shape"
    unfiltered = len(flat)  # the unfiltered cells come after: the suppressed ones stay so, the others are not asked
    assert whole is None or len(whole) == width, "the unfiltered chart has the parts' shape"
    own = list(sums)
    every: list[Summed] = [
        (None if total is None else at[key] + total, tuple(at[key] + part for part in part_indexes))
        for key, _cells in tables
        for total, part_indexes in own
    ]
    across: list[Summed] = []
    keys = list(parts)
    families = []  # each family's unions with their parts, and the parts outside all of them
    for family in unions:
        inside = [(union, [key for key in keys if key in of]) for union, (_cells, of) in family.items()]
        covered = {key for _union, of in inside for key in of}
        families.append((inside, [key for key in keys if key not in covered]))
    for position in range(width):
        total = None if whole is None or not whole[position].suppressed else unfiltered + position
        across.append((total, tuple(at[key] + position for key in keys)))
        for inside, rest in families:
            across += [(at[union] + position, tuple(at[key] + position for key in of)) for union, of in inside]
            across.append(
                (total, (*(at[union] + position for union, _of in inside), *(at[key] + position for key in rest)))
            )
    flat += whole or ()
    protected = complement(flat, [*every, *across], _told(flat, across))
    return {key: protected[at[key] : at[key] + width] for key in at}


def _told(cells: Sequence[Cell], sums: list[Summed]) -> set[int]:
    """The parts' and unions' cells that the unfiltered page tells (``sums``: those across the parts, whose total
    ``None`` is its shown cell): where all the other members of a sum of a known total are 0 or told, the last one
    is the total (an agency's November, the only one not 0: the unfiltered November). Such a cell holds every record
    of the unfiltered cell, so it is shown as that one is; suppressing it as a complement would hide nothing, and
    leave told the cell it was to hide."""
    told: set[int] = set()
    changed = True
    while changed:
        changed = False
        for total, parts in sums:
            members = [*parts, *(() if total is None else (total,))]
            unknown = [i for i in members if cells[i].value != 0 and i not in told]
            if len(unknown) == 1 and (total is None or unknown[0] == total or total in told):
                told.add(unknown[0])
                changed = True
    return told
