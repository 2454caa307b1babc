"""Write HSDS tables into the directory: check everything first, then upsert by HSDS id in one transaction.

A file with any problem writes nothing. Importing the same data twice changes nothing (rows are compared before
they are written). Terms of taxonomies the portal does not know are imported unmapped and listed in the report.
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import User
from portal.audit import audit_record
from services_directory import models as directory
from services_directory.hsds.reading import Problem, Tables, read_path
from services_directory.hsds.schemas import entity_of_table
from services_directory.taxonomies import recognise

# The modelled tables, in the order they are written (a row's links point to tables written before it).
MODELS: dict[str, type[directory.HsdsModel]] = {
    "taxonomies": directory.Taxonomy,
    "taxonomy_terms": directory.TaxonomyTerm,
    "organizations": directory.Organization,
    "locations": directory.Location,
    "addresses": directory.Address,
    "services": directory.Service,
    "service_at_location": directory.ServiceAtLocation,
    "contacts": directory.Contact,
    "phones": directory.Phone,
    "languages": directory.Language,
    "schedules": directory.Schedule,
    "service_areas": directory.ServiceArea,
    "attributes": directory.Attribute,
}

# Links the portal follows: each must point to a row of the file or of the directory. The others (a location's
# organization, a contact's owners, a term's parent) are kept as they come, since published data often leaves them
# dangling.
LINKS: dict[str, dict[str, str]] = {
    "services": {"organization_id": "organizations"},
    "service_at_location": {"service_id": "services", "location_id": "locations"},
    "addresses": {"location_id": "locations"},
    "phones": {
        "location_id": "locations",
        "service_id": "services",
        "organization_id": "organizations",
        "service_at_location_id": "service_at_location",
    },
    "languages": {"service_id": "services", "location_id": "locations", "phone_id": "phones"},
    "schedules": {
        "service_id": "services",
        "location_id": "locations",
        "service_at_location_id": "service_at_location",
    },
    "service_areas": {"service_id": "services"},
    "attributes": {"taxonomy_term_id": "taxonomy_terms"},
}
REQUIRED_LINKS: dict[str, set[str]] = {
    "services": {"organization_id"},
    "service_at_location": {"service_id", "location_id"},
    "addresses": {"location_id"},
}
# Which column of a passed-on record names the row it belongs to (for export by owner).
RECORD_OWNER_COLUMNS = ("service_id", "location_id", "organization_id", "resource_id")

BATCH = 500


class ImportRefused(Exception):
    def __init__(self, problems: list[Problem], notes: list[str] | None = None) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems
        self.notes = notes or []


@dataclass
class TableCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    counts: dict[str, TableCounts] = field(default_factory=dict)
    unmapped_terms: list[directory.TaxonomyTerm] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(c.created + c.updated for c in self.counts.values())

    def as_details(self) -> dict[str, Any]:
        return {
            "counts": {t: [c.created, c.updated, c.unchanged] for t, c in self.counts.items()},
            "unmapped_terms": len(self.unmapped_terms),
        }


def hsds_import(*, path: Path, actor: User | None = None, request: HttpRequest | None = None) -> ImportReport:
    """Import a JSON file of HSDS service documents or a folder of the CSV tabular package."""
    tables = read_path(path)
    return hsds_import_tables(tables=tables, source=path.name, actor=actor, request=request)


def hsds_import_tables(
    *, tables: Tables, source: str, actor: User | None = None, request: HttpRequest | None = None
) -> ImportReport:
    values = _check(tables) if not tables.problems else {}
    if tables.problems:
        raise ImportRefused(tables.problems, tables.notes)
    report = ImportReport(notes=list(tables.notes))
    try:
        with transaction.atomic():
            for table, model in MODELS.items():
                report.counts[table] = _upsert(model, values.get(table, {}))
            report.counts.update(_upsert_records(tables))
            _map_new_terms(tables)
            report.unmapped_terms = list(
                directory.TaxonomyTerm.objects.filter(category="", pk__in=list(tables.table("taxonomy_terms")))
            )
            audit_record(
                action="services_directory.import.completed",
                actor=actor,
                request=request,
                details={"source": source[:100], **report.as_details()},
            )
    except DatabaseError as error:
        raise ImportRefused([Problem(source, "", f"the database refused the data: {error}")]) from error
    return report


# Checking -----------------------------------------------------------------------------------------------------


def _check(tables: Tables) -> dict[str, dict[str, dict[str, Any]]]:
    """Every row converted to model values, or problems recorded on ``tables``."""
    values: dict[str, dict[str, dict[str, Any]]] = {}
    for table, model in MODELS.items():
        entity = entity_of_table()[table]
        fields = {f.attname: f for f in model._meta.concrete_fields}
        converted = values.setdefault(table, {})
        for row_id, row in tables.table(table).items():
            where = tables.where(table, row_id)
            result: dict[str, Any] = {}
            for column in entity.columns:
                try:
                    result[column] = _convert(fields[column], row.get(column))
                except ValidationError as error:
                    tables.problem(where, f"{entity.name}.{column}", " ".join(error.messages))
            converted[row_id] = result
    _check_links(tables)
    _check_record_ids(tables)
    return values


def _convert(model_field: models.Field, value: Any) -> Any:
    if value is None or value == "":
        if model_field.null or isinstance(model_field, models.ForeignKey):  # a missing link: ``_check_links``
            return None
        if not model_field.blank:
            raise ValidationError("is required by the portal")
        return ""
    if isinstance(model_field, models.ForeignKey | models.UUIDField):
        try:
            return uuid.UUID(str(value))
        except ValueError as error:
            raise ValidationError(f"{value!r} is not a UUID") from error
    if isinstance(model_field, models.IntegerField) and isinstance(value, float) and not value.is_integer():
        raise ValidationError(f"{value} is not a whole number")
    python_value = model_field.to_python(value)
    if isinstance(python_value, datetime) and timezone.is_naive(python_value):
        python_value = python_value.replace(tzinfo=UTC)
    model_field.validate(python_value, None)
    model_field.run_validators(python_value)
    return python_value


def _check_links(tables: Tables) -> None:
    missing: dict[str, set[str]] = {}
    pending: list[tuple[str, str, str, str, str]] = []
    for table, links in LINKS.items():
        name = entity_of_table()[table].name
        for row_id, row in tables.table(table).items():
            for column, target in links.items():
                value = row.get(column)
                if value is None:
                    if column in REQUIRED_LINKS.get(table, ()):
                        tables.problem(tables.where(table, row_id), f"{name}.{column}", "is required by the portal")
                    continue
                if str(value) not in tables.table(target):
                    missing.setdefault(target, set()).add(str(value))
                    pending.append((table, row_id, f"{name}.{column}", target, str(value)))
    known = {
        target: {
            str(pk) for pk in MODELS[target]._default_manager.filter(pk__in=list(ids)).values_list("pk", flat=True)
        }
        for target, ids in missing.items()
    }
    for table, row_id, column, target, value in pending:
        if value not in known[target]:
            tables.problem(
                tables.where(table, row_id),
                column,
                f"{value} is defined neither in the file ({target}) nor in the directory",
            )


def _check_record_ids(tables: Tables) -> None:
    """A passed-on record's id must not already name a record of another table."""
    records = {row_id: table for table, rows in tables.rows.items() if table not in MODELS for row_id in rows}
    clashes = (
        directory.HsdsRecord.objects.filter(pk__in=list(records))
        .exclude(table__in=set(records.values()))
        .values_list("pk", "table")
    )
    for pk, table in clashes:
        other = records[str(pk)]
        if other != table:
            tables.problem(tables.where(other, str(pk)), f"{other}.id", f"{pk} is already the id of a {table} record")


