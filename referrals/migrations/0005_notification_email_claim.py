"""Each notification e-mailed exactly once (decision 0018): the claim a worker takes before sending, and a partial
index on the notices not yet e-mailed for the sweep that sends those a killed task left behind.

Notices of the last two days not e-mailed before this migration (a batch killed half-way) are sent by the first
sweep; older ones are not: a notice days late is noise."""

from django.conf import settings
from django.db import migrations, models

from portal.migration_operations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False  # the indexes are built CONCURRENTLY on PostgreSQL (portal.migration_operations)
    dependencies = [
        ("referrals", "0004_message_submission_key"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="email_claimed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("emailed_at__isnull", True)),
                fields=["created_at"],
                name="notification_unemailed_idx",
            ),
        ),
    ]
