"""``manage.py flush`` empties the database past the portal's triggers and leaves them as they were
(portal/management/commands/flush.py): the test runner's way of emptying it after each transactional test. On
SQLite every trigger is dropped for the flush and put back, in one transaction; on PostgreSQL TRUNCATE passes them."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.core.management.commands import flush
from django.db import connection

from portal.audit import audit_record
from portal.models import AuditEvent

# Guarded tables and their triggers (portal migrations 0002 and 0004, reports 0002).
TRIGGERS = {
    "sqlite": {
        "portal_auditevent_no_update",
        "portal_auditevent_no_delete",
        "reports_quarterlyreport_no_update",
        "reports_quarterlyreport_no_delete",
    },
    "postgresql": {"portal_auditevent_no_update_delete", "reports_quarterlyreport_no_update_delete"},
}


def _triggers() -> set[tuple[str, str]]:
    """Every trigger of the database with its definition."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal")
        return set(cursor.fetchall())


# TRUNCATE on PostgreSQL refuses to run while a test's transaction has trigger events pending: outside one.
@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_trail_and_the_triggers_stay(investigator):
    """As the test runner calls it (``TransactionTestCase``), post_migrate included: the permissions are back."""
    audit_record(action="portal.test.done", actor=investigator)
    before = _triggers()
    assert {name for name, _definition in before} >= TRIGGERS[connection.vendor]
    call_command(
        "flush",
        verbosity=0,
        interactive=False,
        database="default",
        reset_sequences=False,
        allow_cascade=False,
        inhibit_post_migrate=False,
    )
    assert not AuditEvent.objects.exists()
    assert _triggers() == before
    assert Permission.objects.filter(content_type__app_label="cases", codename="view_case").exists()


@pytest.mark.django_db(transaction=True)
def test_a_flush_that_fails_on_sqlite_leaves_the_triggers_and_the_rows(investigator, monkeypatch):
    """Dropping the triggers, emptying and putting them back are one transaction: a statement of the flush that fails
    takes the dropped triggers' absence back with it."""
    if connection.vendor != "sqlite":
        pytest.skip("on PostgreSQL the portal's flush is Django's")
    event = audit_record(action="portal.test.done", actor=investigator)
    before = _triggers()
    monkeypatch.setattr(
        flush, "sql_flush", lambda *args, **kwargs: ['DELETE FROM "portal_auditevent"', "DELETE FROM no_such_table"]
    )
    with pytest.raises(CommandError, match="couldn't be flushed"):
        call_command("flush", interactive=False, verbosity=0)
    assert _triggers() == before
    assert AuditEvent.objects.filter(pk=event.pk).exists()
