"""The expiry task is ``referrals.tasks.referrals_expire`` (it was ``expire_overdue``): a row queued under the old
name would fail to import, and with it the five-minute chain that re-queues itself would end. Rows not yet run are
renamed; finished ones keep the name they ran under."""

from django.db import migrations

OLD, NEW = "referrals.tasks.expire_overdue", "referrals.tasks.referrals_expire"


def rename(old: str, new: str):
    def run(apps, schema_editor):
        DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
        DBTaskResult.objects.filter(task_path=old, status="READY").update(task_path=new)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0002_proposals_shares_closed_at"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(rename(OLD, NEW), rename(NEW, OLD))]
