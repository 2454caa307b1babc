"""The quarterly report's measures: what each counts, in the portal's grant order, and how they are computed
(decision 0037).

A report is one agency's, for one federal fiscal quarter, of one kind decided by the agency's kind: the
law-enforcement measures for law enforcement and prosecutors, the victim-service measures for victim service
providers. It counts only the agency's own records (its cases, its victims or clients, its arrests and the charges
it brought or decided, its services, its referrals, its events), so every cell is exact: nothing here is
suppressed, and nothing of another agency's partition is counted (a provider's client is the provider's wherever
the case is led, as on the dashboard, decision 0036).

The measures are tables (``Table``): rows by columns, each cell a measure with its own code (``LE-3.2a``: table
LE-3, second row, first column), so that the page shows tables with captions and the CSV an ordered list of (code,
question, value). The order of ``TABLES`` is the portal's grant order.

Each kind costs a fixed number of queries whatever the number of records (five for law enforcement, four for a
victim service provider): one grouped or conditional count per subject, nothing looped over records in Python
(the loops here are over the groups found, whose number the choices bound).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from django.db.models import Case as Conditional
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Least, TruncDate
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from cases.models import (
    Case,
    CaseParticipant,
    Person,
    ServiceEvent,
    VictimIdentification,
)
from cases.selectors import VIEW_LE, cases_held_by_agency
from portal.categories import NeedCategory
from prosecution.models import Arrest, Charge
from referrals.models import Referral, ReferralEvent
from reports.fiscal import FiscalQuarter
from reports.models import OutreachEvent, QuarterlyReport, snapshot_digest

Kind = QuarterlyReport.Kind

LAW_ENFORCEMENT_KINDS = frozenset(
    {Agency.Kind.FEDERAL_LE, Agency.Kind.STATE_LE, Agency.Kind.LOCAL_LE, Agency.Kind.PROSECUTOR}
)


def report_kind_of(agency: Agency | None) -> str | None:
    """The one kind of report ``agency`` makes, or None for an agency that makes none (coordination, other
    government): the law-enforcement measures for law enforcement and prosecutors, the victim-service measures for
    victim service providers."""
    if agency is None:
        return None
    if agency.kind in LAW_ENFORCEMENT_KINDS:
        return Kind.LAW_ENFORCEMENT
    if agency.kind == Agency.Kind.VICTIM_SERVICES:
        return Kind.VICTIM_SERVICES
    return None


# --- The tables, in the portal's grant order.

Choices = tuple[tuple[str, str | Promise], ...]

NEW, CONTINUING = "new", "continuing"
NEW_AND_CONTINUING: Choices = ((NEW, _("New this fiscal year")), (CONTINUING, _("Continuing")))
NOT_RECORDED = "not_recorded"  # no identification, or the field left blank


@dataclass(frozen=True)
class Table:
    code: str  # "LE-3"
    title: str | Promise  # the caption
    description: str | Promise  # what it counts, under the caption
    row_heading: str | Promise
    rows: Choices
    columns: Choices

    def cell_code(self, row: int, column: int) -> str:
        """``LE-3.2a``: the table, the row (from 1) and, when there are several columns, the column's letter."""
        letter = "abcdefghij"[column] if len(self.columns) > 1 else ""
        return f"{self.code}.{row + 1}{letter}"

    def question(self, row: int, column: int) -> str:
        """The cell's question, in the active language: the table, the row and (when several) the column."""
        words = {"table": self.title, "row": self.rows[row][1]}
        if len(self.columns) == 1:
            return gettext("%(table)s: %(row)s") % words
        return gettext("%(table)s: %(row)s (%(column)s)") % {**words, "column": self.columns[column][1]}

    def cells(self) -> Iterable[tuple[str, str, str, int, int]]:
        """(code, row key, column key, row index, column index) of every cell, rows first."""
        for r, (row_key, _row) in enumerate(self.rows):
            for c, (column_key, _column) in enumerate(self.columns):
                yield self.cell_code(r, c), row_key, column_key, r, c


