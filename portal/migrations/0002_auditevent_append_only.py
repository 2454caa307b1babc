"""On PostgreSQL, the database itself refuses to change or delete an audit event (docs/architecture.md §8).

SQLite, the demo database, got the same refusal later (0004), as its own migration: databases made before it had
applied this one. TRUNCATE is left to database privileges (docs/deployment.md): the test runner empties tables with
it.
"""

from django.db import migrations

from portal.migration_operations import RefuseRowChanges


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [
        RefuseRowChanges(
            "portal_auditevent",
            "portal_auditevent is append-only",
            function="portal_auditevent_append_only",
            vendors=["postgresql"],
        )
    ]
