"""A person's language is chosen in the header and applies to their pages as well as their e-mails. Until they choose,
it is empty and the pages follow the browser. Before the switcher, "en" was only the default (the admin was the one
place to change it), so it becomes "not chosen"; any other language an administrator set is kept."""

from django.db import migrations, models


def english_was_the_default(apps, schema_editor):
    apps.get_model("agencies", "User").objects.filter(preferred_language="en").update(preferred_language="")


def empty_is_english(apps, schema_editor):
    apps.get_model("agencies", "User").objects.filter(preferred_language="").update(preferred_language="en")


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0003_user_second_factors_reset_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="preferred_language",
            field=models.CharField(
                blank=True,
                choices=[("en", "English"), ("es", "Spanish")],
                default="",
                help_text=(
                    "The language of this person's pages and e-mails, chosen in the header. Empty until they choose: "
                    "the pages follow the browser and the e-mails are in English."
                ),
                max_length=10,
                verbose_name="preferred language",
            ),
        ),
        migrations.RunPython(english_was_the_default, empty_is_english),
    ]
