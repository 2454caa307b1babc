"""Every write to a tip: one function per step (``steps.STEPS``), keyword-only.

Each locks the tip's row, checks the actor's side (``selectors``) and the state (the protected FSM transition),
saves, and writes a ``TipEvent`` and an ``AuditEvent`` in the same transaction. A step the state no longer allows
(someone else acted first) raises ``TipConflict`` naming who did what when; nothing else changes. Audit details
hold ids and codes, never a tip's content.
"""

import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from agencies.models import Agency, TaskForce, User
from cases import selectors as case_selectors
from cases.models import Case
from cases.services import case_create, person_add_to_case
from portal.audit import audit_record
from portal.idempotency import create_once
from services_directory.models import ApiToken
from tips import selectors
from tips.models import Tip, TipEvent, TipNotice, TipSubject
from tips.steps import STEPS

logger = logging.getLogger(__name__)

# The case's "came in through" for a tip's channel (a case knows fewer channels than a tip).
CASE_CHANNEL = {
    Tip.Channel.HOTLINE: Case.Channel.HOTLINE,
    Tip.Channel.HSI_TIPLINE: Case.Channel.HOTLINE,
    Tip.Channel.AIRLINE: Case.Channel.AIRLINE,
    Tip.Channel.PORT_OF_ENTRY: Case.Channel.PORT_OF_ENTRY,
    Tip.Channel.FBI: Case.Channel.LAW_ENFORCEMENT,
    Tip.Channel.LOCAL_POLICE: Case.Channel.LAW_ENFORCEMENT,
    Tip.Channel.NGO: Case.Channel.NGO,
    Tip.Channel.PUBLIC: Case.Channel.PUBLIC,
}

SUBJECT_FIELDS = (
    "role",
    "name",
    "alias",
    "date_of_birth",
    "approximate_age",
    "sex",
    "phone",
    "email_or_handle",
    "vehicle_plate",
    "vehicle_state",
    "business",
)


class TipConflict(ValidationError):
    """The tip is no longer in a state that allows the step: say who moved it, and when."""

    def __init__(self, tip: Tip, verb: str) -> None:
        last = tip.events.exclude(to_status="").select_related("actor", "actor_agency").last()
        status = str(tip.get_status_display()).lower()
        if last is not None and last.actor is not None and last.to_status == tip.status:
            message = _("This tip is already %(status)s, by %(who)s (%(agency)s) at %(when)s.") % {
                "status": status,
                "who": last.actor.full_name,
                "agency": last.actor_agency.name if last.actor_agency else "",
                "when": f"{timezone.localtime(last.occurred_at):%Y-%m-%d %H:%M}",
            }
        else:
            message = _("This tip is %(status)s: this step is no longer possible.") % {"status": status}
        super().__init__(message, code="conflict")


class TipChanged(ValidationError):
    """The tip changed since the page the step came from was opened: the step is refused, not applied over it."""

    def __init__(self, tip: Tip) -> None:
        last = tip.events.select_related("actor").last()
        who = last.actor.full_name if last is not None and last.actor is not None else _("the portal")
        super().__init__(
            _("This tip changed since you opened it (by %(who)s): read it again before this step.") % {"who": who},
            code="stale",
        )


def assess_by_for(*, received_at: datetime, urgent: bool, flight_arrival: datetime | None = None) -> datetime:
    """The assessment deadline: ``PORTAL_TIP_ASSESS_HOURS`` from receipt (urgent: a minor or imminent danger), or
    for an airline report ``PORTAL_TIP_FLIGHT_MARGIN`` before the flight lands when that is sooner, so that
    officers can meet the flight."""
    hours = settings.PORTAL_TIP_ASSESS_HOURS["urgent" if urgent else "routine"]
    deadline = received_at + timedelta(hours=hours)
    if flight_arrival is not None:
        deadline = min(deadline, flight_arrival - settings.PORTAL_TIP_FLIGHT_MARGIN)
    return deadline


def _audit(
    tip: Tip, *, past: str, actor: User | None, request: Any, details: dict[str, Any], actor_label: str = ""
) -> None:
    audit_record(
        action=f"tips.tip.{past}",
        actor=actor,
        actor_email=actor_label,
        request=request,
        target=tip,
        agency=getattr(actor, "agency", None) or tip.receiving_agency,
        details=details,
    )