# Writing ------------------------------------------------------------------------------------------------------


def _upsert(model: type[directory.HsdsModel], rows: dict[str, dict[str, Any]]) -> TableCounts:
    counts = TableCounts()
    if not rows:
        return counts
    # Locked, so that an edit saved in the portal meanwhile is either before the import (and compared) or after it.
    existing = model._default_manager.select_for_update().in_bulk([uuid.UUID(pk) for pk in rows])
    now = timezone.now()
    created: list[directory.HsdsModel] = []
    changed: list[directory.HsdsModel] = []
    columns: set[str] = set()
    for pk, values in rows.items():
        instance = existing.get(uuid.UUID(pk))
        if instance is None:
            instance = model(**_portal_defaults(model, values), **values)
            created.append(instance)
            continue
        if isinstance(instance, directory.Location) and instance.is_confidential:
            values = _keep_withheld(instance, values)
        differing = {column for column, value in values.items() if getattr(instance, column) != value}
        if not differing:
            counts.unchanged += 1
            continue
        for column in differing:
            setattr(instance, column, values[column])
        if isinstance(instance, directory.Service):
            instance.version += 1  # a provider's form opened before the import is now stale
            columns.add("version")
        instance.updated_at = now
        columns |= differing
        changed.append(instance)
    model._default_manager.bulk_create(created, batch_size=BATCH)
    if changed:
        model._default_manager.bulk_update(changed, [*sorted(columns), "updated_at"], batch_size=BATCH)
    counts.created, counts.updated = len(created), len(changed)
    return counts


