"""Importing HSDS 3.0: invalid files are refused whole with problems that say where, taxonomy terms are mapped to
need categories where the portal knows the taxonomy, and a re-import changes only what changed.

Every input is one of the published examples (``hsds_examples/``) with one thing changed.
"""

import csv
import io
import json
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from portal.models import AuditEvent
from services_directory import models as directory
from services_directory.hsds.importing import MODELS, ImportRefused, TableCounts, hsds_import
from services_directory.hsds.reporting import report_lines
from services_directory.taxonomies import PORTAL_TAXONOMY_ID, PORTAL_TAXONOMY_NAME, portal_term_id

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).parent / "hsds_examples"
COMPLETED = "services_directory.import.completed"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"
ORGANIZATION_ID = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
EXAMPLE_TERM_ID = "3f7b145d-84af-42d7-8fae-eaca714b02b2"
UNDEFINED_TERM_ID = "0f0c2d53-5b7e-4c55-9b7e-2f6a0a5d9e11"  # in no example and never imported
RECORD_1 = f"services.json, record 1 (id {SERVICE_ID})"


# Input ---------------------------------------------------------------------------------------------------------


def _service() -> dict[str, Any]:
    return json.loads((EXAMPLES / "service_full.json").read_text())


def _services_file(tmp_path: Path, *documents: dict[str, Any]) -> Path:
    path = tmp_path / "services.json"
    path.write_text(json.dumps(list(documents)))
    return path


def _csv_package(tmp_path: Path) -> Path:
    """A copy of the CSV example (whose files are read-only; ``copyfile`` leaves the copies writable)."""
    folder = tmp_path / "csv"
    shutil.copytree(EXAMPLES / "csv", folder, copy_function=shutil.copyfile)
    return folder


def _set_csv_cell(folder: Path, table: str, column: str, value: str) -> None:
    """Change one column of the first data row of ``table``.csv."""
    path = folder / f"{table}.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert column in rows[0]
    rows[1][rows[0].index(column)] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def _replace_in_csv(folder: Path, table: str, old: str, new: str) -> None:
    path = folder / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _term_attribute(*, taxonomy_id: str, taxonomy: str, term_id: str, code: str, name: str) -> dict[str, Any]:
    """An attribute tagging the service with a term, the term and its taxonomy nested as HSDS nests them."""
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"attribute/{term_id}")),
        "taxonomy_term": {
            "id": term_id,
            "code": code,
            "name": name,
            "description": name,
            "taxonomy": taxonomy,
            "taxonomy_detail": {"id": taxonomy_id, "name": taxonomy, "description": taxonomy},
        },
    }


def _upper_case_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: item.upper()
            if (key == "id" or key.endswith("_id")) and isinstance(item, str)
            else _upper_case_ids(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_upper_case_ids(item) for item in value]
    return value


# What the database holds ------------------------------------------------------------------------------------


def _assert_nothing_written() -> None:
    rows = {model.__name__: model.objects.count() for model in [*MODELS.values(), directory.HsdsRecord]}
    assert rows == dict.fromkeys(rows, 0)
    assert not AuditEvent.objects.filter(action=COMPLETED).exists()


def _refusal(path: Path) -> ImportRefused:
    with pytest.raises(ImportRefused) as refused:
        hsds_import(path=path)
    return refused.value


def _stamps() -> dict[str, list[tuple[Any, Any]]]:
    return {table: sorted(model.objects.values_list("pk", "updated_at")) for table, model in MODELS.items()}


# 1. Invalid JSON is refused whole -------------------------------------------------------------------------------


def _without_name(document: dict[str, Any]) -> None:
    del document["name"]


def _with_a_bad_phone_id(document: dict[str, Any]) -> None:
    document["phones"][0]["id"] = "not-a-uuid"


def _without_organization(document: dict[str, Any]) -> None:
    del document["organization"]


def _with_an_attribute_of_an_undefined_term(document: dict[str, Any]) -> None:
    attribute = document["attributes"][0]
    del attribute["taxonomy_term"]
    attribute["taxonomy_term_id"] = UNDEFINED_TERM_ID


def _assured_last_spring(document: dict[str, Any]) -> None:
    document["assured_date"] = "last spring"


