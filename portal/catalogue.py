"""The translation catalogues (``locale/<lang>/LC_MESSAGES/django.po``) read and filled without extra packages:
``manage.py translations`` (the pass that brings new strings into Spanish) and the test that fails on a message
left untranslated, fuzzy or missing from the catalogue use the same reader.

Only what ``makemessages --no-wrap`` writes is read: comments, flags, ``msgctxt``, ``msgid``, ``msgid_plural``,
``msgstr`` / ``msgstr[n]`` and their continuation lines. Obsolete entries (``#~``) are skipped. Writing only
replaces translations and drops the ``fuzzy`` flag and the ``#|`` previous-msgid lines of the entries it fills;
everything else in the file is kept byte for byte, and ``makemessages`` formats it again on its next run.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# How the catalogue is made: the same options every time, so that a run only changes what the code changed.
MAKEMESSAGES_OPTIONS = ["--no-wrap", "--ignore=.venv", "--ignore=bench", "--ignore=tests", "--ignore=static"]
# What makemessages reads (besides the apps' folders, found by walking): copied for a check in a scratch folder.
_SOURCE_SUFFIXES = {".py", ".html", ".txt"}
_SKIPPED_DIRS = {".venv", "bench", "tests", "static", "staticfiles", "test-artifacts", "var", "node_modules", ".git"}


@dataclass
class Entry:
    """One message: what it is (context, singular, plural) and its translations, with the lines it spans."""

    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    first_line: int = 0
    last_line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr)


def catalogue_path(language: str, base_dir: Path = BASE_DIR) -> Path:
    return base_dir / "locale" / language / "LC_MESSAGES" / "django.po"


def read_entries(path: Path) -> list[Entry]:
    """The messages of a catalogue, in file order; the header (the empty msgid) is not among them."""
    lines = path.read_text(encoding="utf-8").split("\n")
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None
    started = False

    def finish(end: int) -> None:
        nonlocal entry, started, target
        if started and entry.msgid:
            entry.last_line = end
            entries.append(entry)
        entry, started, target = Entry(), False, None

    for number, line in enumerate(lines):
        if not line.strip():
            finish(number - 1)
            continue
        if not started:
            entry.first_line = number
            started = True
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            entry.flags += [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith("#:"):
            entry.references += line[2:].split()
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(entry, target, _unquote(line))
        else:
            keyword, _, value = line.partition(" ")
            target = _target(keyword)
            _append(entry, target, "", start=True)
            _append(entry, target, _unquote(value))
    finish(len(lines) - 1)
    return entries


def _target(keyword: str) -> tuple[str, int]:
    if keyword.startswith("msgstr["):
        return ("msgstr", int(keyword[7:-1]))
    return (keyword, 0)


def _append(entry: Entry, target: tuple[str, int] | None, text: str, start: bool = False) -> None:
    if target is None:
        raise ValueError(f"A continuation line outside a message: {text!r}")
    name, index = target
    if name == "msgstr":
        while len(entry.msgstr) <= index:
            entry.msgstr.append("")
        entry.msgstr[index] = text if start else entry.msgstr[index] + text
    else:
        current = getattr(entry, name) or ""
        setattr(entry, name, text if start else current + text)


def _unquote(quoted: str) -> str:
    value = ast.literal_eval(quoted)
    if not isinstance(value, str):
        raise ValueError(f"Not a quoted string: {quoted!r}")
    return value


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    pieces = escaped.split("\n")
    if len(pieces) == 1:
        return f'"{escaped}"'
    lines = [piece + "\\n" for piece in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])
    if len(lines) == 1:
        return f'"{lines[0]}"'
    return '""\n' + "\n".join(f'"{line}"' for line in lines)


def fill(path: Path, translations: dict[tuple[str | None, str], list[str]]) -> int:
    """Write the given translations (by context and msgid) into the catalogue; returns how many entries changed.

    A translation has one form, or for a message with a plural as many as the header's ``nplurals``.
    """
    lines = path.read_text(encoding="utf-8").split("\n")
    plurals = plural_count(path)
    changed = 0
    for entry in reversed(read_entries(path)):
        forms = translations.get(entry.key)
        if forms is None:
            continue
        expected = 1 if entry.msgid_plural is None else plurals
        if len(forms) != expected:
            raise ValueError(f"{entry.msgid!r} needs {expected} forms, got {len(forms)}")
        block = lines[entry.first_line : entry.last_line + 1]
        kept: list[str] = []
        for line in block:
            if line.startswith("msgstr"):
                break
            if line.startswith("#|"):
                continue
            if line.startswith("#,"):
                flags = [flag.strip() for flag in line[2:].split(",") if flag.strip() != "fuzzy"]
                if not flags:
                    continue
                line = "#, " + ", ".join(flags)
            kept.append(line)
        if entry.msgid_plural is None:
            kept.append("msgstr " + _quote(forms[0]))
        else:
            kept += [f"msgstr[{index}] " + _quote(form) for index, form in enumerate(forms)]
        lines[entry.first_line : entry.last_line + 1] = "\n".join(kept).split("\n")
        changed += 1
    path.write_text("\n".join(lines), encoding="utf-8")
    return changed


def plural_count(path: Path) -> int:
    """The ``nplurals`` of the catalogue's ``Plural-Forms`` header."""
    match = re.search(r"nplurals\s*=\s*(\d+)", path.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"{path} has no Plural-Forms header")
    return int(match.group(1))


def make_messages(base_dir: Path, language: str) -> None:
    """Run makemessages for one language in ``base_dir`` (the repository, or a copy of its sources)."""
    subprocess.run(  # noqa: S603  (this interpreter, the project's manage.py, a language from settings)
        [sys.executable, "manage.py", "makemessages", "-l", language, "--verbosity", "0", *MAKEMESSAGES_OPTIONS],
        cwd=base_dir,
        env={**os.environ, "DJANGO_DEBUG": "true"},
        check=True,
    )


def stale_messages(language: str) -> tuple[set[tuple[str | None, str]], set[tuple[str | None, str]]]:
    """What the code would put in the catalogue that it lacks, and what it holds that the code no longer has.

    makemessages runs on a copy of the sources (and of the catalogue) in a scratch folder: the repository's files
    are not touched.
    """
    current = {entry.key for entry in read_entries(catalogue_path(language))}
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch)
        _copy_sources(BASE_DIR, copy)
        make_messages(copy, language)
        fresh = {entry.key for entry in read_entries(catalogue_path(language, copy))}
    return fresh - current, current - fresh


def _copy_sources(source: Path, target: Path) -> None:
    for folder, dirs, files in os.walk(source):
        dirs[:] = [name for name in dirs if name not in _SKIPPED_DIRS]
        relative = Path(folder).relative_to(source)
        for name in files:
            if Path(name).suffix in _SOURCE_SUFFIXES or relative.parts[:1] == ("locale",):
                destination = target / relative / name
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(Path(folder) / name, destination)
