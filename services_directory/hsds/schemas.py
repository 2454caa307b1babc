"""The HSDS 3.0 schemas shipped in ``schema/`` (copied unchanged from openreferral/specification, CC BY-SA 4.0),
loaded once into one ``referencing.Registry`` keyed by file name, and what the import and export read off them:
each entity's table, its plain columns, and its nested children.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).parent / "schema"
HSDS_VERSION = "3.0"
HSDS_PROFILE = "https://specs.openreferral.org/en/v3.0/"

# Columns that link a row to another. A nested JSON document says them by nesting, so export leaves them out there;
# the CSV tables carry them.
LINK_COLUMNS = frozenset(
    {
        "organization_id",
        "service_id",
        "location_id",
        "service_at_location_id",
        "contact_id",
        "phone_id",
        "program_id",
        "link_id",
        "resource_id",
        "taxonomy_term_id",
        "taxonomy_id",
    }
)


@dataclass(frozen=True)
class Child:
    key: str  # the property in the parent document: "phones", "organization", "taxonomy_detail"
    entity: str  # the child's schema: "phone"
    many: bool


@dataclass(frozen=True)
class Entity:
    name: str  # "service"
    table: str  # "services" (the CSV file's stem)
    columns: tuple[str, ...]  # plain columns, in the schema's order
    required: frozenset[str]
    types: dict[str, str]  # column -> JSON type ("string", "number")
    children: tuple[Child, ...]


@cache
def _raw_schemas() -> dict[str, dict[str, Any]]:
    return {
        path.name: json.loads(path.read_text())
        for path in sorted(SCHEMA_DIR.glob("*.json"))
        if path.name != "openapi.json"
    }


@cache
def registry() -> Registry:
    return Registry().with_resources(
        (name, Resource.from_contents(schema, default_specification=DRAFT202012))
        for name, schema in _raw_schemas().items()
    )


@cache
def validator(entity: str) -> Draft202012Validator:
    """A validator for one entity's documents (nested ones resolve their ``$ref`` in the registry)."""
    return Draft202012Validator(_raw_schemas()[f"{entity}.json"], registry=registry(), format_checker=_format_checker())


@cache
def flat_validator(entity: str) -> Draft202012Validator:
    """A validator for one CSV row: the entity's plain columns only."""
    schema = _raw_schemas()[f"{entity}.json"]
    entity_info = entities()[entity]
    flat = {
        "type": "object",
        "properties": {column: schema["properties"][column] for column in entity_info.columns},
        "required": sorted(entity_info.required),
    }
    return Draft202012Validator(flat, format_checker=_format_checker())


def _format_checker() -> FormatChecker:
    # uuid is what links the tables; uri, email and date formats are checked as the portal stores them
    # (models' fields), with clearer messages than a format checker gives.
    return FormatChecker(formats=["uuid"])


@cache
def entities() -> dict[str, Entity]:
    found: dict[str, Entity] = {}
    for file_name, schema in _raw_schemas().items():
        name = file_name.removesuffix(".json")
        columns: list[str] = []
        types: dict[str, str] = {}
        children: list[Child] = []
        for key, prop in schema.get("properties", {}).items():
            if prop.get("type") == "array" and "$ref" in prop.get("items", {}):
                children.append(Child(key, prop["items"]["$ref"].removesuffix(".json"), many=True))
            elif "$ref" in prop:
                children.append(Child(key, prop["$ref"].removesuffix(".json"), many=False))
            else:
                columns.append(key)
                types[key] = prop.get("type", "string")
        table = schema["path"].removesuffix(".csv")
        found[name] = Entity(name, table, tuple(columns), frozenset(schema.get("required", ())), types, tuple(children))
    return found


@cache
def entity_of_table() -> dict[str, Entity]:
    return {entity.table: entity for entity in entities().values()}
