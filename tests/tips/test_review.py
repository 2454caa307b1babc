"""Review and purge under 28 CFR 23.54 (docs/decisions/0028-tips-intelligence-rules.md): an assessed tip is due for
review five years after its last validation; the review queue lists the agency's tips due within 30 days; a
validation restarts the clock and a correction of identifiers does not; a purge leaves no content anywhere, a
tombstone in the audit trail, the log's rows without their words, and a notice to every agency the tip went to.
A tip closed with no criminal predicate comes up for purging 90 days after its close."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from portal.models import AuditEvent
from tests.factories import UserFactory
from tests.tips.conftest import (
    NARRATIVE,
    REPORTER_NAME,
    REPORTER_PHONE,
    SUBJECT_NAME,
    SUBJECT_PHONE,
    WHERE,
    assessed,
    assigned,
    receive,
)
from tips import selectors, services
from tips.models import PurgeReason, Tip, TipDissemination, TipEvent, TipNotice, TipSubject

NOW = timezone.make_aware(datetime(2026, 3, 2, 10, 0))
TODAY = date(2026, 3, 2)
DUE = date(2031, 3, 2)


@pytest.fixture
def agency_auditor(task_force, lead_agency):
    return UserFactory(email="auditor@ffo.example", full_name="Al Auditor", agency=lead_agency, role=Role.AUDITOR)


@pytest.fixture
def kept(intake, supervisor):
    """A tip assessed on ``TODAY``."""
    with time_machine.travel(NOW, tick=False):
        return assessed(receive(intake), supervisor)


def at(day: date):
    return time_machine.travel(timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=12))


def queued(user, day):
    with at(day):
        return list(selectors.review_queue_for(user).values_list("pk", flat=True))


# The clock ------------------------------------------------------------------------------------------------------


def test_the_assessment_is_the_first_validation(kept, supervisor):
    assert (kept.review_due, kept.validated_by, kept.validated_at) == (DUE, supervisor, NOW)


def test_a_received_tip_has_no_review_date(tip):
    assert tip.review_due is None


def test_the_queue_lists_tips_due_within_30_days_and_overdue_ones(kept, supervisor):
    assert queued(supervisor, DUE - timedelta(days=31)) == []
    assert queued(supervisor, DUE - timedelta(days=30)) == [kept.pk]
    assert queued(supervisor, DUE + timedelta(days=400)) == [kept.pk]  # overdue: still there


def test_the_queue_is_sorted_by_due_date(intake, supervisor):
    with time_machine.travel(NOW + timedelta(days=10), tick=False):
        later = assessed(receive(intake), supervisor)
    with time_machine.travel(NOW, tick=False):
        sooner = assessed(receive(intake), supervisor)
    assert queued(supervisor, DUE + timedelta(days=5)) == [sooner.pk, later.pk]


def test_validating_records_who_and_why_and_restarts_the_clock(kept, intake):
    day = DUE - timedelta(days=10)
    with at(day):
        validated = services.tip_validate(tip=kept, actor=intake, reason="Subject re-arrested; still active.")
    assert validated.review_due == date(2036, day.month, day.day)
    assert validated.validated_by == intake
    event = TipEvent.objects.filter(tip=kept).last()
    assert (event.verb, event.actor, event.reason) == ("validate", intake, "Subject re-arrested; still active.")
    audit = AuditEvent.objects.get(action="tips.tip.validated")
    assert audit.details["review_due"] == validated.review_due.isoformat()
    assert "re-arrested" not in str(audit.details)
    assert queued(intake, day) == []


def test_a_validation_needs_a_reason(kept, intake):
    with pytest.raises(ValidationError):
        services.tip_validate(tip=kept, actor=intake, reason="  ")
    kept.refresh_from_db()
    assert kept.review_due == DUE


def test_an_edit_of_identifiers_is_not_a_validation(kept, intake):
    subject = kept.subjects.get(name=SUBJECT_NAME)
    with at(DUE - timedelta(days=5)):
        services.tip_subject_correct(tip=kept, subject=subject, actor=intake, phone="555-0000-111")
    kept.refresh_from_db()
    assert kept.subjects.get(pk=subject.pk).phone == "555-0000-111"
    assert (kept.review_due, kept.validated_at) == (DUE, NOW)
    event = TipEvent.objects.filter(tip=kept).last()
    assert (event.verb, event.details) == ("correct_subject", {"subject_id": subject.pk, "fields": ["phone"]})


# Who may --------------------------------------------------------------------------------------------------------

WHO = [
    # who, their review queue (their own agency's), validates this tip, purges it
    ("intake", 200, True, False),
    ("supervisor", 200, True, True),
    ("investigator", 404, False, False),  # the receiving agency's caseworker
    ("agency_auditor", 404, False, False),  # reads the log, keeps no file
    ("partner_supervisor", 200, False, False),  # the agency it went to keeps its own tips, not this one
    ("partner_investigator", 404, False, False),
    ("coordinator", 404, False, False),
    ("outsider", 404, False, False),
]


@pytest.mark.parametrize(("who", "queue", "validates", "purges"), WHO)
def test_who_may_validate(request, client_as, kept, who, queue, validates, purges):
    user = request.getfixturevalue(who)
    with at(DUE - timedelta(days=1)):
        page = client_as(user).get(reverse("tip_review_queue"))
        assert page.status_code == queue
        if queue == 200:
            body = page.content.decode()
            assert (reverse("tip_validate", args=[kept.pk]) in body) == validates
            assert (reverse("tip_purge", args=[kept.pk]) in body) == purges
        response = client_as(user).post(reverse("tip_validate", args=[kept.pk]), {"reason": "Still active."})
    assert response.status_code == (302 if validates else 404)
    kept.refresh_from_db()
    assert (kept.review_due != DUE) == validates
    if not validates:
        with pytest.raises((PermissionDenied, Http404)):
            services.tip_validate(tip=kept, actor=user, reason="Still active.")


@pytest.mark.parametrize(("who", "queue", "validates", "purges"), WHO)
def test_who_may_purge(request, client_as, kept, who, queue, validates, purges):
    user = request.getfixturevalue(who)
    response = client_as(user).post(reverse("tip_purge", args=[kept.pk]), {"reason_code": "review_not_validated"})
    assert response.status_code == (302 if purges else 404)
    assert Tip.objects.filter(pk=kept.pk).exists() != purges


def test_a_purge_form_without_a_reason_code_changes_nothing(client_as, kept, supervisor):
    response = client_as(supervisor).post(reverse("tip_purge", args=[kept.pk]), {"reason_code": "because"})
    assert response.status_code == 302
    assert Tip.objects.filter(pk=kept.pk).exists()


# Purge ----------------------------------------------------------------------------------------------------------


def _text_of_every_table() -> str:
    """Every row of every table, as text: where a tip's words could hide."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608  # the schema's names
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