def _record(
    tip: Tip,
    *,
    verb: str,
    actor: User | None,
    from_status: str,
    reason: str = "",
    request: Any = None,
    details: dict[str, Any] | None = None,
    actor_label: str = "",
) -> TipEvent:
    """The event and the audit row of one step (``actor`` None: the portal's own, or ``actor_label``'s: an API
    token's)."""
    event = TipEvent.objects.create(
        tip=tip,
        verb=verb,
        from_status=from_status,
        to_status=tip.status,
        actor=actor,
        actor_agency=getattr(actor, "agency", None),
        reason=reason.strip(),
        details=details or {},
    )
    _audit(
        tip,
        past=STEPS[verb].past,
        actor=actor,
        request=request,
        details={"from": from_status, "to": tip.status, **(details or {})},
        actor_label=actor_label,
    )
    return event


# Receiving ------------------------------------------------------------------------------------------------------


def _check_subject(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(SUBJECT_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown subject fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    if values.get("role") not in TipSubject.Role.values:
        raise ValidationError({"role": _("Say who this subject is in the tip.")})
    return values


def tip_receive(
    *,
    actor: User | None,
    channel: str,
    narrative: str,
    subjects: Iterable[dict[str, Any]] = (),
    received_at: datetime | None = None,
    submission_key: uuid.UUID | None = None,
    request: Any = None,
    api_token: ApiToken | None = None,
    **fields: Any,
) -> Tip:
    """Enter a tip into the actor's agency's holding bin, with its subjects; its assessment deadline follows from
    the flags and, for an airline report, the flight (``assess_by_for``). The same ``submission_key`` twice (a
    double-submitted form) gives the first tip back.

    A partner system's tip (``tips/api.py``) has no actor but the ``api_token`` it came with, of the tips scope: it
    lands in the token's agency's bin, entered by nobody, its event and audit row naming the token."""
    actor_label = ""
    keyed_by: User | ApiToken  # whose submission keys these are
    if api_token is not None:
        if actor is not None or not api_token.allows(ApiToken.Scope.TIPS):
            raise PermissionDenied(_("This token may not send tips."))
        agency: Agency | None = api_token.agency
        actor_label = f"API token {api_token.name} ({api_token.key_label}{api_token.prefix}...)"
        keyed_by = api_token
    else:
        if actor is None or not selectors.can_receive_tips(actor):
            raise PermissionDenied(_("You cannot enter tips."))
        agency = actor.agency
        keyed_by = actor
    assert agency is not None  # can_receive_tips
    if channel not in Tip.Channel.values:
        raise ValidationError({"channel": _("Choose how the tip came in.")})
    if not narrative.strip():
        raise ValidationError({"narrative": _("Write what was reported.")})
    unknown = set(fields.get("indicators") or ()) - set(Case.Indicator.values)
    if unknown:
        raise ValidationError(
            {"indicators": _("Unknown indicators: %(codes)s") % {"codes": ", ".join(sorted(unknown))}}
        )
    subjects = [_check_subject(dict(values)) for values in subjects]
    received_at = received_at or timezone.now()
    if channel != Tip.Channel.AIRLINE:  # the flight's block belongs to airline reports only
        fields = {name: value for name, value in fields.items() if not name.startswith("flight_")}
        fields.pop("reporter_crew_role", None)
    tip = Tip(
        channel=channel,
        narrative=narrative.strip(),
        receiving_agency=agency,
        received_by=actor,
        received_at=received_at,
        **fields,
    )
    tip.indicators = sorted(set(tip.indicators or ()))
    tip.assess_by = assess_by_for(
        received_at=received_at, urgent=tip.is_urgent, flight_arrival=tip.flight_scheduled_arrival
    )
    tip.full_clean(exclude=["submission_key", "assess_by", "status"])

    def create(key: uuid.UUID | None) -> Tip:
        with transaction.atomic():
            tip.submission_key = key
            tip.save()
            for values in subjects:
                subject = TipSubject(tip=tip, **values)
                subject.full_clean(exclude=["tip"])
                subject.save()
            origin = {"api_token_id": api_token.pk} if api_token is not None else {}
            _record(
                tip,
                verb="receive",
                actor=actor,
                from_status="",
                request=request,
                details={"channel": channel, "subjects": len(subjects), "urgent": tip.is_urgent, **origin},
                actor_label=actor_label,
            )
        return tip

    return create_once(Tip, actor=keyed_by, key=submission_key, create=create)


# Steps ----------------------------------------------------------------------------------------------------------


def _step(
    *,
    tip: Tip,
    verb: str,
    actor: User,
    reason: str = "",
    request: Any = None,
    changes: dict[str, Any] | None = None,
    then: Callable[[Tip], dict[str, Any]] | None = None,
    seen_version: int | None = None,
) -> Tip:
    """Take step ``verb``: the right by the step's sides, the state by its transition. ``then`` runs after the
    transition, in the same transaction (a case opened), and returns details for the event and the audit.
    ``seen_version``: the tip's version on the page the step was taken from; a tip changed since is refused
    (``TipChanged``), never silently overwritten (two supervisors assigning it from pages opened together)."""
    step = STEPS[verb]
    with transaction.atomic():
        current = selectors.tip_list_visible_to(actor).select_for_update(of=("self",)).filter(pk=tip.pk).first()
        if current is None:
            raise Http404
        sides = selectors.sides_read(actor, current)
        if not sides & step.sides:
            raise PermissionDenied(_("You may not do this to this tip."))
        if seen_version is not None and seen_version != current.version:
            raise TipChanged(current)
        if not can_proceed(getattr(current, verb)):
            raise TipConflict(current, verb)
        if step.reason_required and not reason.strip():
            raise ValidationError({"reason": _("Say why.")})
        from_status = current.status
        getattr(current, verb)()
        for name, value in (changes or {}).items():
            setattr(current, name, value)
        if reason.strip():
            current.status_reason = reason.strip()
        if current.status == Tip.Status.CLOSED and from_status != Tip.Status.CLOSED:
            current.closed_at = timezone.now()
        elif current.status != Tip.Status.CLOSED:
            current.closed_at = None
        current.version += 1
        current.save()
        details = then(current) if then is not None else {}
        _record(
            current, verb=verb, actor=actor, from_status=from_status, reason=reason, request=request, details=details
        )
    return current


def tip_assess(*, tip: Tip, actor: User, reason: str, request: Any = None, seen_version: int | None = None) -> Tip:
    """Record the basis for reasonable suspicion: nothing leaves the holding bin without one."""
    return _step(
        tip=tip,
        verb="assess",
        actor=actor,
        reason=reason,
        request=request,
        changes={"basis": reason.strip(), "assessed_at": timezone.now(), "assessed_by": actor},
        seen_version=seen_version,
    )


def tip_close_no_predicate(
    *, tip: Tip, actor: User, reason: str, request: Any = None, seen_version: int | None = None
) -> Tip:
    """No criminal predicate: the tip is closed as non-criminal information."""
    return _step(
        tip=tip,
        verb="close_no_predicate",
        actor=actor,
        reason=reason,
        request=request,
        changes={"close_reason": Tip.CloseReason.NO_CRIMINAL_PREDICATE},
        seen_version=seen_version,
    )


def tip_assign(
    *,
    tip: Tip,
    actor: User,
    agency: Agency | None,
    owner: User | None,
    due_on: date | None,
    request: Any = None,
    seen_version: int | None = None,
) -> Tip:
    """Assign an assessed tip to an agency of the receiving agency's task forces (law enforcement), an owner there
    who works cases, and a due date. The owner and the agency's supervisors see it from then on."""
    if agency is None or not selectors.assignable_agencies(tip).filter(pk=agency.pk).exists():
        raise ValidationError({"agency": _("Choose a law-enforcement agency of the task force.")})
    if owner is None or not selectors.assignable_owners(agency).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("Choose someone of that agency who works cases.")})
    if due_on is None or due_on < timezone.localdate():
        raise ValidationError({"due_on": _("Choose a due date, today or later.")})
    return _step(
        tip=tip,
        verb="assign",
        actor=actor,
        request=request,
        changes={"assigned_agency": agency, "owner": owner, "due_on": due_on},
        then=lambda _tip: {"agency_id": agency.pk, "owner_id": owner.pk, "due_on": due_on.isoformat()},
        seen_version=seen_version,
    )


