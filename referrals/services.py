"""Every write to a referral: one function per verb (docs/architecture.md §5), keyword-only.

Each locks the referral's row, checks the actor's right (``selectors.may``) and the state (the protected FSM
transition), saves, writes a ``ReferralEvent`` and an ``AuditEvent`` in the same transaction, and queues the
notifications' e-mails on commit. A step the state no longer allows (someone else acted first) raises
``ReferralConflict`` naming who did what when; nothing else changes.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from agencies.models import Agency, User
from agencies.roles import roles_with
from cases import selectors as case_selectors
from cases.models import Case, CaseParticipant, CaseShare, Need, Person
from cases.services import (
    case_share_grant,
    case_share_withdraw,
    service_events_from_referral,
    service_events_withdraw_for_referral,
    share_level_check,
)
from portal.audit import audit_record
from portal.idempotency import create_once, owned_key
from referrals import selectors
from referrals.models import Notification, Referral, ReferralEvent, ReferralMessage
from referrals.steps import STEPS
from services_directory.models import Service
from services_directory.selectors import service_categories

SHARE_LEVELS = list(CaseShare.Level.values)  # from the least to the most an agency sees
# An accepted interagency referral, still standing, holds the access its agency was asked in with.
HOLDING_A_SHARE = (
    Referral.Status.ACCEPTED,
    Referral.Status.IN_PROGRESS,
    Referral.Status.ON_HOLD,
    Referral.Status.COMPLETED,
)


class ReferralConflict(ValidationError):
    """The referral is no longer in a state that allows the step: say who moved it, and when."""

    def __init__(self, referral: Referral, verb: str) -> None:
        last = referral.events.exclude(to_status="").select_related("actor", "actor_agency").last()
        status = referral.status_label.lower()
        if last is not None and last.actor is not None:
            message = _("This referral was already %(status)s by %(who)s (%(agency)s) at %(when)s.") % {
                "status": status,
                "who": last.actor.full_name,
                "agency": last.actor_agency.name if last.actor_agency else "",
                "when": f"{timezone.localtime(last.occurred_at):%Y-%m-%d %H:%M}",
            }
        else:
            message = _("This referral is %(status)s: it can no longer be %(verb)s.") % {
                "status": status,
                "verb": _(STEPS[verb].past),
            }
        super().__init__(message, code="conflict")


def respond_by_for(urgency: str, *, start: datetime | None = None) -> datetime:
    hours = settings.PORTAL_REFERRAL_RESPONSE_HOURS[urgency]
    return (start or timezone.now()) + timedelta(hours=hours)


def _people_of(agency_id: int | None, permission: str) -> list[User]:
    if agency_id is None:
        return []
    return list(
        User.objects.filter(
            is_active=True, _membership__agency_id=agency_id, _membership__role__in=roles_with(permission)
        )
    )


def _involved(referral: Referral, verb: str) -> list[User]:
    """Everyone told of a change, among those who may see the referral now: the sender (while their agency still
    sees the case), the recipient agency's people who answer referrals, when a referral expires or is re-routed the
    coordinators of its case's task force, and for a coordinator's proposal the lead agency's supervisors."""
    people: dict[int, User] = {referral.sender.pk: referral.sender}
    if referral.recipient_works_in_portal:
        people.update({user.pk: user for user in _people_of(referral.recipient_agency_id, selectors.RESPOND)})
    step = STEPS[verb]
    if step.tells_coordinators:
        people.update({user.pk: user for user in selectors.coordinators_of(referral)})
    if step.tells_deciders:
        people.update({user.pk: user for user in _people_of(referral.sender_agency_id, "cases.decide_case")})
    return [user for user in people.values() if selectors.still_told(user, referral)]