def _for_ages_twelve_and_a_half(document: dict[str, Any]) -> None:
    document["minimum_age"] = 12.5


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (_without_name, "(document)", "'name' is a required property"),
        (_with_a_bad_phone_id, "phones[0].id", "'not-a-uuid' is not a 'uuid'"),
        (_without_organization, "service.organization_id", "is required by the portal"),
        (
            _with_an_attribute_of_an_undefined_term,
            "attribute.taxonomy_term_id",
            f"{UNDEFINED_TERM_ID} is defined neither in the file (taxonomy_terms) nor in the directory",
        ),
        (_assured_last_spring, "service.assured_date", "“last spring” value has an invalid date format"),
        (_for_ages_twelve_and_a_half, "service.minimum_age", "12.5 is not a whole number"),
    ],
    ids=["no name", "bad phone id", "no organization", "undefined term", "bad date", "fractional age"],
)
def test_an_invalid_service_document_is_refused_naming_record_and_field_and_nothing_is_written(
    tmp_path, edit: Callable[[dict[str, Any]], None], field: str, message: str
):
    document = _service()
    edit(document)

    refused = _refusal(_services_file(tmp_path, document))

    assert any(p.where == RECORD_1 and p.field == field and message in p.message for p in refused.problems), [
        str(p) for p in refused.problems
    ]
    _assert_nothing_written()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[{"id": "ac148810-d857-441c-9679-408f346de14b",', "is not JSON: Expecting property name"),
        ("42", "must hold a list of HSDS service documents"),
    ],
    ids=["not JSON", "a number"],
)
def test_a_file_that_is_not_a_list_of_service_documents_is_refused_and_nothing_is_written(
    tmp_path, content: str, message: str
):
    path = tmp_path / "services.json"
    path.write_text(content)

    refused = _refusal(path)

    assert [(p.where, p.field) for p in refused.problems] == [("services.json", "")]
    assert message in refused.problems[0].message
    _assert_nothing_written()


def test_a_file_with_two_invalid_records_reports_both(tmp_path):
    nameless, bad_phone = _service(), _service()
    _without_name(nameless)
    _with_a_bad_phone_id(bad_phone)

    refused = _refusal(_services_file(tmp_path, nameless, bad_phone))

    assert [(p.where, p.field) for p in refused.problems] == [
        (RECORD_1, "(document)"),
        (f"services.json, record 2 (id {SERVICE_ID})", "phones[0].id"),
    ]
    _assert_nothing_written()


def test_a_record_with_two_invalid_fields_reports_both(tmp_path):
    document = _service()
    _assured_last_spring(document)
    _for_ages_twelve_and_a_half(document)

    refused = _refusal(_services_file(tmp_path, document))

    assert sorted((p.where, p.field) for p in refused.problems) == [
        (RECORD_1, "service.assured_date"),
        (RECORD_1, "service.minimum_age"),
    ]
    _assert_nothing_written()


# 2. Links may point into the directory --------------------------------------------------------------------------


def test_an_attribute_may_name_a_term_imported_before(tmp_path):
    hsds_import(path=_services_file(tmp_path, _service()))
    document = _service()
    attribute = document["attributes"][0]
    del attribute["taxonomy_term"]  # the file no longer defines the term ...
    attribute["id"] = "5d7f3b8e-2a41-4c0e-8f5e-6a9b1c2d3e4f"
    attribute["taxonomy_term_id"] = EXAMPLE_TERM_ID  # ... but the directory has it

    report = hsds_import(path=_services_file(tmp_path, document))

    assert report.counts["attributes"].created == 1
    assert report.counts["taxonomy_terms"] == TableCounts()
    assert str(directory.Attribute.objects.get(pk=attribute["id"]).taxonomy_term_id) == EXAMPLE_TERM_ID
    assert AuditEvent.objects.filter(action=COMPLETED).count() == 2


# 3. Invalid CSV is refused whole --------------------------------------------------------------------------------


def _csv_without_a_service_name(folder: Path) -> None:
    _set_csv_cell(folder, "services", "name", "")


def _csv_with_a_bad_phone_id(folder: Path) -> None:
    _set_csv_cell(folder, "phones", "id", "not-a-uuid")


def _csv_with_an_unterminated_quote(folder: Path) -> None:
    _replace_in_csv(folder, "services", ",2023-03-15T10:30:45.123Z", ',"2023-03-15T10:30:45.123Z')


