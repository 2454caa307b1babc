"""The assessment deadline (docs/decisions/0026-tips.md): a minor or imminent danger, 1 hour; otherwise 24 hours;
an airline report is due 45 minutes before the flight lands when that is sooner. Past it, the tip is overdue, and
the receiving agency's supervisors and the task force's coordinators are told once, in the portal and by e-mail."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from portal.models import AuditEvent
from tests.tips.conftest import NARRATIVE, receive
from tips import services
from tips.models import Tip, TipNotice
from tips.services import assess_by_for

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("flags", "arrival", "due"),
    [
        ({}, None, NOW + timedelta(hours=24)),
        ({"involves_minor": True}, None, NOW + timedelta(hours=1)),
        ({"imminent_danger": True}, None, NOW + timedelta(hours=1)),
        ({}, NOW + timedelta(hours=3), NOW + timedelta(hours=2, minutes=15)),  # lands sooner than 24 h
        ({"involves_minor": True}, NOW + timedelta(hours=3), NOW + timedelta(hours=1)),  # the hour is sooner
        ({"involves_minor": True}, NOW + timedelta(minutes=90), NOW + timedelta(minutes=45)),
        ({}, NOW + timedelta(days=2), NOW + timedelta(hours=24)),  # lands after the default deadline
    ],
)
def test_the_deadline_of_a_tip(intake, flags, arrival, due):
    fields = {"flight_number": "GC 411", "flight_scheduled_arrival": arrival} if arrival else {}
    channel = Tip.Channel.AIRLINE if arrival else Tip.Channel.HOTLINE
    with time_machine.travel(NOW, tick=False):
        tip = receive(intake, channel=channel, **flags, **fields)
    assert tip.assess_by == due


def test_the_deadlines_follow_the_settings(settings):
    settings.PORTAL_TIP_ASSESS_HOURS = {"urgent": 2, "routine": 48}
    settings.PORTAL_TIP_FLIGHT_MARGIN = timedelta(minutes=60)
    assert assess_by_for(received_at=NOW, urgent=True) == NOW + timedelta(hours=2)
    assert assess_by_for(received_at=NOW, urgent=False) == NOW + timedelta(hours=48)
    assert assess_by_for(received_at=NOW, urgent=False, flight_arrival=NOW + timedelta(hours=3)) == NOW + timedelta(
        hours=2
    )


def test_a_tip_is_overdue_only_past_its_deadline_and_while_unassessed(intake):
    with time_machine.travel(NOW, tick=False):
        tip = receive(intake, involves_minor=True)
    with time_machine.travel(NOW + timedelta(minutes=59), tick=False):
        assert not tip.is_overdue
        assert not Tip.objects.overdue(NOW + timedelta(minutes=59)).exists()
    with time_machine.travel(NOW + timedelta(minutes=61), tick=False):
        assert tip.is_overdue
        assert list(Tip.objects.overdue(NOW + timedelta(minutes=61))) == [tip]
        assessed = services.tip_assess(tip=tip, actor=intake, reason="A named venue.")
        assert not assessed.is_overdue


def test_an_overdue_tip_tells_the_supervisors_and_coordinators_once(
    intake,
    supervisor,
    coordinator,
    investigator,
    auditor,
    partner_investigator,
    client_as,
    django_capture_on_commit_callbacks,
):
    with time_machine.travel(NOW, tick=False):
        tip = receive(intake, imminent_danger=True)
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        assert services.tips_overdue_notify() == []
    with (
        time_machine.travel(NOW + timedelta(minutes=70), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.tips_overdue_notify() == [tip.pk]
        assert services.tips_overdue_notify() == []  # once per tip
    told = set(TipNotice.objects.filter(tip=tip).values_list("user__email", flat=True))
    assert told == {supervisor.email, coordinator.email}
    assert sorted(message.to[0] for message in mail.outbox) == sorted(told)
    assert all(NARRATIVE not in message.body for message in mail.outbox)  # never the content
    assert f"Tip #{tip.pk}" in mail.outbox[0].subject
    assert tip.events.filter(verb="overdue", actor=None).count() == 1
    assert AuditEvent.objects.filter(action="tips.tip.overdue", object_id=str(tip.pk)).count() == 1
    # In the portal: the home of each of them lists it first, as overdue.
    with time_machine.travel(NOW + timedelta(minutes=71), tick=False):
        for person in (supervisor, coordinator):
            home = client_as(person).get(reverse("home")).content.decode()
            assert reverse("tip_detail", args=[tip.pk]) in home
        home = client_as(investigator).get(reverse("home")).content.decode()
        assert reverse("tip_detail", args=[tip.pk]) not in home


def test_the_background_task_notifies_overdue_tips(intake, supervisor, django_capture_on_commit_callbacks):
    from tips import tasks

    with time_machine.travel(NOW, tick=False):
        tip = receive(intake, involves_minor=True)
    with (
        time_machine.travel(NOW + timedelta(hours=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.tips_overdue_notify.call() == 1
    assert Tip.objects.get(pk=tip.pk).overdue_notified_at is not None
    assert TipNotice.objects.filter(tip=tip, user=supervisor, emailed_at__isnull=False).exists()


def test_a_reopened_tip_gets_a_new_deadline_and_may_be_notified_again(intake, supervisor):
    with time_machine.travel(NOW, tick=False):
        tip = receive(intake, involves_minor=True)
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        services.tips_overdue_notify()
        closed = services.tip_close_no_predicate(tip=tip, actor=intake, reason="A school project.")
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        reopened = services.tip_reopen(tip=closed, actor=supervisor, reason="The school called: it was real.")
    assert reopened.assess_by == NOW + timedelta(hours=4)
    assert reopened.overdue_notified_at is None


def test_the_command_notifies_once(intake, supervisor):
    from io import StringIO

    from django.core.management import call_command

    with time_machine.travel(NOW, tick=False):
        receive(intake, involves_minor=True)
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        out = StringIO()
        call_command("tips_overdue", stdout=out)
        call_command("tips_overdue", stdout=out)
    assert out.getvalue().splitlines() == ["1 overdue tip(s) notified.", "0 overdue tip(s) notified."]
