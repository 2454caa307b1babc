"""A person's languages become codes chosen from a list (``portal.languages``), never free text.

The data step reads what was typed before: each entry of ``languages`` and the ``preferred_language`` may be a code
("es", "spa", "es-MX"), a name in English, Spanish or the language's own ("Spanish", "Español") or several of them
in one string ("Spanish, English", "es/en", "Mam y español"). What it recognises becomes the codes, in the order
written, once each; the preferred language is the first language recognised in its field and is added to the
person's languages if missing.

The fallback, where it cannot recognise a part: that part is kept word for word in the new ``languages_note``
("other languages", shown beside the languages on the case page and in the person's edit form, so that someone
who knows the person can choose it from the list or leave it as a language the list lacks); it is never dropped
and never guessed. A preferred language that is not recognised leaves ``preferred_language`` empty and is kept in
the note as well. Reversing keeps the codes (they were valid free text) and drops the note.
"""

from typing import Any

import cases.models
import portal.languages
from django.db import migrations, models

NOTE_LENGTH = 200


def converted(languages: object, preferred: str) -> tuple[list[str], str, str]:
    """(codes, preferred code or "", the parts not recognised, as written) for one person's stored values."""
    entries = languages if isinstance(languages, list) else [languages] if languages else []
    codes: list[str] = []
    unknown: list[str] = []
    for entry in entries:
        found, left = portal.languages.codes_in_text(str(entry))
        codes += [code for code in found if code not in codes]
        unknown += [part for part in left if part not in unknown]
    preferred_code = ""
    if (preferred or "").strip():
        found, left = portal.languages.codes_in_text(preferred)
        if found:
            preferred_code = found[0]
            if preferred_code not in codes:
                codes.insert(0, preferred_code)
        else:
            unknown += [part for part in left if part not in unknown]
    return codes, preferred_code, "; ".join(unknown)[:NOTE_LENGTH]


def to_codes(apps: Any, schema_editor: Any) -> None:
    Person = apps.get_model("cases", "Person")
    changed = []
    people = Person.objects.only("pk", "languages", "preferred_language", "languages_note").order_by("pk")
    for person in people.iterator(chunk_size=2000):
        codes, preferred, note = converted(person.languages, person.preferred_language)
        if (codes, preferred, note) == (person.languages, person.preferred_language, person.languages_note):
            continue
        person.languages, person.preferred_language, person.languages_note = codes, preferred, note
        changed.append(person)
        if len(changed) >= 2000:
            Person.objects.bulk_update(changed, ["languages", "preferred_language", "languages_note"])
            changed = []
    Person.objects.bulk_update(changed, ["languages", "preferred_language", "languages_note"])


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0012_upper_name_trigram_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='person',
            name='languages_note',
            field=models.CharField(blank=True, help_text='Languages the list does not have, in words (and what could not be read when the list came in).', max_length=200, verbose_name='other languages'),
        ),
        migrations.AlterField(
            model_name='person',
            name='languages',
            field=models.JSONField(blank=True, default=list, help_text='ISO 639 codes of portal.languages', validators=[cases.models.validate_language_codes], verbose_name='languages'),
        ),
        migrations.AlterField(
            model_name='person',
            name='preferred_language',
            field=models.CharField(blank=True, choices=portal.languages.choices, max_length=10, verbose_name='preferred language'),
        ),
        migrations.RunPython(to_codes, migrations.RunPython.noop, elidable=False),
    ]