def _csv_with_a_value_too_many(folder: Path) -> None:
    _replace_in_csv(folder, "services", "2023-03-15T10:30:45.123Z", "2023-03-15T10:30:45.123Z,surplus")


def _csv_with_an_unknown_column(folder: Path) -> None:
    _replace_in_csv(folder, "services", "last_modified", "last_modified,colour")
    _replace_in_csv(folder, "services", "2023-03-15T10:30:45.123Z", "2023-03-15T10:30:45.123Z,green")


def _csv_for_ages_twelve_and_up(folder: Path) -> None:
    _set_csv_cell(folder, "services", "minimum_age", "twelve")


def _csv_with_an_attribute_of_an_undefined_term(folder: Path) -> None:
    _set_csv_cell(folder, "attributes", "taxonomy_term_id", UNDEFINED_TERM_ID)


@pytest.mark.parametrize(
    ("edit", "where", "field", "message"),
    [
        (_csv_without_a_service_name, "services.csv, line 2", "", "'name' is a required property"),
        (_csv_with_a_bad_phone_id, "phones.csv, line 2", "id", "'not-a-uuid' is not a 'uuid'"),
        (_csv_with_an_unterminated_quote, "services.csv, line 2", "", "is not well-formed CSV: unexpected end of data"),
        (_csv_with_a_value_too_many, "services.csv, line 2", "", "has 24 values where the header names 23 columns"),
        (_csv_with_an_unknown_column, "services.csv, line 1", "colour", "not a column of HSDS services"),
        (_csv_for_ages_twelve_and_up, "services.csv, line 2", "minimum_age", "'twelve' is not a number"),
        (
            _csv_with_an_attribute_of_an_undefined_term,
            "attributes.csv, line 2",
            "attribute.taxonomy_term_id",
            f"{UNDEFINED_TERM_ID} is defined neither in the file (taxonomy_terms) nor in the directory",
        ),
    ],
    ids=["no name", "bad uuid", "unterminated quote", "value too many", "unknown column", "not a number", "no term"],
)
def test_an_invalid_csv_package_is_refused_naming_file_and_line_and_nothing_is_written(
    tmp_path, edit: Callable[[Path], None], where: str, field: str, message: str
):
    folder = _csv_package(tmp_path)
    edit(folder)

    refused = _refusal(folder)

    assert any(p.where == where and p.field == field and message in p.message for p in refused.problems), [
        str(p) for p in refused.problems
    ]
    _assert_nothing_written()


# 4. Taxonomy terms and need categories ----------------------------------------------------------------------


def test_terms_of_an_unknown_taxonomy_are_imported_unmapped_and_listed_in_the_report(tmp_path):
    document = _service()
    # An AIRS-like code and an Open Eligibility name, in a taxonomy the portal does not know: neither counts.
    document["attributes"] = [
        _term_attribute(
            taxonomy_id="8b0e7d4a-1c1f-4a53-9a55-0e6f1b2c3d4e",
            taxonomy="Acme Community Services",
            term_id=EXAMPLE_TERM_ID,
            code="BD-1800",
            name="Food",
        )
    ]

    report = hsds_import(path=_services_file(tmp_path, document))

    term = directory.TaxonomyTerm.objects.get(pk=EXAMPLE_TERM_ID)
    assert term.category == ""
    assert report.unmapped_terms == [term]
    assert "1 taxonomy term(s) not mapped to a need category yet:" in report_lines(report)
    assert directory.Service.objects.filter(pk=SERVICE_ID).exists()
    assert AuditEvent.objects.filter(action=COMPLETED).count() == 1


KNOWN_TAXONOMIES = [
    pytest.param(
        str(PORTAL_TAXONOMY_ID),
        PORTAL_TAXONOMY_NAME,
        str(portal_term_id("emergency_shelter")),
        "emergency_shelter",
        "Emergency shelter",
        "emergency_shelter",
        id="portal",
    ),
    pytest.param(
        "1d1c6c4b-8f0a-4f55-a1a6-9c0b2f3e4d5a", "Open Eligibility", EXAMPLE_TERM_ID, "", "Food", "food", id="OE"
    ),
    pytest.param(
        "2e2d7d5c-9a1b-4a66-b2b7-0d1c3a4f5e6b",
        "211 LA County / AIRS",
        EXAMPLE_TERM_ID,
        "BH-1800.8500",  # BH-1800 (emergency shelter) is more specific than BH (housing)
        "Homeless Shelter",
        "emergency_shelter",
        id="AIRS",
    ),
]


