"""Read HSDS data into tables: a JSON file of nested service documents, or a folder of the CSV tabular package.

Both end as the same ``Tables`` (table -> id -> row of plain columns), the shape of HSDS's tabular form, which
``importing.py`` checks and writes. Every problem carries where it was found (file, record or line, field), and
reading goes on to collect them all (up to ``MAX_PROBLEMS``) so that one run reports a file's mistakes together.
"""

import csv
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services_directory.hsds.schemas import (
    LINK_COLUMNS,
    Entity,
    entities,
    entity_of_table,
    flat_validator,
    validator,
)

MAX_PROBLEMS = 50
UUID_COLUMNS = LINK_COLUMNS | {"id", "parent_id", "parent_organization_id"}


@dataclass(frozen=True)
class Problem:
    where: str  # "services.json, record 3 (id ...)" or "phones.csv, line 4"
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}" if self.field else f"{self.where}: {self.message}"


@dataclass
class Tables:
    rows: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # table -> id -> row
    origin: dict[tuple[str, str], str] = field(default_factory=dict)  # (table, id) -> where it was read
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def table(self, name: str) -> dict[str, dict[str, Any]]:
        return self.rows.setdefault(name, {})

    def problem(self, where: str, field_name: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(where, field_name, message))

    def where(self, table: str, row_id: str) -> str:
        return self.origin.get((table, row_id), f"{table} {row_id}")

    def merge(self, entity: Entity, row: dict[str, Any], where: str) -> None:
        """Add a row; a row met again (nested documents repeat a phone under each owner) must agree with itself."""
        for column, value in row.items():
            if column in UUID_COLUMNS and isinstance(value, str):
                row[column] = value.lower()  # UUIDs compare as text from here on
        row_id = row["id"]
        rows = self.table(entity.table)
        known = rows.get(row_id)
        if known is None:
            rows[row_id] = row
            self.origin[(entity.table, row_id)] = where
            return
        for column, value in row.items():
            if value is None:
                continue
            if known.get(column) is None:
                known[column] = value
            elif known[column] != value:
                self.problem(where, column, f"{entity.name} {row_id} appears again with a different {column}")


def read_path(path: Path) -> Tables:
    if path.is_dir():
        return read_csv_folder(path)
    return read_json_file(path)


# JSON ---------------------------------------------------------------------------------------------------------


def read_json_file(path: Path) -> Tables:
    tables = Tables()
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"), parse_constant=_refuse_constant)
    except (OSError, UnicodeDecodeError) as error:
        tables.problem(path.name, "", f"cannot be read: {error}")
        return tables
    except json.JSONDecodeError as error:
        tables.problem(path.name, "", f"is not JSON: {error.msg} at line {error.lineno}, column {error.colno}")
        return tables
    except ValueError as error:
        tables.problem(path.name, "", str(error))
        return tables
    except RecursionError:
        tables.problem(path.name, "", "is nested too deeply to be HSDS")
        return tables
    try:
        read_json_documents(data, path.name, tables)
    except RecursionError:
        tables.problem(path.name, "", "is nested too deeply to be HSDS")
    return tables


def _refuse_constant(name: str) -> float:
    raise ValueError(f"holds {name}, which is not a number HSDS (or JSON) allows")