def _keep_withheld(location: directory.Location, values: dict[str, Any]) -> dict[str, Any]:
    """A confidential location's withheld columns that the file leaves empty keep what the portal holds."""
    kept = dict(values)
    for column in directory.Location.WITHHELD_WHEN_CONFIDENTIAL:
        if kept.get(column) in (None, ""):
            kept[column] = getattr(location, column)
    return kept


def _portal_defaults(model: type[directory.HsdsModel], values: dict[str, Any]) -> dict[str, Any]:
    """What the portal can tell of a new service from HSDS: whether it takes minors, from its minimum age."""
    if model is directory.Service and values.get("minimum_age") is not None:
        return {"accepts_minors": values["minimum_age"] < 18}
    return {}


def _upsert_records(tables: Tables) -> dict[str, TableCounts]:
    counts: dict[str, TableCounts] = {}
    for table, rows in tables.rows.items():
        if table in MODELS or not rows:
            continue
        table_counts = counts.setdefault(table, TableCounts())
        existing = directory.HsdsRecord.objects.in_bulk([uuid.UUID(pk) for pk in rows])
        created, changed = [], []
        for pk, row in rows.items():
            data = {column: value for column, value in row.items() if column != "id"}
            owner = next((row[c] for c in RECORD_OWNER_COLUMNS if row.get(c)), None)
            record = existing.get(uuid.UUID(pk))
            if record is None:
                created.append(directory.HsdsRecord(id=pk, table=table, owner_id=owner, data=data))
            elif record.data != data or str(record.owner_id or "") != str(owner or ""):
                record.data, record.owner_id = data, owner
                changed.append(record)
            else:
                table_counts.unchanged += 1
        directory.HsdsRecord.objects.bulk_create(created, batch_size=BATCH)
        directory.HsdsRecord.objects.bulk_update(changed, ["data", "owner_id"], batch_size=BATCH)
        table_counts.created, table_counts.updated = len(created), len(changed)
    return counts


def _map_new_terms(tables: Tables) -> None:
    """Give a need category to the imported terms that have none yet and that the portal recognises. A category an
    administrator chose is never overwritten."""
    term_ids = list(tables.table("taxonomy_terms"))
    if not term_ids:
        return
    taxonomies = {str(t.pk): {"name": t.name, "uri": t.uri} for t in directory.Taxonomy.objects.all()}
    mapped = []
    for term in directory.TaxonomyTerm.objects.filter(pk__in=term_ids, category=""):
        row = tables.table("taxonomy_terms")[str(term.pk)]
        category = recognise(row, taxonomies.get(str(term.taxonomy_id)))
        if category:
            term.category = category
            mapped.append(term)
    directory.TaxonomyTerm.objects.bulk_update(mapped, ["category"], batch_size=BATCH)