@pytest.mark.parametrize(("taxonomy_id", "taxonomy", "term_id", "code", "name", "category"), KNOWN_TAXONOMIES)
def test_terms_of_a_known_taxonomy_are_mapped_to_their_need_category(
    tmp_path, taxonomy_id, taxonomy, term_id, code, name, category
):
    document = _service()
    document["attributes"] = [
        _term_attribute(taxonomy_id=taxonomy_id, taxonomy=taxonomy, term_id=term_id, code=code, name=name)
    ]

    report = hsds_import(path=_services_file(tmp_path, document))

    assert directory.TaxonomyTerm.objects.get(pk=term_id).category == category
    assert report.unmapped_terms == []


@pytest.mark.parametrize(
    ("taxonomy", "code", "name", "imported_as", "chosen"),
    [
        ("Acme Community Services", "X-1", "Night shelter", "", "emergency_shelter"),
        ("211 LA County / AIRS", "BH-1800.8500", "Homeless Shelter", "emergency_shelter", "transitional_housing"),
    ],
    ids=["unmapped term", "recognised term"],
)
def test_a_reimport_keeps_the_category_an_administrator_chose(tmp_path, taxonomy, code, name, imported_as, chosen):
    document = _service()
    document["attributes"] = [
        _term_attribute(
            taxonomy_id="3f3e8e6d-0b2c-4b77-83c8-1e2d4b5a6f7c",
            taxonomy=taxonomy,
            term_id=EXAMPLE_TERM_ID,
            code=code,
            name=name,
        )
    ]
    source = _services_file(tmp_path, document)
    hsds_import(path=source)
    term = directory.TaxonomyTerm.objects.get(pk=EXAMPLE_TERM_ID)
    assert term.category == imported_as
    term.category = chosen  # the administrator's mapping
    term.save()

    report = hsds_import(path=source)

    term.refresh_from_db()
    assert term.category == chosen
    assert report.unmapped_terms == []


# 5. Re-import ---------------------------------------------------------------------------------------------------


def test_a_reimport_updates_only_the_rows_that_changed(tmp_path):
    first = hsds_import(path=_services_file(tmp_path, _service()))
    stamps = _stamps()
    document = _service()
    document["description"] = "Counselling by trained professionals, now also on Saturdays."

    report = hsds_import(path=_services_file(tmp_path, document))

    assert report.counts.pop("services") == TableCounts(updated=1)
    assert report.counts == {
        table: TableCounts(unchanged=c.created) for table, c in first.counts.items() if table != "services"
    }
    assert directory.Service.objects.get(pk=SERVICE_ID).description == document["description"]
    after = _stamps()
    assert after.pop("services") != stamps.pop("services")
    assert after == stamps


# 6. Commands ----------------------------------------------------------------------------------------------------


def test_the_import_command_prints_the_report(tmp_path):
    out = io.StringIO()

    call_command("import_hsds", str(_services_file(tmp_path, _service())), stdout=out)

    lines = out.getvalue().splitlines()
    assert "services: 1 created, 0 updated, 0 unchanged" in lines
    assert "phones: 1 created, 0 updated, 0 unchanged" in lines
    assert "1 taxonomy term(s) not mapped to a need category yet:" in lines
    assert directory.Service.objects.filter(pk=SERVICE_ID).exists()


def test_the_import_command_names_the_problem_and_imports_nothing(tmp_path):
    document = _service()
    _assured_last_spring(document)
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"^services\.json: nothing imported, 1 problem\(s\) found$"):
        call_command("import_hsds", str(_services_file(tmp_path, document)), stdout=io.StringIO(), stderr=err)

    assert f"{RECORD_1}: service.assured_date: “last spring” value has an invalid date format" in err.getvalue()
    _assert_nothing_written()


