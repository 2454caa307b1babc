"""The audit trail is append-only (docs/architecture.md §8): the model refuses, and the database refuses too, on
PostgreSQL and on SQLite (portal migrations 0002 and 0004)."""

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from portal.audit import audit_record
from portal.models import AuditEvent


def test_an_event_records_who_from_where_and_what(investigator):
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Firefox/140")
    request.user = investigator
    event = audit_record(action="portal.test.done", request=request, target=investigator, details={"count": 3})
    event.refresh_from_db()
    assert event.actor == investigator
    assert event.actor_email == "investigator@ffo.example"
    assert event.agency_id == investigator.agency.pk
    assert event.agency_name == "FFO"
    assert (event.object_type, event.object_id) == ("agencies.user", str(investigator.pk))
    assert event.ip_address == "10.1.2.3"
    assert event.user_agent == "Firefox/140"
    assert event.details == {"count": 3}
    assert event.outcome == AuditEvent.Outcome.SUCCESS


def test_the_model_refuses_to_change_or_delete_an_event(investigator):
    event = audit_record(action="portal.test.done", actor=investigator)
    event.action = "portal.test.rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "portal.test.done"


@pytest.mark.parametrize(
    ("statement", "refused"),
    [
        ("UPDATE portal_auditevent SET action = 'x' WHERE id = %s", "UPDATE"),
        ("DELETE FROM portal_auditevent WHERE id = %s", "DELETE"),
    ],
)
def test_the_database_refuses_update_and_delete(investigator, statement, refused):
    """Raw SQL, past the model: PostgreSQL's trigger and SQLite's two say which statement they refused."""
    event = audit_record(action="portal.test.done", actor=investigator)
    with (
        pytest.raises(DatabaseError, match=f"append-only: {refused} refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, action="portal.test.done").exists()


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(lambda: AuditEvent.objects.update(action="portal.test.rewritten"), id="update"),
        pytest.param(lambda: AuditEvent.objects.all().delete(), id="delete"),
    ],
)
def test_the_database_refuses_bulk_changes_through_the_orm(investigator, path):
    """The queryset's ``update()`` and ``delete()`` never call the model's refusals: the database's stand."""
    event = audit_record(action="portal.test.done", actor=investigator)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        path()
    assert AuditEvent.objects.filter(pk=event.pk, action="portal.test.done").exists()


def test_field_history_of_domain_models_is_kept(lead_agency):
    lead_agency.jurisdiction = "Southern District"
    lead_agency.save()
    entry = LogEntry.objects.get_for_object(lead_agency).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.changes_dict["jurisdiction"] == ["Marlin County", "Southern District"]


def test_password_hashes_never_enter_the_field_history(investigator):
    investigator.set_password("another-long-passphrase")
    investigator.full_name = "Ivy Renamed"
    investigator.save()
    entries = list(LogEntry.objects.get_for_object(investigator))
    assert len(entries) == 2  # created, then renamed
    for entry in entries:
        assert "password" not in entry.changes_dict