TYPES: Choices = (*VictimIdentification.TraffickingType.choices, (NOT_RECORDED, _("No identification recorded")))
AGE_GROUPS: Choices = (
    ("minor", _("Minor (under 18)")),
    ("adult", _("Adult (18 and over)")),
    ("unknown", _("Age not known (no date of birth)")),
    (NOT_RECORDED, _("No identification recorded")),
)
CITIZENSHIPS: Choices = (*VictimIdentification.Citizenship.choices, (NOT_RECORDED, _("Not recorded")))
GENDERS: Choices = (*VictimIdentification.Gender.choices, (NOT_RECORDED, _("Not recorded")))
CASE_TYPES: Choices = (("all", _("All")), *Case.Type.choices)
BROUGHT: Choices = (("all", _("All charges")), ("trafficking", _("Under a trafficking statute")))

LAW_ENFORCEMENT_TABLES: tuple[Table, ...] = (
    Table(
        "LE-1",
        _("Investigations"),
        _(
            "Cases the agency leads: opened in the quarter; opened before it and not closed before it; closed in "
            "it. By the case's type of trafficking."
        ),
        _("Investigations"),
        (
            ("new", _("New (opened in the quarter)")),
            ("ongoing", _("Ongoing (opened before the quarter)")),
            ("closed", _("Closed in the quarter")),
        ),
        CASE_TYPES,
    ),
    Table(
        "LE-2",
        _("Potential victims, new and continuing"),
        _(
            "Victims on the agency's cases that were open in the quarter, each person once: new in the first quarter "
            "of the fiscal year in which they were on an open case of the agency, continuing in its later quarters. "
            "A victim service provider's client is the provider's and is not counted here."
        ),
        _("Victims"),
        NEW_AND_CONTINUING,
        (("victims", _("Victims")),),
    ),
    Table(
        "LE-3",
        _("Potential victims by type of trafficking"),
        _("The victims of LE-2 by the type of trafficking of their latest identification."),
        _("Type of trafficking"),
        TYPES,
        NEW_AND_CONTINUING,
    ),
    Table(
        "LE-4",
        _("Potential victims by age group"),
        _("The victims of LE-2 by their age when identified (latest identification)."),
        _("Age group"),
        AGE_GROUPS,
        NEW_AND_CONTINUING,
    ),
    Table(
        "LE-5",
        _("Potential victims by citizenship"),
        _("The victims of LE-2 by the citizenship of their latest identification."),
        _("Citizenship"),
        CITIZENSHIPS,
        NEW_AND_CONTINUING,
    ),
    Table(
        "LE-6",
        _("Arrests"),
        _("Arrests the agency made in the quarter, and the people they arrested."),
        _("Arrests"),
        (("arrests", _("Arrests")), ("people", _("People arrested"))),
        (("count", _("Number")),),
    ),
    Table(
        "LE-7",
        _("Charges"),
        _("The charges of the agency's arrests in the quarter, under a trafficking statute or another."),
        _("Charges"),
        (
            ("all", _("All charges")),
            ("trafficking", _("Under a trafficking statute")),
            ("other", _("Under another statute")),
        ),
        (("count", _("Charges")),),
    ),
    Table(
        "LE-8",
        _("Charging decisions"),
        _(
            "Charging decisions made in the quarter on the charges of the agency's arrests, or by the agency as "
            "prosecutor."
        ),
        _("Decision"),
        ((Charge.Decision.CHARGED, _("Charged")), (Charge.Decision.DECLINED, _("Declined"))),
        BROUGHT,
    ),
    Table(
        "LE-9",
        _("Dispositions"),
        _("Dispositions in the quarter of the charges of LE-8's kind (the agency's arrests or decisions)."),
        _("Disposition"),
        tuple((value, label) for value, label in Charge.Disposition.choices if value != Charge.Disposition.PENDING),
        BROUGHT,
    ),
    Table(
        "LE-10",
        _("Trainings"),
        _("Training events for professionals the agency held in the quarter, and the people trained."),
        _("Trainings"),
        (("events", _("Trainings held")), ("people", _("People trained"))),
        (("count", _("Number")),),
    ),
)

