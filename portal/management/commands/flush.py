"""Django's ``flush``, able to empty a SQLite database whose tables the portal's triggers guard.

On SQLite ``flush`` empties each table with DELETE, which the triggers that keep the audit trail append-only and
signed quarterly reports frozen refuse (``portal.migration_operations.RefuseRowChanges``). Emptying the whole
database is not changing a row of theirs: on PostgreSQL ``flush`` uses TRUNCATE, which row triggers do not see (who
may TRUNCATE is left to database privileges, docs/deployment.md), so there Django's command runs as it is. On SQLite,
every trigger of the database is dropped for the flush and put back as it was (its own SQL, read from
``sqlite_master``): Django makes no trigger there, so each one is one of the portal's guards, and a guard added later
needs nothing here. Dropping, emptying and putting back are one transaction: a flush that fails or is interrupted
leaves every trigger in place. The test runner empties the database after each transactional test with this
command."""

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
                triggers = cursor.fetchall()
                for name, _sql in triggers:
                    cursor.execute("DROP TRIGGER " + connection.ops.quote_name(name))
            super().handle(**options)
            with connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)