def read_json_documents(data: Any, file_name: str, tables: Tables) -> None:
    """``data``: a list of service documents, one document, or an HSDS API page (``{"contents": [...]}``)."""
    if isinstance(data, dict):
        data = data["contents"] if isinstance(data.get("contents"), list) else [data]
    if not isinstance(data, list):
        tables.problem(file_name, "", "must hold a list of HSDS service documents")
        return
    service_validator = validator("service")
    for index, document in enumerate(data, start=1):
        document_id = document.get("id") if isinstance(document, dict) else None
        where = f"{file_name}, record {index}" + (f" (id {document_id})" if document_id else "")
        errors = sorted(service_validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        for error in errors:
            tables.problem(where, _json_path(error.absolute_path), error.message)
        if not errors:
            _flatten(document, entities()["service"], None, None, where, tables)


def _json_path(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(document)"


def _flatten(
    document: dict[str, Any], entity: Entity, parent: Entity | None, parent_id: str | None, where: str, tables: Tables
) -> None:
    all_entities = entities()
    row: dict[str, Any] = {column: document[column] for column in entity.columns if column in document}
    for child in entity.children:
        value = document.get(child.key)
        if value is None:
            continue
        child_entity = all_entities[child.entity]
        if child.many:
            for item in value:
                _flatten(item, child_entity, entity, document["id"], where, tables)
        else:
            # A nested single object (service.organization, attribute.taxonomy_term): the parent holds the link.
            row[f"{child_entity.name}_id"] = value["id"]
            _flatten(value, child_entity, None, None, where, tables)
    if parent is not None and parent_id is not None:
        if entity.name == "attribute":
            row.setdefault("link_id", parent_id)
            row.setdefault("link_entity", parent.name)
        elif entity.name == "metadata":
            row.setdefault("resource_id", parent_id)
            row.setdefault("resource_type", parent.name)
        elif f"{parent.name}_id" in entity.columns:
            row.setdefault(f"{parent.name}_id", parent_id)
    tables.merge(entity, row, where)


# CSV ----------------------------------------------------------------------------------------------------------

_INTEGER = re.compile(r"^-?\d+$")


def read_csv_folder(folder: Path) -> Tables:
    tables = Tables()
    by_table = entity_of_table()
    files = sorted(folder.glob("*.csv"))
    if not files:
        tables.problem(folder.name, "", "holds no CSV files of the HSDS tabular package")
    for path in files:
        entity = by_table.get(path.stem)
        if entity is None:
            tables.notes.append(f"{path.name} ignored: not an HSDS 3.0 table")
            continue
        _read_csv_table(path, entity, tables)
    return tables


def _read_csv_table(path: Path, entity: Entity, tables: Tables) -> None:
    row_validator = flat_validator(entity.name)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, strict=True)
            header = next(reader, None)
            if header is None:
                return
            unknown = [column for column in header if column not in entity.columns]
            if unknown:
                tables.problem(f"{path.name}, line 1", ", ".join(unknown), f"not a column of HSDS {entity.table}")
                return
            start = reader.line_num + 1
            for values in reader:
                where = f"{path.name}, line {start}"  # where the record starts (a quoted value may span lines)
                start = reader.line_num + 1
                if not any(values):
                    continue
                if len(values) != len(header):
                    tables.problem(where, "", f"has {len(values)} values where the header names {len(header)} columns")
                    continue
                row = _typed_row(dict(zip(header, values, strict=True)), entity, where, tables)
                if row is None:
                    continue
                errors = list(row_validator.iter_errors(row))
                for error in errors:
                    tables.problem(where, _json_path(error.absolute_path) if error.absolute_path else "", error.message)
                if not errors:
                    tables.merge(entity, row, where)
    except UnicodeDecodeError as error:
        tables.problem(path.name, "", f"is not UTF-8: {error.reason} at byte {error.start}")
    except csv.Error as error:
        tables.problem(f"{path.name}, line {reader.line_num}", "", f"is not well-formed CSV: {error}")


def _typed_row(raw: dict[str, str], entity: Entity, where: str, tables: Tables) -> dict[str, Any] | None:
    row: dict[str, Any] = {}
    ok = True
    for column, text in raw.items():
        if text == "":
            continue
        if entity.types.get(column) == "number":
            try:
                row[column] = int(text) if _INTEGER.match(text.strip()) else float(text)
            except ValueError:
                tables.problem(where, column, f"{text!r} is not a number")
                ok = False
                continue
            if not math.isfinite(row[column]):
                tables.problem(where, column, f"{text!r} is not a finite number")
                ok = False
        else:
            row[column] = text
    return row if ok else None
