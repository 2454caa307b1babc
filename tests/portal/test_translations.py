"""The Spanish catalogue is complete and current: every message translated, none fuzzy, the same placeholders as
the English, and no string in the code missing from it (makemessages is run on a copy of the sources).

When one of these fails after new strings were added: ``manage.py translations update``, then ``todo`` / ``fill``
(docs/architecture.md, "Translations")."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from portal import catalogue

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# %(name)s, %(count)d, %(miles).1f, {name}, and markup: what the translation must carry over unchanged.
PLACEHOLDER = re.compile(r"%\(\w+\)[-+ #0]*\d*(?:\.\d+)?[sdif]|\{\w*\}|</?\w+[^>]*>")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module", params=LANGUAGES)
def entries(request) -> list[catalogue.Entry]:
    return catalogue.read_entries(catalogue.catalogue_path(request.param))


def test_spanish_is_a_language_of_the_portal():
    assert "es" in LANGUAGES


def test_every_message_is_translated_and_none_is_fuzzy(entries):
    assert len(entries) > 1000
    untranslated = [entry.msgid for entry in entries if not entry.translated]
    fuzzy = [entry.msgid for entry in entries if entry.fuzzy]
    assert untranslated == [], f"{len(untranslated)} messages without a translation (manage.py translations todo)"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy messages: check each translation, then remove the flag"


def test_translations_keep_the_placeholders_and_markup(entries):
    wrong = []
    for entry in entries:
        singular, *plurals = entry.msgstr
        if placeholders(singular) != placeholders(entry.msgid) and not entry.msgid_plural:
            wrong.append(entry.msgid)
        for form in plurals:
            if placeholders(form) != placeholders(entry.msgid_plural or ""):
                wrong.append(entry.msgid)
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_messages_have_every_form_of_the_language(language):
    path = catalogue.catalogue_path(language)
    forms = catalogue.plural_count(path)
    plural_entries = [entry for entry in catalogue.read_entries(path) if entry.msgid_plural]
    assert plural_entries
    assert all(len(entry.msgstr) == forms for entry in plural_entries)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_holds_every_string_of_the_code(language):
    missing, unused = catalogue.stale_messages(language)
    assert missing == set(), "Strings in the code missing from the catalogue: run manage.py translations update"
    assert unused == set(), "Messages the code no longer has: run manage.py translations update"


def test_the_compiled_catalogue_is_what_the_pages_use():
    with translation.override("es"):
        assert translation.gettext("Sign in") == "Iniciar sesión"
        assert translation.ngettext("%(total)s case matches.", "%(total)s cases match.", 2) == (
            "%(total)s casos coinciden."
        )


SAMPLE = """msgid ""
msgstr ""
"Plural-Forms: nplurals=3; plural=n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;\\n"

#: cases/views.py:1
msgid "Translated"
msgstr "Traducido"

#: cases/views.py:2
msgid "Missing"
msgstr ""

#: cases/views.py:3
#, fuzzy, python-format
#| msgid "Old %(name)s"
msgid "Guessed %(name)s"
msgstr "Adivinado %(name)s"

#: cases/views.py:4
#, python-format
msgid "%(n)s case"
msgid_plural "%(n)s cases"
msgstr[0] ""
msgstr[1] ""

msgctxt "verb"
msgid "Open"
msgstr ""
"Abrir "
"ahora"

#~ msgid "Gone"
#~ msgstr "Ido"
"""


def test_the_reader_sees_untranslated_fuzzy_and_plural_messages(tmp_path: Path):
    path = tmp_path / "django.po"
    path.write_text(SAMPLE, encoding="utf-8")
    entries = {entry.msgid: entry for entry in catalogue.read_entries(path)}
    assert list(entries) == ["Translated", "Missing", "Guessed %(name)s", "%(n)s case", "Open"]
    assert [msgid for msgid, entry in entries.items() if not entry.translated] == ["Missing", "%(n)s case"]
    assert [msgid for msgid, entry in entries.items() if entry.fuzzy] == ["Guessed %(name)s"]
    assert entries["%(n)s case"].msgid_plural == "%(n)s cases"
    assert entries["Open"].key == ("verb", "Open")
    assert entries["Open"].msgstr == ["Abrir ahora"]


def test_filling_translates_and_clears_the_fuzzy_flag(tmp_path: Path):
    path = tmp_path / "django.po"
    path.write_text(SAMPLE, encoding="utf-8")
    changed = catalogue.fill(
        path,
        {
            (None, "Missing"): ["Faltante"],
            (None, "Guessed %(name)s"): ["Revisado %(name)s"],
            (None, "%(n)s case"): ["%(n)s caso", "%(n)s casos", "%(n)s casos"],
            ("verb", "Open"): ['Abrir "ya"\nahora'],
        },
    )
    assert changed == 4
    entries = {entry.msgid: entry for entry in catalogue.read_entries(path)}
    assert all(entry.translated and not entry.fuzzy for entry in entries.values())
    assert entries["Guessed %(name)s"].flags == ["python-format"]
    assert entries["%(n)s case"].msgstr == ["%(n)s caso", "%(n)s casos", "%(n)s casos"]
    assert entries["Open"].msgstr == ['Abrir "ya"\nahora']
    text = path.read_text(encoding="utf-8")
    assert "#| msgid" not in text
    assert '#~ msgid "Gone"' in text


def test_filling_refuses_a_plural_without_every_form(tmp_path: Path):
    path = tmp_path / "django.po"
    path.write_text(SAMPLE, encoding="utf-8")
    with pytest.raises(ValueError, match="needs 3 forms"):
        catalogue.fill(path, {(None, "%(n)s case"): ["%(n)s caso", "%(n)s casos"]})