@pytest.fixture
def disseminated(client_as, intake, supervisor, partner_investigator):
    """Assessed, assigned to the partner police department, printed there, closed, its review overdue."""
    with time_machine.travel(NOW, tick=False):
        tip = assigned(receive(intake, permission=Tip.ReporterPermission.YES), supervisor, partner_investigator)
        client_as(partner_investigator).get(reverse("tip_print", args=[tip.pk]))
        client_as(supervisor).get(reverse("tip_detail", args=[tip.pk]))
        services.tip_close(
            tip=tip, actor=partner_investigator, close_reason=Tip.CloseReason.INSUFFICIENT, reason="Nothing found"
        )
    return tip


def test_a_purge_leaves_no_content_anywhere(
    disseminated, supervisor, django_capture_on_commit_callbacks, partner_supervisor, partner_investigator
):
    text = _text_of_every_table()
    for sentinel in (NARRATIVE, SUBJECT_NAME, SUBJECT_PHONE, REPORTER_NAME, REPORTER_PHONE, WHERE, "Big Mike"):
        assert sentinel in text  # the scan finds them before
    with at(DUE + timedelta(days=3)), django_capture_on_commit_callbacks(execute=True):
        services.tip_purge(tip=disseminated, actor=supervisor, reason_code=PurgeReason.REVIEW_NOT_VALIDATED)
    text = _text_of_every_table()
    for sentinel in (NARRATIVE, SUBJECT_NAME, SUBJECT_PHONE, REPORTER_NAME, REPORTER_PHONE, WHERE, "Big Mike"):
        assert sentinel not in text
    assert "Nothing found" not in text  # the reasons given, too
    assert not Tip.objects.filter(pk=disseminated.pk).exists()
    assert not TipSubject.objects.filter(tip_id=disseminated.pk).exists()
    assert not TipEvent.objects.filter(tip_id=disseminated.pk).exists()


