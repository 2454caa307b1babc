"""On SQLite too, the database itself refuses to change or delete an audit event (docs/architecture.md §8), as
PostgreSQL has since 0002: raw SQL on the demo database no longer rewrites the trail. Two triggers that abort the
statement, as for signed quarterly reports (reports 0002); ``manage.py flush`` (portal/management/commands/flush.py)
still empties the database, the test runner's way between transactional tests.
"""

from django.db import migrations

from portal.migration_operations import RefuseRowChanges


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_task_queue_running_index")]

    operations = [
        RefuseRowChanges(
            "portal_auditevent",
            "portal_auditevent is append-only",
            vendors=["sqlite"],
        )
    ]
