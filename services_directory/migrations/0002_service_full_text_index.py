"""A GIN index on the same ``SearchVector`` that ``selectors._text_q`` filters with (names and descriptions,
English). PostgreSQL only: SQLite searches with a plain match and needs no index."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "directory_service_fts"


def _index():
    return GinIndex(SearchVector("name", "description", config="english"), name=INDEX_NAME)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("services_directory", "Service"), _index())


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("services_directory", "Service"), _index())


class Migration(migrations.Migration):
    dependencies = [("services_directory", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
