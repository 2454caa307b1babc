"""SQLite gathers planner statistics after migrate, seed and import (portal/sqlite.py); PostgreSQL is left alone.

Without statistics SQLite planned the case list's permission check as a scan of everything (83 s for a dense
user's count at 20,000 cases on this machine, 95 ms with them: docs/decisions/0017-submission-keys.md)."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from cases.services import case_create
from portal.sqlite import gather_statistics, gather_statistics_after_migrate

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own statistics (sqlite_stat1)")
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the hook's PostgreSQL side")

PERMISSION_TABLES = {"cases_casegroupobjectpermission", "cases_caseuserobjectpermission", "auth_permission"}
HSDS_SERVICE = Path(__file__).parents[1] / "services_directory" / "hsds_examples" / "service_full.json"


def _tables_with_statistics() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return set()
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        return {table for (table,) in cursor.fetchall()}


@pytest.fixture
def no_statistics(db):
    """A database whose statistics were never gathered (as after a bulk load into an old one)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is not None:
            cursor.execute("DELETE FROM sqlite_stat1")
    assert _tables_with_statistics() == set()


@pytest.fixture
def a_case_with_its_permissions(investigator) -> Case:
    return case_create(actor=investigator, title="Nail salon", intake_channel=Case.Channel.HOTLINE)


@on_sqlite
def test_migrate_gathers_statistics_of_the_case_permission_tables(no_statistics, a_case_with_its_permissions):
    call_command("migrate", verbosity=0)

    tables = _tables_with_statistics()
    assert {"cases_casegroupobjectpermission", "auth_permission", "cases_case"} <= tables


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_seeding_the_demo_gathers_statistics_of_what_it_loaded(no_statistics):
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=StringIO())

    assert {"cases_casegroupobjectpermission", "auth_permission", "cases_case"} <= _tables_with_statistics()


@on_sqlite
def test_an_hsds_import_gathers_statistics(no_statistics, a_case_with_its_permissions, tmp_path):
    services = tmp_path / "services.json"
    services.write_text(json.dumps([json.loads(HSDS_SERVICE.read_text())]))

    call_command("import_hsds", str(services), stdout=StringIO())

    tables = _tables_with_statistics()
    assert "services_directory_service" in tables
    assert "cases_casegroupobjectpermission" in tables


@on_sqlite
def test_statistics_are_gathered_once_per_migrate_not_once_per_app(no_statistics, monkeypatch):
    calls = []
    monkeypatch.setattr("portal.sqlite.gather_statistics", lambda using="default": calls.append(using))

    call_command("migrate", verbosity=0)

    assert calls == ["default"]


@on_postgresql
def test_on_postgresql_the_hook_issues_no_statement(db):
    last_app = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    with CaptureQueriesContext(connection) as queries:
        assert gather_statistics() is False
        gather_statistics_after_migrate(sender=last_app, using="default")
    assert [query["sql"] for query in queries] == []
