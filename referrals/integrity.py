"""What the referral services promise about their rows, checked after the fact (``manage.py check_integrity``):
each referral's status is where its chain of ``ReferralEvent``s leads, and each event has its audit row.

The status each verb leads to is read from the ``Referral`` transitions (the ``@transition`` of the same name,
``steps.STEPS``), so a new step needs nothing here. Two verbs are not transitions: ``propose`` creates a referral
that stays a draft, and ``message`` changes no status (its event has no ``to_status``).

Costs: set queries over the events (window functions for the chain and for the n-th event of a verb, a
correlated ``EXISTS`` and ``COUNT`` on the audit trail's ``(object_type, object_id, occurred_at)`` index for the
audit rows), whose problem rows are read with
``iterator()``; one ``COUNT(*)`` per table for the rows checked.
"""

from datetime import timedelta

from django.db.models import Case as SwitchCase
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Lag, RowNumber

from cases.integrity import CHUNK, CheckResult
from portal.models import AuditEvent
from referrals.models import Referral, ReferralEvent
from referrals.steps import STEPS

CREATED_AS = Referral.Status.DRAFT  # the one status a referral is created in (the field's default)
MESSAGE_ACTION = "referrals.message.added"  # ``referral_message_add``: a message, not a change of the referral
# How far apart an event and its audit row may be written: both are written in one transaction, a moment apart.
AUDIT_WINDOW = timedelta(seconds=60)


def status_after() -> dict[str, str]:
    """The status each status-changing verb leads to, from the transitions (and ``propose``: a draft)."""
    field = Referral._meta.get_field("status")
    targets: dict[str, str] = {"propose": CREATED_AS}
    for transition in field.get_all_transitions(Referral):
        targets[transition.name] = str(transition.target)
    return targets


def audit_action(verb: str) -> str:
    past = STEPS[verb].past
    return f"referrals.referral.{past}" if past else MESSAGE_ACTION


def check_referral_statuses(*, limit: int = 100) -> CheckResult:
    """Each event leads where its verb does (``to_status``), starts where the previous status-changing event of its
    referral ended (``from_status``; the first starts from a draft), and each referral's status is where its last
    status-changing event led (a referral with none is still a draft). Events are ordered as the timeline orders
    them: by time, then id."""
    result = CheckResult("referral statuses", limit)
    targets = status_after()
    result.checked = {"referrals": Referral.objects.count(), "events": ReferralEvent.objects.count()}

    wrong_target = reduce_or(
        [Q(verb=verb) & ~Q(to_status=targets.get(verb, "")) for verb in STEPS] + [~Q(verb__in=list(STEPS))]
    )
    for pk, referral_id, verb, to_status in (
        ReferralEvent.objects.filter(wrong_target)
        .order_by("pk")
        .values_list("pk", "referral_id", "verb", "to_status")
        .iterator(chunk_size=CHUNK)
    ):
        expected = targets.get(verb, "") or "no status"
        result.problem(f"event {pk} (referral {referral_id}): {verb} led to {to_status or 'no status'}, not {expected}")

    previous = Window(
        Lag("to_status", default=Value(CREATED_AS)),
        partition_by=[F("referral_id")],
        order_by=[F("occurred_at").asc(), F("id").asc()],
    )
    breaks = (
        ReferralEvent.objects.exclude(to_status="")
        .annotate(previous=previous)
        .filter(~Q(from_status=F("previous")))
        .values_list("pk", "referral_id", "verb", "from_status", "previous")
    )
    for pk, referral_id, verb, from_status, before in breaks.iterator(chunk_size=CHUNK):
        result.problem(f"event {pk} (referral {referral_id}): {verb} from {from_status}, but it was {before}")

    last = (
        ReferralEvent.objects.filter(referral=OuterRef("pk"))
        .exclude(to_status="")
        .order_by("-occurred_at", "-id")
        .values("to_status")[:1]
    )
    drifted = (
        Referral.objects.annotate(expected=Coalesce(Subquery(last), Value(CREATED_AS)))
        .exclude(status=F("expected"))
        .order_by("pk")
        .values_list("pk", "status", "expected")
    )
    for pk, status, expected in drifted.iterator(chunk_size=CHUNK):
        result.problem(f"referral {pk}: status {status}, but its events lead to {expected}")
    return result


def check_referral_audit(*, limit: int = 100, window: timedelta = AUDIT_WINDOW) -> CheckResult:
    """Each referral event has its audit row. There is no key between them (``ReferralEvent`` has no audit id, the
    audit row's details no event id), so an event matches by action, target and time: an audit row of its action
    (``referrals.referral.<past>``, or ``referrals.message.added`` for a message) on its referral, written within
    ``window`` of it. So that two events of the same verb a moment apart (two messages) cannot both be answered by
    one audit row, the rows are also counted: the n-th event of a verb on a referral needs n audit rows of that
    action on it by its time (plus the window). The count names the later event of a pair, whichever lost its row."""
    result = CheckResult("referral audit rows", limit)
    result.checked = {"events": ReferralEvent.objects.count()}
    whens = [When(verb=verb, then=Value(audit_action(verb))) for verb in STEPS]
    action = SwitchCase(*whens, default=Value(""), output_field=CharField())
    at = OuterRef("occurred_at")
    of_the_referral = AuditEvent.objects.filter(
        action=OuterRef("expected_action"),
        object_type=Referral._meta.label_lower,
        object_id=Cast(OuterRef("referral_id"), output_field=CharField(max_length=64)),
        occurred_at__lte=ExpressionWrapper(at + Value(window), output_field=DateTimeField()),
    )
    near = of_the_referral.filter(occurred_at__gte=ExpressionWrapper(at - Value(window), output_field=DateTimeField()))
    events = ReferralEvent.objects.annotate(expected_action=action)
    missing = events.filter(~Exists(near)).order_by("pk").values_list("pk", "referral_id", "verb", "expected_action")
    named = set()
    for pk, referral_id, verb, expected in missing.iterator(chunk_size=CHUNK):
        named.add(pk)
        result.problem(f"event {pk} (referral {referral_id}, {verb}): no audit row {expected or '(unknown verb)'}")

    audits_by_then = Subquery(
        of_the_referral.order_by().values("object_id").annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )
    nth = Window(
        RowNumber(), partition_by=[F("referral_id"), F("verb")], order_by=[F("occurred_at").asc(), F("id").asc()]
    )
    short = (
        events.annotate(nth=nth, audits=Coalesce(audits_by_then, 0))
        .filter(nth__gt=F("audits"))
        .values_list("pk", "referral_id", "verb", "expected_action", "nth", "audits")
    )
    for pk, referral_id, verb, expected, n, audits in short.iterator(chunk_size=CHUNK):
        if pk not in named:
            result.problem(
                f"event {pk} (referral {referral_id}, {verb}): {n} such events by then, {audits} audit rows {expected}"
            )
    return result


def reduce_or(conditions: list[Q]) -> Q:
    combined = Q()
    for condition in conditions:
        combined |= condition
    return combined
