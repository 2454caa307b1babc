"""Read the directory out as HSDS: the tables (for the CSV package) and nested service documents (for JSON and the
API), both from one loader that leaves out what a confidential location hides.

A confidential location keeps its id, type, name and languages; its addresses, coordinates, description,
transportation notes, external identifiers, accessibility notes and any metadata about them never leave the portal.
"""

import csv
import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from uuid import UUID

from django.db.models import Q

from services_directory import models as directory
from services_directory.hsds.importing import MODELS
from services_directory.hsds.schemas import LINK_COLUMNS, Entity, entities, entity_of_table

Row = dict[str, Any]
# What a confidential location keeps when it leaves the portal (decision 0010); its languages come along.
CONFIDENTIAL_LOCATION_KEEPS = frozenset({"id", "location_type", "name", "organization_id"})
# The rows that hang off an owner by these links: detached from a hidden owner, and dropped when none is left.
OWNER_LINKS: dict[str, tuple[str, ...]] = {
    "contacts": ("organization_id", "service_id", "service_at_location_id", "location_id"),
    "phones": ("location_id", "service_id", "organization_id", "contact_id", "service_at_location_id"),
    "schedules": ("service_id", "location_id", "service_at_location_id"),
    "languages": ("service_id", "location_id", "phone_id"),
}