def _record(
    referral: Referral,
    *,
    verb: str,
    actor: User | None,
    from_status: str,
    reason: str = "",
    on_behalf: bool = False,
    request: Any = None,
    details: dict[str, Any] | None = None,
) -> ReferralEvent:
    """The event, the audit row and the notifications of one step (``actor`` None: the portal's own, an expiry)."""
    event = ReferralEvent.objects.create(
        referral=referral,
        verb=verb,
        from_status=from_status,
        to_status=referral.status,
        actor=actor,
        actor_agency=getattr(actor, "agency", None),
        on_behalf_of_recipient=on_behalf,
        reason=reason,
    )
    audit_record(
        action=f"referrals.referral.{STEPS[verb].past}",
        actor=actor,
        request=request,
        target=referral,
        agency=getattr(actor, "agency", None) or referral.sender_agency,
        details={"from": from_status, "to": referral.status, "on_behalf": on_behalf, **(details or {})},
    )
    _notify(referral, event, actor)
    return event


def _notify(referral: Referral, event: ReferralEvent, actor: User | None) -> None:
    """A notice of ``event`` to everyone involved but its actor; their e-mails leave when the transaction commits."""
    notifications = Notification.objects.bulk_create(
        [
            Notification(user=user, referral=referral, event=event, verb=event.verb)
            for user in _involved(referral, event.verb)
            if actor is None or user.pk != actor.pk
        ]
    )
    ids = [notification.pk for notification in notifications]
    if ids:
        from referrals.tasks import email_notifications

        transaction.on_commit(lambda: email_notifications.enqueue(ids))


# Sending -------------------------------------------------------------------------------------------------------


def referral_send(
    *,
    kind: str,
    case: Case,
    actor: User,
    urgency: str,
    recipient_agency: Agency | None = None,
    recipient_service: Service | None = None,
    person: Person | None = None,
    needs: Iterable[Need] = (),
    share_level: str = "",
    delivery: str = "",
    request_note: str = "",
    safety_notes: str = "",
    submission_key: uuid.UUID | None = None,
    request: Any = None,
) -> Referral:
    """Send a referral. The same ``submission_key`` twice (a double-submitted form) gives the first referral back.

    Interagency: the lead agency asks ``recipient_agency`` to join the case at ``share_level``. Service: someone
    working the case refers ``person`` to ``recipient_service``; a provider in the portal answers there, another is
    told by a de-identified e-mail (``delivery="email"``) or was called (``"phone"``) and the sender records its
    answers."""
    # Bound to who posts it (portal/idempotency.py): another person's copy of the key is a new referral, not theirs.
    stored_key = owned_key(actor, submission_key)
    if stored_key is not None:
        existing = Referral.objects.filter(submission_key=stored_key).first()
        if existing is not None:
            return existing
    sender_agency = actor.agency
    if not selectors.can_send_referrals(actor) or sender_agency is None:
        raise PermissionDenied
    needed = case_selectors.MANAGE if kind == Referral.Kind.INTERAGENCY else case_selectors.CHANGE
    access = case_selectors.case_access_for_user(actor, case.pk, needed)
    case = access.case
    needs = list(needs)
    if needs:  # only needs the sender may see (a hidden one is answered as if it were not the case's)
        visible = set(case_selectors.needs_visible_to(actor, case, access.permissions).values_list("pk", flat=True))
        if any(need.pk not in visible for need in needs):
            raise ValidationError({"needs": _("These needs are not the case's.")})
    return _referral_create(
        kind=kind,
        case=case,
        sender=actor,
        sender_agency=sender_agency,
        recorded_by=actor,
        urgency=urgency,
        recipient_agency=recipient_agency,
        recipient_service=recipient_service,
        person=person,
        needs=needs,
        share_level=share_level,
        delivery=delivery,
        request_note=request_note,
        safety_notes=safety_notes,
        submission_key=stored_key,
        request=request,
    )