def test_the_import_command_refuses_a_path_that_does_not_exist(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_hsds", str(tmp_path / "missing.json"), stdout=io.StringIO(), stderr=io.StringIO())


def test_the_export_command_writes_the_services_and_the_csv_package(tmp_path):
    hsds_import(path=_services_file(tmp_path, _service()))
    out = io.StringIO()

    call_command("export_hsds", str(tmp_path / "out"), stdout=out)

    assert f"1 services written to {tmp_path / 'out' / 'services.json'}" in out.getvalue()
    documents = json.loads((tmp_path / "out" / "services.json").read_text())
    assert [d["id"] for d in documents] == [SERVICE_ID]
    with (tmp_path / "out" / "csv" / "services.csv").open(newline="", encoding="utf-8") as handle:
        assert [row["id"] for row in csv.DictReader(handle)] == [SERVICE_ID]
    with (tmp_path / "out" / "csv" / "organizations.csv").open(newline="", encoding="utf-8") as handle:
        assert [row["id"] for row in csv.DictReader(handle)] == [ORGANIZATION_ID]
    assert (tmp_path / "out" / "csv" / "datapackage.json").exists()


# 7. UUIDs -------------------------------------------------------------------------------------------------------


def test_upper_case_uuids_are_stored_so_that_the_lower_case_file_changes_nothing(tmp_path):
    upper = _upper_case_ids(_service())
    assert upper["id"] == SERVICE_ID.upper()
    hsds_import(path=_services_file(tmp_path, upper))
    stamps = _stamps()
    records = sorted(directory.HsdsRecord.objects.values_list("pk", "owner_id", "data"), key=str)

    report = hsds_import(path=_services_file(tmp_path, _service()))

    assert report.changed == 0, report.counts
    assert _stamps() == stamps
    assert sorted(directory.HsdsRecord.objects.values_list("pk", "owner_id", "data"), key=str) == records
    assert str(directory.Service.objects.get().pk) == SERVICE_ID
    assert str(directory.Phone.objects.get().service_id) == SERVICE_ID


# Bugs found while writing these tests, since fixed --------------------------------------------------------------


def test_an_organizations_tax_id_is_kept_as_written(tmp_path):
    document = _service()
    document["organization"]["tax_id"] = "GB-123456AB"

    hsds_import(path=_services_file(tmp_path, document))

    assert directory.Organization.objects.get(pk=ORGANIZATION_ID).tax_id == "GB-123456AB"


def test_a_taxonomy_whose_name_merely_contains_airs_is_not_read_as_airs(tmp_path):
    document = _service()
    document["attributes"] = [
        _term_attribute(
            taxonomy_id="4a4f9f7e-1c3d-4c88-94d9-2f3e5c6b7a8d",
            taxonomy="Veterans Affairs benefit types",
            term_id=EXAMPLE_TERM_ID,
            code="BD-100",
            name="Meal vouchers",
        )
    ]

    report = hsds_import(path=_services_file(tmp_path, document))

    assert directory.TaxonomyTerm.objects.get(pk=EXAMPLE_TERM_ID).category == ""
    assert [str(term.pk) for term in report.unmapped_terms] == [EXAMPLE_TERM_ID]


def test_a_service_without_organization_is_one_problem(tmp_path):
    document = _service()
    _without_organization(document)

    refused = _refusal(_services_file(tmp_path, document))

    assert len(refused.problems) == 1, [str(p) for p in refused.problems]


def test_a_problem_in_a_csv_record_spanning_lines_names_the_line_it_starts_on(tmp_path):
    folder = _csv_package(tmp_path)
    _replace_in_csv(folder, "services", "such as anxiety", "such as\nanxiety")
    _csv_without_a_service_name(folder)

    refused = _refusal(folder)

    assert [p.where for p in refused.problems] == ["services.csv, line 2"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_a_json_number_that_is_not_finite_is_refused(tmp_path, constant):
    path = _services_file(tmp_path, _service())
    path.write_text(path.read_text().replace('"latitude": 100', f'"latitude": {constant}'))

    refused = _refusal(path)

    assert f"holds {constant}" in str(refused.problems[0])
    _assert_nothing_written()


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity"])
def test_a_csv_number_that_is_not_finite_is_refused(tmp_path, value):
    folder = _csv_package(tmp_path)
    _set_csv_cell(folder, "locations", "latitude", value)

    refused = _refusal(folder)

    assert [(p.where, p.field) for p in refused.problems] == [("locations.csv, line 2", "latitude")]
    assert "not a finite number" in refused.problems[0].message
    _assert_nothing_written()


def test_json_nested_beyond_reason_is_refused_not_crashed(tmp_path):
    path = tmp_path / "services.json"
    path.write_text("[" * 100_000 + "]" * 100_000)

    refused = _refusal(path)

    assert "nested too deeply" in str(refused.problems[0])
    _assert_nothing_written()