def json_value(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _row(instance: Any, entity: Entity) -> Row:
    row = {}
    for column in entity.columns:
        value = json_value(getattr(instance, column))
        if value is not None and value != "":
            row[column] = value
    return row


def load_tables(service_ids: Iterable[UUID] | None = None) -> dict[str, list[Row]]:
    """Every HSDS table's rows for the given services (or the whole directory), JSON-ready, redacted."""
    by_table = entity_of_table()
    querysets = _querysets(None if service_ids is None else list(service_ids))
    tables: dict[str, list[Row]] = {}
    confidential: set[str] = set()
    for table, queryset in querysets.items():
        if table == "records":
            continue
        entity = by_table[table]
        rows = []
        for instance in queryset:
            row = _row(instance, entity)
            if table == "locations" and instance.is_confidential:
                confidential.add(row["id"])
                row = {column: value for column, value in row.items() if column in CONFIDENTIAL_LOCATION_KEEPS}
            rows.append(row)
        tables[table] = rows
    records = [{"id": str(record.id), "_table": record.table, **record.data} for record in querysets["records"]]
    _redact(tables, records, confidential)
    for rows in tables.values():
        rows.sort(key=lambda row: row["id"])
    return tables


def _redact(tables: dict[str, list[Row]], records: list[Row], confidential: set[str]) -> None:
    """Take out of ``tables`` everything that would place or reach a confidential location: its addresses, and the
    contacts, phones and hours attached to it or to a service at it (a shelter's front desk is as telling as its
    street), with what hangs off those; ``records`` (accessibility, metadata...) about any of them are dropped too."""
    at_confidential = {row["id"] for row in tables.get("service_at_location", []) if row["location_id"] in confidential}
    for row in tables.get("service_at_location", []):
        if row["id"] in at_confidential:
            row.pop("description", None)
    hidden = set(confidential) | at_confidential
    kept_addresses = []
    for row in tables.get("addresses", []):
        if row["location_id"] in confidential:
            hidden.add(row["id"])
        else:
            kept_addresses.append(row)
    tables["addresses"] = kept_addresses
    for table, links in OWNER_LINKS.items():
        # A confidential location keeps its languages; everything else attached to it goes.
        detach = hidden - confidential if table == "languages" else hidden
        kept = []
        for row in tables.get(table, []):
            for column in links:
                if row.get(column) in detach:
                    del row[column]
            if any(row.get(column) for column in links):
                kept.append(row)
            else:
                hidden.add(row["id"])
        tables[table] = kept
    tables["attributes"] = [row for row in tables.get("attributes", []) if row["link_id"] not in hidden]
    for record in records:
        table = record.pop("_table")
        if any(value in hidden for column, value in record.items() if column.endswith("_id")):
            continue
        tables.setdefault(table, []).append(record)


def _querysets(service_ids: list[UUID] | None) -> dict[str, Any]:
    if service_ids is None:
        sets: dict[str, Any] = {table: model._default_manager.order_by() for table, model in MODELS.items()}
        sets["records"] = directory.HsdsRecord.objects.order_by()
        return sets
    services = list(directory.Service.objects.filter(pk__in=service_ids).order_by())
    org_ids = {s.organization_id for s in services}
    program_ids = {s.program_id for s in services if s.program_id}
    sals = list(directory.ServiceAtLocation.objects.filter(service_id__in=service_ids).order_by())
    sal_ids = [sal.pk for sal in sals]
    locations = list(
        directory.Location.objects.filter(
            Q(pk__in={sal.location_id for sal in sals}) | Q(organization_id__in=org_ids)
        ).order_by()
    )
    location_ids = [location.pk for location in locations]
    contacts = list(
        directory.Contact.objects.filter(
            Q(service_id__in=service_ids)
            | Q(organization_id__in=org_ids)
            | Q(service_at_location_id__in=sal_ids)
            | Q(location_id__in=location_ids)
        ).order_by()
    )
    phones = list(
        directory.Phone.objects.filter(
            Q(service_id__in=service_ids)
            | Q(organization_id__in=org_ids)
            | Q(service_at_location_id__in=sal_ids)
            | Q(location_id__in=location_ids)
            | Q(contact_id__in=[c.pk for c in contacts])
        ).order_by()
    )
    sets = {
        "services": services,
        "organizations": directory.Organization.objects.filter(pk__in=org_ids).order_by(),
        "service_at_location": sals,
        "locations": locations,
        "addresses": list(directory.Address.objects.filter(location_id__in=location_ids).order_by()),
        "contacts": contacts,
        "phones": phones,
        "languages": directory.Language.objects.filter(
            Q(service_id__in=service_ids) | Q(location_id__in=location_ids) | Q(phone_id__in=[p.pk for p in phones])
        ).order_by(),
        "schedules": directory.Schedule.objects.filter(
            Q(service_id__in=service_ids) | Q(location_id__in=location_ids) | Q(service_at_location_id__in=sal_ids)
        ).order_by(),
        "service_areas": directory.ServiceArea.objects.filter(service_id__in=service_ids).order_by(),
    }
    owners = {*service_ids, *org_ids, *sal_ids, *location_ids, *(c.pk for c in contacts), *(p.pk for p in phones)}
    owners |= {a.pk for a in sets["addresses"]}
    attributes = list(directory.Attribute.objects.filter(link_id__in=owners).order_by())
    terms = list(
        directory.TaxonomyTerm.objects.filter(pk__in={a.taxonomy_term_id for a in attributes if a.taxonomy_term_id})
    )
    sets["attributes"] = attributes
    sets["taxonomy_terms"] = terms
    sets["taxonomies"] = directory.Taxonomy.objects.filter(pk__in={t.taxonomy_id for t in terms if t.taxonomy_id})
    sets["records"] = directory.HsdsRecord.objects.filter(
        Q(owner_id__in=owners | {a.pk for a in attributes}) | Q(pk__in=program_ids)
    ).order_by()
    return sets


class Nester:
    """Builds nested HSDS documents from tables, following the schemas' nesting."""

    def __init__(self, tables: dict[str, list[Row]]) -> None:
        self.by_id: dict[str, dict[str, Row]] = {t: {row["id"]: row for row in rows} for t, rows in tables.items()}
        self.by_link: dict[tuple[str, str], dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
        for table, rows in tables.items():
            for row in rows:
                for column, value in row.items():
                    if column in LINK_COLUMNS:
                        self.by_link[(table, column)][value].append(row)

    def document(self, entity: Entity, row: Row) -> Row:
        all_entities = entities()
        document = {column: value for column, value in row.items() if column not in LINK_COLUMNS}
        for child in entity.children:
            child_entity = all_entities[child.entity]
            if child.many:
                column = {"attribute": "link_id", "metadata": "resource_id"}.get(child.entity, f"{entity.name}_id")
                if column not in child_entity.columns:
                    continue
                rows = self.by_link[(child_entity.table, column)].get(row["id"], [])
                if rows:
                    document[child.key] = [self.document(child_entity, r) for r in rows]
            else:
                linked = self.by_id.get(child_entity.table, {}).get(row.get(f"{child_entity.name}_id", ""))
                if linked is not None:
                    document[child.key] = self.document(child_entity, linked)
        return document

    def services(self) -> list[Row]:
        service = entities()["service"]
        rows = sorted(self.by_id.get("services", {}).values(), key=lambda r: (r["name"], r["id"]))
        return [self.document(service, row) for row in rows]


def service_documents(service_ids: Iterable[UUID] | None = None) -> list[Row]:
    return Nester(load_tables(service_ids)).services()


def service_summary(service: directory.Service) -> Row:
    """A service's one-to-one fields and its organization's (the HSDS API's ``service_list`` item)."""
    all_entities = entities()
    document = {k: v for k, v in _row(service, all_entities["service"]).items() if k not in LINK_COLUMNS}
    document["organization"] = {
        k: v for k, v in _row(service.organization, all_entities["organization"]).items() if k not in LINK_COLUMNS
    }
    return document


def write_package(directory_path: Path) -> dict[str, int]:
    """``services.json`` and ``csv/`` (one file per HSDS table and a ``datapackage.json``). Returns row counts."""
    tables = load_tables()
    documents = Nester(tables).services()
    directory_path.mkdir(parents=True, exist_ok=True)
    (directory_path / "services.json").write_text(json.dumps(documents, indent=2, ensure_ascii=False) + "\n")
    csv_dir = directory_path / "csv"
    csv_dir.mkdir(exist_ok=True)
    resources = []
    for entity in sorted(entities().values(), key=lambda e: e.table):
        with (csv_dir / f"{entity.table}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=entity.columns, lineterminator="\n")
            writer.writeheader()
            for row in tables.get(entity.table, []):
                writer.writerow({column: _csv_text(row.get(column)) for column in entity.columns})
        resources.append(
            {
                "name": entity.table,
                "path": f"{entity.table}.csv",
                "profile": "tabular-data-resource",
                "schema": {"fields": [{"name": column, "type": entity.types[column]} for column in entity.columns]},
            }
        )
    package = {"name": "hsds-directory", "profile": "tabular-data-package", "resources": resources}
    (csv_dir / "datapackage.json").write_text(json.dumps(package, indent=2) + "\n")
    counts = {table: len(rows) for table, rows in tables.items()}
    counts["services.json"] = len(documents)
    return counts


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    return str(value)