VICTIM_SERVICE_TABLES: tuple[Table, ...] = (
    Table(
        "VS-1",
        _("Clients served, new and continuing"),
        _(
            "The agency's clients served in the quarter, each person once: identified in it, given or referred to a "
            "service by the agency in it, or referred through the portal by the agency in it. New in the first "
            "quarter of the fiscal year in which they were served, continuing in its later quarters."
        ),
        _("Clients"),
        NEW_AND_CONTINUING,
        (("clients", _("Clients")),),
    ),
    Table(
        "VS-2",
        _("Clients by type of trafficking"),
        _("The clients of VS-1 by the type of trafficking of their latest identification."),
        _("Type of trafficking"),
        TYPES,
        NEW_AND_CONTINUING,
    ),
    Table(
        "VS-3",
        _("Clients by age group"),
        _("The clients of VS-1 by their age when identified (latest identification)."),
        _("Age group"),
        AGE_GROUPS,
        NEW_AND_CONTINUING,
    ),
    Table(
        "VS-4",
        _("Clients by gender"),
        _("The clients of VS-1 by the gender of their latest identification."),
        _("Gender"),
        GENDERS,
        NEW_AND_CONTINUING,
    ),
    Table(
        "VS-5",
        _("Clients by citizenship"),
        _("The clients of VS-1 by the citizenship of their latest identification."),
        _("Citizenship"),
        CITIZENSHIPS,
        NEW_AND_CONTINUING,
    ),
    Table(
        "VS-6",
        _("Services by category"),
        _(
            "Services the agency delivered in the quarter, and referrals it made outside the portal, by category "
            "(to any victim: a service is the agency's work whoever entered the person)."
        ),
        _("Service"),
        tuple(NeedCategory.choices),
        tuple(ServiceEvent.Kind.choices),
    ),
    Table(
        "VS-7",
        _("Referrals made"),
        _("Service referrals the agency sent through the portal in the quarter, and how they stand today."),
        _("Referrals"),
        (
            ("sent", _("Sent")),
            ("accepted", _("Accepted")),
            ("declined", _("Declined")),
            ("delivered", _("Service delivered")),
        ),
        (("count", _("Referrals")),),
    ),
    Table(
        "VS-8",
        _("Outreach and training"),
        _("Outreach and training events the agency held in the quarter, and the people they reached, by kind."),
        _("Kind"),
        tuple(OutreachEvent.Kind.choices),
        (("events", _("Events")), ("people", _("People reached"))),
    ),
)

TABLES: dict[str, tuple[Table, ...]] = {
    Kind.LAW_ENFORCEMENT: LAW_ENFORCEMENT_TABLES,
    Kind.VICTIM_SERVICES: VICTIM_SERVICE_TABLES,
}


# --- The draft: the measures computed now from the records.


@dataclass(frozen=True)
class Measure:
    code: str
    question: str
    value: int


# A cell of a table: (table code, row key, column key) -> value.
Found = dict[tuple[str, str, str], int]


@dataclass(frozen=True)
class Draft:
    """The measures of ``agency``'s report of ``quarter`` as the records say now (``values``: code -> count, in the
    grant order). Its ``content`` is what a signature freezes and its ``digest`` what the sign-off form carries."""

    agency: Agency
    quarter: FiscalQuarter
    kind: str
    values: dict[str, int]

    def measures(self) -> list[Measure]:
        """Every measure in the grant order, its question in the active language."""
        return [
            Measure(code, table.question(r, c), self.values[code])
            for table in TABLES[self.kind]
            for code, _row, _column, r, c in table.cells()
        ]

    @cached_property
    def content(self) -> dict[str, Any]:
        """What the report says, in English (the grant system's language, and so the digest is the same whoever
        reads it): the agency, the quarter, the kind and every measure as code, question and value."""
        with translation.override("en"):
            measures = [{"code": m.code, "question": m.question, "value": m.value} for m in self.measures()]
        return {
            "agency": {"id": self.agency.pk, "name": self.agency.name, "kind": self.agency.kind},
            "quarter": self.quarter.code,
            "period": {"start": self.quarter.start.isoformat(), "end": self.quarter.end.isoformat()},
            "kind": self.kind,
            "measures": measures,
        }

    @cached_property
    def digest(self) -> str:
        return snapshot_digest(self.content)


def compute(agency: Agency, quarter: FiscalQuarter) -> Draft:
    """``agency``'s report of ``quarter`` from the records as they are now: five queries for law enforcement, four
    for a victim service provider. ``ValueError`` for an agency that makes no report."""
    kind = report_kind_of(agency)
    if kind is None:
        raise ValueError(f"Agency #{agency.pk} makes no quarterly report.")
    found: Found = {}
    if kind == Kind.LAW_ENFORCEMENT:
        found |= _investigations(agency, quarter)
        found |= _victims(agency, quarter, kind)
        found |= _arrests(agency, quarter)
        found |= _charges(agency, quarter)
        found |= _outreach(agency, quarter, "LE-10")
    else:
        found |= _victims(agency, quarter, kind)
        found |= _services(agency, quarter)
        found |= _referrals(agency, quarter)
        found |= _outreach(agency, quarter, "VS-8")
    values = {
        code: found.get((table.code, row, column), 0)
        for table in TABLES[kind]
        for code, row, column, _r, _c in table.cells()
    }
    return Draft(agency, quarter, kind, values)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _instants(start: date, end: date) -> dict[str, datetime]:
    """A period of days as bounds on a timestamp (local midnight to the next day's): an index serves them."""
    return {"gte": _start_of(start), "lt": _start_of(end + timedelta(days=1))}


