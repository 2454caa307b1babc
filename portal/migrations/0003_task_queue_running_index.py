"""An index on the background tasks now running, for ``/readyz`` (portal.views.readyz, decision 0016).

django_tasks_db indexes the waiting tasks (a partial index on ``status = 'READY'``) but not the running ones, so
counting those running too long read the whole table of finished results: 265 ms at a million rows on PostgreSQL,
0.1 ms with this partial index. The table is django_tasks_db's, hence SQL here rather than a model's ``Meta``; the
same statement serves PostgreSQL and SQLite.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_auditevent_append_only"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS portal_task_running_idx ON django_tasks_database_dbtaskresult (started_at) "
            "WHERE status = 'RUNNING'",
            reverse_sql="DROP INDEX IF EXISTS portal_task_running_idx",
        )
    ]
