"""The scale benchmark's data: a statewide deployment at 20,000 (S), 500,000 (L) or 2,000,000 (2m) cases.

Read top to bottom: the shape (constants), the setup made through the app's own services (agencies and their
groups, people and their role groups, provider organizations), then the bulk rows, one case at a time, exactly as
the services would have left them:

- a case: its number, its lead agency's four guardian rows (``case_create``), a "case created" audit row;
- its people and their participation (``person_add_to_case``), some needs, and for a victim service provider's
  clients some consents to an agency that sees the case;
- shares (``case_share_grant``): active ones with the rows their level gives (``SHARE_LEVEL_PERMISSIONS``), some
  expired (still active, with their rows: the selectors ignore them), revoked, declined or requested (no rows);
- referrals (``referral_send`` and the steps): each with its chain of events from a draft, one audit row per event
  (``referrals.referral.<past>``, the same instant), notifications for some, and for an accepted interagency
  referral the share its acceptance granted.

The skew is what the pages are measured on: one agency whose user sees 10 cases ("sparse"), one that leads 10,000
and sees ~11,000 ("dense") at every size, a victim service provider that receives ~4% of all service referrals
(the inbox), and a task force whose coordinator watches the largest share of referrals (the board).

Rows are written in bulk (PostgreSQL: ``COPY``; SQLite: ``executemany``) with ids given here, then the sequences
are reset and statistics gathered. ``manage.py check_integrity`` passes on the result.
"""

import json
import math
import queue
import random
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from agencies.models import Agency, Membership, TaskForce, TaskForceMember, User
from agencies.services import agency_create, membership_create
from bench.scale.sizes import FINGERPRINT_TABLE, SEED, SIZES, fingerprint
from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseNumberSequence,
    CaseParticipant,
    CaseShare,
    Consent,
    Need,
    Person,
    ServiceEvent,
    VictimIdentification,
    age_on,
)
from cases.selectors import CASE_PERMISSIONS
from cases.services.shares import SHARE_LEVEL_PERMISSIONS
from portal.categories import NeedCategory
from portal.models import AuditEvent
from portal.sqlite import gather_statistics
from prosecution.models import Arrest, Charge, TraffickingStatute
from prosecution.statutes import citation_key, is_federal_trafficking
from protection.models import INTERIM_ASSISTANCE_DAYS, ReliefAction
from referrals.integrity import audit_action, status_after
from referrals.models import Notification, Referral, ReferralEvent
from reports.models import OutreachEvent
from services_directory.models import Organization, Service
from tips.models import Tip, TipDissemination, TipEvent
from tips.services import NO_PREDICATE_RETENTION, review_due_after
from tips.steps import STEPS as TIP_STEPS

AGENCIES = {"S": 60, "L": 520, "2m": 1_000}
TASK_FORCE_SIZE = 10  # agencies per task force, the first its coordination office
DENSE_LEADS, DENSE_SHARED_IN = 10_000, 1_000
SPARSE_LEADS, SPARSE_SHARED_IN = 8, 2
BUSIEST_SHARE = 0.066  # of service referrals go to the busiest provider: ~64,000 at L
HISTORY_DAYS = 6 * 365
CHUNK_CASES = 20_000

# The kinds of a task force's nine other agencies, in order.
KIND_PATTERN = [
    Agency.Kind.LOCAL_LE,
    Agency.Kind.VICTIM_SERVICES,
    Agency.Kind.STATE_LE,
    Agency.Kind.LOCAL_LE,
    Agency.Kind.FEDERAL_LE,
    Agency.Kind.PROSECUTOR,
    Agency.Kind.VICTIM_SERVICES,
    Agency.Kind.OTHER_GOVERNMENT,
    Agency.Kind.LOCAL_LE,
]
LAW_ENFORCEMENT = {Agency.Kind.FEDERAL_LE, Agency.Kind.STATE_LE, Agency.Kind.LOCAL_LE, Agency.Kind.PROSECUTOR}


def _words(text: str) -> list[str]:
    return text.split()


GIVEN = _words(
    "Maria Ana Rosa Elena Lucia Sofia Carmen Isabel Laura Julia Fatima Amina Grace Mary Linh Mai Thi Hoa Ngoc Kim "
    "Jose Juan Carlos Luis Miguel Pedro Jorge David Daniel Samuel Ahmed Omar Ali Hassan Chen Wei Li Ming Jun Tuan "
    "Anna Olga Irina Natalia Svetlana Oksana Priya Anjali Deepa Sunita Joy Blessing Esther Ruth Patience Mercy "
    "Rosa Gloria Paola Daniela Andrea Valeria Camila Gabriela Mariana Alejandra Diana Veronica Patricia Monica "
    "James John Robert Michael William Richard Joseph Thomas Charles Christopher Ivan Dmitri Sergei Nikolai "
    "Ramon Rafael Manuel Francisco Antonio Ricardo Fernando Eduardo Roberto Alberto Hector Oscar Mario Ruben"
)
FAMILY = _words(
    "Garcia Rodriguez Martinez Hernandez Lopez Gonzalez Perez Sanchez Ramirez Torres Flores Rivera Gomez Diaz "
    "Reyes Cruz Morales Ortiz Gutierrez Chavez Ramos Ruiz Alvarez Mendoza Vasquez Castillo Jimenez Moreno Romero "
    "Herrera Medina Aguilar Vargas Guzman Mendez Salazar Soto Delgado Pena Rios Nguyen Tran Le Pham Hoang Vu "
    "Dang Bui Do Ngo Duong Ly Wang Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo Lin Kim Park Choi "
    "Singh Kumar Sharma Patel Gupta Khan Ahmed Ali Hussain Rahman Okafor Okonkwo Adeyemi Mensah Owusu Boateng "
    "Ivanova Petrova Smirnova Kuznetsova Popova Sokolova Lebedeva Kozlova Novikova Morozova Smith Johnson "
    "Williams Brown Jones Miller Davis Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White "
    "Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell "
    "Mitchell Roberts Carter Phillips Evans Turner Parker Collins Edwards Stewart Morris Murphy Cook Rogers "
    "Morgan Cooper Peterson Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray "
    "Santos Silva Oliveira Souza Costa Pereira Almeida Ferreira Carvalho Rocha Dias Barbosa Ribeiro Castro"
)
CITIES = _words(
    "Houston Dallas Austin Laredo Brownsville Odessa Midland Tyler Waco Amarillo Lubbock Beaumont Killeen Frisco "
    "McAllen Edinburg Harlingen Pasadena Irving Plano Garland Denton Conroe Galveston Victoria Abilene Temple"
)
# Choice values, read once (an enum's ``values`` is rebuilt on each read: too slow for millions of rows).
CASE_TYPES, CASE_CHANNELS = list(Case.Type.values), list(Case.Channel.values)
CLOSED_REASONS, INDICATORS = list(Case.ClosedReason.values), list(Case.Indicator.values)
SEXES, NEED_CATEGORIES = list(Person.Sex.values), list(NeedCategory.values)
URGENCIES, NEED_STATUSES, CONSENT_CATEGORIES = (
    list(Need.Urgency.values),
    list(Need.Status.values),
    list(Consent.Category.values),
)
TYPE_LABELS = {value: str(label) for value, label in Case.Type.choices}
INTERAGENCY, SERVICE = str(Referral.Kind.INTERAGENCY), str(Referral.Kind.SERVICE)
CLOSED_STATUSES = frozenset(str(status) for status in Referral.CLOSED)
SEARCH_NAME = "Okonkwo"  # a family name as common as any other (~0.5% of people): what the search pages look for