def test_the_tombstone_and_the_logs_rows(disseminated, supervisor, partner_supervisor, lead_agency, partner_agency):
    number = disseminated.pk
    tombstone = services.tip_purge(tip=disseminated, actor=supervisor, reason_code=PurgeReason.REVIEW_NOT_VALIDATED)
    assert AuditEvent.objects.get(action="tips.tip.purged") == tombstone
    assert (tombstone.actor, tombstone.agency_id, tombstone.object_type, tombstone.object_id) == (
        supervisor,
        lead_agency.pk,
        "tips.tip",
        str(number),
    )
    assert tombstone.details == {
        "tip": number,
        "agency_id": lead_agency.pk,
        "reason": "review_not_validated",
        "disseminations": 2,
        "agencies_told": 1,
        "people_told": 2,
        "attachments": 0,  # files deleted with it (tests/tips/test_attachments.py)
    }
    rows = TipDissemination.objects.filter(tip_number=number)
    assert {(row.path, row.recipient_agency_id) for row in rows} == {
        (TipDissemination.Path.ASSIGNMENT, partner_agency.pk),
        (TipDissemination.Path.PRINT, partner_agency.pk),
    }
    assert {(row.tip_id, row.reason, row.tombstone_id) for row in rows} == {(None, "", tombstone.pk)}


def test_the_agencies_it_went_to_are_told(
    disseminated,
    supervisor,
    partner_supervisor,
    partner_investigator,
    partner_colleague,
    intake,
    django_capture_on_commit_callbacks,
    client_as,
):
    number = disseminated.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.tip_purge(tip=disseminated, actor=supervisor, reason_code=PurgeReason.MISLEADING)
    notices = TipNotice.objects.filter(verb="purge")
    assert {(n.user, n.tip_id, n.tip_number) for n in notices} == {
        (partner_supervisor, None, number),
        (partner_investigator, None, number),  # the owner it was sent to
    }
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [partner_supervisor.email, partner_investigator.email]
    )
    for message in mail.outbox:
        assert f"#{number}" in message.subject
        assert NARRATIVE not in message.body
        assert SUBJECT_NAME not in message.body
    # Its log page shows the purged tip by number, without a link to it
    page = client_as(supervisor).get(reverse("tip_dissemination_log")).content.decode()
    assert f"Tip #{number} (purged" in page
    assert reverse("tip_detail", args=[number]) not in page


def test_a_tip_never_sent_out_tells_nobody(kept, supervisor):
    services.tip_purge(tip=kept, actor=supervisor, reason_code=PurgeReason.ENTERED_IN_ERROR)
    assert not TipNotice.objects.filter(verb="purge").exists()


def test_purging_from_the_page(client_as, disseminated, supervisor):
    response = client_as(supervisor).post(
        reverse("tip_purge", args=[disseminated.pk]), {"reason_code": "review_not_validated"}, follow=True
    )
    assert response.status_code == 200
    assert f"Tip #{disseminated.pk} is purged" in response.content.decode()
    assert client_as(supervisor).get(reverse("tip_detail", args=[disseminated.pk])).status_code == 404


