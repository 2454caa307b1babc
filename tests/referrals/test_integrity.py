"""``check_integrity``'s referral checks: quiet on referrals worked through the services, and naming the row for
each kind of corruption written straight into the database."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from portal.models import AuditEvent
from referrals import services
from referrals.integrity import check_referral_audit, check_referral_statuses, status_after
from referrals.models import Referral, ReferralEvent
from tests.factories import sent_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked(
    service_referral, interagency_referral, provider_staff, advocate, investigator, le_case, le_victim, shelter_service
):
    """A service referral taken through most steps, an accepted interagency one (its share granted), an expired
    one: every kind of event the services write."""
    referral = services.referral_receive(referral=service_referral, actor=provider_staff)
    for step in ("accept", "start"):
        referral = getattr(services, f"referral_{step}")(referral=referral, actor=provider_staff)
    referral = services.referral_hold(referral=referral, actor=provider_staff, reason="Waiting for a bed.")
    referral = services.referral_resume(referral=referral, actor=provider_staff)
    services.referral_message_add(referral=referral, actor=investigator, body="Thank you.")
    services.referral_complete(referral=referral, actor=provider_staff, outcome=Referral.Outcome.SERVICE_DELIVERED)
    services.referral_accept(referral=interagency_referral, actor=advocate)
    late = sent_referral(le_case, le_victim, shelter_service, by=investigator, urgency=Referral.Urgency.ROUTINE)
    assert services.referrals_expire(now=timezone.now() + timedelta(days=30)) == [late.pk]
    return {"service": service_referral.pk, "interagency": interagency_referral.pk, "expired": late.pk}


def test_the_status_each_verb_leads_to_comes_from_the_transitions():
    targets = status_after()
    assert targets["accept"] == Referral.Status.ACCEPTED
    assert targets["expire"] == targets["reroute"] == Referral.Status.CANCELLED
    assert targets["propose"] == Referral.Status.DRAFT
    assert "message" not in targets


def test_referrals_worked_through_the_services_are_consistent(worked):
    statuses, audit = check_referral_statuses(), check_referral_audit()
    assert (statuses.problems, audit.problems) == ([], [])
    assert statuses.checked == {"referrals": 3, "events": ReferralEvent.objects.count()}
    assert audit.checked["events"] == ReferralEvent.objects.count() >= 11


def _last_event(pk, **filters):
    return ReferralEvent.objects.filter(referral_id=pk, **filters).order_by("occurred_at", "id").last()


def status_set_by_hand(ids):
    Referral.objects.filter(pk=ids["service"]).update(status=Referral.Status.FAILED)
    return f"referral {ids['service']}: status failed, but its events lead to completed"


def last_event_deleted(ids):
    _last_event(ids["interagency"]).delete()
    return f"referral {ids['interagency']}: status accepted, but its events lead to requested"


def event_leads_elsewhere(ids):
    event = _last_event(ids["expired"])
    ReferralEvent.objects.filter(pk=event.pk).update(to_status=Referral.Status.REJECTED)
    return f"event {event.pk} (referral {ids['expired']}): expire led to rejected, not cancelled"


def event_starts_elsewhere(ids):
    event = _last_event(ids["service"], verb="resume")
    ReferralEvent.objects.filter(pk=event.pk).update(from_status=Referral.Status.ACCEPTED)
    return f"event {event.pk} (referral {ids['service']}): resume from accepted, but it was on-hold"


@pytest.mark.parametrize(
    "corrupt", [status_set_by_hand, last_event_deleted, event_leads_elsewhere, event_starts_elsewhere]
)
def test_a_status_out_of_step_with_its_events_is_named(worked, corrupt):
    expected = corrupt(worked)
    result = check_referral_statuses()
    assert expected in result.problems
    assert result.problem_count == len(result.problems) >= 1


def event_without_audit(ids):
    event = ReferralEvent.objects.create(referral_id=ids["expired"], verb="message")
    return f"event {event.pk} (referral {ids['expired']}, message): no audit row referrals.message.added"


def second_message_without_audit(ids):
    # Within the window of the first message's audit row: matched by time alone, it would pass.
    event = ReferralEvent.objects.create(referral_id=ids["service"], verb="message")
    return (
        f"event {event.pk} (referral {ids['service']}, message): 2 such events by then, "
        "1 audit rows referrals.message.added"
    )


def event_moved_away_from_its_audit(ids):
    event = _last_event(ids["interagency"])
    ReferralEvent.objects.filter(pk=event.pk).update(occurred_at=event.occurred_at - timedelta(hours=2))
    return f"event {event.pk} (referral {ids['interagency']}, accept): no audit row referrals.referral.accepted"


def event_audited_on_another_referral(ids):
    event = _last_event(ids["expired"])
    event.referral_id = ids["service"]
    event.save(update_fields=["referral"])
    return f"event {event.pk} (referral {ids['service']}, expire): no audit row referrals.referral.expired"


@pytest.mark.parametrize(
    "corrupt",
    [
        event_without_audit,
        second_message_without_audit,
        event_moved_away_from_its_audit,
        event_audited_on_another_referral,
    ],
)
def test_an_event_without_its_audit_row_is_named(worked, corrupt):
    expected = corrupt(worked)
    assert check_referral_audit().problems == [expected]


def test_the_command_prints_counts_and_exits_0_when_consistent(worked, capsys):
    call_command("check_integrity")
    out = capsys.readouterr().out
    assert "referral statuses: checked 3 referrals" in out
    assert "0 problem(s)" in out
    assert "Integrity check passed" in out


def test_the_command_exits_1_naming_the_rows_it_found(worked, capsys):
    expected = status_set_by_hand(worked)
    with pytest.raises(CommandError) as raised:
        call_command("check_integrity")
    assert raised.value.returncode == 1
    assert f"PROBLEM {expected}" in capsys.readouterr().out


def test_the_command_lists_at_most_limit_problems_and_counts_them_all(worked, capsys):
    Referral.objects.update(status=Referral.Status.ENTERED_IN_ERROR)
    with pytest.raises(CommandError):
        call_command("check_integrity", limit=1)
    out = capsys.readouterr().out
    assert "referral statuses: checked 3 referrals, 12 events; 3 problem(s)" in out
    assert out.count("PROBLEM referral ") == 1
    assert "... and 2 more" in out


def test_audit_rows_are_never_changed_by_the_check(worked):
    before = AuditEvent.objects.count()
    check_referral_audit()
    assert AuditEvent.objects.count() == before