def tip_link_case(
    *, tip: Tip, actor: User, case_number: str, request: Any = None, seen_version: int | None = None
) -> Tip:
    """Link an assigned tip to an existing case the actor may see, by its number."""
    case = case_selectors.case_list_visible_to(actor).filter(number=case_number.strip()).first()
    if case is None:
        raise ValidationError({"case_number": _("You have no case with this number.")})
    return _step(
        tip=tip,
        verb="link",
        actor=actor,
        request=request,
        changes={"case": case},
        then=lambda _tip: {"case_id": case.pk},
        seen_version=seen_version,
    )


def _subject_person_fields(subject: TipSubject) -> dict[str, Any]:
    """A subject as a case's person: what has a field of its own; the rest goes into the case's narrative."""
    fields: dict[str, Any] = {
        "given_name": (subject.name or subject.alias or _("Name not known"))[:100],
        "aliases": [subject.alias] if subject.alias and subject.name else [],
        "date_of_birth": subject.date_of_birth,
        "sex": subject.sex,
        "phone": subject.phone,
    }
    if subject.email_or_handle:
        try:
            validate_email(subject.email_or_handle)
        except ValidationError:
            pass
        else:
            fields["email"] = subject.email_or_handle
    return fields


def _subject_extras(subject: TipSubject) -> str:
    """What a case's person has no field for: the approximate age, an online handle, a vehicle, a business."""
    parts = []
    if subject.approximate_age is not None and subject.date_of_birth is None:
        parts.append(_("about %(age)s years old") % {"age": subject.approximate_age})
    if subject.email_or_handle and "@" not in subject.email_or_handle:
        parts.append(_("online handle %(handle)s") % {"handle": subject.email_or_handle})
    if subject.vehicle_plate:
        parts.append(
            _("vehicle plate %(plate)s %(state)s") % {"plate": subject.vehicle_plate, "state": subject.vehicle_state}
        )
    if subject.business:
        parts.append(_("business: %(business)s") % {"business": subject.business})
    if not parts:
        return ""
    return f"{subject.label} ({subject.get_role_display()}): {'; '.join(parts)}"


