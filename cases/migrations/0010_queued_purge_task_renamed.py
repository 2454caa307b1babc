"""The meeting packets' purge task is ``cases.tasks.meeting_packets_purge`` (it was ``purge_meeting_packets``): a
purge queued under the old name for a packet's end of life would fail to import and leave the PDF, which holds PII,
past its 24 hours. Rows not yet run are renamed; finished ones keep the name they ran under."""

from django.db import migrations

OLD, NEW = "cases.tasks.purge_meeting_packets", "cases.tasks.meeting_packets_purge"


def rename(old: str, new: str):
    def run(apps, schema_editor):
        DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
        DBTaskResult.objects.filter(task_path=old, status="READY").update(task_path=new)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_need_and_meeting_packet_status_transitions"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(rename(OLD, NEW), rename(NEW, OLD))]