def _referral_create(
    *,
    kind: str,
    case: Case,
    sender: User,
    sender_agency: Agency,
    recorded_by: User,
    urgency: str,
    recipient_agency: Agency | None,
    recipient_service: Service | None,
    person: Person | None,
    needs: Iterable[Need],
    share_level: str,
    delivery: str,
    request_note: str,
    safety_notes: str,
    submission_key: uuid.UUID | None = None,
    proposed_by: User | None = None,
    request: Any = None,
) -> Referral:
    """Check a referral's fields and create it, sent. ``sender`` is whose referral it is (and whose agency follows
    it); ``recorded_by`` who sent it now (the sender, or a coordinator re-routing), in the event and the audit.
    With ``proposed_by`` (a coordinator re-routing an interagency referral) it stays a draft, proposed to the lead
    agency, which sends it or not (``referral_send_proposal``)."""
    if urgency not in Referral.Urgency.values:
        raise ValidationError({"urgency": _("Choose how urgent it is.")})
    needs = list(needs)
    if any(need.case_id != case.pk for need in needs):
        raise ValidationError({"needs": _("These needs are not the case's.")})
    fields: dict[str, Any] = {}
    if kind == Referral.Kind.INTERAGENCY:
        if recipient_agency is None or not recipient_agency.is_active:
            raise ValidationError({"recipient_agency": _("Choose an agency in the portal.")})
        if recipient_agency.pk in (case.lead_agency_id, sender_agency.pk):
            raise ValidationError({"recipient_agency": _("The lead agency already works this case.")})
        if not case_selectors.share_candidates(case).filter(pk=recipient_agency.pk).exists():
            raise ValidationError(
                {"recipient_agency": _("A task force's case is shared only with the task force's agencies.")}
            )
        if share_level not in CaseShare.Level.values:
            raise ValidationError({"share_level": _("Choose what the agency would see.")})
        share_level_check(agency=recipient_agency, level=share_level, field="share_level")
        fields = {
            "recipient_agency": recipient_agency,
            "share_level": share_level,
            "delivery": Referral.Delivery.PORTAL,
        }
    elif kind == Referral.Kind.SERVICE:
        if recipient_service is None or recipient_service.status != Service.Status.ACTIVE:
            raise ValidationError({"recipient_service": _("Choose an active service of the directory.")})
        if person is None or not case.participants.filter(person=person, role=CaseParticipant.Role.VICTIM).exists():
            raise ValidationError({"person": _("Choose a victim of this case.")})
        if any(need.person_id != person.pk for need in needs):
            raise ValidationError({"needs": _("These needs are another person's.")})
        provider = recipient_service.organization.agency
        if provider is not None and provider.is_active:
            fields = {"recipient_agency": provider, "delivery": Referral.Delivery.PORTAL}
        elif delivery in {Referral.Delivery.EMAIL, Referral.Delivery.PHONE}:
            if delivery == Referral.Delivery.EMAIL and not (
                recipient_service.email or recipient_service.organization.email
            ):
                raise ValidationError({"delivery": _("The directory has no e-mail address for this service.")})
            fields = {"recipient_agency": None, "delivery": delivery}
        else:
            raise ValidationError(
                {"delivery": _("This provider is not in the portal: send it an e-mail notice, or record your call.")}
            )
        fields.update({"recipient_service": recipient_service, "person": person})
    else:
        raise ValidationError({"kind": _("Unknown kind of referral.")})
    try:
        with transaction.atomic():
            referral = Referral(
                kind=kind,
                case=case,
                sender=sender,
                sender_agency=sender_agency,
                urgency=urgency,
                respond_by=respond_by_for(urgency),
                request_note=request_note.strip(),
                safety_notes=safety_notes.strip(),
                proposed_by=proposed_by,
                **fields,
                **({"submission_key": submission_key} if submission_key is not None else {}),
            )
            referral.save()
            referral.needs.set(needs)
            if proposed_by is not None:
                _record(referral, verb="propose", actor=proposed_by, from_status=Referral.Status.DRAFT, request=request)
                return referral
            referral.send()
            referral.save()
            _record(referral, verb="send", actor=recorded_by, from_status=Referral.Status.DRAFT, request=request)
            if referral.delivery == Referral.Delivery.EMAIL:
                from referrals.tasks import email_provider_notice

                pk = referral.pk
                transaction.on_commit(lambda: email_provider_notice.enqueue(pk))
    except IntegrityError:  # the same form, submitted twice at the same moment
        if submission_key is None:
            raise
        existing = Referral.objects.filter(submission_key=submission_key, sender=sender).first()
        if existing is None:
            raise
        return existing
    return referral