def case_narrative_from(tip: Tip) -> str:
    """The case's law-enforcement-sensitive narrative made from a tip: the narrative, the flight, what the subjects'
    records have no field for, and who reported it. The reporter's identity only with their permission: without it
    their role alone."""
    lines = [_("From tip #%(number)s (%(channel)s), received %(when)s.") % _tip_words(tip), "", tip.narrative]
    if tip.where_text or tip.where_zip or tip.where_airport:
        where = ", ".join(part for part in (tip.where_text, tip.where_zip, tip.where_airport) if part)
        lines += ["", _("Where: %(where)s") % {"where": where}]
    if tip.is_airline_report and tip.flight_number:
        lines += [
            "",
            _("Flight %(carrier)s %(number)s on %(date)s, %(from)s to %(to)s, seats %(seats)s.")
            % {
                "carrier": tip.flight_carrier,
                "number": tip.flight_number,
                "date": tip.flight_date.isoformat() if tip.flight_date else "",
                "from": tip.flight_departure_airport,
                "to": tip.flight_arrival_airport,
                "seats": tip.flight_seats or "—",
            },
        ]
    extras = [line for line in (_subject_extras(subject) for subject in tip.subjects.all()) if line]
    if extras:
        lines += ["", *extras]
    if tip.reporter_may_be_identified and not tip.is_anonymous:
        contact = ", ".join(part for part in (tip.reporter_name, tip.reporter_phone, tip.reporter_email) if part)
        lines += ["", _("Reported by %(role)s: %(contact)s") % {"role": tip.reporter_role or "—", "contact": contact}]
    elif tip.reporter_role:
        lines += ["", _("Reported by: %(role)s") % {"role": tip.reporter_role}]
    return "\n".join(lines)


def _tip_words(tip: Tip) -> dict[str, Any]:
    return {
        "number": tip.pk,
        "channel": tip.get_channel_display(),
        "when": f"{timezone.localtime(tip.received_at):%Y-%m-%d %H:%M}",
    }


def _common_task_force(agency: Agency, other_id: int) -> TaskForce | None:
    both = TaskForce.objects.filter(members__agency=agency.pk).filter(members__agency=other_id)
    return both.order_by("pk").first()


def tip_open_case(
    *, tip: Tip, actor: User, title: str = "", request: Any = None, seen_version: int | None = None
) -> Tip:
    """Open a new case led by the actor's agency from an assigned tip, through ``cases``' own services: its
    subjects become the case's people, its indicators and narrative are carried over, and the case came in through
    the tip's channel. Never the reporter's identity without their permission (``case_narrative_from``)."""
    if not case_selectors.can_open_cases(actor):
        raise PermissionDenied(_("You cannot open cases."))

    def open_case(current: Tip) -> dict[str, Any]:
        agency = actor.agency
        assert agency is not None
        case = case_create(
            actor=actor,
            title=(title.strip() or _("Tip #%(number)s: %(channel)s") % _tip_words(current))[:200],
            intake_channel=CASE_CHANNEL[Tip.Channel(current.channel)],
            indicators=list(current.indicators),
            le_narrative=case_narrative_from(current),
            summary=_("Opened from tip #%(number)s (%(channel)s), received %(when)s.") % _tip_words(current),
            task_force=_common_task_force(agency, current.receiving_agency_id),
            request=request,
        )
        for subject in current.subjects.all():
            person_add_to_case(
                case=case, role=subject.role, actor=actor, request=request, **_subject_person_fields(subject)
            )
        current.case = case
        current.save(update_fields=["case", "updated_at"])
        return {"case_id": case.pk}

    return _step(tip=tip, verb="open_case", actor=actor, request=request, then=open_case, seen_version=seen_version)


