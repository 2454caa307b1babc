"""The triage's steps as a table (docs/decisions/0026-tips.md): from which state, by whom, each step is taken,
refused for the state (``TipConflict``), refused to the person (403) or not even visible (404). A refused step
changes nothing: no status, no event, no audit row."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from portal.models import AuditEvent
from tests.tips.conftest import assessed, assigned
from tips import services
from tips.models import Tip, TipEvent
from tips.services import TipConflict
from tips.steps import STEPS

OK, CONFLICT, DENIED, HIDDEN = "ok", "conflict", "denied", "hidden"


def _prepare(state, tip, intake, supervisor, owner):
    if state == "received":
        return tip
    if state == "assessed":
        return assessed(tip, intake)
    if state == "assigned":
        return assigned(tip, supervisor, owner)
    if state == "case_opened":
        return services.tip_open_case(tip=assigned(tip, supervisor, owner), actor=owner)
    if state == "closed":
        return services.tip_close_no_predicate(tip=tip, actor=intake, reason="Nothing criminal.")
    if state == "closed_assessed":
        return services.tip_close(
            tip=assessed(tip, intake), actor=intake, close_reason=Tip.CloseReason.DUPLICATE, reason="Tip #1 again."
        )
    raise AssertionError(state)


def _take(verb, tip, actor, *, case_number="", owner=None):
    if verb == "assess":
        return services.tip_assess(tip=tip, actor=actor, reason="Indicators and a venue.")
    if verb == "close_no_predicate":
        return services.tip_close_no_predicate(tip=tip, actor=actor, reason="Not a crime.")
    if verb == "assign":
        return services.tip_assign(
            tip=tip,
            actor=actor,
            agency=owner.agency,
            owner=owner,
            due_on=timezone.localdate() + timedelta(days=3),
        )
    if verb == "link":
        return services.tip_link_case(tip=tip, actor=actor, case_number=case_number)
    if verb == "open_case":
        return services.tip_open_case(tip=tip, actor=actor)
    if verb == "close":
        return services.tip_close(
            tip=tip, actor=actor, close_reason=Tip.CloseReason.INSUFFICIENT, reason="No venue, no names."
        )
    if verb == "reopen":
        return services.tip_reopen(tip=tip, actor=actor, reason="The caller called back with an address.")
    raise AssertionError(verb)


LIFECYCLE = [
    # verb, from, who, expected, status after
    ("assess", "received", "intake", OK, "assessed"),
    ("assess", "received", "supervisor", OK, "assessed"),
    ("assess", "assessed", "intake", CONFLICT, None),
    ("assess", "received", "coordinator", DENIED, None),
    ("assess", "received", "investigator", HIDDEN, None),
    ("assess", "received", "partner_investigator", HIDDEN, None),
    ("close_no_predicate", "received", "intake", OK, "closed"),
    ("close_no_predicate", "assessed", "intake", CONFLICT, None),
    ("assign", "assessed", "supervisor", OK, "assigned"),
    ("assign", "assigned", "supervisor", OK, "assigned"),  # re-assigned
    ("assign", "received", "supervisor", CONFLICT, None),  # nothing leaves the bin unassessed
    ("assign", "assessed", "intake", DENIED, None),
    ("assign", "assessed", "coordinator", DENIED, None),
    ("link", "assigned", "partner_investigator", OK, "linked"),
    ("link", "assigned", "partner_supervisor", OK, "linked"),
    ("link", "assigned", "supervisor", DENIED, None),  # the receiving agency's: not the assignee
    ("link", "assessed", "partner_investigator", HIDDEN, None),
    ("open_case", "assigned", "partner_investigator", OK, "case_opened"),
    ("open_case", "assigned", "intake", DENIED, None),
    ("open_case", "case_opened", "partner_investigator", CONFLICT, None),
    ("open_case", "assigned", "partner_colleague", HIDDEN, None),
    ("close", "received", "intake", OK, "closed"),
    ("close", "assigned", "partner_investigator", OK, "closed"),
    ("close", "assigned", "intake", OK, "closed"),
    ("close", "case_opened", "intake", CONFLICT, None),
    ("close", "closed", "intake", CONFLICT, None),
    ("close", "received", "coordinator", DENIED, None),
    ("reopen", "closed", "supervisor", OK, "received"),  # closed before any assessment: assess it now
    ("reopen", "closed_assessed", "supervisor", OK, "assessed"),  # assessed before: assign it now
    ("reopen", "closed", "intake", DENIED, None),
    ("reopen", "received", "supervisor", CONFLICT, None),
    ("reopen", "closed", "partner_supervisor", HIDDEN, None),
]


@pytest.mark.parametrize(("verb", "state", "who", "expected", "after"), LIFECYCLE)
def test_the_lifecycle(
    request,
    tip,
    intake,
    supervisor,
    partner_investigator,
    partner_supervisor,
    le_case,
    verb,
    state,
    who,
    expected,
    after,
):
    tip = _prepare(state, tip, intake, supervisor, partner_investigator)
    actor = request.getfixturevalue(who)
    before = (tip.status, TipEvent.objects.count(), AuditEvent.objects.count())
    errors = {CONFLICT: TipConflict, DENIED: PermissionDenied, HIDDEN: Http404}
    if expected == OK:
        done = _take(verb, tip, actor, case_number=le_case.number, owner=partner_supervisor)
        assert done.status == after
        event = done.events.last()
        assert (event.verb, event.actor, event.to_status) == (verb, actor, after)
        audit = AuditEvent.objects.filter(action=f"tips.tip.{STEPS[verb].past}", object_id=str(tip.pk)).order_by("pk")
        assert audit.last().actor == actor
        return
    with pytest.raises(errors[expected]):
        _take(verb, tip, actor, case_number=le_case.number, owner=partner_supervisor)
    tip.refresh_from_db()
    assert (tip.status, TipEvent.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("verb", ["assess", "close_no_predicate", "close", "reopen"])
def test_a_step_that_needs_a_reason_refuses_none(tip, intake, supervisor, verb):
    if verb == "close":
        call = lambda: services.tip_close(tip=tip, actor=intake, close_reason=Tip.CloseReason.DUPLICATE, reason=" ")  # noqa: E731
    elif verb == "reopen":
        closed = services.tip_close_no_predicate(tip=tip, actor=intake, reason="No crime.")
        call = lambda: services.tip_reopen(tip=closed, actor=supervisor, reason="")  # noqa: E731
    else:
        call = lambda: getattr(services, f"tip_{verb}")(tip=tip, actor=intake, reason="  ")  # noqa: E731
    before = Tip.objects.get(pk=tip.pk).status
    with pytest.raises(ValidationError):
        call()
    assert Tip.objects.get(pk=tip.pk).status == before


def test_no_predicate_closes_the_tip_as_non_criminal_information(tip, intake):
    closed = services.tip_close_no_predicate(tip=tip, actor=intake, reason="A wage dispute, no force or fraud.")
    assert closed.close_reason == Tip.CloseReason.NO_CRIMINAL_PREDICATE
    assert closed.closed_at is not None
    assert AuditEvent.objects.filter(action="tips.tip.closed_no_predicate", object_id=str(tip.pk)).exists()


def test_a_tip_is_assigned_only_to_law_enforcement_of_the_task_force(tip, intake, supervisor, advocate, outsider):
    tip = assessed(tip, intake)
    for owner in (advocate, outsider):
        with pytest.raises(ValidationError):
            services.tip_assign(
                tip=tip, actor=supervisor, agency=owner.agency, owner=owner, due_on=timezone.localdate()
            )
    assert Tip.objects.get(pk=tip.pk).status == Tip.Status.ASSESSED


def test_a_tip_links_only_to_a_case_its_actor_may_see(tip, intake, supervisor, partner_investigator, investigator):
    from cases.models import Case
    from cases.services import case_create

    unseen = case_create(actor=investigator, title="Not shared", intake_channel=Case.Channel.HOTLINE)
    tip = assigned(tip, supervisor, partner_investigator)
    with pytest.raises(ValidationError):
        services.tip_link_case(tip=tip, actor=partner_investigator, case_number=unseen.number)
    assert Tip.objects.get(pk=tip.pk).case is None


def test_the_status_is_never_assigned_by_hand(tip):
    with pytest.raises(AttributeError):
        tip.status = Tip.Status.CLOSED