# Steps ---------------------------------------------------------------------------------------------------------


def _step(
    *,
    referral: Referral,
    verb: str,
    actor: User,
    reason: str = "",
    request: Any = None,
    changes: dict[str, Any] | None = None,
) -> Referral:
    """Take step ``verb`` of ``steps.STEPS``: the right by the step's sides, the state by its transition."""
    step = STEPS[verb]
    with transaction.atomic():
        current = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("sender", "sender_agency", "case")
            .get(pk=referral.pk)
        )
        sides = selectors.sides_of(actor, current)
        if not sides:
            raise Http404
        if not selectors.may(actor, current, verb, sides):
            raise PermissionDenied(_("You may not do this to this referral."))
        if not can_proceed(getattr(current, verb)):
            raise ReferralConflict(current, verb)
        if step.reason_required and not reason.strip():
            raise ValidationError({"reason": _("Say why.")})
        from_status = current.status
        getattr(current, verb)()
        for name, value in (changes or {}).items():
            setattr(current, name, value)
        if reason.strip():
            current.status_reason = reason.strip()
        _mark_closed(current)
        current.version += 1
        current.save()
        on_behalf = step.answer and not current.recipient_works_in_portal
        _record(
            current,
            verb=verb,
            actor=actor,
            from_status=from_status,
            reason=reason,
            on_behalf=on_behalf,
            request=request,
        )
        if verb == "complete" and current.outcome == Referral.Outcome.SERVICE_DELIVERED:
            _record_services_delivered(current, actor=actor, request=request)
        elif verb == "mark_entered_in_error" and current.kind == Referral.Kind.SERVICE:
            # Entered in error: it delivered nothing, so the services its completion recorded go too.
            service_events_withdraw_for_referral(referral_id=current.pk, actor=actor, request=request)
        if current.kind == Referral.Kind.INTERAGENCY:
            if verb == "accept":
                current.share = _share_case(current, accepted_by=actor)
                current.save(update_fields=["share", "updated_at"])
            elif verb == "mark_entered_in_error":
                _withdraw_share(current, actor=actor, request=request)
    return current


def _record_services_delivered(referral: Referral, *, actor: User, request: Any) -> None:
    """A service referral completed with "service delivered" records, in the victim's case, one service delivered per
    category of the needs it carried (decision 0035), by its recipient (the agency, or the directory's organization
    outside the portal), today; without needs, the service's own category if it offers only one (else nothing: the
    provider records what it did). Inside the step's transaction: once per referral and category, however often
    it is retried (``cases.services.service_events_from_referral``)."""
    if referral.kind != Referral.Kind.SERVICE or referral.person_id is None:
        return
    participant = (
        CaseParticipant.objects.filter(
            case_id=referral.case_id, person_id=referral.person_id, role=CaseParticipant.Role.VICTIM
        )
        .select_related("case")
        .first()
    )
    if participant is None:
        return  # no longer a victim in the case: nothing to count
    categories = {need.category for need in referral.needs.all()}
    service = referral.recipient_service
    if not categories and service is not None:
        offered = service_categories(service)
        categories = set(offered) if len(offered) == 1 else set()
    if not categories:
        return
    service_events_from_referral(
        referral_id=referral.pk,
        participant=participant,
        categories=categories,
        on=timezone.localdate(),
        provider=referral.recipient_agency,
        provider_name=service.organization.name if service is not None else "",
        actor=actor,
        actor_agency=actor.agency or referral.sender_agency,
        request=request,
    )


def _mark_closed(referral: Referral) -> None:
    if referral.is_closed and referral.closed_at is None:
        referral.closed_at = timezone.now()


