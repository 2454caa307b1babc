"""Where each size lives, and how a process gets there: the database made (or reused), Django set up on it,
migrations applied, the data loaded when its fingerprint does not match.

Targets: ``sqlite-S`` (a file under ``bench/.data/``), ``postgresql-S``, ``postgresql-L`` and ``postgresql-2m``
(databases ``bench_scale_s``, ``bench_scale_l``, ``bench_scale_2m`` on the server ``BENCH_DATABASE_URL`` names).
"""

import os
import sqlite3
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.scale.sizes import FINGERPRINT_TABLE, fingerprint

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bench" / ".data"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


def split(target: str) -> tuple[str, str]:
    vendor, size = target.split("-", 1)
    return vendor, size


def database_url(target: str) -> str:
    vendor, size = split(target)
    if vendor == "sqlite":
        return f"sqlite:///{DATA / f'scale_{size.lower()}.sqlite3'}"
    server = urlsplit(os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER))
    return urlunsplit(server._replace(path=f"/bench_scale_{size.lower()}"))


def _forget_stale(target: str, expected: str) -> None:
    """Before Django connects: drop the database (or delete the file) whose fingerprint is not ``expected``, and
    make an empty one where there is none."""
    vendor, _size = split(target)
    url = database_url(target)
    if vendor == "sqlite":
        path = Path(urlsplit(url).path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            found = None
            try:
                with sqlite3.connect(path) as db:
                    found = db.execute(f"SELECT value FROM {FINGERPRINT_TABLE}").fetchone()  # noqa: S608
            except sqlite3.Error:
                pass
            if found is None or found[0] != expected:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    server = os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER)
    with psycopg.connect(server, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            found = None
            with psycopg.connect(url) as db:
                present = db.execute("SELECT to_regclass(%s)", [FINGERPRINT_TABLE]).fetchone()
                if present and present[0]:
                    found = db.execute(f"SELECT value FROM {FINGERPRINT_TABLE}").fetchone()  # noqa: S608
            if found is not None and found[0] == expected:
                return
            print(f"{name}: {found[0] if found else 'no data'}, want {expected}: loading again", file=sys.stderr)
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def open_target(target: str) -> None:
    """Set Django up on ``target``'s database, migrated and loaded. On reuse ``migrate`` still runs first, so indexes
    added by later commits apply to the loaded data."""
    _vendor, size = split(target)
    expected = fingerprint(size)
    _forget_stale(target, expected)
    os.environ["DATABASE_URL"] = database_url(target)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "600")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from bench.scale import generate

    if generate.stored_fingerprint() != expected:
        generate.load(size)