# The records of issues 17 and 18 the dashboard counts (victims identified, services, relief, arrests and charges,
# tips, outreach events), in proportions per case (bench/README.md gives the resulting counts).
IDENTIFIED_SHARE = 0.85  # of victims have their identification recorded (older cases were not all brought up to date)
MINOR_SHARE = 0.28  # of victims are minors when their case opens
TIPS_PER_CASE = 0.8  # tips received per case led (the one a case came from, and the many that went nowhere)
TIP_DELAY_DAYS = 60  # the other tips arrive while the lead works the case: ~60 days after it opened on average
TRAFFICKING_TYPES = list(VictimIdentification.TraffickingType.values)
GENDER_OF_SEX = {"female": "female", "male": "male"}
RACES_OF = {
    "Mexico": ["hispanic_latino"],
    "Honduras": ["hispanic_latino"],
    "Guatemala": ["hispanic_latino"],
    "Vietnam": ["asian"],
    "China": ["asian"],
}
US_RACES = [["white"], ["black_african_american"], ["hispanic_latino"], ["white", "hispanic_latino"], ["asian"]]
REFERRAL_SOURCES = list(VictimIdentification.ReferralSource.values)
SERVICE_OF = ("emergency_shelter", "legal_immigration")  # the category each provider's two services deliver
OUTSIDE_PROVIDERS = ["Catholic Charities", "Refugee Services of Texas", "Legal Aid of Texas", "Mosaic Family Services"]
OUTREACH_KINDS, OUTREACH_AUDIENCES = list(OutreachEvent.Kind.values), list(OutreachEvent.Audience.values)
TIP_CHANNELS = list(Tip.Channel.values)
TIP_STATUS_AFTER = {
    "receive": "received",
    "assess": "assessed",
    "assign": "assigned",
    "close": "closed",
    "close_no_predicate": "closed",
    "link": "linked",
    "open_case": "case_opened",
}
STATE_STATUTE, STATE_STATUTE_TITLE = "Tex. Penal Code § 20A.02", "Trafficking of persons"
# (citation, level, weight): federal chapter 77 counts as trafficking wherever the case is; the state statute where
# the case's task force lists it (every task force here does); the rest never.
STATUTES = [
    ("18 U.S.C. § 1591(a)", "felony", 0.22),
    ("18 U.S.C. § 1589", "felony", 0.10),
    ("18 U.S.C. § 1594(c)", "felony", 0.06),
    (STATE_STATUTE, "felony", 0.22),
    ("Tex. Penal Code § 43.05", "felony", 0.12),
    ("Tex. Penal Code § 43.02", "misdemeanor", 0.10),
    ("8 U.S.C. § 1324", "felony", 0.08),
    ("18 U.S.C. § 2422(b)", "felony", 0.05),
    ("Tex. Penal Code § 20.04", "felony", 0.05),
]
ARRESTING_KINDS = {Agency.Kind.FEDERAL_LE, Agency.Kind.STATE_LE, Agency.Kind.LOCAL_LE}
# Of a case's suspects, the share arrested, by the case's status (a closed case by its reason).
ARRESTED_SHARE = {"open": 0.05, "investigation": 0.25, "prosecution": 0.9, "adjudicated": 0.9, "declined": 0.7}
CLOSED_ARRESTED_SHARE = 0.08
SENTENCES = ["60 months", "120 months", "36 months and supervised release", "Time served", "15 years"]


# --- The setup: agencies, people and providers, through the app's own services ---------------------------------


@dataclass
class AgencyInfo:
    """What the bulk rows need of an agency: ids, and its people by role."""

    index: int
    pk: int
    group_id: int
    name: str
    kind: str
    task_force_id: int
    users: dict[str, tuple[int, str]] = field(default_factory=dict)  # role -> (user id, e-mail)
    services: list[uuid.UUID] = field(default_factory=list)

    @property
    def is_le(self) -> bool:
        return self.kind in LAW_ENFORCEMENT

    @property
    def is_provider(self) -> bool:
        return self.kind == Agency.Kind.VICTIM_SERVICES

    def user(self, role: str) -> tuple[int, str]:
        return self.users.get(role) or self.users[Membership.Role.SUPERVISOR]


@dataclass
class Cast:
    """The agencies, and the ones the benchmark signs in as."""

    agencies: list[AgencyInfo]
    dense: AgencyInfo
    sparse: AgencyInfo
    busiest: AgencyInfo
    coordination: AgencyInfo
    task_forces: dict[int, list[AgencyInfo]]


def _kind(index: int) -> str:
    position = index % TASK_FORCE_SIZE
    return Agency.Kind.COORDINATION if position == 0 else KIND_PATTERN[position - 1]


def create_cast(size: str) -> Cast:
    """Agencies in task forces of ten, each with its people, made by ``agency_create`` and ``membership_create``
    (so groups and role groups are the app's own), and a directory organization with two services per provider."""
    count = AGENCIES[size]
    password = make_password("bench-scale-password")
    agencies: list[AgencyInfo] = []
    task_forces: dict[int, list[AgencyInfo]] = {}
    task_force = None
    for index in range(count):
        if index % TASK_FORCE_SIZE == 0:
            task_force = TaskForce.objects.create(
                name=f"{CITIES[(index // TASK_FORCE_SIZE) % len(CITIES)]} Anti-Trafficking Task Force "
                f"{index // TASK_FORCE_SIZE + 1}",
                region="Texas",
            )
        assert task_force is not None
        if index % TASK_FORCE_SIZE == 0:
            TraffickingStatute.objects.create(
                task_force=task_force,
                citation=STATE_STATUTE,
                citation_key=citation_key(STATE_STATUTE),
                title=STATE_STATUTE_TITLE,
            )
        kind = _kind(index)
        city = CITIES[index % len(CITIES)]
        agency = agency_create(name=f"{city} {Agency.Kind(kind).label} {index:04d}", kind=kind)
        TaskForceMember.objects.create(task_force=task_force, agency=agency)
        info = AgencyInfo(index, agency.pk, agency.group_id, str(agency), kind, task_force.pk)
        roles = (
            [Membership.Role.COORDINATOR]
            if kind == Agency.Kind.COORDINATION
            else [Membership.Role.SUPERVISOR, Membership.Role.CASEWORKER]
            + ([Membership.Role.PROVIDER_STAFF] if kind == Agency.Kind.VICTIM_SERVICES else [])
        )
        for role in roles:
            email = f"{role}.{index:04d}@agency{index:04d}.example"
            user = User.objects.create(email=email, full_name=f"{role.title()} {index:04d}", password=password)
            membership_create(user=user, agency=agency, role=role)
            info.users[role] = (user.pk, email)
        if info.is_provider:
            organization = Organization.objects.create(
                name=f"{agency.name} services", description="Services for survivors.", agency=agency
            )
            for name in ("Shelter and case management", "Legal and immigration help"):
                service = Service.objects.create(organization=organization, name=name, description=name)
                info.services.append(service.pk)
        agencies.append(info)
        task_forces.setdefault(task_force.pk, []).append(info)
    dense, busiest, coordination = agencies[1], agencies[2], agencies[0]
    sparse = [a for a in agencies if a.kind == Agency.Kind.LOCAL_LE][-1]
    return Cast(agencies, dense, sparse, busiest, coordination, task_forces)


def load_cast() -> Cast:
    """The cast of a loaded database, read back (the same rules as ``create_cast``)."""
    rows = list(Agency.objects.order_by("pk").values_list("pk", "group_id", "name", "kind"))
    members = dict(TaskForceMember.objects.values_list("agency_id", "task_force_id"))
    agencies: list[AgencyInfo] = []
    task_forces: dict[int, list[AgencyInfo]] = {}
    for index, (pk, group_id, name, kind) in enumerate(rows):
        info = AgencyInfo(index, pk, group_id, name, kind, members[pk])
        agencies.append(info)
        task_forces.setdefault(info.task_force_id, []).append(info)
    by_pk = {a.pk: a for a in agencies}
    for user_id, email, agency_id, role in Membership.objects.values_list(
        "user_id", "user__email", "agency_id", "role"
    ):
        by_pk[agency_id].users[role] = (user_id, email)
    for service_id, provider_id in Service.objects.order_by("name").values_list("pk", "organization__agency_id"):
        by_pk[provider_id].services.append(service_id)
    sparse = [a for a in agencies if a.kind == Agency.Kind.LOCAL_LE][-1]
    return Cast(agencies, agencies[1], sparse, agencies[2], agencies[0], task_forces)


# --- Bulk writing ---------------------------------------------------------------------------------------------