def _share_case(referral: Referral, *, accepted_by: User) -> CaseShare | None:
    """The share the interagency referral asked for, granted by the person who chose the agency: its sender (who
    sent it, re-routed it or sent a coordinator's proposal), as their own share would be (a caseworker's waits for
    a supervisor, docs/architecture.md §4.3). The grant is theirs, not the acceptor's: its audit event carries no
    request of the
    acceptor's, and names who accepted. Nothing if the agency already has that access. If the sender can no longer
    share the case, the acceptance is refused (and rolled back) with a message saying so."""
    assert referral.recipient_agency is not None
    current = CaseShare.objects.filter(
        case=referral.case_id, agency=referral.recipient_agency_id, status=CaseShare.Status.ACTIVE
    ).first()
    if current is not None and SHARE_LEVELS.index(current.level) >= SHARE_LEVELS.index(referral.share_level):
        return None  # it already sees as much: a referral never narrows an access another act gave
    try:
        return case_share_grant(
            case=referral.case,
            agency=referral.recipient_agency,
            level=referral.share_level,
            reason=_("Referral #%(id)s accepted") % {"id": referral.pk},
            actor=referral.sender,
            audit_details={"referral_id": referral.pk, "accepted_by": accepted_by.pk},
        )
    except (Http404, PermissionDenied) as error:
        raise ValidationError(
            _("%(sender)s can no longer share this case: ask their agency to send the referral again.")
            % {"sender": referral.sender.full_name}
        ) from error


def _withdraw_share(referral: Referral, *, actor: User, request: Any) -> None:
    """An interagency referral entered in error takes back the share its acceptance created, unless another act
    holds it now: a later share replaced it (``share`` is no longer current), the agency had that access before
    (no share was created), or another accepted referral asked the agency in. A share it replaced comes back."""
    if referral.share_id is None:
        return
    share = CaseShare.objects.filter(
        pk=referral.share_id, status__in=[CaseShare.Status.REQUESTED, CaseShare.Status.ACTIVE]
    ).first()
    if share is None:
        return
    also_asked = (
        Referral.objects.filter(
            kind=Referral.Kind.INTERAGENCY,
            case_id=referral.case_id,
            recipient_agency_id=referral.recipient_agency_id,
            status__in=HOLDING_A_SHARE,
        )
        .exclude(pk=referral.pk)
        .exists()
    )
    if not also_asked:
        case_share_withdraw(
            share=share, actor=actor, request=request, audit_details={"referral_id": referral.pk, "via": "referral"}
        )


def referral_receive(*, referral: Referral, actor: User, request: Any = None) -> Referral:
    """The recipient opened it for the first time; later openings change nothing."""
    if referral.status != Referral.Status.REQUESTED or selectors.RECIPIENT not in selectors.sides_of(actor, referral):
        return referral
    try:
        return _step(referral=referral, verb="receive", actor=actor, request=request)
    except ReferralConflict:
        referral.refresh_from_db()
        return referral


def referral_accept(*, referral: Referral, actor: User, request: Any = None) -> Referral:
    return _step(referral=referral, verb="accept", actor=actor, request=request)


def referral_reject(*, referral: Referral, actor: User, reason: str, request: Any = None) -> Referral:
    return _step(
        referral=referral,
        verb="reject",
        actor=actor,
        reason=reason,
        request=request,
        changes={"outcome": Referral.Outcome.PROVIDER_DECLINED},
    )


def referral_start(*, referral: Referral, actor: User, request: Any = None) -> Referral:
    return _step(referral=referral, verb="start", actor=actor, request=request)


def referral_hold(*, referral: Referral, actor: User, reason: str, request: Any = None) -> Referral:
    return _step(referral=referral, verb="hold", actor=actor, reason=reason, request=request)


def referral_resume(*, referral: Referral, actor: User, request: Any = None) -> Referral:
    return _step(referral=referral, verb="resume", actor=actor, request=request)


