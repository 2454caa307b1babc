"""HSDS 3.0 from elsewhere: an imaginary Oregon 211 directory (``hsds_foreign/``, see its README) goes through import
and export unchanged, as JSON and as a CSV package, its terms land in the right need categories, and the demo
directory's own export is valid, leaves its confidential addresses out, and re-imports to no change.

Every count is read off the files, not written here, so that the data can change without the tests.
"""

import csv
import json
import random
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from agencies import demo as agencies_demo
from portal.categories import NeedCategory as C
from portal.management.commands.seed_demo import DEMO_SEED
from services_directory import demo
from services_directory import models as directory
from services_directory.hsds.exporting import write_package
from services_directory.hsds.importing import MODELS, ImportReport, hsds_import
from services_directory.hsds.reporting import report_lines
from services_directory.hsds.schemas import validator
from tests.services_directory.test_hsds_roundtrip import _sorted

pytestmark = pytest.mark.django_db

FOREIGN = Path(__file__).parent / "hsds_foreign"
SERVICES_JSON = FOREIGN / "services.json"

# The table of a record nested under a key (the key is the table's name where not listed).
TABLE_OF_KEY = {
    "organization": "organizations",
    "program": "programs",
    "location": "locations",
    "taxonomy_term": "taxonomy_terms",
    "taxonomy_detail": "taxonomies",
    "service_at_locations": "service_at_location",
}


# Reading the files ourselves ----------------------------------------------------------------------------------


def _documents() -> list[dict[str, Any]]:
    return json.loads(SERVICES_JSON.read_text(encoding="utf-8"))


def _records(document: dict[str, Any], table: str = "services") -> Iterator[tuple[str, dict[str, Any]]]:
    yield table, document
    for key, value in document.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                yield from _records(item, TABLE_OF_KEY.get(key, key))


def _json_ids() -> dict[str, set[str]]:
    """Each table's distinct record ids in the JSON file (a record repeated under several owners counts once)."""
    ids: dict[str, set[str]] = {}
    for document in _documents():
        for table, record in _records(document):
            ids.setdefault(table, set()).add(record["id"].lower())
    return ids


def _read_csv(folder: Path) -> dict[str, list[dict[str, str]]]:
    tables = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            tables[path.stem] = [{k: v for k, v in row.items() if v != ""} for row in csv.DictReader(handle)]
    return tables


def _csv_ids(folder: Path) -> dict[str, set[str]]:
    return {table: {row["id"].lower() for row in rows} for table, rows in _read_csv(folder).items()}


def _csv_package(tmp_path: Path) -> Path:
    folder = tmp_path / "foreign-csv"
    shutil.copytree(FOREIGN / "csv", folder, copy_function=shutil.copyfile)
    return folder


# What is compared -----------------------------------------------------------------------------------------------


def _is_id(key: str) -> bool:
    return key == "id" or key.endswith("_id")


def _normalised(value: Any) -> Any:
    """What import and export may change without changing the data: the case of a UUID, and how a moment is written
    (``2024-08-19T14:05:00-07:00`` comes back as ``2024-08-19T21:05:00.000Z``). Lists compare in any order."""
    if isinstance(value, dict):
        return _sorted({key: _normalised_value(key, item) for key, item in value.items()})
    if isinstance(value, list):
        return _sorted([_normalised(item) for item in value])
    return value


def _normalised_value(key: str, value: Any) -> Any:
    if _is_id(key) and isinstance(value, str):
        return value.lower()
    if key == "last_modified" and isinstance(value, str):
        return datetime.fromisoformat(value).astimezone(UTC).isoformat()
    return _normalised(value)


def _by_id(documents: list[dict[str, Any]]) -> dict[str, Any]:
    return {document["id"].lower(): _normalised(document) for document in documents}


def _created(report: ImportReport) -> dict[str, int]:
    return {table: counts.created for table, counts in report.counts.items() if counts.created}


def _directory_state() -> dict[str, list[tuple[Any, ...]]]:
    state = {table: sorted(model.objects.values_list("pk", "updated_at")) for table, model in MODELS.items()}
    state["records"] = sorted(directory.HsdsRecord.objects.values_list("pk", "owner_id", "data"), key=str)
    return state


# 1. The JSON file -----------------------------------------------------------------------------------------------


def test_the_foreign_json_file_imports_every_record_it_holds_once():
    expected = {table: len(ids) for table, ids in _json_ids().items()}
    assert expected["services"] == len(_documents())

    report = hsds_import(path=SERVICES_JSON)

    assert _created(report) == expected
    assert all(c.updated == c.unchanged == 0 for c in report.counts.values())
    assert directory.Service.objects.count() == expected["services"]
    assert directory.HsdsRecord.objects.count() == sum(n for t, n in expected.items() if t not in MODELS)