# --- Law enforcement: investigations.


def _investigations(agency: Agency, quarter: FiscalQuarter) -> Found:
    start, end = quarter.start, quarter.end
    states = {
        "new": Q(opened_on__range=(start, end)),
        "ongoing": Q(opened_on__lt=start) & (Q(closed_on__isnull=True) | Q(closed_on__gte=start)),
        "closed": Q(closed_on__range=(start, end)),
    }
    types: dict[str, Q] = {"all": Q()} | {value: Q(case_type=value) for value, _label in Case.Type.choices}
    measures = {
        f"{state}__{kind}": Count("pk", filter=state_q & type_q)
        for state, state_q in states.items()
        for kind, type_q in types.items()
    }
    cases = Case.objects.filter(lead_agency=agency.pk, opened_on__lte=end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=start)
    )
    row = cases.aggregate(**measures)
    return {("LE-1", state, kind): row[f"{state}__{kind}"] or 0 for state in states for kind in types}


# --- Victims (both kinds): each person once, with the facts of their latest identification.


def owned_victims(agency_pk: int, prefix: str = "") -> Q:
    """Victim participations that are ``agency_pk``'s records (decision 0036's rule of ownership): a victim service
    provider's client (a person it entered) is the provider's wherever the case is led; anyone else is the lead
    agency's. So a law-enforcement report never counts a provider's client, and a provider's counts its clients in
    every case they are in."""
    client = Q(**{f"{prefix}person__entered_by_agency__kind": Agency.Kind.VICTIM_SERVICES})
    return Q(**{f"{prefix}role": CaseParticipant.Role.VICTIM}) & (
        (client & Q(**{f"{prefix}person__entered_by_agency": agency_pk}))
        | (~client & Q(**{f"{prefix}case__lead_agency": agency_pk}))
    )


def _on_open_case(start: date, end: date) -> Q:
    """Participations (annotated ``since``) of a victim known by ``end`` on a case not closed before ``start``: a
    law-enforcement agency works with the victim in that period."""
    return Q(since__lte=end) & (Q(case__closed_on__isnull=True) | Q(case__closed_on__gte=start))


def _since() -> Least:
    """When the agency knew the victim: the earlier of the day identified and the day they were added to the case.
    The earlier, so that recording an identification later never moves a victim already counted (new in Q1, added
    then without one, stays new in Q1 and continuing in Q2, not new again in Q2)."""
    added = TruncDate("created_at")
    return Least(Coalesce("identification__identified_on", added), added)


def _served(agency_pk: int, start: date, end: date) -> Q:
    """People (rows of ``Person``) a victim service provider served from ``start`` to ``end``: a service it
    delivered or recorded for them, a service referral it sent for them, or an identification of theirs in one of
    its participations made in the period."""
    service = (
        ServiceEvent.objects.standing()
        .filter(participant__person=OuterRef("pk"), provided_on__range=(start, end))
        .filter(Q(provider=agency_pk) | Q(recorded_by_agency=agency_pk))
    )
    referral = (
        Referral.objects.filter(person=OuterRef("pk"), sender_agency=agency_pk, kind=Referral.Kind.SERVICE)
        .filter(**{f"created_at__{bound}": instant for bound, instant in _instants(start, end).items()})
        .exclude(status__in=[Referral.Status.DRAFT, Referral.Status.ENTERED_IN_ERROR])
    )
    identified = VictimIdentification.objects.filter(
        owned_victims(agency_pk, "participant__"),
        participant__person=OuterRef("pk"),
        identified_on__range=(start, end),
    )
    return Q(Exists(service)) | Q(Exists(referral)) | Q(Exists(identified))


