"""Migration operations of the portal's own: indexes on tables that grow to millions of rows (issue 13), and the
triggers that make a table's rows unchangeable (the audit trail, signed quarterly reports)."""

import re
from collections.abc import Sequence

from django.db import migrations, router
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation, OperationCategory
from django.db.migrations.state import ProjectState


class AddIndexConcurrentlyOnPostgres(migrations.AddIndex):
    """``AddIndex`` that builds the index ``CONCURRENTLY`` on PostgreSQL, so a deployment with millions of referrals
    keeps writing them while it builds (a plain ``CREATE INDEX`` blocks every write to the table until it ends), and
    plainly elsewhere (SQLite, where django.contrib.postgres' ``AddIndexConcurrently`` cannot run). The migration
    must be ``atomic = False``: PostgreSQL refuses a concurrent build inside a transaction. A concurrent build that
    fails leaves an invalid index behind; it is dropped first, or ``IF NOT EXISTS`` would keep it unused."""

    def database_forwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(self.index.name)}")
            schema_editor.add_index(model, self.index, concurrently=True)  # type: ignore[call-arg]

    def database_backwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)  # type: ignore[call-arg]


_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_REFUSABLE = ("UPDATE", "DELETE")
_VENDORS = ("postgresql", "sqlite")


class RefuseRowChanges(Operation):
    """Triggers that make the database itself refuse ``refuse`` (UPDATE, DELETE or both) of ``table``'s rows, or only
    of the rows matching ``when`` (an SQL condition on the row as it is, ``OLD``), on PostgreSQL and SQLite, so that
    no path past the model (raw SQL, an upsert, another client) changes them. Reversed, the triggers are dropped.

    The statement fails with ``message: <operation> refused``. On PostgreSQL: one trigger ``<table>_no_update_delete``
    (or ``_no_update``, ``_no_delete``) calling the plpgsql function ``function`` (by default the trigger's name),
    which raises with SQLSTATE ``insufficient_privilege``. On SQLite, which has no trigger functions: one trigger per
    operation, ``<table>_no_update`` and ``<table>_no_delete``, each ``SELECT RAISE(ABORT, ...)``. ``vendors``
    narrows where they are made; other databases get none.

    Row triggers do not see TRUNCATE, how PostgreSQL's ``flush`` empties tables (left to database privileges,
    docs/deployment.md); on SQLite ``flush`` deletes, and ``portal/management/commands/flush.py`` lets it through.
    SQLite drops a table's triggers with the table, and Django remakes a table (a new one, copied, the old dropped)
    for most changes of its columns there: a later migration that alters ``table`` on SQLite must make its triggers
    again."""

    category = OperationCategory.SQL

    def __init__(
        self,
        table: str,
        message: str,
        *,
        refuse: Sequence[str] = _REFUSABLE,
        when: str | None = None,
        function: str | None = None,
        vendors: Sequence[str] = _VENDORS,
    ) -> None:
        if not refuse or any(operation not in _REFUSABLE for operation in refuse):
            raise ValueError(f"refuse names UPDATE and/or DELETE, not {refuse!r}")
        self.table = table
        self.message = message
        self.refuse = tuple(operation for operation in _REFUSABLE if operation in refuse)
        self.when = when
        self.trigger = f"{table}_no_{'_'.join(operation.lower() for operation in self.refuse)}"
        self.function = function or self.trigger
        if not set(vendors) <= set(_VENDORS):
            raise ValueError(f"vendors are among {_VENDORS!r}, not {vendors!r}")
        self.vendors = tuple(vendors)
        for name in (self.table, self.function):
            if not _NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not a plain lower-case SQL name")

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass

    def database_forwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        self._run(app_label, schema_editor, create=True)

    def database_backwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        self._run(app_label, schema_editor, create=False)

    def describe(self) -> str:
        rows = f"rows of {self.table} where {self.when}" if self.when else f"rows of {self.table}"
        return f"Refuse {' and '.join(self.refuse)} of {rows}"

    @property
    def migration_name_fragment(self) -> str:
        return self.trigger

    def _run(self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, *, create: bool) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in self.vendors or not router.allow_migrate(schema_editor.connection.alias, app_label):
            return
        if vendor == "postgresql":
            statements = self._postgresql_create() if create else self._postgresql_drop()
        else:
            statements = self._sqlite_create() if create else self._sqlite_drop()
        for statement in statements:
            schema_editor.execute(statement, params=None)

    def _literal(self, text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    def _postgresql_create(self) -> list[str]:
        message = self._literal(self.message.replace("%", "%%") + ": % refused")
        when = f" WHEN ({self.when})" if self.when else ""
        return [
            f"""
CREATE OR REPLACE FUNCTION {self.function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION {message}, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
""",
            f"""
CREATE TRIGGER {self.trigger}
    BEFORE {" OR ".join(self.refuse)} ON {self.table}
    FOR EACH ROW{when} EXECUTE FUNCTION {self.function}();
""",
        ]

    def _postgresql_drop(self) -> list[str]:
        return [
            f"DROP TRIGGER IF EXISTS {self.trigger} ON {self.table};",
            f"DROP FUNCTION IF EXISTS {self.function}();",
        ]

    def _sqlite_create(self) -> list[str]:
        when = f" WHEN ({self.when})" if self.when else ""
        return [
            f"""
CREATE TRIGGER {self.table}_no_{operation.lower()}
    BEFORE {operation} ON {self.table}
    FOR EACH ROW{when} BEGIN
        SELECT RAISE(ABORT, {self._literal(f"{self.message}: {operation} refused")});
    END;
"""
            for operation in self.refuse
        ]

    def _sqlite_drop(self) -> list[str]:
        return [f"DROP TRIGGER IF EXISTS {self.table}_no_{operation.lower()};" for operation in self.refuse]