def _outcome(outcome: str, *, verb: str, referral: Referral) -> str:
    """An outcome that fits the step (``Step.outcomes``): completing records what was done, failing why not; an
    agency joins a case only through an interagency referral."""
    if outcome not in STEPS[verb].outcomes_for(referral.kind):
        raise ValidationError({"outcome": _("Choose the outcome.")})
    return outcome


def referral_complete(
    *, referral: Referral, actor: User, outcome: str, outcome_note: str = "", request: Any = None
) -> Referral:
    return _step(
        referral=referral,
        verb="complete",
        actor=actor,
        request=request,
        changes={
            "outcome": _outcome(outcome, verb="complete", referral=referral),
            "outcome_note": outcome_note.strip(),
        },
    )


def referral_fail(
    *, referral: Referral, actor: User, reason: str, outcome: str, outcome_note: str = "", request: Any = None
) -> Referral:
    return _step(
        referral=referral,
        verb="fail",
        actor=actor,
        reason=reason,
        request=request,
        changes={"outcome": _outcome(outcome, verb="fail", referral=referral), "outcome_note": outcome_note.strip()},
    )


def referral_cancel(
    *, referral: Referral, actor: User, reason: str, cancel_reason: str = "", request: Any = None
) -> Referral:
    cancel_reason = cancel_reason or Referral.CancelReason.WITHDRAWN
    if cancel_reason not in {Referral.CancelReason.WITHDRAWN, Referral.CancelReason.CONSENT_REVOKED}:
        raise ValidationError({"cancel_reason": _("Withdraw it, or say the person withdrew their consent.")})
    return _step(
        referral=referral,
        verb="cancel",
        actor=actor,
        reason=reason,
        request=request,
        changes={"cancel_reason": cancel_reason},
    )


def referral_mark_entered_in_error(
    *, referral: Referral, actor: User, reason: str = "", request: Any = None
) -> Referral:
    """Also withdraws the share an accepted interagency referral created (``_withdraw_share``)."""
    return _step(referral=referral, verb="mark_entered_in_error", actor=actor, reason=reason, request=request)


def referral_send_proposal(*, referral: Referral, actor: User, request: Any = None) -> Referral:
    """The lead agency sends a coordinator's proposed agency: the sender is now whoever sent it (their choice of
    audience, granted as theirs on acceptance), and the deadline runs from now. The agency must still be one the
    case may be shared with (it may have left the task force since)."""
    if not referral.is_proposal:
        raise ReferralConflict(referral, "send")
    if not case_selectors.share_candidates(referral.case).filter(pk__in=[referral.recipient_agency_id]).exists():
        raise ValidationError(
            _("This agency can no longer be asked to join the case (it is inactive or outside the task force).")
        )
    return _step(
        referral=referral,
        verb="send",
        actor=actor,
        request=request,
        changes={"sender": actor, "respond_by": respond_by_for(referral.urgency)},
    )


