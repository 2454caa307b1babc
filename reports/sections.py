"""The dashboard's sections: a registry of measures, each one aggregate query over what the viewer may see.

``SECTIONS`` lists the sections in page order; a section is a title and its charts, and a chart is built by one
function of a ``Scope`` (who looks, the period, the agency and task force chosen). Adding a measure is one more
``ChartSpec`` in a section (or one more ``Section``), its chart written the same way.

Every measure:
- starts from the selector of its domain (``case_ids_visible_to``, ``referral_list_visible_to``,
  ``tip_list_visible_to``, ``outreach_events_visible_to``, ``relief_actions_visible_to``, ``arrests_visible_to``,
  ``charges_visible_to``), so a record the viewer could not open is never counted (architecture §11); a victim's
  identification, and a sensitive need or service, only where the case page would show it (the viewer holds
  ``view_case_pii``);
- is one GROUP BY with conditional counts, run in the database: the number of queries does not depend on the
  number of rows, and nothing loops over records in Python (the loops here are over the groups found);
- counts beside each number how many of the records are the viewer's agency's own, which ``suppression.cell``
  needs: a cell of another agency's records under 5 shows as "fewer than 5". A victim service provider's client
  (a person it entered) is the provider's, wherever the case is led; any other person is the lead agency's; each
  record's owners are stated beside its measure (decision 0036);
- passes its cells through ``suppression.complement`` for every sum among them, or with a total another chart
  or the quarterly report publishes, so that no suppressed cell is a total minus the shown ones (decision 0036);
- filtered by agency or task force, is one part of the unfiltered chart: its query counts every part at once, and
  ``suppression.partitioned`` protects every part together (``_published``), so that no suppressed cell of one is
  the unfiltered cell minus the others.
"""

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from agencies.auth import viewer_key
from agencies.models import Agency, TaskForce, User
from cases import selectors as case_selectors
from cases.models import Case, CaseParticipant, Need, Person, ServiceEvent, VictimIdentification
from portal.compiled import Memo
from prosecution import selectors as prosecution_selectors
from prosecution.models import Arrest, Charge
from protection import selectors as protection_selectors
from protection.models import ReliefAction
from referrals import selectors as referral_selectors
from referrals.models import Referral, ReferralEvent
from reports import selectors
from reports.charts import Chart, Kind, Row
from reports.fiscal import month_starts
from reports.models import OutreachEvent
from reports.suppression import NOTHING, Cell, Summed, cell, complement, figure, not_shown, partitioned
from tips import selectors as tip_selectors
from tips.models import Tip

# What a filtered chart's query is grouped by besides its own groups (``Scope.partition_case``,
# ``Scope.partition_agency``): the case's lead agency and task force, or an agency and a task force it is a member of.
_PART_AGENCY, _PART_TASK_FORCE, _PART_MEMBER_OF = "part_agency", "part_task_force", "part_member_of"
_PARTS = (_PART_AGENCY, _PART_TASK_FORCE, _PART_MEMBER_OF)


@dataclass(frozen=True)
class Scope:
    """What the dashboard is asked: who looks, the period (inclusive days), and the filters chosen."""

    user: User
    start: date
    end: date
    now: datetime
    agency: Agency | None = None
    task_force: TaskForce | None = None
    day: date | None = None  # today where "now" is, unless given (a chart's query is built with another "now")
    # The task forces a coordinator watches (``referrals.selectors.coordinated_task_force_ids``), read once: the key
    # of the kept queries and the referrals they are built from are one reading of them.
    coordinated: frozenset[int] | None = None

    def __post_init__(self) -> None:
        if self.day is None:
            object.__setattr__(self, "day", timezone.localdate(self.now))
        if self.coordinated is None:
            object.__setattr__(self, "coordinated", referral_selectors.coordinated_task_force_ids(self.user))

    @property
    def today(self) -> date:
        assert self.day is not None
        return self.day

    @cached_property
    def referrals(self) -> QuerySet[Referral]:
        """The referrals the viewer stands on a side of, asked once per page."""
        return referral_selectors.referral_list_visible_to(self.user, self.coordinated)

    @property
    def own(self) -> int | None:
        return getattr(self.user.agency, "pk", None)

    @cached_property
    def key(self) -> tuple[Any, ...]:
        """Everything a chart's query is built from (``_fetch``): what the visibility selectors read of the viewer
        (``viewer_key``, and the task forces a coordinator watches), the period, today (relief expiring, shares
        that lapse at a day's end) and the filters. "Now" itself is a parameter (``_NOW``)."""
        return (
            viewer_key(self.user),
            self.coordinated,
            self.start,
            self.end,
            self.today,
            getattr(self.agency, "pk", None),
            getattr(self.task_force, "pk", None),
        )

    @property
    def since(self) -> datetime:
        """The period's first instant (local midnight): a bound on a timestamp's index, where ``__date`` would
        compile to ``(col AT TIME ZONE tz)::date`` and read every row."""
        return _start_of(self.start)

    @property
    def until(self) -> datetime:
        """The instant after the period's last day (exclusive)."""
        return _start_of(self.end + timedelta(days=1))

    def during(self, field: str) -> Q:
        """Rows whose timestamp ``field`` falls in the period, as index-friendly bounds."""
        return Q(**{f"{field}__gte": self.since, f"{field}__lt": self.until})

    @property
    def filtered(self) -> bool:
        return self.agency is not None or self.task_force is not None

    def partition_case(self, queryset: QuerySet[Any], case: str = "") -> QuerySet[Any]:
        """Rows reached through ``case``, ready for the agency and task force chosen: unfiltered, nothing to do;
        filtered, the case's lead agency and task force annotated (nothing is filtered out), for the chart's query
        to be grouped by them and the chart published as one part of the partition (``_published``)."""
        if not self.filtered:
            return queryset
        prefix = f"{case}__" if case else ""
        return queryset.annotate(
            **{_PART_AGENCY: F(f"{prefix}lead_agency"), _PART_TASK_FORCE: F(f"{prefix}task_force")}
        )

    def partition_agency(self, queryset: QuerySet[Any], field: str) -> QuerySet[Any]:
        """Rows that belong to an agency (``field``: a tip's receiving agency, an event's agency), likewise: the
        agency annotated, and each task force it is a member of (a row once per task force: a task force counts
        its members' records)."""
        if not self.filtered:
            return queryset
        return queryset.annotate(
            **{_PART_AGENCY: F(field), _PART_MEMBER_OF: F(f"{field}__task_force_memberships__task_force")}
        )


@dataclass(frozen=True)
class ChartSpec:
    key: str
    build: Callable[[Scope], Chart]


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    charts: tuple[ChartSpec, ...]
    link: tuple[str, str | Promise] | None = None  # (URL name, words): where the section's records are kept


@dataclass
class BuiltSection:
    key: str
    title: str | Promise
    charts: list[Chart]
    link: tuple[str, str | Promise] | None = None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- Each chart's queries compiled once per person, period and filters (portal/compiled.py, decision 0021).
#
# Building a chart's querysets (the selectors' conditions, the owners' and the sensitive categories' rules) and
# compiling them cost more Python than a reader who sees few cases waits for the database: ~40 ms of a page whose 24
# queries take ~15 ms at 500,000 cases (bench/README.md, the dashboard). So ``_fetch`` keeps each query's SQL, its
# parameters, its columns' names and its converters under the scope's key and the query's name, and on the same
# person's next page runs it as kept. The tests compare what is kept with a fresh compilation
# (tests/reports/test_compiled.py).

type _Kept = tuple[str, tuple[Any, ...], tuple[str, ...], dict[int, tuple[list[Any], Any]], tuple[Any, ...]]

# An entry is ~55 KB (its converters hold the measures' expressions, ~95% of it): 512 of them, ~20 pages of
# different people, periods or filters, are ~28 MB a process.
_CHART_SQL: Memo[_Kept] = Memo(size=512)

# "Now" compiled as this instant, and replaced by the page's own in the parameters: "overdue now" is the same
# query on every page, however many seconds apart.
_NOW = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)


def _compiled(queryset: QuerySet[Any]) -> _Kept:
    """A ``values()`` queryset's SQL, parameters, column names, the converters its rows need (as Django's own
    iteration applies them: a month read from SQLite is a string until converted), and the values of its measures
    over no rows (what ``aggregate`` gives: a count of nothing is 0). The SQL is empty where Django knows without
    asking that nothing matches (a reader whose role sees none of it)."""
    query = queryset.query
    names = (*query.extra_select, *query.values_select, *query.annotation_select)
    nothing = tuple(_over_nothing(query.annotation_select.get(name)) for name in names)
    compiler = query.get_compiler(connection=connection)  # where ``_fetch`` runs it
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return "", (), names, {}, nothing
    converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
    return sql, tuple(params), names, converters, nothing


