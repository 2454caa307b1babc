"""The lifecycle table (docs/architecture.md §5): every (status, verb, who) cell, allowed or refused, with the status
it leads to,
the timeline event, the audit row and the notifications. Written out here, apart from the code it checks."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from portal.models import AuditEvent
from referrals import services
from referrals.models import Notification, Referral, ReferralEvent
from referrals.services import ReferralConflict

S = Referral.Status
# How a referral gets to each status from "requested": (verb, who) steps.
PATHS = {
    S.REQUESTED: [],
    S.RECEIVED: [("receive", "recipient")],
    S.ACCEPTED: [("accept", "recipient")],
    S.REJECTED: [("reject", "recipient")],
    S.IN_PROGRESS: [("accept", "recipient"), ("start", "recipient")],
    S.ON_HOLD: [("accept", "recipient"), ("start", "recipient"), ("hold", "recipient")],
    S.COMPLETED: [("accept", "recipient"), ("start", "recipient"), ("complete", "recipient")],
    S.FAILED: [("accept", "recipient"), ("start", "recipient"), ("fail", "recipient")],
    S.CANCELLED: [("cancel", "sender")],
    S.ENTERED_IN_ERROR: [("mark_entered_in_error", "sender")],
}
# Which step each status allows, and where it leads.
NEXT = {
    S.REQUESTED: {"accept": S.ACCEPTED, "reject": S.REJECTED, "cancel": S.CANCELLED, "reroute": S.CANCELLED},
    S.RECEIVED: {"accept": S.ACCEPTED, "reject": S.REJECTED, "cancel": S.CANCELLED, "reroute": S.CANCELLED},
    S.ACCEPTED: {"start": S.IN_PROGRESS, "complete": S.COMPLETED, "fail": S.FAILED, "cancel": S.CANCELLED},
    S.IN_PROGRESS: {"hold": S.ON_HOLD, "complete": S.COMPLETED, "fail": S.FAILED, "cancel": S.CANCELLED},
    S.ON_HOLD: {"resume": S.IN_PROGRESS, "complete": S.COMPLETED, "fail": S.FAILED, "cancel": S.CANCELLED},
    S.REJECTED: {},
    S.COMPLETED: {},
    S.FAILED: {},
    S.CANCELLED: {},
    S.ENTERED_IN_ERROR: {},
}
for status in NEXT:
    if status != S.ENTERED_IN_ERROR:
        NEXT[status]["mark_entered_in_error"] = S.ENTERED_IN_ERROR
# Whose step each verb is (a provider in the portal answers itself).
SIDES = {
    "accept": {"recipient"},
    "reject": {"recipient"},
    "start": {"recipient"},
    "hold": {"recipient"},
    "resume": {"recipient"},
    "complete": {"recipient"},
    "fail": {"recipient"},
    "cancel": {"sender", "coordinator"},
    "reroute": {"sender", "coordinator"},
    "mark_entered_in_error": {"sender"},
}
PEOPLE = {"sender": "investigator", "recipient": "provider_staff", "coordinator": "coordinator", "outsider": "outsider"}
PAST = {
    "accept": "accepted",
    "reject": "rejected",
    "start": "started",
    "hold": "held",
    "resume": "resumed",
    "complete": "completed",
    "fail": "failed",
    "cancel": "cancelled",
    "reroute": "rerouted",
    "mark_entered_in_error": "entered_in_error",
}


def _do(verb: str, referral: Referral, actor, other_service=None):
    kwargs = {
        "reject": {"reason": "No bed for a family of three."},
        "hold": {"reason": "The person is in hospital."},
        "complete": {"outcome": Referral.Outcome.SERVICE_DELIVERED},
        "fail": {"reason": "Moved out of state.", "outcome": Referral.Outcome.COULD_NOT_CONTACT},
        "cancel": {"reason": "Found a place with family."},
        "reroute": {"reason": "No answer.", "recipient_service": other_service, "delivery": "email"},
    }.get(verb, {})
    if verb == "receive":
        return services.referral_receive(referral=referral, actor=actor)
    return getattr(services, f"referral_{verb}")(referral=referral, actor=actor, **kwargs)


CELLS = [(status, verb, who) for status in PATHS for verb in SIDES for who in PEOPLE]


@pytest.mark.parametrize(("status", "verb", "who"), CELLS, ids=[f"{s}-{v}-{w}" for s, v, w in CELLS])
def test_every_step_of_every_status_for_every_side(request, service_referral, offline_clinic, status, verb, who):
    people = {side: request.getfixturevalue(name) for side, name in PEOPLE.items()}
    for step, side in PATHS[status]:
        _do(step, service_referral, people[side])
    referral = Referral.objects.get(pk=service_referral.pk)
    assert referral.status == status
    events, audits = ReferralEvent.objects.count(), AuditEvent.objects.filter(action__startswith="referrals.").count()
    notified = Notification.objects.count()

    allowed_by_state = verb in NEXT[status]
    allowed_by_side = who in SIDES[verb]
    if who == "outsider":
        with pytest.raises(Http404):
            _do(verb, referral, people[who], offline_clinic)
    elif not allowed_by_side:
        with pytest.raises(PermissionDenied):
            _do(verb, referral, people[who], offline_clinic)
    elif not allowed_by_state:
        with pytest.raises(ReferralConflict):
            _do(verb, referral, people[who], offline_clinic)
    else:
        _do(verb, referral, people[who], offline_clinic)
        referral.refresh_from_db()
        assert referral.status == NEXT[status][verb]
        event = ReferralEvent.objects.filter(referral=referral).last()
        assert (event.verb, event.from_status, event.to_status, event.actor) == (
            verb,
            status,
            NEXT[status][verb],
            people[who],
        )
        assert AuditEvent.objects.filter(
            action=f"referrals.referral.{PAST[verb]}", object_id=str(referral.pk), actor=people[who]
        ).exists()
        told = set(Notification.objects.filter(event=event).values_list("user__email", flat=True))
        assert people[who].email not in told
        assert told  # the other side hears of it
        return
    referral.refresh_from_db()
    assert referral.status == status
    assert ReferralEvent.objects.count() == events
    assert AuditEvent.objects.filter(action__startswith="referrals.").count() == audits
    assert Notification.objects.count() == notified
