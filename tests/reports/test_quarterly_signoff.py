"""Signing a quarterly report (decision 0037): a supervisor of the agency signs the measures as read; the signed
report is frozen (the model, its queryset and managers, and a trigger on PostgreSQL and SQLite alike refuse any
change or deletion, whatever the path; ``flush`` still empties the database); one per
agency, quarter and kind, a race answered clearly; a stale sign-off refused; re-running the quarter shows what
changed without touching the snapshot."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import DatabaseError, connection, models, transaction
from django.http import Http404

from cases.models import VictimIdentification
from portal.models import AuditEvent
from reports import services
from reports.fiscal import parse_quarter
from reports.models import FrozenReport, QuarterlyReport, snapshot_digest
from reports.quarterly import access as quarterly_access
from reports.quarterly.measures import changes_since, compute
from tests.reports.quarterly_world import (  # noqa: F401  (the fixtures)
    Q1_2027,
    Q2_2027,
    ffo_auditor_fixture,
    frozen_after_q2_fixture,
    prosecutor_office_fixture,
    served,
    world_fixture,
)

pytestmark = pytest.mark.django_db


def sign(user, quarter=Q1_2027) -> QuarterlyReport:
    draft = compute(user.agency, quarter)
    return services.quarterly_report_sign(actor=user, quarter_code=quarter.code, digest=draft.digest)


def test_a_supervisor_signs_the_measures_as_read(world, supervisor, lead_agency):
    draft = compute(lead_agency, Q1_2027)
    report = services.quarterly_report_sign(actor=supervisor, quarter_code="FY2027-Q1", digest=draft.digest)
    report.refresh_from_db()
    snapshot = report.snapshot
    assert (report.agency, report.fiscal_year, report.quarter, report.kind) == (lead_agency, 2027, 1, "law_enforcement")
    assert snapshot["agency"] == {"id": lead_agency.pk, "name": lead_agency.name, "kind": lead_agency.kind}
    assert (snapshot["quarter"], snapshot["kind"]) == ("FY2027-Q1", "law_enforcement")
    assert snapshot["signed_by"] == {"id": supervisor.pk, "name": supervisor.full_name, "email": supervisor.email}
    assert snapshot["signed_at"] == report.signed_at.isoformat()
    assert snapshot["measures"] == draft.content["measures"]
    assert snapshot["measures"][0] == {
        "code": "LE-1.1a",
        "question": "Investigations: New (opened in the quarter) (All)",
        "value": 1,
    }
    assert report.digest == snapshot_digest(snapshot)
    assert len(report.digest) == 64
    assert report.digest_matches()
    event = AuditEvent.objects.get(action="reports.quarterly.signed")
    assert (event.actor, event.object_type, event.object_id) == (supervisor, "reports.quarterlyreport", str(report.pk))
    assert event.details == {"quarter": "FY2027-Q1", "kind": "law_enforcement", "digest": report.digest}


def test_the_digest_does_not_depend_on_the_readers_language(world, lead_agency):
    from django.utils import translation

    with translation.override("es"):
        spanish = compute(lead_agency, Q1_2027)
        assert spanish.measures()[0].question != spanish.content["measures"][0]["question"]
    assert spanish.digest == compute(lead_agency, Q1_2027).digest


@pytest.mark.parametrize(
    ("who", "refused"),
    [
        ("investigator", PermissionDenied),  # a caseworker reads the draft but does not sign
        ("ffo_auditor", Http404),  # an auditor reads signed reports only: nothing here for them
        ("coordinator", Http404),
        ("agency_admin", Http404),
        ("shelter_supervisor", None),  # signs the shelter's own report, not the field office's
    ],
)
def test_only_a_supervisor_of_the_agency_signs_its_report(request, world, lead_agency, who, refused):
    user = request.getfixturevalue(who)
    if refused is None:
        report = sign(user)
        assert report.agency == user.agency != lead_agency
        return
    with pytest.raises(refused):
        services.quarterly_report_sign(actor=user, quarter_code="FY2027-Q1", digest="0" * 64)
    assert not QuarterlyReport.objects.exists()


def test_a_quarter_is_signed_only_once_it_has_ended(supervisor, lead_agency, frozen_after_q2):
    current = "FY2027-Q3"  # 2027-04-01..06-30, and today is 2027-04-15
    draft = compute(lead_agency, parse_quarter(current))
    with pytest.raises(ValidationError, match="2027-06-30"):
        services.quarterly_report_sign(actor=supervisor, quarter_code=current, digest=draft.digest)
    with pytest.raises(Http404):
        services.quarterly_report_sign(actor=supervisor, quarter_code="FY2027-Q4", digest=draft.digest)
    assert not QuarterlyReport.objects.exists()


def test_a_stale_sign_off_is_refused(world, supervisor, investigator, lead_agency):
    """The supervisor read the report; then a victim's identification changed the counts: signing what they read
    would sign numbers that are no longer the records'."""
    read = compute(lead_agency, Q1_2027)
    d2 = world.people["d2"]
    VictimIdentification.objects.filter(pk=d2.identification.pk).update(
        trafficking_type=VictimIdentification.TraffickingType.LABOR
    )
    with pytest.raises(services.StaleSignOff):
        services.quarterly_report_sign(actor=supervisor, quarter_code="FY2027-Q1", digest=read.digest)
    assert not QuarterlyReport.objects.exists()
    assert not AuditEvent.objects.filter(action="reports.quarterly.signed").exists()
    assert sign(supervisor).snapshot["measures"] != read.content["measures"]


