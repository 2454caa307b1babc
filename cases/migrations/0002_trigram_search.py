"""Fuzzy name search (cases.selectors.person_search_for): pg_trgm and a trigram index on PostgreSQL only.
SQLite, the demo database, searches with a plain match and gets neither."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = """
CREATE INDEX IF NOT EXISTS cases_person_name_trgm
    ON cases_person USING gin ((given_name || ' ' || family_name) gin_trgm_ops);
"""


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX, params=None)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS cases_person_name_trgm", params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [TrigramExtension(), migrations.RunPython(create_index, drop_index)]