class Table:
    """One model's bulk rows: the fields each row gives, in order, and the constant defaults of the rest."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        self.model = model
        self.name = model._meta.db_table
        concrete = {f.attname: f for f in model._meta.concrete_fields}
        rest = [f for name, f in concrete.items() if name not in fields]
        for f in rest:
            if not f.null and f.get_default() is None:
                raise ValueError(f"{self.name}.{f.attname} has no default: give it")
        self.fields = [concrete[name] for name in fields] + rest
        self.columns = [str(f.column) for f in self.fields]
        self.rest = tuple(_default(f) for f in rest)
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        self.seconds = 0.0

    def add(self, *values: Any) -> None:
        self.rows.append(values + self.rest)


def _default(f: models.Field[Any, Any]) -> Any:
    """What the field holds when a service does not set it: its default, or an empty string for text."""
    value = f.get_default()
    return json.dumps(value) if isinstance(f, models.JSONField) else value


def _sqlite_converter(f: models.Field[Any, Any]) -> Any:
    ops = connection.ops
    if isinstance(f, models.DateTimeField):
        return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
    if isinstance(f, models.DateField):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(f, models.UUIDField) or (
        isinstance(f, models.ForeignKey) and isinstance(f.target_field, models.UUIDField)
    ):
        return lambda v: None if v is None else v.hex
    if isinstance(f, models.BooleanField):
        return lambda v: None if v is None else int(v)
    return None


def flush(table: Table) -> None:
    """Write the table's pending rows: ``COPY`` on PostgreSQL, ``executemany`` on SQLite."""
    if not table.rows:
        return
    started = time.perf_counter()
    columns = ", ".join(table.columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw: Any = cursor.cursor
            with raw.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                for row in table.rows:
                    copy.write_row(row)
    else:
        converters = [(i, c) for i, f in enumerate(table.fields) if (c := _sqlite_converter(f)) is not None]
        rows: Iterable[Sequence[Any]] = table.rows
        if converters:
            rows = [_convert(row, converters) for row in table.rows]
        marks = ", ".join("?" * len(table.columns))
        connection.ensure_connection()
        raw_connection: Any = connection.connection
        raw_connection.executemany(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})", rows)  # noqa: S608
    table.written += len(table.rows)
    table.rows = []
    table.seconds += time.perf_counter() - started


class PostgresWriter:
    """``COPY`` in a thread of its own, on a connection of its own: the server takes in one chunk of cases while the
    next is made (the thread waits on the network, not on Python). Each chunk is one transaction."""

    def __init__(self) -> None:
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        self.connection = psycopg.connect(**params)
        # Foreign keys are checked by check_integrity after the load, not row by row during it (superuser only).
        self.connection.execute("SET session_replication_role = replica")
        self.connection.commit()
        self.queue: queue.Queue[list[tuple[Table, list[tuple[Any, ...]]]] | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, daemon=True)
        self.thread.start()

    def put(self, tables: Iterable[Table]) -> None:
        if self.error is not None:
            raise self.error
        batch = [(table, table.rows) for table in tables if table.rows]
        for table in tables:
            table.rows = []
        self.queue.put(batch)

    def _work(self) -> None:
        while (batch := self.queue.get()) is not None:
            if self.error is not None:
                continue
            try:
                with self.connection.transaction():
                    for table, rows in batch:
                        started = time.perf_counter()
                        columns = ", ".join(table.columns)
                        with self.connection.cursor().copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row(row)
                        table.written += len(rows)
                        table.seconds += time.perf_counter() - started
            except BaseException as error:  # handed to the main thread at its next put or close
                self.error = error

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        self.connection.close()
        if self.error is not None:
            raise self.error


def _secondary_indexes(tables: Iterable[Table]) -> list[tuple[str, str]]:
    """The indexes of ``tables`` that back no constraint (name, definition): built once after a load, which is
    much faster than keeping them up to date row by row."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = to_regclass(i.indexname))
            """,
            [[table.name for table in tables]],
        )
        return list(cursor.fetchall())


def _convert(row: tuple[Any, ...], converters: list[tuple[int, Any]]) -> list[Any]:
    values = list(row)
    for i, convert in converters:
        values[i] = convert(values[i])
    return values


# --- The cases, one at a time ---------------------------------------------------------------------------------


@dataclass
class Chain:
    """A referral's history: the verbs from a draft to its status, and how it was cancelled if it was."""

    verbs: tuple[str, ...]
    cancel_reason: str = ""
    outcome: str = ""


CLOSED_CHAINS: list[tuple[float, Chain]] = [
    (0.35, Chain(("send", "receive", "accept", "complete"), outcome="service-delivered")),
    (0.20, Chain(("send", "receive", "reject"), outcome="no-capacity")),
    (0.15, Chain(("send", "expire"), cancel_reason=Referral.CancelReason.EXPIRED)),
    (0.15, Chain(("send", "receive", "expire"), cancel_reason=Referral.CancelReason.EXPIRED)),
    (0.10, Chain(("send", "cancel"), cancel_reason=Referral.CancelReason.WITHDRAWN)),
    (0.05, Chain(("send", "receive", "accept", "start", "fail"), outcome="could-not-contact")),
]
OPEN_CHAINS: list[tuple[float, Chain]] = [
    (0.30, Chain(("send",))),
    (0.25, Chain(("send", "receive"))),
    (0.15, Chain(("send", "receive", "accept"))),
    (0.20, Chain(("send", "receive", "accept", "start"))),
    (0.10, Chain(("send", "receive", "accept", "start", "hold"))),
]
RECENT = timedelta(days=30)  # referrals younger than this are mostly still open


@dataclass(frozen=True)
class Party:
    """A person of a case as written: what the records about them need."""

    person_id: int
    participant_id: int
    role: str
    born: date | None
    nationality: str
    sex: str


@dataclass(frozen=True)
class CaseInfo:
    """A case as written: what its later records (identifications, arrests, tips) need."""

    pk: int
    lead: AgencyInfo
    opened_on: date
    status: str
    closed_reason: str
    closed_on: date | None
    case_type: str
    task_force_id: int | None


