"""The translation pass, the same every time (docs/architecture.md, "Translations"):

manage.py translations update            # makemessages with the project's options
manage.py translations todo todo.json    # the messages without a translation, or fuzzy, as JSON to fill in
manage.py translations fill todo.json    # the filled-in translations back into the catalogue
manage.py translations check             # what tests/portal/test_translations.py fails on
"""

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from portal import catalogue


class Command(BaseCommand):
    help = "Keep the translation catalogues complete: update, list what is missing, fill it in, check."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["update", "todo", "fill", "check"])
        parser.add_argument("file", nargs="?", type=Path, help="The JSON file of todo (written) or fill (read).")
        parser.add_argument("--language", default="es")

    def handle(self, *args: Any, action: str, file: Path | None, language: str, **options: Any) -> None:
        if language not in dict(settings.LANGUAGES) or language == settings.LANGUAGE_CODE:
            raise CommandError(f"Not a language the portal is translated into: {language}")
        path = catalogue.catalogue_path(language)
        if action == "update":
            catalogue.make_messages(catalogue.BASE_DIR, language)
            call_command("compilemessages", locale=[language], ignore_patterns=[".venv"], verbosity=0)
        elif action == "check":
            self._check(language, path)
        elif file is None:
            raise CommandError(f"{action} needs a JSON file.")
        elif action == "todo":
            missing = [entry for entry in catalogue.read_entries(path) if entry.fuzzy or not entry.translated]
            forms = catalogue.plural_count(path)
            file.write_text(json.dumps([_todo(entry, forms) for entry in missing], ensure_ascii=False, indent=1))
            self.stdout.write(f"{len(missing)} messages to translate in {file}.")
        else:
            filled = {
                (item["msgctxt"], item["msgid"]): item["msgstr"]
                for item in json.loads(file.read_text(encoding="utf-8"))
                if all(item["msgstr"])
            }
            self.stdout.write(f"{catalogue.fill(path, filled)} messages filled in {path}.")

    def _check(self, language: str, path: Path) -> None:
        entries = catalogue.read_entries(path)
        problems = [f"untranslated: {entry.msgid!r}" for entry in entries if not entry.translated]
        problems += [f"fuzzy: {entry.msgid!r}" for entry in entries if entry.fuzzy]
        missing, unused = catalogue.stale_messages(language)
        problems += [f"not in the catalogue: {msgid!r}" for _, msgid in sorted(missing)]
        problems += [f"no longer in the code: {msgid!r}" for _, msgid in sorted(unused)]
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(f"{len(entries)} messages, all translated into {language}.")


def _todo(entry: catalogue.Entry, forms: int) -> dict[str, Any]:
    """One message to translate: ``msgstr`` has one form, or ``forms`` when the message has a plural."""
    return {
        "msgctxt": entry.msgctxt,
        "msgid": entry.msgid,
        "msgid_plural": entry.msgid_plural,
        "msgstr": [""] * (1 if entry.msgid_plural is None else forms),
        "references": entry.references,
        "flags": entry.flags,
    }