def tip_close(
    *, tip: Tip, actor: User, close_reason: str, reason: str, request: Any = None, seen_version: int | None = None
) -> Tip:
    if close_reason not in Tip.CLOSE_CHOICES:
        raise ValidationError({"close_reason": _("Choose why the tip is closed.")})
    return _step(
        tip=tip,
        verb="close",
        actor=actor,
        reason=reason,
        request=request,
        changes={"close_reason": close_reason},
        then=lambda _tip: {"close_reason": close_reason},
        seen_version=seen_version,
    )


def tip_reopen(*, tip: Tip, actor: User, reason: str, request: Any = None, seen_version: int | None = None) -> Tip:
    """A closed tip goes back to where its work stopped (``Tip.reopen``); its assessment deadline runs anew if it
    needs one."""

    def restart(current: Tip) -> dict[str, Any]:
        current.close_reason = ""
        if current.status == Tip.Status.RECEIVED:
            current.assess_by = assess_by_for(received_at=timezone.now(), urgent=current.is_urgent)
            current.overdue_notified_at = None
        # Back to be assigned again: whoever had it no longer does (the timeline keeps who had it and until when);
        # their agency's supervisors and the owner would otherwise still read it, and could close it again.
        had = {"owner_id": current.owner_id, "assigned_agency_id": current.assigned_agency_id}
        current.owner = None
        current.assigned_agency = None
        current.due_on = None
        current.save(
            update_fields=[
                "close_reason",
                "assess_by",
                "overdue_notified_at",
                "owner",
                "assigned_agency",
                "due_on",
                "updated_at",
            ]
        )
        return {f"previous_{key}": value for key, value in had.items() if value is not None}

    return _step(
        tip=tip, verb="reopen", actor=actor, reason=reason, request=request, then=restart, seen_version=seen_version
    )


# Reads that are records -----------------------------------------------------------------------------------------


def tip_viewed(*, tip: Tip, actor: User, reporter_shown: bool, request: Any = None) -> None:
    """A tip's content was shown (intelligence, and possibly a victim's details): an audit event, with whether the
    reporter's identity was shown."""
    audit_record(
        action="tips.tip.viewed",
        actor=actor,
        request=request,
        target=tip,
        details={"reporter_shown": reporter_shown, "subjects": len(tip.subjects.all())},
    )


# Overdue --------------------------------------------------------------------------------------------------------


def tips_overdue_notify(*, now: datetime | None = None) -> list[int]:
    """Tell the receiving agency's supervisors and the coordinators about each tip not assessed by its deadline,
    once per tip: a ``TipEvent``, an audit row and a ``TipNotice`` for each of them (e-mailed on commit). Safe to
    run from several workers at once (rows are locked and skipped when taken)."""
    now = now or timezone.now()
    due = Tip.objects.overdue(now).filter(overdue_notified_at__isnull=True)
    told = []
    for pk in list(due.order_by("assess_by").values_list("pk", flat=True)):
        try:
            if _tell_overdue(pk, now):
                told.append(pk)
        except DatabaseError:  # one tip's failure must not keep the tips due after it from being told
            logger.exception("Telling of overdue tip #%s failed; the next run tries again", pk)
    return told


def _tell_overdue(pk: int, now: datetime) -> bool:
    """``tips_overdue_notify`` for one tip, in a transaction of its own: whether it was told now."""
    with transaction.atomic():
        tip = (
            Tip.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("receiving_agency")
            .overdue(now)
            .filter(pk=pk, overdue_notified_at__isnull=True)
            .first()
        )
        if tip is None:
            return False
        tip.overdue_notified_at = now
        tip.save(update_fields=["overdue_notified_at", "updated_at"])
        people = list(selectors.supervisors_and_coordinators_of(tip))
        event = _record(
            tip,
            verb="overdue",
            actor=None,
            from_status=tip.status,
            details={"told": len(people), "assess_by": tip.assess_by.isoformat()},
        )
        notices = TipNotice.objects.bulk_create(
            [TipNotice(user=user, tip=tip, event=event, verb="overdue", created_at=now) for user in people]
        )
        ids = [notice.pk for notice in notices]
        if ids:
            from tips.tasks import email_tip_notices

            transaction.on_commit(partial(email_tip_notices.enqueue, ids))
        return True


def tip_notices_mark_read(*, user: User, tip: Tip | None = None) -> int:
    unread = TipNotice.objects.filter(user=user, read_at__isnull=True)
    if tip is not None:
        unread = unread.filter(tip=tip)
    return unread.update(read_at=timezone.now())
