"""Trigram indexes on ``UPPER(name)``: the expression Django's ``icontains`` compares on PostgreSQL
(``UPPER(col::text) LIKE UPPER(%s)``), so the case list's name search finds names through an index instead of reading
every person (issue 13: a sequential scan of 1.5 million people, 2.2 s). The plain-column indexes of 0004 stay for
person search's similarity operator. PostgreSQL only; built CONCURRENTLY (outside a transaction) so a large
deployment keeps taking new people while they build."""

from django.db import migrations

NAMES = ("given_name", "family_name")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in NAMES:
        # an invalid index left by a failed concurrent build would satisfy IF NOT EXISTS and never be used
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS cases_person_{name}_upper_trgm", params=None)
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS cases_person_{name}_upper_trgm "
            f"ON cases_person USING gin (UPPER({name}) gin_trgm_ops)",
            params=None,
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in NAMES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS cases_person_{name}_upper_trgm", params=None)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("cases", "0011_submission_keys")]

    operations = [migrations.RunPython(create, drop)]