def test_what_the_foreign_records_say_is_what_the_directory_holds():
    hsds_import(path=SERVICES_JSON)

    virtual = directory.Location.objects.filter(location_type="virtual")
    assert virtual.exists()
    assert not directory.Address.objects.filter(location__in=virtual).exists()
    assert directory.ServiceAtLocation.objects.filter(location__in=virtual).values("service").distinct().count() >= 2
    assert {-8.0, -7.0} <= set(directory.Schedule.objects.values_list("timezone", flat=True))
    assert {"spa", "vie", "rus"} <= set(directory.Language.objects.values_list("code", flat=True))
    several = [s for s in directory.Service.objects.all() if s.service_at_locations.count() > 1]
    assert len(several) >= 2
    consults = directory.Service.objects.get(name="Immigration legal consultations")
    assert consults.last_modified == datetime(2024, 8, 19, 21, 5, tzinfo=UTC)
    assert consults.accepts_minors is True  # minimum_age 0


def test_the_foreign_json_comes_back_as_it_went_in_and_the_export_is_valid(tmp_path):
    hsds_import(path=SERVICES_JSON)

    counts = write_package(tmp_path / "out")

    exported = json.loads((tmp_path / "out" / "services.json").read_text(encoding="utf-8"))
    assert counts["services.json"] == len(_documents())
    service = validator("service")
    assert {d["id"]: [e.message for e in service.iter_errors(d)] for d in exported} == {d["id"]: [] for d in exported}
    assert _by_id(exported) == _by_id(_documents())


def test_the_export_of_the_foreign_json_reimports_to_no_change(tmp_path):
    hsds_import(path=SERVICES_JSON)
    write_package(tmp_path / "out")
    before = _directory_state()

    report = hsds_import(path=tmp_path / "out" / "services.json")

    assert report.changed == 0, {t: c for t, c in report.counts.items() if c.created or c.updated}
    assert _directory_state() == before


# 2. The CSV package ---------------------------------------------------------------------------------------------


def test_the_foreign_csv_package_imports_every_row_it_holds(tmp_path):
    folder = _csv_package(tmp_path)
    expected = {table: len(ids) for table, ids in _csv_ids(folder).items()}

    report = hsds_import(path=folder)

    assert _created(report) == expected
    assert all(c.updated == c.unchanged == 0 for c in report.counts.values())


def test_the_foreign_csv_package_comes_back_as_it_went_in(tmp_path):
    folder = _csv_package(tmp_path)
    hsds_import(path=folder)

    write_package(tmp_path / "out")

    original, exported = _read_csv(folder), _read_csv(tmp_path / "out" / "csv")
    for table, rows in original.items():
        assert sorted(map(_normalised, exported[table]), key=str) == sorted(map(_normalised, rows), key=str), table
    assert all(not exported[table] for table in set(exported) - set(original))
    assert hsds_import(path=tmp_path / "out" / "csv").changed == 0


def test_the_csv_package_and_the_json_file_make_the_same_directory(tmp_path):
    """They hold the same records, one flat and one nested: both must export the JSON file's documents."""
    hsds_import(path=_csv_package(tmp_path))

    write_package(tmp_path / "out")

    exported = json.loads((tmp_path / "out" / "services.json").read_text(encoding="utf-8"))
    assert _by_id(exported) == _by_id(_documents())
    assert hsds_import(path=SERVICES_JSON).changed == 0


# 3. Taxonomy terms ----------------------------------------------------------------------------------------------

CATEGORIES = {
    ("AIRS/211 Taxonomy", "BD-1800"): C.FOOD,
    ("AIRS/211 Taxonomy", "BD-1800.2000"): C.FOOD,
    ("AIRS/211 Taxonomy", "BH-1800.8500"): C.EMERGENCY_SHELTER,
    ("AIRS/211 Taxonomy", "BH-8600"): C.TRANSITIONAL_HOUSING,
    ("AIRS/211 Taxonomy", "FT-3200"): C.LEGAL_IMMIGRATION,
    ("AIRS/211 Taxonomy", "LR-8000"): C.INTERPRETATION,
    ("AIRS/211 Taxonomy", "PH-1000"): C.CASE_MANAGEMENT,
    ("AIRS/211 Taxonomy", "BT-4500"): "",  # transportation: no need category of the portal
    ("Open Eligibility", "Food Pantry"): C.FOOD,
    ("Open Eligibility", "Legal Aid"): C.LEGAL_IMMIGRATION,  # named by the term only, no taxonomy detail
    ("Open Eligibility", "Counseling"): C.MENTAL_HEALTH,
    ("Open Eligibility", "Child Care"): C.CHILD_CARE,
    ("Cascadia Resource Flags", "CRF-NOID"): "",
    ("Cascadia Resource Flags", "CRF-WALKIN"): "",
    ("Cascadia Resource Flags", "CRF-CSLATINX"): "",
}