def test_a_second_sign_off_is_answered_with_the_first(world, supervisor, lead_agency):
    from tests.factories import UserFactory

    first = sign(supervisor)
    other = UserFactory(email="second@ffo.example", agency=lead_agency, role="supervisor")
    with pytest.raises(services.AlreadySigned) as refused:
        sign(other)
    assert refused.value.report == first
    assert QuarterlyReport.objects.get() == first


def test_a_race_of_two_sign_offs_leaves_the_first(world, supervisor, lead_agency, monkeypatch):
    """The second signer looked before the first committed (their check found nothing signed): the unique
    constraint refuses their row, and they are told who signed."""
    from tests.factories import UserFactory

    first = sign(supervisor)
    other = UserFactory(email="racer@ffo.example", agency=lead_agency, role="supervisor")
    draft = compute(lead_agency, Q1_2027)
    as_read_before = quarterly_access.QuarterlyAccess(
        agency=lead_agency,
        quarter=Q1_2027,
        kind="law_enforcement",
        signed=None,  # what the second signer's check saw, before the first signature committed
        may_read_draft=True,
        may_sign=True,
        ended=True,
    )
    monkeypatch.setattr(quarterly_access, "quarterly_access_for", lambda user, code: as_read_before)
    with pytest.raises(services.AlreadySigned) as refused:
        services.quarterly_report_sign(actor=other, quarter_code="FY2027-Q1", digest=draft.digest)
    assert refused.value.report == first
    assert QuarterlyReport.objects.count() == 1
    assert AuditEvent.objects.filter(action="reports.quarterly.signed").count() == 1