def referral_reroute(
    *,
    referral: Referral,
    actor: User,
    reason: str,
    recipient_agency: Agency | None = None,
    recipient_service: Service | None = None,
    delivery: str = "",
    request: Any = None,
) -> Referral:
    """Cancel an unanswered (or expired) referral as re-routed and send the same request to another recipient.
    Returns the new referral.

    A service referral goes out on behalf of its original sender. An interagency one is a new choice of who joins
    the case: the lead agency's person who re-routes it becomes its sender (so its acceptance grants as theirs);
    a coordinator's re-route is only proposed, a draft the lead agency sends (``referral_send_proposal``) or not."""
    with transaction.atomic():
        old = Referral.objects.select_for_update(of=("self",)).select_related("case", "sender").get(pk=referral.pk)
        sides = selectors.sides_of(actor, old)
        if not sides:
            raise Http404
        if not selectors.may(actor, old, "reroute", sides):
            raise PermissionDenied(_("You may not re-route this referral."))
        sender, proposed_by = old.sender, None
        if old.kind == Referral.Kind.INTERAGENCY:
            if selectors.chooses_audience(actor, old, sides):
                sender = actor
            else:
                proposed_by = actor
        expired = old.is_expired
        if not expired and not can_proceed(old.reroute):
            raise ReferralConflict(old, "reroute")
        if old.reroutes.exists():
            raise ValidationError(_("This referral was already re-routed."))
        if STEPS["reroute"].reason_required and not reason.strip():
            raise ValidationError({"reason": _("Say why.")})
        new = _referral_create(
            kind=old.kind,
            case=old.case,
            sender=sender,
            sender_agency=old.sender_agency,
            recorded_by=actor,
            urgency=old.urgency,
            recipient_agency=recipient_agency if old.kind == Referral.Kind.INTERAGENCY else None,
            recipient_service=recipient_service if old.kind == Referral.Kind.SERVICE else None,
            person=old.person,
            needs=old.needs.all(),
            share_level=old.share_level,
            delivery=delivery,
            request_note=old.request_note,
            safety_notes=old.safety_notes,
            proposed_by=proposed_by,
            request=request,
        )
        new.rerouted_from = old
        new.save(update_fields=["rerouted_from", "updated_at"])
        from_status = old.status
        if not expired:  # an expired referral is already cancelled: it keeps its reason, and gains the event
            old.reroute()
            old.cancel_reason = Referral.CancelReason.REROUTED
            _mark_closed(old)
        old.status_reason = reason.strip()
        old.version += 1
        old.save()
        _record(
            old,
            verb="reroute",
            actor=actor,
            from_status=from_status,
            reason=reason,
            request=request,
            details={"to_referral": new.pk},
        )
    return new


def referrals_expire(*, now: datetime | None = None) -> list[int]:
    """Move the referrals nobody answered by their deadline to cancelled (expired), telling the sender and the
    coordinators. Safe to run from several workers at once (rows are locked and skipped when taken)."""
    now = now or timezone.now()
    expired = []
    for pk in list(Referral.objects.overdue(now).values_list("pk", flat=True)):
        with transaction.atomic():
            referral = (
                Referral.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("sender", "sender_agency", "case")
                .overdue(now)
                .filter(pk=pk)
                .first()
            )
            if referral is None:
                continue
            from_status = referral.status
            referral.expire()
            referral.cancel_reason = Referral.CancelReason.EXPIRED
            _mark_closed(referral)
            referral.version += 1
            referral.save()
            _record(referral, verb="expire", actor=None, from_status=from_status)
            expired.append(pk)
    return expired


# Messages and notifications ------------------------------------------------------------------------------------


def referral_message_add(
    *, referral: Referral, actor: User, body: str, submission_key: uuid.UUID | None = None, request: Any = None
) -> ReferralMessage:
    """Write on a referral's thread. The same ``submission_key`` again (the form sent twice) gives the first message
    back: nobody is told twice."""
    if not body.strip():
        raise ValidationError({"body": _("Write a message.")})
    sides = selectors.sides_of(actor, referral)
    if not sides:
        raise Http404
    if not selectors.may(actor, referral, "message", sides):
        raise PermissionDenied
    agency = actor.agency
    assert agency is not None  # a side on the referral is an agency's

    def create(key: uuid.UUID | None) -> ReferralMessage:
        with transaction.atomic():
            message = ReferralMessage.objects.create(
                referral=referral, author=actor, author_agency=agency, body=body.strip(), submission_key=key
            )
            event = ReferralEvent.objects.create(referral=referral, verb="message", actor=actor, actor_agency=agency)
            audit_record(
                action="referrals.message.added",
                actor=actor,
                request=request,
                target=referral,
                details={"message": message.pk},
            )
            _notify(referral, event, actor)
        return message

    return create_once(ReferralMessage, actor=actor, key=submission_key, create=create)


def notifications_mark_read(*, user: User, referral: Referral | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if referral is not None:
        unread = unread.filter(referral=referral)
    return unread.update(read_at=timezone.now())
