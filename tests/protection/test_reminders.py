"""The reminders of relief (decision 0033), each sent once whatever the number of runs: the HHS notice of a
foreign-national minor is due 24 hours after the identification was recorded and, overdue, is escalated to the lead
agency's supervisors and the task force's coordinators; Continued Presence and employment authorization remind the
case's agents and the victim's advocates 90, 60 and 30 days before they expire. In the portal and by e-mail."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from protection import services, tasks
from protection.models import ReliefAction, ReliefNotice, ReliefReminder
from protection.selectors import hhs_tasks_open
from tests.protection.conftest import granted, identify_minor, victim_of

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def test_the_hhs_notice_is_due_24_hours_after_the_identification_and_escalated_once(
    relief_case,
    investigator,
    supervisor,
    coordinator,
    advocate,
    partner_investigator,
    client_as,
    django_capture_on_commit_callbacks,
):
    with time_machine.travel(NOW, tick=False):
        identification = identify_minor(relief_case, investigator)
    assert list(hhs_tasks_open()) == [identification]
    with time_machine.travel(NOW + timedelta(hours=23, minutes=59), tick=False):
        assert services.relief_reminders_notify() == []
        queue = client_as(investigator).get(reverse("relief_queue")).content.decode()
        assert "Due by" in queue
        assert "Overdue" not in queue
    with (
        time_machine.travel(NOW + timedelta(hours=24, minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sent = services.relief_reminders_notify()
        assert len(sent) == 1
        assert services.relief_reminders_notify() == []  # once
    reminder = ReliefReminder.objects.get()
    assert (reminder.kind, reminder.identification_id) == (ReliefReminder.Kind.HHS_OVERDUE, identification.pk)
    told = set(ReliefNotice.objects.values_list("user__email", flat=True))
    assert told == {supervisor.email, coordinator.email}
    assert sorted(message.to[0] for message in mail.outbox) == sorted(told)
    assert all(relief_case.number in message.subject for message in mail.outbox)
    person = victim_of(relief_case).person
    assert all(person.given_name not in message.body for message in mail.outbox)
    assert AuditEvent.objects.filter(action="protection.hhs_notice.overdue").count() == 1
    with time_machine.travel(NOW + timedelta(hours=25), tick=False):
        queue = client_as(investigator).get(reverse("relief_queue")).content.decode()
        assert "Overdue: due by" in queue
        home = client_as(coordinator).get(reverse("home")).content.decode()
        assert "Immigration relief reminders" in home
        assert relief_case.number in client_as(coordinator).get(reverse("relief_notices")).content.decode()
        assert client_as(coordinator).get(reverse("relief_queue")).status_code == 404  # not a relief reader


def test_sending_the_hhs_notification_closes_the_task(relief_case, investigator, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False):
        identify_minor(relief_case, investigator)
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        action = services.relief_action_record(
            case=relief_case,
            person=victim_of(relief_case).person,
            kind=ReliefAction.Kind.HHS_NOTIFICATION,
            actor=investigator,
            requested_on=timezone.localdate(),
        )
        assert hhs_tasks_open().count() == 1  # recorded, not yet sent
        services.relief_action_step(action=action, verb="submit", version=action.version, actor=investigator)
        assert hhs_tasks_open().count() == 0
    with time_machine.travel(NOW + timedelta(hours=30), tick=False):
        assert services.relief_reminders_notify() == []


def test_an_adult_or_a_citizen_has_no_hhs_task(relief_case, investigator):
    identify_minor(relief_case, investigator, years=19)
    assert not hhs_tasks_open().exists()


@pytest.mark.parametrize("kind", [ReliefAction.Kind.CONTINUED_PRESENCE, ReliefAction.Kind.EMPLOYMENT_AUTHORIZATION])
def test_an_expiring_grant_reminds_at_90_60_and_30_days_each_once(
    relief_case,
    investigator,
    colleague,
    lead_agency,
    advocate,
    coordinator,
    state_investigator,
    partner_investigator,
    django_capture_on_commit_callbacks,
    kind,
):
    expires = NOW.date() + timedelta(days=120)
    with time_machine.travel(NOW, tick=False):
        action = services.relief_action_record(
            case=relief_case,
            person=victim_of(relief_case).person,
            kind=kind,
            actor=investigator,
            requested_on=NOW.date() - timedelta(days=5),
            requesting_agency=lead_agency if kind == ReliefAction.Kind.CONTINUED_PRESENCE else None,
        )
        granted(action, investigator, valid_from=NOW.date() - timedelta(days=1), expires_on=expires)
        assert services.relief_reminders_notify() == []
    sent = []
    for days_before in (91, 90, 75, 60, 59, 30, 10, 0):
        with (
            time_machine.travel(NOW + timedelta(days=120 - days_before), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            sent.append((days_before, len(services.relief_reminders_notify())))
    assert sent == [(91, 0), (90, 1), (75, 0), (60, 1), (59, 0), (30, 1), (10, 0), (0, 0)]
    kinds = sorted(ReliefReminder.objects.filter(action=action).values_list("kind", flat=True))
    assert kinds == ["expires_30", "expires_60", "expires_90"]
    # The case's agents (nobody is assigned: the lead agency's people who work cases) and the victims' advocate;
    # never the coordinator, nor the partners who do not see the relief.
    told = set(ReliefNotice.objects.filter(reminder__action=action).values_list("user__email", flat=True))
    assert {investigator.email, colleague.email, advocate.email} <= told
    assert not told & {coordinator.email, partner_investigator.email, state_investigator.email}
    assert len(mail.outbox) == ReliefNotice.objects.count()  # each notice e-mailed once


def test_the_assigned_agent_and_the_requesting_agency_are_reminded(
    relief_case, investigator, colleague, supervisor, lead_agency
):
    """Not every agent of the lead: the one assigned, and the requesting agency's people who must renew it (who
    recorded it, its caseworkers and supervisors)."""
    relief_case.assigned_to.set([colleague])
    with time_machine.travel(NOW, tick=False):
        action = services.relief_action_record(
            case=relief_case,
            person=victim_of(relief_case).person,
            kind=ReliefAction.Kind.CONTINUED_PRESENCE,
            actor=investigator,
            requested_on=NOW.date(),
            requesting_agency=lead_agency,
        )
        granted(action, investigator, valid_from=NOW.date(), expires_on=NOW.date() + timedelta(days=45))
        services.relief_reminders_notify()
    reminder = ReliefReminder.objects.get()
    assert reminder.kind == ReliefReminder.Kind.EXPIRES_60  # recorded 45 days before: the nearest threshold only
    assert set(reminder.notices.values_list("user__email", flat=True)) == {
        colleague.email,
        investigator.email,
        supervisor.email,
    }


def test_the_periodic_task_sends_and_each_notice_is_e_mailed_once(
    relief_case, investigator, supervisor, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        identify_minor(relief_case, investigator)
    with (
        time_machine.travel(NOW + timedelta(days=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.relief_reminders_notify.enqueue().return_value == 1
    sent = len(mail.outbox)
    assert sent >= 1
    ids = list(ReliefNotice.objects.values_list("pk", flat=True))
    assert tasks.email_relief_notices.enqueue(ids).return_value == 0  # already e-mailed
    assert len(mail.outbox) == sent
