"""The published HSDS 3.0 examples go through import and export unchanged, and the export is valid."""

import csv
import json
import shutil
from pathlib import Path

import pytest

from portal.models import AuditEvent
from services_directory import models as directory
from services_directory.hsds.exporting import write_package
from services_directory.hsds.importing import MODELS, hsds_import
from services_directory.hsds.schemas import entities, validator

EXAMPLES = Path(__file__).parent / "hsds_examples"
pytestmark = pytest.mark.django_db


def _sorted(value):
    """Documents compare without regard to the order of their lists (HSDS gives lists no order)."""
    if isinstance(value, dict):
        return {k: _sorted(v) for k, v in value.items() if v not in (None, "")}
    if isinstance(value, list):
        return sorted((_sorted(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def _read_csv_tables(folder: Path) -> dict[str, list[dict[str, str]]]:
    tables = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = [{k: v for k, v in row.items() if v != ""} for row in csv.DictReader(handle)]
        tables[path.stem] = sorted(rows, key=lambda r: r["id"])
    return tables


def _as_list_file(tmp_path: Path, name: str) -> Path:
    document = json.loads((EXAMPLES / name).read_text())
    path = tmp_path / "services.json"
    path.write_text(json.dumps([document]))
    return path


def test_every_modelled_column_is_a_model_field():
    for table, model in MODELS.items():
        attnames = {f.attname for f in model._meta.concrete_fields}
        entity = next(e for e in entities().values() if e.table == table)
        assert set(entity.columns) <= attnames, table


def test_the_full_service_example_comes_back_as_it_went_in(tmp_path):
    source = _as_list_file(tmp_path, "service_full.json")
    report = hsds_import(path=source)
    assert report.counts["services"].created == 1
    assert report.counts["phones"].created == 1  # one phone, repeated under five owners in the document

    counts = write_package(tmp_path / "out")

    exported = json.loads((tmp_path / "out" / "services.json").read_text())
    assert counts["services.json"] == 1
    assert list(validator("service").iter_errors(exported[0])) == []
    assert _sorted(exported[0]) == _sorted(json.loads(source.read_text())[0])


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    source = _as_list_file(tmp_path, "service_full.json")
    hsds_import(path=source)
    stamps = {model: list(model.objects.values_list("pk", "updated_at")) for model in MODELS.values()}

    again = hsds_import(path=source)

    assert again.changed == 0
    assert all(c.created == c.updated == 0 for c in again.counts.values())
    assert {model: list(model.objects.values_list("pk", "updated_at")) for model in MODELS.values()} == stamps
    assert AuditEvent.objects.filter(action="services_directory.import.completed").count() == 2


def test_the_csv_example_comes_back_as_it_went_in(tmp_path):
    source = tmp_path / "csv"
    shutil.copytree(EXAMPLES / "csv", source)
    report = hsds_import(path=source)
    assert report.counts["services"].created == 1

    write_package(tmp_path / "out")

    original, exported = _read_csv_tables(source), _read_csv_tables(tmp_path / "out" / "csv")
    assert set(exported) == {e.table for e in entities().values()}
    for table, rows in original.items():
        assert exported[table] == rows, table
    documents = json.loads((tmp_path / "out" / "services.json").read_text())
    assert [list(validator("service").iter_errors(d)) for d in documents] == [[]]


def test_the_json_export_reimports_to_the_same_directory(tmp_path):
    hsds_import(path=_as_list_file(tmp_path, "service_full.json"))
    write_package(tmp_path / "out")

    report = hsds_import(path=tmp_path / "out" / "services.json")

    assert report.changed == 0
    assert directory.Service.objects.count() == 1
