# The dashboard's services of a reader's cases in a period: one index probe per participant (issue 18).

from django.db import migrations, models

from portal.migration_operations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False  # the index is built CONCURRENTLY on PostgreSQL (portal.migration_operations)

    dependencies = [
        ("cases", "0020_serviceevent_withdrawn"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="serviceevent",
            index=models.Index(fields=["participant", "provided_on"], name="service_event_person_day_idx"),
        ),
    ]
