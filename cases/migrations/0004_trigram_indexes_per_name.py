"""Trigram indexes that person search really uses: one per name column, for the ``%`` (similar) operator that
``cases.selectors.person_search_for`` filters with. PostgreSQL only; replaces the expression index of 0002, which
no query matched."""

from django.db import migrations

CREATE = """
DROP INDEX IF EXISTS cases_person_name_trgm;
CREATE INDEX IF NOT EXISTS cases_person_given_name_trgm ON cases_person USING gin (given_name gin_trgm_ops);
CREATE INDEX IF NOT EXISTS cases_person_family_name_trgm ON cases_person USING gin (family_name gin_trgm_ops);
"""
DROP = """
DROP INDEX IF EXISTS cases_person_given_name_trgm;
DROP INDEX IF EXISTS cases_person_family_name_trgm;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_consent_permission")]

    operations = [migrations.RunPython(create, drop)]
