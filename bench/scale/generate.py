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
)
from cases.selectors import CASE_PERMISSIONS
from cases.services.shares import SHARE_LEVEL_PERMISSIONS
from portal.categories import NeedCategory
from portal.models import AuditEvent
from portal.sqlite import gather_statistics
from referrals.integrity import audit_action, status_after
from referrals.models import Notification, Referral, ReferralEvent
from services_directory.models import Organization, Service

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

    def run(self) -> dict[str, Table]:
        count = SIZES[self.size]
        started = time.perf_counter()
        writer = PostgresWriter() if connection.vendor == "postgresql" else None
        try:
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
        self, at: datetime, actor: tuple[int, str] | None, agency: AgencyInfo, action: str, target: str, pk: int
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
            "{}",
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

        victims = self.people(case_id, lead, opened_at, caseworker)
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

    def people(self, case_id: int, lead: AgencyInfo, at: datetime, by: tuple[int, str]) -> list[int]:
        """~3 people, the first a victim; each in this case only. Returns the victims' ids."""
        rng = self.rng
        victim, suspect, witness = (
            CaseParticipant.Role.VICTIM,
            CaseParticipant.Role.SUSPECT,
            CaseParticipant.Role.WITNESS,
        )
        others = rng.choice([[suspect], [suspect, witness], [victim, suspect], [victim, suspect, witness]])
        roles = [victim, *others]
        victims = []
        for role in roles:
            person_id = self.next_id("person")
            born = date(1960, 1, 1) + timedelta(days=rng.randrange(16_000)) if rng.random() < 0.8 else None
            language = rng.choice(["es", "es", "en", "vi", "zh", "ru", "tl"])
            self.tables["person"].add(
                person_id,
                at,
                at,
                rng.choice(GIVEN),
                rng.choice(FAMILY),
                born,
                rng.choice(SEXES),
                rng.choice(["Mexico", "Honduras", "Guatemala", "Vietnam", "China", "United States", ""]),
                json.dumps([language]),
                language,
                f"555-01{rng.randrange(100):02d}" if rng.random() < 0.4 else "",
                "",
                "",
                lead.pk,
                by[0],
            )
            self.tables["participant"].add(self.next_id("participant"), at, at, case_id, person_id, role, by[0])
            if role == CaseParticipant.Role.VICTIM:
                victims.append(person_id)
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
        return victims

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