def test_one_signed_report_per_agency_quarter_and_kind_in_the_database(world, supervisor, lead_agency):
    first = sign(supervisor)
    copy = QuarterlyReport(
        agency=lead_agency,
        fiscal_year=2027,
        quarter=1,
        kind=first.kind,
        snapshot={},
        digest="0" * 64,
        signed_by=supervisor,
        signed_at=first.signed_at,
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        copy.save()


# --- Frozen.


def test_a_signed_report_cannot_be_saved_again(world, supervisor):
    report = sign(supervisor)
    report.snapshot["measures"][0]["value"] = 999
    with pytest.raises(FrozenReport):
        report.save()
    report.refresh_from_db()
    assert report.snapshot["measures"][0]["value"] == 1
    assert report.digest_matches()


def test_a_signed_report_cannot_be_deleted(world, supervisor):
    report = sign(supervisor)
    with pytest.raises(FrozenReport):
        report.delete()
    with pytest.raises(FrozenReport):
        QuarterlyReport.objects.filter(pk=report.pk).delete()
    assert QuarterlyReport.objects.filter(pk=report.pk).exists()


def test_a_signed_report_cannot_be_updated_through_the_queryset(world, supervisor):
    report = sign(supervisor)
    with pytest.raises(FrozenReport):
        QuarterlyReport.objects.filter(pk=report.pk).update(digest="0" * 64)
    with pytest.raises(FrozenReport):
        QuarterlyReport.objects.update(snapshot={})
    report.refresh_from_db()
    assert report.digest_matches()


def test_signing_again_through_the_service_changes_nothing(world, supervisor):
    report = sign(supervisor)
    with pytest.raises(services.AlreadySigned):
        sign(supervisor)
    assert QuarterlyReport.objects.get().snapshot == report.snapshot


def _copy_of(report: QuarterlyReport, **changes) -> QuarterlyReport:
    """A new instance carrying ``report``'s fields (its key too), with ``changes``: what an overwrite would write."""
    fields = {
        field.attname: getattr(report, field.attname) for field in QuarterlyReport._meta.concrete_fields
    } | changes
    return QuarterlyReport(**fields)


def _unchanged(report: QuarterlyReport) -> None:
    stored = QuarterlyReport.objects.get(pk=report.pk)
    assert (stored.snapshot, stored.digest) == (report.snapshot, report.digest)
    assert stored.digest_matches()


# Every way Django offers to overwrite or remove a row, on both databases: each refused, the row as signed.
OVERWRITES = {
    "a new instance with its key, saved": lambda report: _copy_of(report, digest="0" * 64).save(),
    "saved with force_update": lambda report: QuarterlyReport.objects.get(pk=report.pk).save(force_update=True),
    "the base manager's update": lambda report: QuarterlyReport._base_manager.filter(pk=report.pk).update(
        digest="0" * 64
    ),
    "the base manager's delete": lambda report: QuarterlyReport._base_manager.filter(pk=report.pk).delete(),
    "the default manager's delete": lambda report: QuarterlyReport._default_manager.all().delete(),
    "bulk_update": lambda report: QuarterlyReport.objects.bulk_update([_copy_of(report, digest="0" * 64)], ["digest"]),
    "bulk_create updating on conflict": lambda report: QuarterlyReport.objects.bulk_create(
        [_copy_of(report, pk=None, digest="0" * 64)],
        update_conflicts=True,
        unique_fields=["agency", "fiscal_year", "quarter", "kind"],
        update_fields=["digest"],
    ),
}


@pytest.mark.parametrize("path", OVERWRITES)
def test_no_django_path_overwrites_or_removes_a_signed_report(world, supervisor, path):
    report = sign(supervisor)
    with pytest.raises(FrozenReport), transaction.atomic():
        OVERWRITES[path](report)
    _unchanged(report)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE reports_quarterlyreport SET digest = 'x' WHERE id = %s",
        "DELETE FROM reports_quarterlyreport WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_signed_report(world, supervisor, sql):
    """The trigger, on PostgreSQL and on SQLite: raw SQL, past every guard of the model."""
    report = sign(supervisor)
    with (
        pytest.raises(DatabaseError, match="frozen once signed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [report.pk])
    _unchanged(report)


def test_the_database_refuses_an_upsert_past_the_queryset(world, supervisor):
    """``bulk_create(update_conflicts=True)`` called on Django's own queryset, past ours: the trigger refuses the
    UPDATE of the upsert."""
    report = sign(supervisor)
    with pytest.raises(DatabaseError, match="frozen once signed"), transaction.atomic():
        models.QuerySet(QuarterlyReport).bulk_create(
            [_copy_of(report, pk=None, digest="0" * 64)],
            update_conflicts=True,
            unique_fields=["agency", "fiscal_year", "quarter", "kind"],
            update_fields=["digest"],
        )
    _unchanged(report)


@pytest.mark.django_db(transaction=True)  # TRUNCATE waits for no pending trigger events of a test's transaction
def test_flush_still_empties_the_database_and_the_freeze_stays(frozen_after_q2, supervisor):
    """Emptying the whole database (the test runner's ``flush``, TRUNCATE on PostgreSQL, DELETE on SQLite past its
    triggers, portal/management/commands/flush.py; tests/portal/test_flush.py) is not changing a report; the
    triggers are there after it."""
    sign(supervisor)
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    assert not QuarterlyReport.objects.exists()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", ["reports_quarterlyreport"]
            )
            assert {name for (name,) in cursor.fetchall()} == {
                "reports_quarterlyreport_no_update",
                "reports_quarterlyreport_no_delete",
            }


def test_a_tampered_snapshot_no_longer_matches_its_digest(world, supervisor):
    report = sign(supervisor)
    report.snapshot["measures"][0]["value"] += 1
    assert not report.digest_matches()


# --- Re-running a signed quarter.


def test_rerunning_a_signed_quarter_shows_what_changed_measure_by_measure(world, supervisor, advocate, lead_agency):
    report = sign(supervisor)
    signed_snapshot = dict(report.snapshot)
    assert changes_since(report.kind, report.snapshot, compute(lead_agency, Q1_2027)) == []

    # A late correction: d2's type of trafficking becomes known (labor).
    d2 = world.people["d2"]
    VictimIdentification.objects.filter(pk=d2.identification.pk).update(
        trafficking_type=VictimIdentification.TraffickingType.LABOR
    )
    changes = changes_since(report.kind, report.snapshot, compute(lead_agency, Q1_2027))
    assert [(c.code, c.signed, c.now) for c in changes] == [("LE-3.2a", 1, 2), ("LE-3.4a", 1, 0)]
    assert changes[0].question == "Potential victims by type of trafficking: Labor trafficking (New this fiscal year)"
    report.refresh_from_db()
    assert report.snapshot == signed_snapshot
    assert report.digest_matches()


def test_a_signed_quarter_of_a_provider_rerun(world, shelter_supervisor, advocate, ngo):
    report = sign(shelter_supervisor)
    served(world.people["n2"], advocate, "food", date(2026, 12, 20))
    changes = changes_since(report.kind, report.snapshot, compute(ngo, Q1_2027))
    assert [(c.code, c.signed, c.now) for c in changes] == [("VS-6.8a", 1, 2)]


def test_signing_q2_does_not_touch_q1(world, supervisor):
    first, second = sign(supervisor, Q1_2027), sign(supervisor, Q2_2027)
    assert (first.quarter_code, second.quarter_code) == ("FY2027-Q1", "FY2027-Q2")
    assert first.snapshot["measures"] != second.snapshot["measures"]