class Generator:
    """Writes the bulk rows of ``size`` for ``cast``; ids start at 1 (a freshly migrated database)."""

    def __init__(self, size: str, cast: Cast) -> None:
        self.size = size
        self.cast = cast
        self.rng = random.Random(SEED)  # noqa: S311  (made-up data, the same every load)
        self.now = timezone.now().replace(microsecond=0)
        self.today = timezone.localdate()
        self.permission_ids = dict(
            Permission.objects.filter(content_type__app_label="cases", codename__in=CASE_PERMISSIONS).values_list(
                "codename", "pk"
            )
        )
        self.status_after = status_after()
        self.ids: dict[str, int] = {}
        self.details: dict[tuple[str, str], str] = {}
        self.case_numbers: dict[int, int] = {}
        self.tables = {
            "case": Table(
                Case,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "number",
                    "title",
                    "case_type",
                    "status",
                    "closed_reason",
                    "lead_agency_id",
                    "task_force_id",
                    "opened_on",
                    "closed_on",
                    "summary",
                    "indicators",
                    "intake_channel",
                    "jurisdiction",
                    "le_narrative",
                    "created_by_id",
                ],
            ),
            "permission": Table(CaseGroupObjectPermission, ["id", "permission_id", "group_id", "content_object_id"]),
            "person": Table(
                Person,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "given_name",
                    "family_name",
                    "date_of_birth",
                    "sex",
                    "nationality",
                    "languages",
                    "preferred_language",
                    "phone",
                    "email",
                    "address",
                    "entered_by_agency_id",
                    "entered_by_id",
                ],
            ),
            "participant": Table(
                CaseParticipant, ["id", "created_at", "updated_at", "case_id", "person_id", "role", "added_by_id"]
            ),
            "need": Table(
                Need, ["id", "created_at", "updated_at", "case_id", "person_id", "category", "urgency", "status"]
            ),
            "consent": Table(
                Consent,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "person_id",
                    "holder_agency_id",
                    "recipient_agency_id",
                    "categories",
                    "purpose",
                    "signed_on",
                    "expires_on",
                    "revoked_at",
                    "recorded_by_id",
                ],
            ),
            "share": Table(
                CaseShare,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "case_id",
                    "agency_id",
                    "level",
                    "reason",
                    "status",
                    "granted_by_id",
                    "approved_by_id",
                    "expires_on",
                    "revoked_at",
                    "revoked_by_id",
                ],
            ),
            "referral": Table(
                Referral,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "kind",
                    "case_id",
                    "person_id",
                    "sender_agency_id",
                    "sender_id",
                    "recipient_agency_id",
                    "recipient_service_id",
                    "delivery",
                    "share_level",
                    "urgency",
                    "respond_by",
                    "request_note",
                    "status",
                    "status_reason",
                    "cancel_reason",
                    "outcome",
                    "share_id",
                    "closed_at",
                    "submission_key",
                    "version",
                ],
            ),
            "event": Table(
                ReferralEvent,
                ["id", "referral_id", "occurred_at", "verb", "from_status", "to_status", "actor_id", "actor_agency_id"],
            ),
            "notification": Table(
                Notification,
                ["id", "user_id", "referral_id", "event_id", "verb", "created_at", "read_at", "emailed_at"],
            ),
            "audit": Table(
                AuditEvent,
                [
                    "id",
                    "occurred_at",
                    "actor_id",
                    "actor_email",
                    "agency_id",
                    "agency_name",
                    "action",
                    "object_type",
                    "object_id",
                    "details",
                ],
            ),
            "identification": Table(
                VictimIdentification,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "participant_id",
                    "status",
                    "identified_on",
                    "identified_by_id",
                    "identified_by_agency_id",
                    "confirmed_on",
                    "confirmed_by_id",
                    "confirmed_by_agency_id",
                    "trafficking_type",
                    "age_at_identification",
                    "foreign_national_minor_since",
                    "citizenship",
                    "gender",
                    "race_ethnicity",
                    "disability",
                    "referral_source",
                ],
            ),
            "service": Table(
                ServiceEvent,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "participant_id",
                    "category",
                    "kind",
                    "provided_on",
                    "provider_id",
                    "provider_name",
                    "referral_id",
                    "recorded_by_id",
                    "recorded_by_agency_id",
                ],
            ),
            "relief": Table(
                ReliefAction,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "case_id",
                    "participant_id",
                    "kind",
                    "status",
                    "requested_on",
                    "submitted_on",
                    "decided_on",
                    "valid_from",
                    "expires_on",
                    "requesting_agency_id",
                    "decline_reason",
                    "recorded_by_id",
                    "recorded_by_agency_id",
                ],
            ),
            "arrest": Table(
                Arrest,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "case_id",
                    "participant_id",
                    "arrested_on",
                    "arresting_agency_id",
                    "recorded_by_id",
                ],
            ),
            "charge": Table(
                Charge,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "arrest_id",
                    "statute",
                    "citation_key",
                    "level",
                    "is_trafficking",
                    "decision",
                    "decided_on",
                    "prosecuting_agency_id",
                    "decline_reason",
                    "decided_by_id",
                    "disposition",
                    "disposed_on",
                    "sentence",
                    "disposition_recorded_by_id",
                    "recorded_by_id",
                ],
            ),
            "tip": Table(
                Tip,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "received_at",
                    "channel",
                    "receiving_agency_id",
                    "received_by_id",
                    "involves_minor",
                    "imminent_danger",
                    "indicators",
                    "narrative",
                    "assess_by",
                    "status",
                    "basis",
                    "assessed_at",
                    "assessed_by_id",
                    "assigned_agency_id",
                    "owner_id",
                    "due_on",
                    "case_id",
                    "close_reason",
                    "status_reason",
                    "closed_at",
                    "overdue_notified_at",
                    "review_due",
                    "validated_at",
                    "validated_by_id",
                    "version",
                ],
            ),
            "tip_event": Table(
                TipEvent,
                [
                    "id",
                    "tip_id",
                    "occurred_at",
                    "verb",
                    "from_status",
                    "to_status",
                    "actor_id",
                    "actor_agency_id",
                    "reason",
                    "details",
                ],
            ),
            "dissemination": Table(
                TipDissemination,
                [
                    "id",
                    "tip_id",
                    "tip_number",
                    "receiving_agency_id",
                    "occurred_at",
                    "path",
                    "sent_by_id",
                    "sent_by_agency_id",
                    "recipient_agency_id",
                    "reason",
                ],
            ),
            "outreach": Table(
                OutreachEvent,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "agency_id",
                    "held_on",
                    "title",
                    "kind",
                    "audience",
                    "people_reached",
                    "recorded_by_id",
                ],
            ),
        }
        self._plan()

    def next_id(self, name: str) -> int:
        self.ids[name] = self.ids.get(name, 0) + 1
        return self.ids[name]

    # The plan: who leads each case, which cases are in a task force, which are shared with the sparse and dense.

    def _plan(self) -> None:
        rng, cast, count = self.rng, self.cast, SIZES[self.size]
        others = [
            a
            for a in cast.agencies
            if a.kind != Agency.Kind.COORDINATION and a.pk not in (cast.dense.pk, cast.sparse.pk)
        ]
        weights = [1 / (rank + 1) ** 0.8 for rank in range(len(others))]
        rng.shuffle(others)
        rest = count - DENSE_LEADS - SPARSE_LEADS
        leads = [cast.dense] * DENSE_LEADS + [cast.sparse] * SPARSE_LEADS + rng.choices(others, weights, k=rest)
        rng.shuffle(leads)
        self.leads = leads
        self.in_task_force = [rng.random() < 0.85 for _ in range(count)]
        self.forced: dict[int, list[tuple[AgencyInfo, str, bool]]] = {}  # case index -> (agency, level, expired)
        for agency, shared_in, expired_too in ((cast.dense, DENSE_SHARED_IN, 40), (cast.sparse, SPARSE_SHARED_IN, 1)):
            eligible = [
                i
                for i, lead in enumerate(leads)
                if lead.pk not in (cast.dense.pk, cast.sparse.pk)
                and (not self.in_task_force[i] or lead.task_force_id == agency.task_force_id)
            ]
            chosen = rng.sample(eligible, shared_in + expired_too)
            for n, i in enumerate(chosen):
                self.forced.setdefault(i, []).append((agency, CaseShare.Level.PERSONAL, n >= shared_in))
        excluded = {cast.dense.pk, cast.sparse.pk}
        self.candidates = {tf: [a for a in members if a.pk not in excluded] for tf, members in cast.task_forces.items()}
        self.everyone = [a for a in cast.agencies if a.pk not in excluded]
        self.providers = [a for a in cast.agencies if a.is_provider and a.services]
        # Who arrests, prosecutes and requests Continued Presence in a case: its task force's (or any, without one).
        self.by_kind: dict[tuple[int | None, str], list[AgencyInfo]] = {}
        for kinds, name in (
            (ARRESTING_KINDS, "arrest"),
            ({Agency.Kind.PROSECUTOR}, "prosecute"),
            ({Agency.Kind.FEDERAL_LE}, "federal"),
        ):
            self.by_kind[(None, name)] = [a for a in cast.agencies if a.kind in kinds]
            for tf, members in cast.task_forces.items():
                self.by_kind[(tf, name)] = [a for a in members if a.kind in kinds] or self.by_kind[(None, name)]

    def run(self) -> dict[str, Table]:
        count = SIZES[self.size]
        started = time.perf_counter()
        writer = PostgresWriter() if connection.vendor == "postgresql" else None
        try:
            self.outreach()  # written with the first chunk
            for first in range(0, count, CHUNK_CASES):
                for i in range(first, min(first + CHUNK_CASES, count)):
                    self.case(i)
                if writer is not None:
                    writer.put(self.tables.values())
                else:
                    with transaction.atomic():
                        for table in self.tables.values():
                            flush(table)
                done = min(first + CHUNK_CASES, count)
                print(f"  {done:>9,} cases  {time.perf_counter() - started:7.1f} s", file=sys.stderr, flush=True)
        finally:
            if writer is not None:
                writer.close()
        return self.tables

    def _at(self, day: date, hour: float = 9.0) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hour)

    def grant(self, case_id: int, group_id: int, codenames: Iterable[str]) -> None:
        for codename in codenames:
            self.tables["permission"].add(self.next_id("permission"), self.permission_ids[codename], group_id, case_id)

    def audit(
        self,
        at: datetime,
        actor: tuple[int, str] | None,
        agency: AgencyInfo,
        action: str,
        target: str,
        pk: int,
        details: str = "{}",
    ) -> None:
        self.tables["audit"].add(
            self.next_id("audit"),
            at,
            actor[0] if actor else None,
            actor[1] if actor else "",
            agency.pk,
            agency.name,
            action,
            target,
            str(pk),
            details,
        )

    def case(self, index: int) -> None:
        rng, lead = self.rng, self.leads[index]
        case_id = self.next_id("case")
        opened_on = self.today - timedelta(days=int(rng.random() ** 0.7 * HISTORY_DAYS))
        opened_at = self._at(opened_on, 8 + rng.random() * 9)
        age = (self.today - opened_on).days
        status, closed_reason, closed_on = Case.Status.OPEN, "", None
        if (age > 365 and rng.random() < 0.85) or rng.random() < 0.1:
            status = Case.Status.CLOSED
            closed_reason = rng.choice(CLOSED_REASONS)
            closed_on = opened_on + timedelta(days=int(rng.random() * age))
        elif rng.random() < 0.5:
            status = rng.choice([Case.Status.INVESTIGATION, Case.Status.PROSECUTION])
        year_number = self.case_numbers[opened_on.year] = self.case_numbers.get(opened_on.year, 0) + 1
        case_type = rng.choice(CASE_TYPES)
        city = rng.choice(CITIES)
        task_force_id = lead.task_force_id if self.in_task_force[index] else None
        caseworker = lead.user(Membership.Role.CASEWORKER)
        indicators = json.dumps(sorted(rng.sample(INDICATORS, 2)))
        self.tables["case"].add(
            case_id,
            opened_at,
            opened_at,
            f"HT-{opened_on.year}-{year_number:05d}",
            f"{TYPE_LABELS[case_type]} in {city} #{case_id}",
            case_type,
            status,
            closed_reason,
            lead.pk,
            task_force_id,
            opened_on,
            closed_on,
            f"Reported in {city}; {rng.choice(['restaurant', 'farm', 'massage parlor', 'motel', 'construction'])}.",
            indicators,
            rng.choice(CASE_CHANNELS),
            f"{city} County",
            "",
            caseworker[0],
        )
        self.grant(case_id, lead.group_id, CASE_PERMISSIONS)
        self.audit(opened_at, caseworker, lead, "cases.case.created", "cases.case", case_id)

        parties = self.people(case_id, lead, opened_at, caseworker)
        victims = [p.person_id for p in parties if p.role == CaseParticipant.Role.VICTIM]
        self.victim_participants = {p.person_id: p.participant_id for p in parties if p.role == "victim"}
        candidates = self.candidates[lead.task_force_id] if task_force_id else self.everyone
        taken = {lead.pk}
        shared: list[AgencyInfo] = []
        for agency, level, expired in self.forced.get(index, []):
            self.share(case_id, lead, agency, level, opened_at, expired=expired)
            taken.add(agency.pk)
            if not expired:
                shared.append(agency)
        for _ in range(self._poisson(1.2)):
            agency = rng.choice(candidates)
            if agency.pk in taken:
                continue
            taken.add(agency.pk)
            level = self._level(agency)
            roll = rng.random()
            if roll < 0.75:
                self.share(case_id, lead, agency, level, opened_at, expired=rng.random() < 0.1)
                shared.append(agency)
            else:
                ended = CaseShare.Status.REVOKED if roll < 0.9 else rng.choice(["declined", "requested"])
                self.share(case_id, lead, agency, level, opened_at, status=ended)
        if lead.is_provider and shared:  # the provider's clients released something to an agency that sees the case
            for person_id in victims:
                if rng.random() < 0.3:
                    self.consent(person_id, lead, rng.choice(shared), opened_on)
        for _ in range(self._poisson(3.0)):
            self.referral(case_id, lead, opened_at, victims, candidates, taken)
        info = CaseInfo(case_id, lead, opened_on, status, closed_reason, closed_on, case_type, task_force_id)
        for party in parties:
            if party.role == CaseParticipant.Role.VICTIM and rng.random() < IDENTIFIED_SHARE:
                self.identification(info, party)
        self.arrests(info, [p for p in parties if p.role == CaseParticipant.Role.SUSPECT])
        self.tips(info, opened_at)

    def _poisson(self, mean: float) -> int:
        limit, k, p = math.exp(-mean), 0, self.rng.random()
        while p > limit:
            k += 1
            p *= self.rng.random()
        return k

    def _level(self, agency: AgencyInfo) -> str:
        roll = self.rng.random()
        if agency.is_le and roll < 0.3:
            return CaseShare.Level.LAW_ENFORCEMENT if roll < 0.2 else CaseShare.Level.COLLABORATE
        return CaseShare.Level.SUMMARY if roll < 0.6 else CaseShare.Level.PERSONAL

    def people(self, case_id: int, lead: AgencyInfo, at: datetime, by: tuple[int, str]) -> list["Party"]:
        """~3 people, the first a victim (a minor in ~28% of cases); each in this case only."""
        rng = self.rng
        victim, suspect, witness = (
            CaseParticipant.Role.VICTIM,
            CaseParticipant.Role.SUSPECT,
            CaseParticipant.Role.WITNESS,
        )
        others = rng.choice([[suspect], [suspect, witness], [victim, suspect], [victim, suspect, witness]])
        roles = [victim, *others]
        parties = []
        for role in roles:
            person_id = self.next_id("person")
            born = None
            if rng.random() < 0.8:
                if role == victim:
                    years = rng.randrange(8, 18) if rng.random() < MINOR_SHARE else rng.randrange(18, 62)
                    born = at.date() - timedelta(days=365 * years + rng.randrange(365))
                else:
                    born = date(1960, 1, 1) + timedelta(days=rng.randrange(16_000))
            language = rng.choice(["es", "es", "en", "vi", "zh", "ru", "tl"])
            sex = rng.choice(SEXES)
            nationality = rng.choice(["Mexico", "Honduras", "Guatemala", "Vietnam", "China", "United States", ""])
            self.tables["person"].add(
                person_id,
                at,
                at,
                rng.choice(GIVEN),
                rng.choice(FAMILY),
                born,
                sex,
                nationality,
                json.dumps([language]),
                language,
                f"555-01{rng.randrange(100):02d}" if rng.random() < 0.4 else "",
                "",
                "",
                lead.pk,
                by[0],
            )
            participant_id = self.next_id("participant")
            self.tables["participant"].add(participant_id, at, at, case_id, person_id, role, by[0])
            parties.append(Party(person_id, participant_id, role, born, nationality, sex))
            if role == CaseParticipant.Role.VICTIM:
                for _ in range(rng.choice([0, 0, 1, 2])):
                    self.tables["need"].add(
                        self.next_id("need"),
                        at,
                        at,
                        case_id,
                        person_id,
                        rng.choice(NEED_CATEGORIES),
                        rng.choice(URGENCIES),
                        rng.choice(NEED_STATUSES),
                    )
        return parties

    def share(
        self,
        case_id: int,
        lead: AgencyInfo,
        agency: AgencyInfo,
        level: str,
        at: datetime,
        *,
        expired: bool = False,
        status: str = CaseShare.Status.ACTIVE,
        reason: str = "Joint investigation",
        granted_by: tuple[int, str] | None = None,
    ) -> int:
        """A share as ``case_share_grant`` leaves it; an active one with its level's rows (an expired one too:
        still active, its end passed, the rows left until it is revoked)."""
        supervisor = granted_by or lead.user(Membership.Role.SUPERVISOR)
        share_id = self.next_id("share")
        active = status == CaseShare.Status.ACTIVE
        ends = None
        if expired:
            ends = self.today - timedelta(days=1 + self.rng.randrange(200))
        elif active and self.rng.random() < 0.2:
            ends = self.today + timedelta(days=30 + self.rng.randrange(300))
        ended = status in (CaseShare.Status.REVOKED, CaseShare.Status.DECLINED)
        self.tables["share"].add(
            share_id,
            at,
            at,
            case_id,
            agency.pk,
            level,
            reason,
            status,
            supervisor[0],
            supervisor[0] if active or status == CaseShare.Status.REVOKED else None,
            ends,
            at + timedelta(days=30) if ended else None,
            supervisor[0] if ended else None,
        )
        if active:
            self.grant(case_id, agency.group_id, SHARE_LEVEL_PERMISSIONS[level])
        return share_id

    def consent(self, person_id: int, holder: AgencyInfo, recipient: AgencyInfo, opened_on: date) -> None:
        signed = opened_on + timedelta(days=self.rng.randrange(30))
        signed = min(signed, self.today)
        expires = signed + timedelta(days=30 + self.rng.randrange(300))
        at = self._at(signed, 10)
        self.tables["consent"].add(
            self.next_id("consent"),
            at,
            at,
            person_id,
            holder.pk,
            recipient.pk,
            json.dumps(sorted(self.rng.sample(CONSENT_CATEGORIES, 2))),
            "Joint services",
            signed,
            expires,
            None,
            holder.user(Membership.Role.CASEWORKER)[0],
        )

    def referral(
        self,
        case_id: int,
        lead: AgencyInfo,
        opened_at: datetime,
        victims: list[int],
        candidates: list[AgencyInfo],
        taken: set[int],
    ) -> None:
        rng = self.rng
        span = (self.now - opened_at).total_seconds()
        created = opened_at + timedelta(seconds=span * (1 - rng.random() ** 3) * 0.98)
        recent = self.now - created < RECENT
        chains = OPEN_CHAINS if recent and rng.random() < 0.6 else CLOSED_CHAINS
        chain = rng.choices([c for _, c in chains], [w for w, _ in chains])[0]
        if chains is OPEN_CHAINS and len(chain.verbs) <= 2:  # awaiting an answer: sent in the last few days
            created = self.now - timedelta(hours=rng.random() * 100)
        elif chains is CLOSED_CHAINS:  # closed by now, expiries included
            created = min(created, self.now - timedelta(days=5 + rng.random() * 10))
        urgency = rng.choice(URGENCIES)
        hours = {"emergency": 4, "urgent": 24, "routine": 72}[urgency]
        respond_by = created + timedelta(hours=hours)
        share_level, service, person = "", None, None
        if rng.random() < 0.35:
            kind = INTERAGENCY
            recipient = rng.choice(candidates)
            if recipient.pk in taken or recipient.kind == Agency.Kind.COORDINATION:
                return
            taken.add(recipient.pk)
            share_level = self._level(recipient)
            sender = lead.user(Membership.Role.SUPERVISOR)  # the lead's, who manages the case
            answerer = recipient.user(Membership.Role.CASEWORKER)
        else:
            kind = SERVICE
            recipient = self.cast.busiest if rng.random() < BUSIEST_SHARE else rng.choice(self.providers)
            service = rng.choice(recipient.services)
            person = rng.choice(victims)
            sender = lead.user(Membership.Role.CASEWORKER)
            answerer = recipient.user(Membership.Role.PROVIDER_STAFF)
        referral_id = self.next_id("referral")
        # The events, a while apart (but never after now).
        room = max((self.now - created).total_seconds(), 60.0)
        steps = len(chain.verbs)
        at = created
        status: str = Referral.Status.DRAFT
        share_id = None
        closed_at = None
        for n, verb in enumerate(chain.verbs):
            if verb == "expire":  # referrals_expire runs every quarter of an hour
                at = max(at, respond_by) + timedelta(minutes=15 * rng.random())
            elif n:
                at += timedelta(seconds=room / (steps + 1) * rng.random())
            previous, status = status, self.status_after[verb]
            actor = (
                None
                if verb == "expire"
                else sender
                if verb in ("send", "cancel")
                else answerer
            )  # fmt: skip
            actor_agency = None if actor is None else lead if actor is sender else recipient
            event_id = self.next_id("event")
            self.tables["event"].add(
                event_id, referral_id, at, verb, previous, status, actor and actor[0], actor_agency and actor_agency.pk
            )
            audit_id = self.next_id("audit")
            self.tables["audit"].add(
                audit_id,
                at,
                actor[0] if actor else None,
                actor[1] if actor else "",
                (actor_agency or lead).pk,
                (actor_agency or lead).name,
                audit_action(verb),
                "referrals.referral",
                str(referral_id),
                self._details(previous, status),
            )
            if rng.random() < 0.3:  # a notice to the other side
                told = answerer if actor is sender else sender
                read = at + timedelta(hours=2) if self.now - at > timedelta(days=7) else None
                self.tables["notification"].add(
                    self.next_id("notification"), told[0], referral_id, event_id, verb, at, read, at
                )
            if verb == "accept" and kind == INTERAGENCY:
                share_id = self.share(
                    case_id,
                    lead,
                    recipient,
                    share_level,
                    at,
                    reason=f"Referral #{referral_id} accepted",
                    granted_by=sender,
                )
            if status in CLOSED_STATUSES:
                closed_at = at
        outcome = chain.outcome
        if kind == INTERAGENCY and outcome == "service-delivered":
            outcome = Referral.Outcome.JOINED_CASE
        if kind == SERVICE and outcome == "service-delivered" and person is not None and service is not None:
            # The completion records the service delivered, in the victim's case (decision 0035).
            self.service_event(
                case_id,
                self.victim_participants[person],
                SERVICE_OF[recipient.services.index(service)],
                ServiceEvent.Kind.DELIVERED,
                at,
                recipient,
                answerer,
                referral_id=referral_id,
            )
        self.tables["referral"].add(
            referral_id,
            created,
            at,
            kind,
            case_id,
            person,
            lead.pk,
            sender[0],
            recipient.pk,
            service,
            Referral.Delivery.PORTAL,
            share_level,
            urgency,
            respond_by,
            "Please contact us about this case.",
            status,
            "No capacity this month" if chain.verbs[-1] == "reject" else "",
            chain.cancel_reason,
            outcome,
            share_id,
            closed_at,
            uuid.UUID(int=rng.getrandbits(128)),
            len(chain.verbs),
        )

    # The records of issue 17 and the outreach events of issue 18.

    def _when(self, day: date, hour: float = 10.0) -> datetime:
        """A moment of ``day``, never after now."""
        return min(self._at(day, hour), self.now)

    def _after(self, start: datetime, mean_days: float) -> datetime:
        """A moment after ``start``, ``mean_days`` later on average (an exponential wait), never after now: when the
        wait would end in the future, a moment of the time since ``start``."""
        later = start + timedelta(days=self.rng.expovariate(1 / mean_days))
        return later if later < self.now else start + (self.now - start) * self.rng.random()

    def _day_after(self, day: date, most: int, least: int = 0) -> date:
        """A day ``least`` to ``most`` days after ``day`` (sooner more likely), never after today."""
        return min(day + timedelta(days=least + int(self.rng.random() ** 2 * (most - least))), self.today)

    def identification(self, case: CaseInfo, party: Party) -> None:
        """A victim's identification as ``victim_identification_save`` leaves it (one audit row), then the services
        recorded for them and, for a foreign national, their immigration relief."""
        rng, lead = self.rng, case.lead
        caseworker, supervisor = lead.user(Membership.Role.CASEWORKER), lead.user(Membership.Role.SUPERVISOR)
        identified_on = self._day_after(case.opened_on, 30)
        at = self._when(identified_on)
        status, confirmed_on, confirmed_by = "potential", None, None
        if rng.random() < (0.6 if (self.today - identified_on).days > 60 else 0.2):
            status, confirmed_on, confirmed_by = "confirmed", self._day_after(identified_on, 90, 1), supervisor
        trafficking_type = case.case_type if rng.random() < 0.8 else rng.choice(TRAFFICKING_TYPES)
        age = age_on(party.born, identified_on)
        if party.nationality == "United States":
            citizenship, races = "us_citizen", rng.choice(US_RACES)
        elif party.nationality == "":
            citizenship, races = "not_reported", ["not_reported"]
        else:
            citizenship = "foreign_national" if rng.random() < 0.85 else "permanent_resident"
            races = RACES_OF[party.nationality]
        minor_since = at if citizenship == "foreign_national" and age is not None and age < 18 else None
        self.tables["identification"].add(
            self.next_id("identification"),
            at,
            max(at, self._when(confirmed_on)) if confirmed_on else at,
            party.participant_id,
            status,
            identified_on,
            caseworker[0],
            lead.pk,
            confirmed_on,
            confirmed_by and confirmed_by[0],
            confirmed_by and lead.pk,
            trafficking_type,
            age,
            minor_since,
            citizenship,
            GENDER_OF_SEX.get(party.sex, "not_reported"),
            json.dumps(races),
            rng.choice(["not_reported", "not_reported", "no", "no", "yes"]) if rng.random() < 0.9 else "no",
            rng.choice(REFERRAL_SOURCES),
        )
        details = json.dumps({"person_id": party.person_id, "fields": ["status", "identified_on"]})
        self.audit(at, caseworker, lead, "cases.victim_identification.recorded", "cases.case", case.pk, details)
        for _ in range(self._poisson(1.2)):  # services the lead delivered, or referred the person to outside
            day = self._day_after(identified_on, 300)
            if lead.is_provider or rng.random() < 0.35:
                self.service_event(
                    case.pk, party.participant_id, rng.choice(NEED_CATEGORIES), "delivered", self._when(day), lead,
                    caseworker,
                )  # fmt: skip
            else:
                self.service_event(
                    case.pk, party.participant_id, rng.choice(NEED_CATEGORIES), "referred", self._when(day), None,
                    caseworker, provider_name=rng.choice(OUTSIDE_PROVIDERS), agency=lead,
                )  # fmt: skip
        if citizenship == "foreign_national":
            self.relief(case, party, identified_on, minor=minor_since is not None)

    def service_event(
        self,
        case_id: int,
        participant_id: int,
        category: str,
        kind: str,
        at: datetime,
        provider: AgencyInfo | None,
        by: tuple[int, str],
        *,
        provider_name: str = "",
        referral_id: int | None = None,
        agency: AgencyInfo | None = None,
    ) -> None:
        """A service delivered or referred, and its audit row (``service_event_record``, or a completed referral's
        ``service_events_from_referral``)."""
        recorder = agency or provider
        assert recorder is not None
        pk = self.next_id("service")
        self.tables["service"].add(
            pk,
            at,
            at,
            participant_id,
            category,
            kind,
            at.date(),
            provider and provider.pk,
            provider_name,
            referral_id,
            by[0],
            recorder.pk,
        )
        details = {"service_event_ids": [pk], "kind": kind} | ({"referral_id": referral_id} if referral_id else {})
        self.audit(at, by, recorder, "cases.service_event.recorded", "cases.case", case_id, json.dumps(details))

    def relief(self, case: CaseInfo, party: Party, identified_on: date, *, minor: bool) -> None:
        """A foreign national's immigration relief: for a minor the HHS notification (within the day) and then
        interim assistance or an eligibility letter; for an adult Continued Presence, a declaration or certification,
        a T or U visa, employment authorization. Old requests are decided; recent ones mostly still open."""
        rng, lead = self.rng, case.lead
        caseworker = lead.user(Membership.Role.CASEWORKER)
        kinds: list[str] = []
        if minor:
            kinds.append("hhs_notification")
            if rng.random() < 0.6:
                kinds.append(rng.choice(["interim_assistance", "eligibility_letter"]))
        else:
            for kind, chance in (
                ("continued_presence", 0.25),
                ("t_declaration", 0.2),
                ("u_certification", 0.08),
                ("t_visa", 0.15),
                ("employment_authorization", 0.1),
            ):
                if rng.random() < chance:
                    kinds.append(kind)
        federal = self.by_kind[(case.task_force_id, "federal")]
        for kind in kinds:
            requested_on = identified_on if kind == "hhs_notification" else self._day_after(identified_on, 120)
            age = (self.today - requested_on).days
            submitted_on = decided_on = valid_from = expires_on = None
            decline_reason, requesting = "", None
            if kind == "continued_presence":  # requested by federal law enforcement
                requesting = lead if lead.kind == Agency.Kind.FEDERAL_LE else rng.choice(federal)
            elif kind in ("t_declaration", "u_certification"):  # signed by law enforcement
                requesting = lead if lead.kind in ARRESTING_KINDS else rng.choice(federal)
            if kind == "hhs_notification":
                status = "submitted" if age < 30 else "granted"
                submitted_on = requested_on
            else:
                roll = rng.random() * min(1.0, age / 365)  # young requests rarely decided yet
                status = (
                    "requested" if roll < 0.1 else "submitted" if roll < 0.3 else "granted" if roll < 0.8
                    else "denied" if roll < 0.9 else "withdrawn"
                )  # fmt: skip
                if status != "requested":
                    submitted_on = self._day_after(requested_on, 30)
            if status in ("granted", "denied", "withdrawn"):
                decided_on = self._day_after(submitted_on or requested_on, 200 if kind == "t_visa" else 60)
            if status == "denied":
                decline_reason = "Eligibility not shown"
            if status == "granted" and kind != "hhs_notification":
                valid_from = decided_on
                assert valid_from is not None
                days = {"continued_presence": 730, "t_visa": 1461, "employment_authorization": 730}.get(kind)
                if kind == "interim_assistance":
                    days = INTERIM_ASSISTANCE_DAYS
                if days:
                    expires_on = valid_from + timedelta(days=days)
            at = self._when(requested_on, 11)
            pk = self.next_id("relief")
            self.tables["relief"].add(
                pk,
                at,
                max(at, self._when(decided_on or submitted_on or requested_on, 12)),
                case.pk,
                party.participant_id,
                kind,
                status,
                requested_on,
                submitted_on,
                decided_on,
                valid_from,
                expires_on,
                requesting and requesting.pk,
                decline_reason,
                caseworker[0],
                lead.pk,
            )
            details = json.dumps({"case_id": case.pk, "person_id": party.person_id, "relief_id": pk})
            self.audit(
                at,
                caseworker,
                lead,
                "protection.relief.recorded",
                "cases.caseparticipant",
                party.participant_id,
                details,
            )

    def arrests(self, case: CaseInfo, suspects: list[Party]) -> None:
        """Arrests of a case's suspects (more the further it went), each with 1 to 3 charges; the prosecutor's
        decision on each, and the disposition of those charged. One audit row per step, as the services write."""
        rng, lead = self.rng, case.lead
        share = ARRESTED_SHARE.get(case.status, 0.0)
        if case.status == Case.Status.CLOSED:
            share = ARRESTED_SHARE.get(case.closed_reason, CLOSED_ARRESTED_SHARE)
        caseworker = lead.user(Membership.Role.CASEWORKER)
        for party in suspects:
            if rng.random() >= share:
                continue
            arrested_on = self._day_after(case.opened_on, 240, 3)
            if case.closed_on is not None:
                arrested_on = min(arrested_on, case.closed_on)
            arresting = (
                lead if lead.kind in ARRESTING_KINDS else rng.choice(self.by_kind[(case.task_force_id, "arrest")])
            )
            at = self._when(arrested_on, 14)
            arrest_id = self.next_id("arrest")
            self.tables["arrest"].add(
                arrest_id, at, at, case.pk, party.participant_id, arrested_on, arresting.pk, caseworker[0]
            )
            details = json.dumps({"person_id": party.person_id, "arrest_id": arrest_id})
            self.audit(
                at,
                caseworker,
                lead,
                "prosecution.arrest.recorded",
                "cases.caseparticipant",
                party.participant_id,
                details,
            )
            prosecutor = rng.choice(self.by_kind[(case.task_force_id, "prosecute")])
            prosecutor_user = prosecutor.user(Membership.Role.SUPERVISOR)
            for _ in range(1 + int(rng.random() ** 2 * 3)):
                self.charge(case, party, arrest_id, arrested_on, caseworker, prosecutor, prosecutor_user)

    def charge(
        self,
        case: CaseInfo,
        party: Party,
        arrest_id: int,
        arrested_on: date,
        by: tuple[int, str],
        prosecutor: AgencyInfo,
        prosecutor_user: tuple[int, str],
    ) -> None:
        rng = self.rng
        statute, level, _weight = rng.choices(STATUTES, [w for _s, _l, w in STATUTES])[0]
        key = citation_key(statute)
        trafficking = is_federal_trafficking(key) or (statute == STATE_STATUTE and case.task_force_id is not None)
        at = self._when(arrested_on, 15)
        decision, decided_on, agency, reason, decided_by = "pending", None, None, "", None
        disposition, disposed_on, sentence, disposed_by = "pending", None, "", None
        if rng.random() < min(0.95, (self.today - arrested_on).days / 60):
            decided_on = self._day_after(arrested_on, 60, 1)
            decision = "charged" if rng.random() < 0.85 else "declined"
            agency, decided_by = prosecutor, prosecutor_user
            if decision == "declined":
                reason = "Insufficient evidence"
            elif rng.random() < min(0.95, (self.today - decided_on).days / 540):
                disposed_on = self._day_after(decided_on, 700, 30)
                disposition = rng.choices(
                    ["plea", "convicted_at_trial", "dismissed", "acquitted"], [0.6, 0.15, 0.2, 0.05]
                )[0]
                disposed_by = prosecutor_user
                if disposition in Charge.CONVICTIONS:
                    sentence = rng.choice(SENTENCES)
        charge_id = self.next_id("charge")
        self.tables["charge"].add(
            charge_id,
            at,
            max(at, self._when(disposed_on or decided_on or arrested_on, 16)),
            arrest_id,
            statute,
            key,
            level,
            trafficking,
            decision,
            decided_on,
            agency and agency.pk,
            reason,
            decided_by and decided_by[0],
            disposition,
            disposed_on,
            sentence,
            disposed_by and disposed_by[0],
            by[0],
        )
        target = ("cases.caseparticipant", party.participant_id)
        details = json.dumps({"person_id": party.person_id, "arrest_id": arrest_id, "charge_id": charge_id})
        self.audit(at, by, case.lead, "prosecution.charge.added", *target, details)
        if decided_on is not None:
            self.audit(
                self._when(decided_on, 16), prosecutor_user, prosecutor, "prosecution.charge.decided", *target, details
            )
        if disposed_on is not None:
            self.audit(
                self._when(disposed_on, 16),
                prosecutor_user,
                prosecutor,
                "prosecution.charge.disposed",
                *target,
                details,
            )

    def tips(self, case: CaseInfo, opened_at: datetime) -> None:
        """The tips the case's lead received around it: now and then the one the case came from (linked, or opened
        as the case), and others that went nowhere (closed, recent ones with no criminal predicate; the newest
        still awaiting assessment, some of them overdue, or assigned). Each with its events, their audit rows, and
        the dissemination a link or a case writes."""
        rng = self.rng
        count = self._poisson(TIPS_PER_CASE)
        for n in range(count):
            if n == 0 and rng.random() < 0.5:  # the tip the case came from
                received = opened_at - timedelta(hours=2 + rng.random() * 24 * 20)
                self.tip(case, received, "open_case" if rng.random() < 0.5 else "link")
                continue
            received = self._after(opened_at, TIP_DELAY_DAYS)
            age = self.now - received
            if age < timedelta(days=3):
                ending = rng.choice(["receive", "receive", "assess", "assign"])
            elif age < timedelta(days=30):
                ending = rng.choice(["assign", "assign", "close", "close_no_predicate", "receive"])
            elif age < NO_PREDICATE_RETENTION:
                ending = rng.choice(["close", "close", "close_no_predicate"])
            else:  # a tip closed with no criminal predicate is purged after its 90 days
                ending = "close"
            self.tip(case, received, ending)

    def tip(self, case: CaseInfo, received: datetime, ending: str) -> None:
        rng, lead = self.rng, case.lead
        supervisor, caseworker = lead.user(Membership.Role.SUPERVISOR), lead.user(Membership.Role.CASEWORKER)
        urgent = rng.random() < 0.2
        assess_by = received + timedelta(hours=1 if urgent else 24)
        room = max(min((self.now - received).total_seconds(), 86400 * 10), 60.0)
        steps = {
            "receive": ["receive"],
            "assess": ["receive", "assess"],
            "assign": ["receive", "assess", "assign"],
            "close": ["receive", "assess", "close"],
            "close_no_predicate": ["receive", "close_no_predicate"],
            "link": ["receive", "assess", "assign", "link"],
            "open_case": ["receive", "assess", "assign", "open_case"],
        }[ending]
        tip_id = self.next_id("tip")
        at, status = received, ""
        assessed_at = closed_at = validated_at = None
        review_due = due_on = None
        for n, verb in enumerate(steps):
            if n:
                at = min(at + timedelta(seconds=room / (len(steps) + 1) * rng.random()), self.now)
            previous, status = status, TIP_STATUS_AFTER[verb]
            actor = caseworker if verb in ("link", "open_case") else supervisor
            self.tables["tip_event"].add(
                self.next_id("tip_event"), tip_id, at, verb, previous, status, actor[0], lead.pk, "", "{}"
            )
            details = json.dumps({"from": previous, "to": status})
            self.audit(at, actor, lead, f"tips.tip.{TIP_STEPS[verb].past}", "tips.tip", tip_id, details)
            if verb == "assess":
                assessed_at = validated_at = at
                review_due = review_due_after(at.date())
            elif verb == "assign":
                due_on = at.date() + timedelta(days=14)
            elif verb in ("close", "close_no_predicate"):
                closed_at = at
                if verb == "close_no_predicate":
                    review_due = at.date() + NO_PREDICATE_RETENTION
            elif verb in ("link", "open_case"):
                self.tables["dissemination"].add(
                    self.next_id("dissemination"),
                    tip_id,
                    tip_id,
                    lead.pk,
                    at,
                    "link" if verb == "link" else "case_opened",
                    actor[0],
                    lead.pk,
                    lead.pk,
                    "Linked to a case" if verb == "link" else "Opened as a case",
                )
        overdue_notified = assess_by + timedelta(minutes=15) if status == "received" and assess_by < self.now else None
        assigned = status in ("assigned", "linked", "case_opened")
        close_reason = ""
        if ending == "close_no_predicate":
            close_reason = "no_criminal_predicate"
        elif ending == "close":
            close_reason = rng.choice(["duplicate", "not_trafficking", "insufficient", "other_jurisdiction"])
        self.tables["tip"].add(
            tip_id,
            received,
            at,
            received,
            rng.choice(TIP_CHANNELS),
            lead.pk,
            supervisor[0],
            urgent and rng.random() < 0.7,
            urgent and rng.random() < 0.5,
            json.dumps(sorted(rng.sample(INDICATORS, 2))),
            "A caller reported people working long hours and living at the site.",
            assess_by,
            status,
            "Consistent indicators from a named source." if assessed_at else "",
            assessed_at,
            supervisor[0] if assessed_at else None,
            lead.pk if assigned else None,
            caseworker[0] if assigned else None,
            due_on,
            case.pk if ending in ("link", "open_case") else None,
            close_reason,
            "Closed after review." if ending == "close" else "No criminal predicate." if close_reason else "",
            closed_at,
            overdue_notified,
            review_due,
            validated_at,
            supervisor[0] if validated_at else None,
            len(steps),
        )

    def outreach(self) -> None:
        """Each agency's outreach and training events over the six years (~1 a month), and their audit rows."""
        rng = self.rng
        first = self.today - timedelta(days=HISTORY_DAYS)
        for agency in self.cast.agencies:
            by = agency.users.get(Membership.Role.COORDINATOR) or agency.user(Membership.Role.CASEWORKER)
            for month in range(HISTORY_DAYS // 30):
                for _ in range(self._poisson(1.0)):
                    held_on = min(first + timedelta(days=30 * month + rng.randrange(30)), self.today)
                    at = self._when(held_on, 18)
                    pk = self.next_id("outreach")
                    kind, audience = rng.choice(OUTREACH_KINDS), rng.choice(OUTREACH_AUDIENCES)
                    reached = int(10 + rng.random() ** 3 * 400)
                    self.tables["outreach"].add(
                        pk, at, at, agency.pk, held_on, f"{OutreachEvent.Kind(kind).label} #{pk}", kind, audience,
                        reached, by[0],
                    )  # fmt: skip
                    details = json.dumps({"kind": kind, "audience": audience, "people_reached": reached})
                    self.audit(at, by, agency, "reports.outreach_event.recorded", "reports.outreachevent", pk, details)

    def _details(self, previous: str, status: str) -> str:
        """The audit row's details of a step (the same few pairs again and again: made once each)."""
        key = (previous, status)
        if key not in self.details:
            self.details[key] = json.dumps({"from": previous, "to": status, "on_behalf": False})
        return self.details[key]

    def finish(self) -> None:
        """Case numbers continue after the loaded ones; sequences after the given ids."""
        CaseNumberSequence.objects.bulk_create(
            [CaseNumberSequence(year=year, last=last) for year, last in self.case_numbers.items()],
            update_conflicts=True,
            unique_fields=["year"],
            update_fields=["last"],
        )
        bulk = [t.model for t in self.tables.values()]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), bulk):
                cursor.execute(statement)


