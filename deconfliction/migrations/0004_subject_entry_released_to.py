"""A provider client's entry names the agencies its consents release a match to (decision 0030, "whom a provider's
client's match is told"). Entries written before have none: nobody but the provider is told of them until the next
reindex (``manage.py reindex_deconfliction``, or the daily run) writes their consents' recipients."""

from django.db import migrations, models


def provider_entries_release_to_nobody(apps, schema_editor):
    SubjectEntry = apps.get_model("deconfliction", "SubjectEntry")
    SubjectEntry.objects.filter(valid_until__isnull=False).update(released_to={})


class Migration(migrations.Migration):
    dependencies = [("deconfliction", "0003_subject_entry_valid_until")]

    operations = [
        migrations.AddField(
            model_name="subjectentry",
            name="released_to",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.RunPython(provider_entries_release_to_nobody, migrations.RunPython.noop),
    ]