def _over_nothing(expression: Any) -> Any:
    """A measure's value over no rows (a count's 0); ``None`` for anything else (the constant of ``_one``)."""
    value = getattr(expression, "empty_result_set_value", None)
    return None if value is NotImplemented else value


def _fetch(
    scope: Scope, name: str, make: Callable[[Scope], QuerySet[Any]], *, one: bool = False
) -> list[dict[str, Any]]:
    """The rows of the ``values()`` query ``make`` builds for ``scope``, as dictionaries: compiled once for the
    scope's key (``make`` is handed a scope whose "now" is ``_NOW``; it must read nothing of the scope that the key
    does not hold), run on a cursor with the page's "now". ``one``: a query of no group (``_one``), whose one row
    holds its measures over nothing when there is nothing to ask."""
    sql, params, names, converters, nothing = _CHART_SQL.get(
        (name, scope.key), lambda: _compiled(make(replace(scope, now=_NOW)))
    )
    if (asked := _ASKED.get()) is not None:
        asked.append(not sql)
    if not sql:
        return [dict(zip(names, nothing, strict=True))] if one else []
    now_compiled = connection.ops.adapt_datetimefield_value(_NOW)
    if now_compiled in params:
        now = connection.ops.adapt_datetimefield_value(scope.now)
        params = tuple(now if value == now_compiled else value for value in params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    rows = []
    for values in found:
        row = list(values)
        for position, (functions, expression) in converters.items():
            for function in functions:
                row[position] = function(row[position], expression, connection)
        rows.append(dict(zip(names, row, strict=True)))
    return rows


def _values(queryset: QuerySet[Any], *fields: str, **expressions: Any) -> QuerySet[Any]:
    """``queryset.values(...)``, to group by: with the partition's columns when the chart is filtered (those that
    ``Scope.partition_case`` or ``partition_agency`` annotated), so that one query counts every part."""
    parted = tuple(name for name in _PARTS if name in queryset.query.annotations)
    return queryset.order_by().values(*fields, *parted, **expressions)


def _one(queryset: QuerySet[Any], **measures: Any) -> QuerySet[Any]:
    """``queryset.aggregate(**measures)`` as a ``values()`` query (for ``_fetch``): a constant in place of a group,
    so one row however many match (filtered: one a part)."""
    return _values(queryset, one=Value(1, output_field=IntegerField())).annotate(**measures)


# --- Helpers: one grouped query, its rows in the order of the choices (a category with nothing shows 0).


def _clients(person: str) -> QuerySet[Person]:
    """The person of each row (``person``), when a victim service provider entered them (its client): to be asked
    of each row's person by primary key (correlated ``EXISTS``) rather than through a join on the people, so that a
    dense reader's thousands of rows are as many index probes, where PostgreSQL, joining, hashed every person of the
    database (1.5 million at 500,000 cases, spilled to disk: 440 ms of the unmet needs' 1.1 s, bench/README.md). The
    providers are asked as ``IN`` the (few) of them rather than through a join on the agency, whose estimate turned a
    dense reader's chart into a nested loop over every agency."""
    providers = Agency.objects.filter(kind=Agency.Kind.VICTIM_SERVICES).values("pk")
    return Person.objects.filter(pk=OuterRef(person), entered_by_agency__in=providers)


def _providers_client(person: str) -> Q:
    """Rows whose person a victim service provider entered (its client)."""
    return Q(Exists(_clients(person)))


def _owned_person(own: int | None, person: str, case: str) -> Q:
    """Records about a person that ``own`` owns: a provider's client is the provider's, anyone else the lead's."""
    owned_client = Q(Exists(_clients(person).filter(entered_by_agency=own)))
    return owned_client | (~_providers_client(person) & Q(**{f"{case}__lead_agency": own}))


def _grouped(queryset: QuerySet[Any], group: str | None, owned: Q, total_sum: str | None = None) -> QuerySet[Any]:
    """The count of ``queryset``'s rows (and the sum of ``total_sum``) by ``group`` (``None``: all of them, one
    row), each beside its part that ``owned`` holds, as a ``values()`` query (``g``, ``n``, ``n_own``, ``s``,
    ``s_own``)."""
    measures: dict[str, Any] = {"n": Count("pk"), "n_own": Count("pk", filter=owned)}
    if total_sum is not None:
        measures |= {"s": Sum(total_sum), "s_own": Sum(total_sum, filter=owned)}
    grouped = Value(None, output_field=IntegerField()) if group is None else F(group)
    return _values(queryset, g=grouped).annotate(**measures)


# --- A chart's table before suppression: each row a label and, per column, a tally (the records counted and how
# many of them are the viewer's agency's own), which ``_published`` turns into the cells the viewer may read.

type Tally = tuple[int, int]
type Lines = list[tuple[str, tuple[Tally, ...]]]
type Found = list[dict[str, Any]]

NO_RECORD: Tally = (0, 0)


def _tally(total: Any, owned: Any) -> Tally:
    return int(total or 0), int(owned or 0)


def _tallied(found: Found) -> dict[Any, tuple[Tally, ...]]:
    """``{group value: (count tally[, sum tally when summed])}`` of a ``_grouped`` query's rows."""
    result: dict[Any, tuple[Tally, ...]] = {}
    for row in found:
        tallies = [_tally(row["n"], row["n_own"])]
        if "s" in row:
            tallies.append(_tally(row["s"], row["s_own"]))
        result[row["g"]] = tuple(tallies)
    return result


def _by_choice(order: Iterable[tuple[Any, Any]], width: int) -> Callable[[Found], Lines]:
    """A ``_grouped`` query's rows as one line per choice, in their order (a choice with nothing: 0)."""
    order = list(order)

    def lines(found: Found) -> Lines:
        tallied = _tallied(found)
        return [(str(label), tallied.get(value, (NO_RECORD,) * width)) for value, label in order]

    return lines


def _by_month(scope: Scope, width: int) -> Callable[[Found], Lines]:
    """A ``_grouped`` query's rows by month (``TruncMonth``) as one line per month of the period."""

    def lines(found: Found) -> Lines:
        by_month = {_month_key(key): tallies for key, tallies in _tallied(found).items() if key is not None}
        return [
            (date_format(month, "Y-m"), by_month.get(month, (NO_RECORD,) * width))
            for month in month_starts(scope.start, scope.end)
        ]

    return lines


def _first(found: Found) -> dict[str, Any]:
    """The one row of a ``_one`` query (a part's, filtered: none where the part counts nothing)."""
    return found[0] if found else {}


def _line_of_parts(label: str, found: dict[str, Any], keys: Iterable[str]) -> tuple[str, tuple[Tally, ...]]:
    """A line of tallies ``found[f"{key}_n"]`` (own: ``_own``) for each key (0 where the row lacks it)."""
    return label, tuple(_tally(found.get(f"{key}_n"), found.get(f"{key}_own")) for key in keys)


# Sums among a table's cells, which ``_published`` numbers row by row (a row of ``width`` cells after another).


def _down(sums: Iterable[Summed], width: int, columns: Iterable[int] = (0,)) -> list[Summed]:
    """``sums`` of rows (their indexes), in each of ``columns``."""
    sums = list(sums)
    return [
        (None if total is None else total * width + column, tuple(part * width + column for part in parts))
        for column in columns
        for total, parts in sums
    ]


def _across(rows: int, width: int) -> list[Summed]:
    """Each row's first cell the sum of the others: a lone suppressed one takes a second with it."""
    return [(row * width, tuple(row * width + column for column in range(1, width))) for row in range(rows)]


def _parts_of_known_total(rows: int) -> list[Summed]:
    """``rows`` rows as the parts of a total published elsewhere (the victims identified: "New"; cases opened: by
    month and by type both sum to it): a lone suppressed row is the total minus the others."""
    return [(None, tuple(range(rows)))]


def _cells(lines: Lines) -> list[Cell]:
    return [cell(total, owned) for _label, tallies in lines for total, owned in tallies]


def _laid_out(lines: Lines, cells: list[Cell]) -> list[Row]:
    """``cells`` (row by row) under the labels of ``lines``."""
    rows, at = [], 0
    for label, tallies in lines:
        rows.append(Row(label, tuple(cells[at : at + len(tallies)])))
        at += len(tallies)
    return rows


# --- A filtered chart, published as one part of a partition.
#
# The viewer reads the unfiltered chart, and may ask the same chart for every agency and task force: a filtered cell
# is one part of the unfiltered one, and suppressing within the part alone would leave a small cell the unfiltered
# cell minus the other parts (an agency's 3 = 22 - 9 - 10). So a filtered chart's query counts every part at once
# (grouped by the partition's columns instead of filtered, still one query), every part's cells go through ``cell``
# and one ``suppression.partitioned`` protects them all, and the chart shows the chosen part's.
#
# The parts are the finest the filters can choose, whatever is chosen, so that an agency's chart, a task force's and
# their pair's are cut from one suppression and none tells what another hides (an agency's cell suppressed in its
# own chart, shown whole in the chart of the agency and its one task force). Rows reached through a case: the pairs
# (lead agency, task force) of the cases, and their unions, every agency's and every task force's, published too.
# Rows that belong to an agency (tips, events): the agencies, and every task force's union of its members (unions
# that overlap, an agency being a member of several: each its own family).

type _Key = tuple[Any, ...]


def _in_order(key: Any) -> tuple[Any, ...]:
    """A part's key as something to sort by (ids, or None), so that the parts come in one order on any database."""
    return tuple((value is None, 0 if value is None else value) for value in key)


@dataclass(frozen=True)
class _Partition:
    """A filtered chart's query rows by part, the unions of parts that are published too, and what was chosen."""

    parts: dict[_Key, Found]  # each part's rows of the query
    unions: list[dict[_Key, frozenset[_Key]]]  # families of unions of parts, each union's parts
    chosen: _Key | None  # what the filters chose: a part or a union (None: nothing of it counted)

    @classmethod
    def of(cls, scope: Scope, found: Found) -> "_Partition":
        agency, task_force = getattr(scope.agency, "pk", None), getattr(scope.task_force, "pk", None)
        if any(_PART_MEMBER_OF in row for row in found):
            return cls._of_agencies(found, agency, task_force)
        parts: dict[_Key, Found] = {}
        for row in sorted(found, key=lambda row: _in_order((row[_PART_AGENCY], row[_PART_TASK_FORCE]))):
            parts.setdefault(("pair", row[_PART_AGENCY], row[_PART_TASK_FORCE]), []).append(row)
        agencies: dict[_Key, frozenset[_Key]] = {}
        task_forces: dict[_Key, frozenset[_Key]] = {}
        for key in parts:
            agencies[("agency", key[1])] = agencies.get(("agency", key[1]), frozenset()) | {key}
            task_forces[("task_force", key[2])] = task_forces.get(("task_force", key[2]), frozenset()) | {key}
        if task_force is None:
            chosen: _Key = ("agency", agency)
        elif agency is None:
            chosen = ("task_force", task_force)
        else:
            chosen = ("pair", agency, task_force)
        return cls(parts, [agencies, task_forces], chosen)

    @classmethod
    def _of_agencies(cls, found: Found, agency: int | None, task_force: int | None) -> "_Partition":
        """Rows of an agency, once per task force it is a member of: the agency's rows are those of its first."""
        found = sorted(found, key=lambda row: _in_order((row[_PART_AGENCY], row[_PART_MEMBER_OF])))
        first: dict[Any, Any] = {}
        members: dict[_Key, frozenset[_Key]] = {}
        parts: dict[_Key, Found] = {}
        for row in found:
            key, member_of = ("agency", row[_PART_AGENCY]), row[_PART_MEMBER_OF]
            if first.setdefault(key, member_of) == member_of:
                parts.setdefault(key, []).append(row)
            if member_of is not None:
                members[("task_force", member_of)] = members.get(("task_force", member_of), frozenset()) | {key}
        chosen: _Key | None = ("task_force", task_force) if agency is None else ("agency", agency)
        if agency is not None and task_force is not None and chosen not in members.get(("task_force", task_force), ()):
            chosen = None  # an agency outside the task force: nothing of it counts
        return cls(parts, [{union: of} for union, of in members.items()], chosen)

    def covering(self, key: _Key | None) -> frozenset[_Key]:
        """The parts whose records ``key`` (a part or a union) counts."""
        if key in self.parts:
            return frozenset({key})
        return next((family[key] for family in self.unions if key in family), frozenset())


def _published(scope: Scope, found: Found, lines: Callable[[Found], Lines], sums: Iterable[Summed] = ()) -> list[Row]:
    """The chart's rows as the viewer may read them. ``lines`` makes a table's lines of tallies from rows of the
    query (``found``: all of them, or a part's), each tally is put through ``cell`` and the cells through
    ``complement`` for ``sums`` (indexes into a table's cells, row by row). Filtered, the query counted every part
    (``_Partition``): the chosen part's or union's cells as ``suppression.partitioned`` leaves them, protected with
    every other part's and union's; zeros where the chosen counts nothing."""
    sums = list(sums)
    if not scope.filtered:
        table = lines(found)
        return _laid_out(table, complement(_cells(table), sums))
    partition = _Partition.of(scope, found)
    tables = {key: lines(rows) for key, rows in partition.parts.items()}
    families = [
        {
            union: (_cells(_summed([tables[key] for key in sorted(of, key=_in_order)])), of)
            for union, of in family.items()
        }
        for family in partition.unions
    ]
    # The unfiltered chart as its page shows it: the parts' tallies added up, through ``cell`` and ``complement``.
    whole = complement(_cells(_summed(list(tables.values()))), sums) if tables else None
    protected = partitioned({key: _cells(table) for key, table in tables.items()}, sums, families, whole)
    nothing = lines([])
    chosen = protected.get(partition.chosen) if partition.chosen is not None else None
    return _laid_out(nothing, chosen if chosen is not None else _cells(nothing))


def _summed(tables: list[Lines]) -> Lines:
    """The tables' tallies added up, cell by cell (a union of parts, or all of them: the unfiltered chart)."""
    summed: Lines = []
    for line in zip(*tables, strict=True):  # the same line of every table
        columns = zip(*(tallies for _label, tallies in line), strict=True)
        summed.append((line[0][0], tuple((sum(t for t, _o in c), sum(o for _t, o in c)) for c in columns)))
    return summed


def _month_key(value: date | datetime) -> date:
    return date(value.year, value.month, 1)


def _chart(
    key: str, title: Promise, description: Promise, kind: Kind, label_heading: Promise, columns: tuple[Promise, ...]
) -> Chart:
    return Chart(key=key, title=title, description=description, kind=kind, label_heading=label_heading, columns=columns)


# --- Prevention: outreach and training events.


def _outreach(scope: Scope) -> QuerySet[OutreachEvent]:
    events = selectors.outreach_events_visible_to(scope.user).filter(held_on__range=(scope.start, scope.end))
    return scope.partition_agency(events, "agency")


def outreach_by_kind(scope: Scope) -> Chart:
    chart = _chart(
        "prevention.outreach_by_kind",
        _("Outreach and training events by kind"),
        _("Events held in the period and the people they reached, by kind of event."),
        "bars",
        _("Kind"),
        (_("Events"), _("People reached")),
    )
    found = _fetch(scope, chart.key, lambda s: _grouped(_outreach(s), "kind", Q(agency=s.own), "people_reached"))
    choices = OutreachEvent.Kind.choices
    sums = _down(_parts_of_known_total(len(choices)), 2, (0, 1))
    chart.rows = _published(scope, found, _by_choice(choices, 2), sums)
    return chart


def outreach_by_audience(scope: Scope) -> Chart:
    chart = _chart(
        "prevention.outreach_by_audience",
        _("Outreach and training events by audience"),
        _("Events held in the period and the people they reached, by audience."),
        "bars",
        _("Audience"),
        (_("Events"), _("People reached")),
    )
    found = _fetch(scope, chart.key, lambda s: _grouped(_outreach(s), "audience", Q(agency=s.own), "people_reached"))
    choices = OutreachEvent.Audience.choices
    sums = _down(_parts_of_known_total(len(choices)), 2, (0, 1))
    chart.rows = _published(scope, found, _by_choice(choices, 2), sums)
    return chart


def outreach_by_month(scope: Scope) -> Chart:
    chart = _chart(
        "prevention.outreach_by_month",
        _("Outreach and training events by month"),
        _("Events held each month of the period and the people they reached."),
        "trend",
        _("Month"),
        (_("Events"), _("People reached")),
    )
    found = _fetch(
        scope,
        chart.key,
        lambda s: _grouped(
            _outreach(s).annotate(month=TruncMonth("held_on")), "month", Q(agency=s.own), "people_reached"
        ),
    )
    sums = _down(_parts_of_known_total(len(month_starts(scope.start, scope.end))), 2, (0, 1))
    chart.rows = _published(scope, found, _by_month(scope, 2), sums)
    return chart


# --- Protection: victims identified, their needs, their referrals.


def _pii_cases(user: User, case_ref: str, *, per_row: bool = False) -> Q:
    """Rows whose case (``case_ref``) ``user`` may open and see its people's identities in (``view_case_pii``):
    a victim's identification is released only with their identity (decision 0032; ``cases.selectors.people``), so
    a summary share, or a role without personal information, counts none. ``per_row`` under an ``OR``
    (``cases_held``)."""
    if not (case_selectors.can_read_cases(user) and case_selectors.can_find_people(user)):
        return Q(pk__in=[])
    return case_selectors.cases_held(user, case_selectors.VIEW, case_ref, per_row=per_row) & case_selectors.cases_held(
        user, case_selectors.VIEW_PII, case_ref, per_row=per_row
    )


def _identifications(scope: Scope) -> QuerySet[VictimIdentification]:
    """The identifications the viewer's case pages show: in cases where they see personal information. A provider's
    client's shows there only under a consent, but counts here as an aggregate, suppressed outside the provider."""
    visible = VictimIdentification.objects.filter(_pii_cases(scope.user, "participant__case_id"))
    return scope.partition_case(visible, "participant__case")


def _identified(scope: Scope) -> QuerySet[VictimIdentification]:
    """The identifications made in the period, of those the viewer's case pages show."""
    return _identifications(scope).filter(identified_on__range=(scope.start, scope.end))


def _owned_victim(scope: Scope) -> Q:
    return _owned_person(scope.own, "participant__person", "participant__case")


def victims_by_status(scope: Scope) -> Chart:
    chart = _chart(
        "protection.victims_by_status",
        _("Victims identified, potential and confirmed"),
        _("Victims identified in the period, by whether they are potential or confirmed victims today."),
        "bars",
        _("Status"),
        (_("Victims"),),
    )
    found = _fetch(scope, chart.key, lambda s: _grouped(_identified(s), "status", _owned_victim(s)))
    choices = VictimIdentification.Status.choices
    chart.rows = _published(scope, found, _by_choice(choices, 1), _parts_of_known_total(len(choices)))
    return chart


def victims_by_month(scope: Scope) -> Chart:
    chart = _chart(
        "protection.victims_by_month",
        _("Victims identified by month"),
        _("Victims identified each month of the period."),
        "trend",
        _("Month"),
        (_("Victims"),),
    )
    found = _fetch(
        scope,
        chart.key,
        lambda s: _grouped(_identified(s).annotate(month=TruncMonth("identified_on")), "month", _owned_victim(s)),
    )
    sums = _parts_of_known_total(len(month_starts(scope.start, scope.end)))
    chart.rows = _published(scope, found, _by_month(scope, 1), sums)
    return chart


def victims_by_type(scope: Scope) -> Chart:
    chart = _chart(
        "protection.victims_by_type",
        _("Victims identified by type of trafficking"),
        _("Victims identified in the period, by the type of trafficking recorded."),
        "bars",
        _("Type of trafficking"),
        (_("Victims"),),
    )
    found = _fetch(scope, chart.key, lambda s: _grouped(_identified(s), "trafficking_type", _owned_victim(s)))
    choices = VictimIdentification.TraffickingType.choices
    chart.rows = _published(scope, found, _by_choice(choices, 1), _parts_of_known_total(len(choices)))
    return chart


# Age bands: the federal reports' split (minors under 18, adults), and a finer one within it. ``None``: no date of
# birth recorded, so no age.
AGE_BANDS: tuple[tuple[str, int | None, int | None, Promise], ...] = (
    ("under_12", 0, 11, _("Under 12")),
    ("12_17", 12, 17, _("12 to 17")),
    ("18_24", 18, 24, _("18 to 24")),
    ("25_59", 25, 59, _("25 to 59")),
    ("60_up", 60, None, _("60 and over")),
)


def _band_q(low: int | None, high: int | None) -> Q:
    q = Q(age_at_identification__gte=low)
    return q & Q(age_at_identification__lte=high) if high is not None else q


def victims_by_age(scope: Scope) -> Chart:
    """Minors and adults, then the finer bands, as rows of one table: one query of conditional counts."""
    chart = _chart(
        "protection.victims_by_age",
        _("Victims identified by age when identified"),
        _("Victims identified in the period, by their age on the day they were identified."),
        "bars",
        _("Age when identified"),
        (_("Victims"),),
    )
    groups: list[tuple[str, Q, Promise]] = [
        ("minor", Q(age_at_identification__lt=18), _("Minors (under 18)")),
        ("adult", Q(age_at_identification__gte=18), _("Adults (18 and over)")),
        *((key, _band_q(low, high), label) for key, low, high, label in AGE_BANDS),
        ("unknown", Q(age_at_identification__isnull=True), _("Age not known")),
    ]

    def make(s: Scope) -> QuerySet[Any]:
        owned = _owned_victim(s)
        measures: dict[str, Any] = {}
        for key, condition, _label in groups:
            measures[f"{key}_n"] = Count("pk", filter=condition)
            measures[f"{key}_own"] = Count("pk", filter=condition & owned)
        return _one(_identified(s), **measures)

    def lines(found: Found) -> Lines:
        row = _first(found)
        return [_line_of_parts(str(label), row, (key,)) for key, _c, label in groups]

    # Rows: 0 minors, 1 adults, 2-3 the minors' bands, 4-6 the adults', 7 not known. The bands and "not known", and
    # minors, adults and "not known", each sum to the victims identified ("New"); minors and adults to their bands.
    sums: list[Summed] = [(None, (2, 3, 4, 5, 6, 7)), (None, (0, 1, 7)), (0, (2, 3)), (1, (4, 5, 6))]
    chart.rows = _published(scope, _fetch(scope, chart.key, make, one=True), lines, sums)
    return chart


def victims_new_and_continuing(scope: Scope) -> Chart:
    """New: identified in the period. Continuing: identified before it, in a case still open at its start."""
    chart = _chart(
        "protection.victims_new_and_continuing",
        _("Victims served: new and continuing"),
        _(
            "New: identified in the period. Continuing: identified before it, in a case that was not closed before "
            "the period began."
        ),
        "bars",
        _("Victims"),
        (_("Victims"),),
    )

    def make(s: Scope) -> QuerySet[Any]:
        owned = _owned_victim(s)
        new = Q(identified_on__gte=s.start)
        continuing = Q(identified_on__lt=s.start) & (
            Q(participant__case__closed_on__isnull=True) | Q(participant__case__closed_on__gte=s.start)
        )
        return _one(
            _identifications(s).filter(identified_on__lte=s.end),
            new_n=Count("pk", filter=new),
            new_own=Count("pk", filter=new & owned),
            cont_n=Count("pk", filter=continuing),
            cont_own=Count("pk", filter=continuing & owned),
        )

    def lines(found: Found) -> Lines:
        row = _first(found)
        return [_line_of_parts(str(_("New")), row, ("new",)), _line_of_parts(str(_("Continuing")), row, ("cont",))]

    chart.rows = _published(scope, _fetch(scope, chart.key, make, one=True), lines)
    return chart


def _category_counted(user: User, own: int | None, *, category: str, case_id: str, person: str) -> Q:
    """Needs or services (``category``, of ``person`` in the case ``case_id``) counted for ``user``: any of a
    category that tells nothing of a person's health or status; a medical, mental health or immigration one only in
    cases where they see personal information (``view_case_pii``), and a provider's client's only inside the
    provider. Stricter than the case page, which also shows one under a consent (``SENSITIVE_NEEDS``): a count of
    them would have to read each person's consents."""
    others_client = Q(Exists(_clients(person).exclude(entered_by_agency=own)))
    return ~Q(**{f"{category}__in": list(case_selectors.SENSITIVE_NEEDS)}) | (
        _pii_cases(user, case_id, per_row=True) & ~others_client
    )


def _need_counted(user: User, own: int | None, need: str = "") -> Q:
    """Needs (``need``: the path to them, "" in a query of needs) counted for ``user``, by the case page's rule
    (``cases.selectors.needs_visible``) where it can be asked in SQL: the person is one the page lists to them (a
    suspect only with law-enforcement access), and the category as ``_category_counted``."""
    at = f"{need}__" if need else ""
    listed = CaseParticipant.objects.filter(case=OuterRef(f"{at}case"), person=OuterRef(f"{at}person")).filter(
        ~Q(role=CaseParticipant.Role.SUSPECT)
        | case_selectors.cases_held(user, case_selectors.VIEW_LE, "case_id", per_row=True)
    )
    return Q(Exists(listed)) & _category_counted(
        user, own, category=f"{at}category", case_id=f"{at}case_id", person=f"{at}person"
    )


def unmet_needs(scope: Scope) -> Chart:
    """Needs still unmet today among those recorded by the period's end, by category, one column per urgency. A
    medical, mental health or immigration need says something about a person's health or status that the case
    page shows only with their identity (``view_case_pii``), and a provider's client's only under a consent
    (``cases.selectors.SENSITIVE_NEEDS``): such needs are counted only in cases where the viewer sees personal
    information, and a provider's client's only inside the provider. "All" is the sum of the urgencies: a lone
    suppressed cell of a row takes a second with it (``suppression.complement``)."""
    chart = _chart(
        "protection.unmet_needs",
        _("Unmet needs by category and urgency"),
        _("Needs recorded by the end of the period and still unmet today, by category and urgency."),
        "bars",
        _("Category"),
        (_("All"), *(label for _value, label in Need.Urgency.choices)),
    )

    def make(s: Scope) -> QuerySet[Any]:
        needs = Need.objects.filter(
            case_id__in=case_selectors.case_ids_visible_to(s.user),
            status=Need.Status.UNMET,
            created_at__lt=s.until,
        ).filter(_need_counted(s.user, s.own))
        owned = _owned_person(s.own, "person", "case")
        measures: dict[str, Any] = {"n": Count("pk"), "n_own": Count("pk", filter=owned)}
        for value, _label in Need.Urgency.choices:
            measures[f"{value}_n"] = Count("pk", filter=Q(urgency=value))
            measures[f"{value}_own"] = Count("pk", filter=Q(urgency=value) & owned)
        return _values(s.partition_case(needs, "case"), "category").annotate(**measures)

    def lines(found: Found) -> Lines:
        by_category = {row["category"]: row for row in found}
        result = []
        for value, label in Need.Category.choices:
            got = by_category.get(value, {})
            urgencies = _line_of_parts(str(label), got, (u for u, _l in Need.Urgency.choices))[1]
            result.append((str(label), (_tally(got.get("n"), got.get("n_own")), *urgencies)))
        return result

    width = 1 + len(Need.Urgency.choices)
    chart.rows = _published(scope, _fetch(scope, chart.key, make), lines, _across(len(Need.Category.choices), width))
    return chart


# --- Protection: services delivered, immigration relief.


def _withheld_referral(user: User, own: int | None) -> Q:
    """Services recorded by a referral withheld from ``user`` on the case page (``cases.selectors.dossier.
    _referrals_withheld``: one that carries a need hidden from them, which its recipient, a clinic say, would tell,
    unless their own agency sent it), asked of each service's ``referral_id`` in SQL. A need counts as hidden here
    wherever ``_need_counted`` would not count it, which hides at least what the page hides: so such a service is
    never counted where the page would not show it."""
    carried = (
        Referral.needs.through.objects.filter(referral_id=OuterRef("referral_id"))
        .exclude(referral__sender_agency=own)
        .exclude(_need_counted(user, own, "need"))
    )
    return Q(Exists(carried))


def _services(scope: Scope) -> QuerySet[ServiceEvent]:
    """The services provided in the period that the viewer's case pages show (``cases.selectors.services_visible``):
    a victim's, in a case they open, a sensitive category as ``_category_counted``, and none recorded by a referral
    withheld from them."""
    user, own = scope.user, scope.own
    events = (
        ServiceEvent.objects.standing()
        .filter(
            participant__case_id__in=case_selectors.case_ids_visible_to(user),
            participant__role=CaseParticipant.Role.VICTIM,
            provided_on__range=(scope.start, scope.end),
        )
        .filter(
            _category_counted(
                user, own, category="category", case_id="participant__case_id", person="participant__person"
            )
        )
        .filter(Q(referral_id__isnull=True) | ~_withheld_referral(user, own))
    )
    return scope.partition_case(events, "participant__case")


def services_by_category(scope: Scope) -> Chart:
    """Services provided in the period by category, delivered and referred elsewhere side by side. A service is its
    victim's owner's (the provider for its client, else the case's lead agency) and its provider's, who gave it, or
    for a referral made outside the portal the agency that made it (who recorded it). Each
    column's rows are parts of a known total (the quarterly report's services by category): complemented."""
    chart = _chart(
        "protection.services_by_category",
        _("Services delivered by category"),
        _(
            "Services victims received in the period, and referrals made for them outside the portal, by category, "
            "where your case pages show them."
        ),
        "bars",
        _("Service"),
        (_("Delivered"), _("Referred elsewhere")),
    )
    kinds = (("delivered", ServiceEvent.Kind.DELIVERED), ("referred", ServiceEvent.Kind.REFERRED))

    def make(s: Scope) -> QuerySet[Any]:
        owned = (
            _owned_person(s.own, "participant__person", "participant__case")
            | Q(provider=s.own)
            | Q(kind=ServiceEvent.Kind.REFERRED, recorded_by_agency=s.own)
        )
        measures: dict[str, Any] = {}
        for key, kind in kinds:
            measures[f"{key}_n"] = Count("pk", filter=Q(kind=kind))
            measures[f"{key}_own"] = Count("pk", filter=Q(kind=kind) & owned)
        return _values(_services(s), "category").annotate(**measures)

    def lines(found: Found) -> Lines:
        by_category = {row["category"]: row for row in found}
        return [
            _line_of_parts(str(label), by_category.get(value, {}), (key for key, _k in kinds))
            for value, label in ServiceEvent.Category.choices
        ]

    sums = _down(_parts_of_known_total(len(ServiceEvent.Category.choices)), 2, (0, 1))
    chart.rows = _published(scope, _fetch(scope, chart.key, make), lines, sums)
    return chart


def _relief(scope: Scope) -> QuerySet[ReliefAction]:
    """The relief actions the viewer sees (``relief_actions_visible_to``: the case's law-enforcement team and the
    victim's advocate, under 8 U.S.C. 1367), in the cases the filters choose."""
    visible = protection_selectors.relief_actions_visible_to(scope.user, on=scope.today)
    return scope.partition_case(visible, "case")


def _owned_relief(own: int | None) -> Q:
    """A relief action is its victim's owner's (the provider for its client, else the case's lead agency) and its
    requesting or signing agency's (the FBI's Continued Presence on a police case; a declaration asked of HSI)."""
    return _owned_person(own, "participant__person", "case") | Q(requesting_agency=own)


def relief_pending(scope: Scope) -> Chart:
    """Relief requested by the end of the period and not decided today, by type: requested, or submitted."""
    chart = _chart(
        "protection.relief_pending",
        _("Immigration relief pending by type"),
        _(
            "Immigration relief requested by the end of the period and not decided today, by type: requested, or "
            "submitted and awaiting a decision. Counted where you see a victim's relief: the case's law-enforcement "
            "team and the victim's advocate."
        ),
        "bars",
        _("Type of relief"),
        (_("Pending"), _("Requested"), _("Submitted")),
    )
    statuses = (("requested", ReliefAction.Status.REQUESTED), ("submitted", ReliefAction.Status.SUBMITTED))
    keys = ("all", *(key for key, _s in statuses))

    def make(s: Scope) -> QuerySet[Any]:
        owned = _owned_relief(s.own)
        measures: dict[str, Any] = {"all_n": Count("pk"), "all_own": Count("pk", filter=owned)}
        for key, status in statuses:
            measures[f"{key}_n"] = Count("pk", filter=Q(status=status))
            measures[f"{key}_own"] = Count("pk", filter=Q(status=status) & owned)
        pending = _relief(s).filter(status__in=ReliefAction.OPEN, requested_on__lte=s.end)
        return _values(pending, "kind").annotate(**measures)

    def lines(found: Found) -> Lines:
        by_kind = {row["kind"]: row for row in found}
        return [_line_of_parts(str(label), by_kind.get(value, {}), keys) for value, label in ReliefAction.Kind.choices]

    sums = _across(len(ReliefAction.Kind.choices), len(keys))
    chart.rows = _published(scope, _fetch(scope, chart.key, make), lines, sums)
    return chart


# Relief whose expiry is reminded (``protection.rules.EXPIRY_REMINDED``), in two columns, and the bands of days
# before it expires: disjoint, so that no row is another minus a third.
EXPIRING_KINDS: tuple[tuple[str, tuple[str, ...], Promise], ...] = (
    (
        "cp",
        (ReliefAction.Kind.CONTINUED_PRESENCE, ReliefAction.Kind.CONTINUED_PRESENCE_RENEWAL),
        _("Continued Presence"),
    ),
    ("ead", (ReliefAction.Kind.EMPLOYMENT_AUTHORIZATION,), _("Employment authorization")),
)
EXPIRY_BANDS: tuple[tuple[str, int, int, Promise], ...] = (
    ("30", 0, 30, _("Within 30 days")),
    ("60", 31, 60, _("In 31 to 60 days")),
    ("90", 61, 90, _("In 61 to 90 days")),
)


def relief_expiring(scope: Scope) -> Chart:
    """Continued Presence and employment authorization granted by the end of the period that expire within 90 days
    of today, by how soon."""
    chart = _chart(
        "protection.relief_expiring",
        _("Immigration relief expiring"),
        _(
            "Continued Presence and employment authorization granted by the end of the period that expire within "
            "90 days of today, by how soon. Counted where you see a victim's relief."
        ),
        "bars",
        _("Expires"),
        (_("All"), *(label for _key, _kinds, label in EXPIRING_KINDS)),
    )

    def make(s: Scope) -> QuerySet[Any]:
        today = s.today
        owned = _owned_relief(s.own)
        measures: dict[str, Any] = {}
        for band, low, high, _label in EXPIRY_BANDS:
            when = Q(expires_on__range=(today + timedelta(days=low), today + timedelta(days=high)))
            measures[f"{band}_all_n"] = Count("pk", filter=when)
            measures[f"{band}_all_own"] = Count("pk", filter=when & owned)
            for key, kinds, _l in EXPIRING_KINDS:
                measures[f"{band}_{key}_n"] = Count("pk", filter=when & Q(kind__in=kinds))
                measures[f"{band}_{key}_own"] = Count("pk", filter=when & Q(kind__in=kinds) & owned)
        expiring = _relief(s).filter(
            kind__in=[kind for _key, kinds, _l in EXPIRING_KINDS for kind in kinds],
            status=ReliefAction.Status.GRANTED,
            decided_on__lte=s.end,
            expires_on__range=(today, today + timedelta(days=EXPIRY_BANDS[-1][2])),
        )
        return _one(expiring, **measures)

    def lines(found: Found) -> Lines:
        row = _first(found)
        return [
            _line_of_parts(str(label), row, (f"{band}_all", *(f"{band}_{key}" for key, _k, _l in EXPIRING_KINDS)))
            for band, _low, _high, label in EXPIRY_BANDS
        ]

    sums = _across(len(EXPIRY_BANDS), 1 + len(EXPIRING_KINDS))
    chart.rows = _published(scope, _fetch(scope, chart.key, make, one=True), lines, sums)
    return chart


def _ever_accepted() -> Q:
    """Referrals their recipient accepted at some time, read from the timeline (the partial index of acceptances):
    one accepted and later cancelled was accepted all the same, which its status no longer says."""
    return Q(Exists(ReferralEvent.objects.filter(referral=OuterRef("pk"), to_status=Referral.Status.ACCEPTED)))


def _service_referrals(scope: Scope, *, parted: bool = True) -> QuerySet[Referral]:
    """The service referrals sent in the period that the viewer stands on a side of; ``parted``: ready for the
    filters (``Scope.partition_case``), not where they are a subquery's list."""
    referrals = scope.referrals.filter(scope.during("created_at"), kind=Referral.Kind.SERVICE)
    referrals = referrals.exclude(status__in=[Referral.Status.DRAFT, Referral.Status.ENTERED_IN_ERROR])
    return scope.partition_case(referrals, "case") if parted else referrals


def _provider_name(prefix: str = "") -> Coalesce:
    """Whom a service referral went to: the portal agency, else the directory organization it reached by e-mail or
    phone. One row per agency however many of its listings were chosen."""
    return Coalesce(f"{prefix}recipient_agency__name", f"{prefix}recipient_service__organization__name")


_PROVIDER_NAME = _provider_name()


def referral_outcomes(scope: Scope) -> Chart:
    """Per provider: referrals sent in the period, accepted, declined, service delivered, the acceptance rate
    (accepted of those answered) and the mean days from sending to acceptance. Two queries: the counts, and the
    times from the acceptance events. A referral is its sender's and its recipient's: either reads it whole."""
    chart = _chart(
        "protection.referral_outcomes",
        _("Service referrals by provider"),
        _(
            "Service referrals sent in the period, by the provider they went to: how many were accepted, declined "
            "and delivered, the share accepted of those answered, and the mean days to accept."
        ),
        "bars",
        _("Provider"),
        (
            _("Sent"),
            _("Accepted"),
            _("Declined"),
            _("Service delivered"),
            _("Accepted of answered"),
            _("Mean days to accept"),
        ),
    )

    def make(s: Scope) -> QuerySet[Any]:
        owned = Q(sender_agency=s.own) | Q(recipient_agency=s.own)
        accepted, declined = _ever_accepted(), Q(status=Referral.Status.REJECTED)
        delivered = Q(outcome=Referral.Outcome.SERVICE_DELIVERED)
        return _values(_service_referrals(s), a=F("recipient_agency"), name=_PROVIDER_NAME).annotate(
            n=Count("pk"),
            n_own=Count("pk", filter=owned),
            acc=Count("pk", filter=accepted),
            acc_own=Count("pk", filter=accepted & owned),
            dec=Count("pk", filter=declined),
            dec_own=Count("pk", filter=declined & owned),
            deliv=Count("pk", filter=delivered),
            deliv_own=Count("pk", filter=delivered & owned),
        )

    found = _fetch(scope, chart.key, make)
    # One line per provider found, in every part's table (filtered, the parts' providers together)
    # (the unfiltered chart's too: ``_published`` adds the parts up into it), in one order.
    providers = sorted({(row["a"], row["name"]) for row in found}, key=lambda p: (p[1] or "", _in_order((p[0],))))
    measures = ("n", "acc", "dec", "deliv")

    def lines(rows: Found) -> Lines:
        by_provider = {(row["a"], row["name"]): row for row in rows}
        return [
            (
                str(name or _("Outside the portal")),
                tuple(_tally(by_provider[(a, name)][m], by_provider[(a, name)][f"{m}_own"]) for m in measures)
                if (a, name) in by_provider
                else (NO_RECORD,) * len(measures),
            )
            for a, name in providers
        ]

    # Sent and delivered, summed over the providers, are the outcomes chart's total and its "Service delivered".
    sums = _down(_parts_of_known_total(len(providers)), len(measures), (0, 3))
    waits = _days_to_accept(scope)
    built = []
    for done, provider in zip(_published(scope, found, lines, sums), providers, strict=True):
        if scope.filtered and done.cells[0].value == 0:
            continue  # a provider the chosen part sent nothing to (another part's)
        acc, dec = done.cells[1], done.cells[2]
        built.append(Row(done.label, (*done.cells, _rate(acc, dec), _wait(waits.get(provider), acc))))
    built.sort(key=lambda r: (-r.cells[0].plotted, r.label))
    chart.rows = built
    return chart


def referral_outcome_kinds(scope: Scope) -> Chart:
    """How the service referrals sent in the period ended, by the outcome recorded (those with none yet apart)."""
    chart = _chart(
        "protection.referral_outcome_kinds",
        _("Service referrals by outcome"),
        _("Service referrals sent in the period, by the outcome recorded so far."),
        "bars",
        _("Outcome"),
        (_("Referrals"),),
    )
    found = _fetch(
        scope,
        chart.key,
        lambda s: _grouped(_service_referrals(s), "outcome", Q(sender_agency=s.own) | Q(recipient_agency=s.own)),
    )
    outcomes = [(v, label) for v, label in Referral.Outcome.choices if v != Referral.Outcome.JOINED_CASE]
    order = [*outcomes, ("", _("No outcome yet"))]
    chart.rows = _published(scope, found, _by_choice(order, 1), _parts_of_known_total(len(order)))
    return chart


def _rate(accepted: Cell, declined: Cell) -> Cell:
    """Accepted of answered, in percent: shown only when both counts are (a rate of suppressed counts tells them)."""
    if accepted.value is None or declined.value is None:
        return not_shown()
    answered = accepted.value + declined.value
    if not answered:
        return figure(NOTHING)
    return figure(number_format(round(100 * accepted.value / answered)) + "%")


def _days_to_accept(scope: Scope) -> dict[tuple[int | None, str | None], tuple[timedelta | None, int, int]]:
    """Per provider (as ``referral_outcomes`` groups them): the mean time from sending to first acceptance, the
    referrals accepted, and how many of them are the viewer's agency's. One query over the first acceptance event of
    each referral the chart counts (one accepted, put on hold and accepted again waited once). Filtered, the query
    counts every part (``_Partition``), and the chosen part's or union's mean is its parts' weighted by their
    referrals."""

    def make(s: Scope) -> QuerySet[Any]:
        owned = Q(referral__sender_agency=s.own) | Q(referral__recipient_agency=s.own)
        waited = ExpressionWrapper(F("occurred_at") - F("referral__created_at"), output_field=DurationField())
        accepted = ReferralEvent.objects.filter(to_status=Referral.Status.ACCEPTED)
        earlier = accepted.filter(referral=OuterRef("referral")).filter(
            Q(occurred_at__lt=OuterRef("occurred_at")) | Q(occurred_at=OuterRef("occurred_at"), pk__lt=OuterRef("pk"))
        )
        first = accepted.filter(referral__in=_service_referrals(s, parted=False).values("pk")).filter(~Exists(earlier))
        return _values(
            s.partition_case(first, "referral__case"),
            a=F("referral__recipient_agency"),
            name=_provider_name("referral__"),
        ).annotate(
            mean=Avg(waited),
            n=Count("referral", distinct=True),
            n_own=Count("referral", distinct=True, filter=owned),
        )

    found = _fetch(scope, "protection.referral_outcomes.days_to_accept", make)
    if not scope.filtered:
        return {(row["a"], row["name"]): (row["mean"], row["n"], row["n_own"]) for row in found}
    partition = _Partition.of(scope, found)
    waited: dict[tuple[int | None, str | None], tuple[timedelta, int, int]] = {}
    for key in sorted(partition.covering(partition.chosen), key=_in_order):
        for row in partition.parts[key]:
            if row["mean"] is None:
                continue
            total, n, n_own = waited.get((row["a"], row["name"]), (timedelta(0), 0, 0))
            waited[(row["a"], row["name"])] = (total + row["mean"] * row["n"], n + row["n"], n_own + row["n_own"])
    return {provider: (total / n, n, n_own) for provider, (total, n, n_own) in waited.items() if n}


def _wait(value: tuple[timedelta | None, int, int] | None, accepted: Cell | None = None) -> Cell:
    """The mean days to accept, shown when the number of referrals behind it is (a mean of one is its value), and
    as the chart shows it (``accepted``: suppressed beside another part's small cell, the mean would tell the sum of
    the waits); "not shown" otherwise."""
    if value is None or value[0] is None:
        return figure(NOTHING)
    mean, n, n_own = value
    assert mean is not None
    if cell(n, n_own).suppressed or (accepted is not None and accepted.suppressed):
        return not_shown()
    return figure(number_format(mean.total_seconds() / 86400, decimal_pos=1))


# --- Pipeline: tips and referrals waiting.


def _tips(scope: Scope) -> QuerySet[Tip]:
    return scope.partition_agency(tip_selectors.tip_list_visible_to(scope.user), "receiving_agency")


def tips_by_status(scope: Scope) -> Chart:
    chart = _chart(
        "pipeline.tips_by_status",
        _("Tips by status"),
        _("Tips received in the period, by where they stand today."),
        "bars",
        _("Status"),
        (_("Tips"),),
    )
    found = _fetch(
        scope,
        chart.key,
        lambda s: _grouped(_tips(s).filter(s.during("received_at")), "status", Q(receiving_agency=s.own)),
    )
    chart.rows = _published(scope, found, _by_choice(Tip.Status.choices, 1))
    return chart


def overdue_now(scope: Scope) -> Chart:
    """Today's backlog, whatever the period: tips awaiting assessment and referrals awaiting an answer past their
    deadlines. Two queries."""
    chart = _chart(
        "pipeline.overdue",
        _("Overdue now"),
        _("Tips awaiting assessment and referrals awaiting an answer past their deadlines, today."),
        "bars",
        _("Waiting"),
        (_("Overdue"),),
    )
    tips = _fetch(
        scope,
        "pipeline.overdue.tips",
        lambda s: _grouped(_tips(s).filter(Tip.objects.overdue_q(s.now)), None, Q(receiving_agency=s.own)),
        one=True,
    )
    late = _fetch(
        scope,
        "pipeline.overdue.referrals",
        lambda s: _grouped(
            s.partition_case(s.referrals.filter(Referral.objects.overdue_q(s.now)), "case"),
            None,
            Q(sender_agency=s.own) | Q(recipient_agency=s.own),
        ),
        one=True,
    )
    # Tips are their receiving agency's, referrals reached through their case: each row its own partition.
    chart.rows = [
        *_published(scope, tips, _by_choice([(None, _("Tips awaiting assessment"))], 1)),
        *_published(scope, late, _by_choice([(None, _("Referrals awaiting an answer"))], 1)),
    ]
    return chart


# --- Investigations: cases opened.


def _cases(scope: Scope) -> QuerySet[Case]:
    cases = case_selectors.case_list_visible_to(scope.user).filter(opened_on__range=(scope.start, scope.end))
    return scope.partition_case(cases)


def cases_by_month(scope: Scope) -> Chart:
    chart = _chart(
        "investigations.cases_by_month",
        _("Cases opened by month"),
        _("Cases opened each month of the period."),
        "trend",
        _("Month"),
        (_("Cases"),),
    )
    found = _fetch(
        scope,
        chart.key,
        lambda s: _grouped(_cases(s).annotate(month=TruncMonth("opened_on")), "month", Q(lead_agency=s.own)),
    )
    sums = _parts_of_known_total(len(month_starts(scope.start, scope.end)))
    chart.rows = _published(scope, found, _by_month(scope, 1), sums)
    return chart


def cases_by_type(scope: Scope) -> Chart:
    chart = _chart(
        "investigations.cases_by_type",
        _("Cases opened by type of trafficking"),
        _("Cases opened in the period, by type of trafficking."),
        "bars",
        _("Type"),
        (_("Cases"),),
    )
    found = _fetch(scope, chart.key, lambda s: _grouped(_cases(s), "case_type", Q(lead_agency=s.own)))
    chart.rows = _published(
        scope, found, _by_choice(Case.Type.choices, 1), _parts_of_known_total(len(Case.Type.choices))
    )
    return chart


# --- Prosecution: arrests, charges, charging decisions, dispositions. Law-enforcement-sensitive: counted only in the
# cases whose law-enforcement information the viewer reads (``arrests_visible_to``, ``charges_visible_to``).


def _arrests(scope: Scope) -> QuerySet[Arrest]:
    return scope.partition_case(prosecution_selectors.arrests_visible_to(scope.user), "case")


def _charges(scope: Scope) -> QuerySet[Charge]:
    return scope.partition_case(prosecution_selectors.charges_visible_to(scope.user), "arrest__case")


def _owned_charge(own: int | None) -> Q:
    """A charge is the case's lead agency's, the arresting agency's (who charged at arrest) and, once decided, the
    prosecuting office's."""
    return Q(arrest__case__lead_agency=own) | Q(arrest__arresting_agency=own) | Q(prosecuting_agency=own)


_BY_STATUTE = (("all", Q()), ("trafficking", Q(is_trafficking=True)), ("other", Q(is_trafficking=False)))
_STATUTE_COLUMNS = (_("All"), _("Trafficking statute"), _("Other statute"))


def _charges_by_statute_rows(scope: Scope, name: str, groups: Callable[[Scope], list[tuple[str, Q, str]]]) -> list[Row]:
    """One row per group (a condition on the charges), each with all charges, those under a trafficking statute and
    the others: one query of conditional counts; "All" is the sum of the other two (complemented)."""

    def make(s: Scope) -> QuerySet[Any]:
        owned = _owned_charge(s.own)
        measures: dict[str, Any] = {}
        wanted = Q()
        for key, condition, _label in groups(s):
            wanted |= condition
            for column, statute in _BY_STATUTE:
                measures[f"{key}_{column}_n"] = Count("pk", filter=condition & statute)
                measures[f"{key}_{column}_own"] = Count("pk", filter=condition & statute & owned)
        return _one(_charges(s).filter(wanted), **measures)

    def lines(found: Found) -> Lines:
        row = _first(found)
        return [
            _line_of_parts(label, row, [f"{key}_{column}" for column, _s in _BY_STATUTE])
            for key, _c, label in groups(scope)
        ]

    sums = _across(len(groups(scope)), len(_BY_STATUTE))
    return _published(scope, _fetch(scope, name, make, one=True), lines, sums)


def arrests_by_month(scope: Scope) -> Chart:
    """Arrests made each month of the period. An arrest is its arresting agency's and the case's lead agency's. The
    months are parts of a known total (the quarterly report's arrests): complemented."""
    chart = _chart(
        "prosecution.arrests_by_month",
        _("Arrests by month"),
        _("Arrests made each month of the period, in the cases whose law-enforcement information you read."),
        "trend",
        _("Month"),
        (_("Arrests"),),
    )

    def make(s: Scope) -> QuerySet[Any]:
        arrests = _arrests(s).filter(arrested_on__range=(s.start, s.end)).annotate(month=TruncMonth("arrested_on"))
        return _grouped(arrests, "month", Q(arresting_agency=s.own) | Q(case__lead_agency=s.own))

    found = _fetch(scope, chart.key, make)
    sums = _parts_of_known_total(len(month_starts(scope.start, scope.end)))
    chart.rows = _published(scope, found, _by_month(scope, 1), sums)
    return chart


def charges_by_statute(scope: Scope) -> Chart:
    """The charges of the arrests made in the period, under a trafficking statute or another (``is_trafficking``:
    18 U.S.C. 1581-1597 and the statutes the task force lists). Parts of a known total (the quarterly report's
    charges): complemented."""
    chart = _chart(
        "prosecution.charges_by_statute",
        _("Charges: trafficking and other"),
        _(
            "Charges of the arrests made in the period, under a trafficking statute (18 U.S.C. 1581 to 1597 and the "
            "state statutes your task force lists) or another, in the cases whose law-enforcement information you "
            "read."
        ),
        "bars",
        _("Statute"),
        (_("Charges"),),
    )
    found = _fetch(
        scope,
        chart.key,
        lambda s: _grouped(
            _charges(s).filter(arrest__arrested_on__range=(s.start, s.end)), "is_trafficking", _owned_charge(s.own)
        ),
    )
    order = ((True, _("Trafficking statute")), (False, _("Other statute")))
    chart.rows = _published(scope, found, _by_choice(order, 1), _parts_of_known_total(len(order)))
    return chart


def charging_decisions(scope: Scope) -> Chart:
    """Charging decisions made in the period (charged, declined), and the charges of arrests made by its end still
    awaiting one today; each split by statute."""
    chart = _chart(
        "prosecution.charging_decisions",
        _("Charging decisions"),
        _(
            "Charges a prosecutor brought or declined in the period, and charges of arrests made by its end still "
            "awaiting a decision today, by statute, in the cases whose law-enforcement information you read."
        ),
        "bars",
        _("Decision"),
        _STATUTE_COLUMNS,
    )

    def groups(s: Scope) -> list[tuple[str, Q, str]]:
        decided = Q(decided_on__range=(s.start, s.end))
        D = Charge.Decision
        return [
            ("charged", decided & Q(decision=D.CHARGED), str(D.CHARGED.label)),
            ("declined", decided & Q(decision=D.DECLINED), str(D.DECLINED.label)),
            ("pending", Q(decision=D.PENDING, arrest__arrested_on__lte=s.end), str(D.PENDING.label)),
        ]

    chart.rows = _charges_by_statute_rows(scope, chart.key, groups)
    return chart


def dispositions(scope: Scope) -> Chart:
    """Charges disposed of in the period, by disposition, and the charges brought by its end still pending today;
    each split by statute."""
    chart = _chart(
        "prosecution.dispositions",
        _("Dispositions"),
        _(
            "Charges disposed of in the period (convicted at trial, guilty plea, dismissed, acquitted), and charges "
            "brought by its end still pending today, by statute, in the cases whose law-enforcement information you "
            "read."
        ),
        "bars",
        _("Disposition"),
        _STATUTE_COLUMNS,
    )

    def groups(s: Scope) -> list[tuple[str, Q, str]]:
        P = Charge.Disposition
        disposed = Q(disposed_on__range=(s.start, s.end))
        done = [(value, label) for value, label in P.choices if value != P.PENDING]
        found = [(value, disposed & Q(disposition=value), str(label)) for value, label in done]
        pending = Q(disposition=P.PENDING, decision=Charge.Decision.CHARGED, decided_on__lte=s.end)
        return [*found, (P.PENDING, pending, str(P.PENDING.label))]

    chart.rows = _charges_by_statute_rows(scope, chart.key, groups)
    return chart


# --- The registry, in page order.

SECTIONS: list[Section] = [
    Section(
        "prevention",
        _("Prevention"),
        (
            ChartSpec("prevention.outreach_by_kind", outreach_by_kind),
            ChartSpec("prevention.outreach_by_audience", outreach_by_audience),
            ChartSpec("prevention.outreach_by_month", outreach_by_month),
        ),
        link=("outreach_list", _("Your agency's outreach events, and recording one")),
    ),
    Section(
        "protection",
        _("Protection"),
        (
            ChartSpec("protection.victims_by_status", victims_by_status),
            ChartSpec("protection.victims_by_month", victims_by_month),
            ChartSpec("protection.victims_by_type", victims_by_type),
            ChartSpec("protection.victims_by_age", victims_by_age),
            ChartSpec("protection.victims_new_and_continuing", victims_new_and_continuing),
            ChartSpec("protection.services_by_category", services_by_category),
            ChartSpec("protection.unmet_needs", unmet_needs),
            ChartSpec("protection.relief_pending", relief_pending),
            ChartSpec("protection.relief_expiring", relief_expiring),
            ChartSpec("protection.referral_outcomes", referral_outcomes),
            ChartSpec("protection.referral_outcome_kinds", referral_outcome_kinds),
        ),
    ),
    Section(
        "pipeline",
        _("Pipeline"),
        (
            ChartSpec("pipeline.tips_by_status", tips_by_status),
            ChartSpec("pipeline.overdue", overdue_now),
        ),
    ),
    Section(
        "investigations",
        _("Investigations"),
        (
            ChartSpec("investigations.cases_by_month", cases_by_month),
            ChartSpec("investigations.cases_by_type", cases_by_type),
        ),
    ),
    Section(
        "prosecution",
        _("Prosecution"),
        (
            ChartSpec("prosecution.arrests_by_month", arrests_by_month),
            ChartSpec("prosecution.charges_by_statute", charges_by_statute),
            ChartSpec("prosecution.charging_decisions", charging_decisions),
            ChartSpec("prosecution.dispositions", dispositions),
        ),
    ),
]


def chart_spec(key: str) -> ChartSpec | None:
    return next((spec for section in SECTIONS for spec in section.charts if spec.key == key), None)


# Whether each query ``_fetch`` answered while one chart was built was known to match nothing without asking.
_ASKED: ContextVar[list[bool] | None] = ContextVar("reports_sections_asked", default=None)


def build_chart(spec: ChartSpec, scope: Scope) -> Chart:
    """``spec``'s chart for ``scope``, marked ``unseen`` when none of the records it counts are among those the
    viewer may see (every query of it known empty without asking: a coordinator's role reads no relief and no
    prosecution; a coordination office in no task force watches no referral), so that the page says so rather than
    draw zeros."""
    asked: list[bool] = []
    token = _ASKED.set(asked)
    try:
        chart = spec.build(scope)
    finally:
        _ASKED.reset(token)
    chart.unseen = bool(asked) and all(asked)
    return chart


def build(scope: Scope) -> list[BuiltSection]:
    """Every section's charts for ``scope``: a constant number of queries (one or two per chart)."""
    return [BuiltSection(s.key, s.title, [build_chart(spec, scope) for spec in s.charts], s.link) for s in SECTIONS]