# --- Loaded once -----------------------------------------------------------------------------------------------


def stored_fingerprint() -> str | None:
    tables = connection.introspection.table_names()
    if FINGERPRINT_TABLE not in tables:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {FINGERPRINT_TABLE}")  # noqa: S608  (a constant)
        row = cursor.fetchone()
    return row[0] if row else None


def load(size: str) -> None:
    """Fill a freshly migrated database with ``size``, print the time per table, gather statistics, and store the
    fingerprint last (a load that did not finish is loaded again)."""
    started = time.perf_counter()
    print(f"loading {size} ({SIZES[size]:,} cases) into {connection.vendor} ...", file=sys.stderr, flush=True)
    with transaction.atomic():
        cast = create_cast(size)
    print(f"  agencies and people: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    generator = Generator(size, cast)
    indexes = _secondary_indexes(generator.tables.values()) if connection.vendor == "postgresql" else []
    with connection.cursor() as cursor:
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    tables = generator.run()
    generator.finish()
    for table in tables.values():
        print(f"  {table.name:34} {table.written:>11,} rows {table.seconds:8.1f} s", file=sys.stderr)
    built = time.perf_counter()
    if indexes:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
        print(f"  {len(indexes)} indexes built: {time.perf_counter() - built:.1f} s", file=sys.stderr, flush=True)
    analysed = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")  # as autovacuum would after a load this size
    else:
        gather_statistics()
    print(f"  statistics: {time.perf_counter() - analysed:.1f} s", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {FINGERPRINT_TABLE} (value varchar(200) NOT NULL)")
        cursor.execute(f"DELETE FROM {FINGERPRINT_TABLE}")  # noqa: S608
        cursor.execute(f"INSERT INTO {FINGERPRINT_TABLE} (value) VALUES (%s)", [fingerprint(size)])  # noqa: S608
    print(f"loaded {size} in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
