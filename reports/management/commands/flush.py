"""Django's ``flush``, able to empty a SQLite database that holds signed quarterly reports.

On SQLite ``flush`` empties each table with DELETE, which the triggers that freeze signed quarterly reports refuse
(migration 0002). Emptying the whole database is not changing a report: on PostgreSQL ``flush`` uses TRUNCATE,
which the trigger there lets through. So here, on SQLite only, the triggers of ``reports_quarterlyreport`` are
dropped for the flush and put back as they were (their own SQL, read from ``sqlite_master``) whatever happens. The
test runner empties the database after each transactional test with this command."""

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections

FROZEN_TABLE = "reports_quarterlyreport"


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [FROZEN_TABLE]
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute("DROP TRIGGER " + connection.ops.quote_name(name))
        try:
            super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)