# No criminal predicate ------------------------------------------------------------------------------------------


def test_a_no_predicate_tip_comes_up_for_purging_and_cannot_be_validated(client_as, intake, supervisor):
    with time_machine.travel(NOW, tick=False):
        tip = services.tip_close_no_predicate(tip=receive(intake), actor=intake, reason="A landlord dispute")
    assert tip.review_due == TODAY + timedelta(days=90)
    assert queued(supervisor, TODAY + timedelta(days=59)) == []
    assert queued(supervisor, TODAY + timedelta(days=60)) == [tip.pk]
    with pytest.raises(ValidationError):
        services.tip_validate(tip=tip, actor=supervisor, reason="Keep it")
    with at(TODAY + timedelta(days=60)):
        body = client_as(supervisor).get(reverse("tip_review_queue")).content.decode()
    assert reverse("tip_validate", args=[tip.pk]) not in body
    assert reverse("tip_purge", args=[tip.pk]) in body
    services.tip_purge(tip=tip, actor=supervisor, reason_code=PurgeReason.NO_CRIMINAL_PREDICATE)
    assert not Tip.objects.filter(pk=tip.pk).exists()


def test_a_reopened_no_predicate_tip_leaves_the_review_queue(intake, supervisor):
    tip = services.tip_close_no_predicate(tip=receive(intake), actor=intake, reason="A landlord dispute")
    reopened = services.tip_reopen(tip=tip, actor=supervisor, reason="The caller called back")
    assert reopened.review_due is None


# The reminder ---------------------------------------------------------------------------------------------------


def test_supervisors_are_reminded_once_per_tip_per_cycle(
    kept, supervisor, intake, partner_supervisor, django_capture_on_commit_callbacks
):
    with at(DUE - timedelta(days=31)):
        assert services.tips_review_notify() == []
    with at(DUE - timedelta(days=30)), django_capture_on_commit_callbacks(execute=True):
        assert services.tips_review_notify() == [kept.pk]
    assert {(n.user, n.verb) for n in TipNotice.objects.all()} == {(supervisor, "review_due")}
    assert [message.to for message in mail.outbox] == [[supervisor.email]]
    assert NARRATIVE not in mail.outbox[0].body
    with at(DUE - timedelta(days=1)):
        assert services.tips_review_notify() == []  # once per cycle
        services.tip_validate(tip=kept, actor=intake, reason="Still active.")
    new_due = date(2036, 3, 1)
    with at(new_due - timedelta(days=30)):
        assert services.tips_review_notify() == [kept.pk]  # the next cycle
    assert TipNotice.objects.filter(verb="review_due").count() == 2
    event = TipEvent.objects.filter(tip=kept, verb="review_due").last()
    assert event.details["review_due"] == new_due.isoformat()


def test_the_reminder_task_runs_the_service(kept):
    from tips.tasks import tips_review_notify

    with at(DUE):
        result = tips_review_notify.enqueue()
    assert result.return_value == 1


def test_the_review_queue_and_the_log_cost_the_same_queries_at_2_and_8_tips(
    client_as, intake, supervisor, partner_investigator
):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    def cost(url):
        client = client_as(supervisor)
        client.get(url)  # the session and its caches warmed
        with CaptureQueriesContext(db) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def add(count):
        with time_machine.travel(NOW, tick=False):
            for _ in range(count):
                assigned(receive(intake), supervisor, partner_investigator)

    add(2)
    with at(DUE):
        few = (cost(reverse("tip_review_queue")), cost(reverse("tip_dissemination_log")))
    add(6)
    with at(DUE):
        many = (cost(reverse("tip_review_queue")), cost(reverse("tip_dissemination_log")))
    assert TipDissemination.objects.count() == 8
    assert few == many