def counted_participations(agency: Agency, quarter: FiscalQuarter, kind: str) -> QuerySet[CaseParticipant]:
    """The agency's victim participations that make a person counted in ``quarter``: for law enforcement, those on
    its cases open in the quarter (a victim known by its end, the case not closed before its start); for a victim
    service provider, all of its own (the person counts when it served them: ``counted_people``)."""
    owned = CaseParticipant.objects.filter(owned_victims(agency.pk))
    if kind == Kind.LAW_ENFORCEMENT:
        return owned.annotate(since=_since()).filter(_on_open_case(quarter.start, quarter.end))
    return owned


def counted_people(agency: Agency, quarter: FiscalQuarter, kind: str) -> QuerySet[Person]:
    """The people a report of ``kind`` counts in ``quarter``, each once. Law enforcement: the victims on its cases
    open in the quarter; a victim service provider: the clients it served in it (``_served``)."""
    people = Person.objects.filter(pk__in=counted_participations(agency, quarter, kind).values("person_id"))
    if kind == Kind.LAW_ENFORCEMENT:
        return people
    return people.filter(_served(agency.pk, quarter.start, quarter.end))


def _earlier(agency: Agency, quarter: FiscalQuarter, kind: str) -> Any:
    """Whether a person counted in ``quarter`` was counted in an earlier quarter of the same fiscal year: then they
    are continuing, else new. In a fiscal year's first quarter nobody was (new once per fiscal year)."""
    if quarter.quarter == 1:
        return Value(False)
    first = FiscalQuarter(quarter.fiscal_year, 1).start
    before = quarter.start - timedelta(days=1)
    if kind == Kind.LAW_ENFORCEMENT:
        active = CaseParticipant.objects.filter(owned_victims(agency.pk), person=OuterRef("pk")).annotate(
            since=_since()
        )
        return Exists(active.filter(_on_open_case(first, before)))
    return Conditional(When(_served(agency.pk, first, before), then=Value(True)), default=Value(False))


def _latest_identification(agency_pk: int, end: date) -> QuerySet[VictimIdentification]:
    """Of the person (``OuterRef("pk")``), their latest identification among the agency's participations made by
    ``end`` (the quarter's last day): a past quarter's breakdowns do not change with identifications made after it
    (someone identified only later is "not recorded" in it, as they were when it ended)."""
    return VictimIdentification.objects.filter(
        owned_victims(agency_pk, "participant__"), participant__person=OuterRef("pk"), identified_on__lte=end
    ).order_by("-identified_on", "-pk")


def _victims(agency: Agency, quarter: FiscalQuarter, kind: str) -> Found:
    """The victim tables (LE-2 to LE-5, or VS-1 to VS-5) from one grouped query: the people counted, grouped by
    new or continuing and by the facts of their latest identification."""
    latest = _latest_identification(agency.pk, quarter.end)
    facts = {
        "t": Subquery(latest.values("trafficking_type")[:1]),
        "age": Subquery(latest.values("age_at_identification")[:1]),
        "cit": Subquery(latest.values("citizenship")[:1]),
        "gender": Subquery(latest.values("gender")[:1]),
    }
    age_group = Conditional(
        When(t__isnull=True, then=Value(NOT_RECORDED)),
        When(age__isnull=True, then=Value("unknown")),
        When(age__lt=18, then=Value("minor")),
        default=Value("adult"),
    )
    groups = (
        counted_people(agency, quarter, kind)
        .annotate(earlier=_earlier(agency, quarter, kind), **facts)
        .annotate(age_group=age_group)
        .order_by()
        .values("earlier", "t", "age_group", "cit", "gender")
        .annotate(n=Count("pk"))
    )
    if kind == Kind.LAW_ENFORCEMENT:
        total = "LE-2"
        dimensions = {"LE-3": ("t", TYPES), "LE-4": ("age_group", AGE_GROUPS), "LE-5": ("cit", CITIZENSHIPS)}
    else:
        total = "VS-1"
        dimensions = {
            "VS-2": ("t", TYPES),
            "VS-3": ("age_group", AGE_GROUPS),
            "VS-4": ("gender", GENDERS),
            "VS-5": ("cit", CITIZENSHIPS),
        }
    known = {code: {value for value, _label in choices} - {""} for code, (_field, choices) in dimensions.items()}
    found: Found = {}
    for group in groups:
        row_of: dict[str, Any] = dict(group)
        state = CONTINUING if row_of["earlier"] else NEW
        n = row_of["n"]
        total_cell = (total, state, TABLE_COLUMN[total])
        found[total_cell] = found.get(total_cell, 0) + n
        for code, (field, _choices) in dimensions.items():
            value = row_of[field]
            cell = (code, value if value in known[code] else NOT_RECORDED, state)
            found[cell] = found.get(cell, 0) + n
    return found


