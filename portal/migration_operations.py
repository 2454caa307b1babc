"""Migration operations of the portal's own, for tables that grow to millions of rows (issue 13)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
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