@pytest.mark.parametrize("source", ["json", "csv"])
def test_airs_and_open_eligibility_terms_are_mapped_and_the_others_listed_as_unmapped(tmp_path, source):
    report = hsds_import(path=SERVICES_JSON if source == "json" else _csv_package(tmp_path))

    terms = directory.TaxonomyTerm.objects.all()
    assert {(t.taxonomy, t.code or t.name): t.category for t in terms} == CATEGORIES
    unmapped = {(t.taxonomy, t.code or t.name) for t in report.unmapped_terms}
    assert unmapped == {key for key, category in CATEGORIES.items() if not category}
    lines = report_lines(report)
    assert f"{len(unmapped)} taxonomy term(s) not mapped to a need category yet:" in lines
    assert "  Cascadia Resource Flags: CRF-NOID No ID required" in lines


def _renamed_local_taxonomy(record: dict[str, Any], table: str) -> None:
    """The 211's own flags, named as 211s name them, and one flag coded for "hours" (HRS-)."""
    if table == "taxonomies" and record["name"] == "Cascadia Resource Flags":
        record["name"] = "Cascadia 211 Resource Flags"
    if table == "taxonomy_terms" and record["taxonomy"] == "Cascadia Resource Flags":
        record["taxonomy"] = "Cascadia 211 Resource Flags"
        if record["code"] == "CRF-WALKIN":
            record.update(code="HRS-EXT", name="Extended evening hours", description="Open after 6 pm")


def test_a_211s_own_local_taxonomy_is_not_read_as_the_airs_taxonomy(tmp_path):
    documents = _documents()
    for document in documents:
        for table, record in _records(document):
            _renamed_local_taxonomy(record, table)
    source = tmp_path / "services.json"
    source.write_text(json.dumps(documents))

    report = hsds_import(path=source)

    local = directory.TaxonomyTerm.objects.filter(taxonomy="Cascadia 211 Resource Flags")
    assert {term.code: term.category for term in local} == {"CRF-NOID": "", "HRS-EXT": "", "CRF-CSLATINX": ""}
    assert set(local) <= set(report.unmapped_terms)


# 4. The demo directory ------------------------------------------------------------------------------------------


def _seed_demo() -> None:
    out, rng = StringIO(), random.Random(DEMO_SEED)
    agencies_demo.seed(rng=rng, stdout=out)
    demo.seed(rng=rng, stdout=out)


def _confidential_values() -> set[str]:
    """Every confidential location's street address and coordinates, as an export would write them."""
    values: set[str] = set()
    for location in directory.Location.objects.filter(is_confidential=True).prefetch_related("addresses"):
        values |= {str(value) for value in (location.latitude, location.longitude) if value is not None}
        values |= {address.address_1 for address in location.addresses.all()}
    return values


def test_the_demo_directory_exports_valid_documents_without_its_confidential_addresses(tmp_path):
    _seed_demo()
    confidential = _confidential_values()
    assert confidential

    write_package(tmp_path / "out")

    text = (tmp_path / "out" / "services.json").read_text(encoding="utf-8")
    documents = json.loads(text)
    assert len(documents) == directory.Service.objects.count()
    service = validator("service")
    assert [d["id"] for d in documents if any(service.iter_errors(d))] == []
    files = {"services.json": text} | {
        path.name: path.read_text(encoding="utf-8") for path in sorted((tmp_path / "out" / "csv").glob("*.csv"))
    }
    leaked = {name: sorted(value for value in confidential if value in content) for name, content in files.items()}
    assert leaked == {name: [] for name in files}


def test_reimporting_the_demo_directorys_export_changes_nothing(tmp_path):
    _seed_demo()
    write_package(tmp_path / "out")
    before = _directory_state()
    coordinates = dict(directory.Location.objects.values_list("pk", "latitude"))

    report = hsds_import(path=tmp_path / "out" / "services.json")

    assert report.changed == 0, {t: c for t, c in report.counts.items() if c.created or c.updated}
    assert dict(directory.Location.objects.values_list("pk", "latitude")) == coordinates
    assert _directory_state() == before