TABLE_COLUMN = {"LE-2": "victims", "VS-1": "clients"}


# --- Law enforcement: arrests, charges, decisions, dispositions.


def _arrests(agency: Agency, quarter: FiscalQuarter) -> Found:
    """The agency's arrests of the quarter on cases it holds law-enforcement-sensitive access to: an arrest is
    law-enforcement-sensitive, so an agency whose arrest someone else recorded on a case it cannot see counts it
    only once it is given that access."""
    row = (
        Arrest.objects.filter(arresting_agency=agency.pk, arrested_on__range=(quarter.start, quarter.end))
        .filter(cases_held_by_agency(agency, VIEW_LE, "case_id"))
        .aggregate(arrests=Count("pk"), people=Count("participant__person", distinct=True))
    )
    return {("LE-6", "arrests", "count"): row["arrests"], ("LE-6", "people", "count"): row["people"]}


def _charges(agency: Agency, quarter: FiscalQuarter) -> Found:
    """LE-7 to LE-9 in one query of conditional counts over the agency's charges: those of its arrests and those it
    decided as prosecutor, on cases it holds law-enforcement-sensitive access to (as ``_arrests``)."""
    period = (quarter.start, quarter.end)
    arrested = Q(arrest__arresting_agency=agency.pk, arrest__arrested_on__range=period)
    trafficking = Q(is_trafficking=True)
    measures: dict[str, Any] = {
        "all": Count("pk", filter=arrested),
        "trafficking": Count("pk", filter=arrested & trafficking),
        "other": Count("pk", filter=arrested & ~trafficking),
    }
    decided = Q(decided_on__range=period)
    for decision in (Charge.Decision.CHARGED, Charge.Decision.DECLINED):
        measures[f"d_{decision}_all"] = Count("pk", filter=decided & Q(decision=decision))
        measures[f"d_{decision}_trafficking"] = Count("pk", filter=decided & Q(decision=decision) & trafficking)
    disposed = Q(disposed_on__range=period)
    dispositions = [value for value in Charge.Disposition.values if value != Charge.Disposition.PENDING]
    for disposition in dispositions:
        measures[f"p_{disposition}_all"] = Count("pk", filter=disposed & Q(disposition=disposition))
        measures[f"p_{disposition}_trafficking"] = Count(
            "pk", filter=disposed & Q(disposition=disposition) & trafficking
        )
    charges = (
        Charge.objects.filter(Q(arrest__arresting_agency=agency.pk) | Q(prosecuting_agency=agency.pk))
        .filter(Q(arrest__arrested_on__range=period) | decided | disposed)
        .filter(cases_held_by_agency(agency, VIEW_LE, "arrest__case_id"))
    )
    row = charges.aggregate(**measures)
    found: Found = {("LE-7", key, "count"): row[key] for key in ("all", "trafficking", "other")}
    for decision in (Charge.Decision.CHARGED, Charge.Decision.DECLINED):
        for column in ("all", "trafficking"):
            found[("LE-8", decision, column)] = row[f"d_{decision}_{column}"]
    for disposition in dispositions:
        for column in ("all", "trafficking"):
            found[("LE-9", disposition, column)] = row[f"p_{disposition}_{column}"]
    return found


# --- Both: outreach and training events.


def _outreach(agency: Agency, quarter: FiscalQuarter, code: str) -> Found:
    """One grouped query by kind. Law enforcement reports its trainings (LE-10), a provider every kind (VS-8)."""
    rows = (
        OutreachEvent.objects.filter(agency=agency.pk, held_on__range=(quarter.start, quarter.end))
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"), people=Sum("people_reached"))
    )
    by_kind = {row["kind"]: (row["n"], row["people"] or 0) for row in rows}
    if code == "LE-10":
        n, people = by_kind.get(OutreachEvent.Kind.PROFESSIONAL_TRAINING, (0, 0))
        return {("LE-10", "events", "count"): n, ("LE-10", "people", "count"): people}
    found: Found = {}
    for kind, (n, people) in by_kind.items():
        found[(code, kind, "events")] = n
        found[(code, kind, "people")] = people
    return found


# --- Victim service providers: services and referrals.


def _services(agency: Agency, quarter: FiscalQuarter) -> Found:
    """Services delivered by the agency (it is the provider) and referrals it made outside the portal (it recorded
    them), by category: one grouped query on ``service_event_report_idx``."""
    delivered = Q(kind=ServiceEvent.Kind.DELIVERED, provider=agency.pk)
    referred = Q(kind=ServiceEvent.Kind.REFERRED, recorded_by_agency=agency.pk)
    rows = (
        ServiceEvent.objects.standing()
        .filter(provided_on__range=(quarter.start, quarter.end))
        .filter(delivered | referred)
        .order_by()
        .values("category", "kind")
        .annotate(n=Count("pk"))
    )
    return {("VS-6", row["category"], row["kind"]): row["n"] for row in rows}


def _ever_accepted() -> Exists:
    """Whether the referral (``OuterRef("pk")``) was ever accepted: an acceptance in its timeline, whatever its
    status now (accepted and later cancelled counts), read from ``referralevent_accepted_idx``."""
    return Exists(ReferralEvent.objects.filter(referral=OuterRef("pk"), to_status=Referral.Status.ACCEPTED))


def _referrals(agency: Agency, quarter: FiscalQuarter) -> Found:
    """VS-7 in one query. A referral re-routed to another recipient (cancelled, and sent again as a new referral
    that ``rerouted_from`` points back to) is not counted: its re-route is, so one request counts once, as sent
    when it was re-sent (decision 0037)."""
    rerouted = Referral.objects.filter(rerouted_from=OuterRef("pk"))
    referrals = (
        Referral.objects.filter(sender_agency=agency.pk, kind=Referral.Kind.SERVICE)
        .filter(**{f"created_at__{bound}": instant for bound, instant in _instants(quarter.start, quarter.end).items()})
        .exclude(status__in=[Referral.Status.DRAFT, Referral.Status.ENTERED_IN_ERROR])
        .exclude(Exists(rerouted))
    )
    row = referrals.aggregate(
        sent=Count("pk"),
        accepted=Count("pk", filter=Q(_ever_accepted())),
        declined=Count("pk", filter=Q(status=Referral.Status.REJECTED)),
        delivered=Count("pk", filter=Q(outcome=Referral.Outcome.SERVICE_DELIVERED)),
    )
    return {("VS-7", key, "count"): row[key] for key in ("sent", "accepted", "declined", "delivered")}


# --- Reading a report: its tables with values, from a draft or a signed snapshot; what changed since signing.


@dataclass(frozen=True)
class ShownRow:
    label: str
    cells: list[tuple[str, str, int | None]]  # (column label, code, value)


@dataclass(frozen=True)
class ShownTable:
    table: Table
    rows: list[ShownRow]

    @property
    def dom_id(self) -> str:
        return "measures-" + self.table.code.lower()


def shown_tables(kind: str, values: dict[str, int]) -> list[ShownTable]:
    """The kind's tables with ``values`` (code -> value; a code missing shows as None: a measure added after the
    report was signed)."""
    shown = []
    for table in TABLES[kind]:
        rows = []
        for r, (_row_key, row_label) in enumerate(table.rows):
            cells = [
                (str(column_label), table.cell_code(r, c), values.get(table.cell_code(r, c)))
                for c, (_column_key, column_label) in enumerate(table.columns)
            ]
            rows.append(ShownRow(str(row_label), cells))
        shown.append(ShownTable(table, rows))
    return shown


def values_of(snapshot: dict[str, Any]) -> dict[str, int]:
    """A signed snapshot's measures as code -> value."""
    return {measure["code"]: measure["value"] for measure in snapshot.get("measures", [])}


@dataclass(frozen=True)
class Change:
    code: str
    question: str
    signed: int | None  # None: the measure did not exist when signed
    now: int | None  # None: it no longer exists


def changes_since(kind: str, snapshot: dict[str, Any], draft: Draft) -> list[Change]:
    """Measure by measure, what differs between the signed snapshot and the same quarter computed now, in the grant
    order (then any measure of the snapshot that no longer exists). The snapshot is only read."""
    signed = values_of(snapshot)
    signed_questions = {measure["code"]: measure["question"] for measure in snapshot.get("measures", [])}
    changed = [
        Change(measure.code, measure.question, signed.get(measure.code), measure.value)
        for measure in draft.measures()
        if signed.get(measure.code) != measure.value
    ]
    gone = [
        Change(code, signed_questions[code], value, None) for code, value in signed.items() if code not in draft.values
    ]
    return changed + gone
