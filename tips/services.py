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
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import DatabaseError, models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from agencies.models import Agency, TaskForce, User
from cases import selectors as case_selectors
from cases.models import Case, Document, Person, Visibility
from cases.services import case_create, document_upload, person_add_to_case
from portal.audit import audit_record
from portal.idempotency import create_once
from portal.models import AuditEvent
from portal.uploads import MAX_DOCUMENT_BYTES, document_checked
from services_directory.models import ApiToken
from tips import selectors
from tips.models import (
    PurgeReason,
    Tip,
    TipAttachment,
    TipDissemination,
    TipEvent,
    TipNotice,
    TipReferral,
    TipSubject,
)
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
        changes={
            "basis": reason.strip(),
            "assessed_at": timezone.now(),
            "assessed_by": actor,
            # The first validation (28 CFR 23.54): kept five years from now unless validated again.
            "validated_at": timezone.now(),
            "validated_by": actor,
            "review_due": review_due_after(timezone.localdate()),
            "review_notified_for": None,
        },
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
        changes={
            "close_reason": Tip.CloseReason.NO_CRIMINAL_PREDICATE,
            # Non-criminal information is not kept as intelligence: up for purging after a short window for a
            # reopen (docs/decisions/0028).
            "review_due": timezone.localdate() + NO_PREDICATE_RETENTION,
            "review_notified_for": None,
        },
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
        then=lambda current: _then_disseminated(
            {"agency_id": agency.pk, "owner_id": owner.pk, "due_on": due_on.isoformat()},
            tip=current,
            path=TipDissemination.Path.ASSIGNMENT,
            actor=actor,
            recipient_agency=agency,
            recipient=owner,
            reason=_("Assigned to work it"),
        ),
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
        then=lambda current: _then_disseminated(
            {"case_id": case.pk},
            tip=current,
            path=TipDissemination.Path.LINK,
            actor=actor,
            recipient_agency=case.lead_agency,
            reason=_("Linked to case %(number)s") % {"number": case.number},
        ),
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


def _victim_held_by_reporter(tip: Tip, subject: TipSubject) -> bool:
    """A victim named in a tip a victim service provider received: their details follow that provider's consent
    rules."""
    return subject.role == TipSubject.Role.VICTIM and tip.receiving_agency.is_victim_service_provider


def _subject_extras(subject: TipSubject) -> str:
    """What a case's person has no field for: the approximate age, an online handle, a vehicle, a business."""
    if _victim_held_by_reporter(subject.tip, subject):
        return ""  # the case's narrative is not a way around the provider's consent
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
            participant = person_add_to_case(
                case=case, role=subject.role, actor=actor, request=request, **_subject_person_fields(subject)
            )
            if _victim_held_by_reporter(current, subject):
                # A victim an NGO reported is that NGO's client: the case's other agencies read their details
                # only through the victim's consent, as for any client the NGO enters (docs/decisions/0028).
                Person.objects.filter(pk=participant.person_id).update(
                    entered_by_agency=current.receiving_agency_id, entered_by=current.received_by_id
                )
        documents = _attachments_to_case(current, case, actor, request)
        current.case = case
        current.save(update_fields=["case", "updated_at"])
        return _then_disseminated(
            {"case_id": case.pk, **({"documents": documents} if documents else {})},
            tip=current,
            path=TipDissemination.Path.CASE_OPENED,
            actor=actor,
            recipient_agency=agency,
            reason=_("Opened as case %(number)s") % {"number": case.number},
        )

    return _step(tip=tip, verb="open_case", actor=actor, request=request, then=open_case, seen_version=seen_version)


def _attachments_to_case(tip: Tip, case: Case, actor: User, request: Any) -> int:
    """Each attachment of ``tip`` becomes a document of ``case`` through ``cases``' own upload (its checks, its
    audit row, a copy of the file under the case's name), law-enforcement-sensitive like the narrative the case
    gets from the tip. How many were copied.

    Not a tip a victim service provider received: its files may be its client's (a photo of their papers), which
    the case's other agencies read only through the client's consent, as they read the client's details
    (``_victim_held_by_reporter``); they stay with the tip, for the provider to add to the case as its own. A copy
    stored before a failure is deleted again: the rows roll back, and a file no row names would outlive a purge."""
    if tip.receiving_agency.is_victim_service_provider:
        return 0
    stored: list[Document] = []
    try:
        for attachment in tip.attachments.all():
            with attachment.file.open("rb") as original:
                stored.append(
                    document_upload(
                        case=case,
                        uploaded_file=UploadedFile(
                            original,
                            name=attachment.original_name,
                            content_type=attachment.content_type,
                            size=attachment.size,
                        ),
                        actor=actor,
                        description=_("From tip #%(number)s") % {"number": tip.pk},
                        visibility=Visibility.LAW_ENFORCEMENT,
                        request=request,
                    )
                )
    except BaseException:
        for document in stored:
            if document.file.name:
                document.file.storage.delete(document.file.name)
        raise
    return len(stored)


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


def tip_refer(
    *,
    tip: Tip,
    actor: User,
    provider: Agency | None,
    asked: str | None,
    passed_on: Iterable[str] | None = (),
    consent: Iterable[str] | None = (),
    request: Any = None,
    seen_version: int | None = None,
) -> Tip:
    """Refer an assigned tip to a victim service provider for services: what is asked, and what of the tip goes with
    it, no more than ``selectors.referable_content`` allows. In one transaction: the referral, the step's event and
    audit row, the dissemination log's row, and a notice to the provider's supervisors. The provider reads the tip
    through the referral from then on (``selectors.referred_content``)."""
    passed = sorted(set(passed_on or ()))
    stated = sorted(set(consent or ()))
    asked = (asked or "").strip()

    def refer(current: Tip) -> dict[str, Any]:
        # Checked on the locked row, after the side and the state: a refused person learns nothing of the rule.
        if provider is None or not selectors.referral_agencies(current).filter(pk=provider.pk).exists():
            raise ValidationError({"provider": _("Choose a victim service provider of the task force.")})
        if not asked:
            raise ValidationError({"asked": _("Say what is asked of the provider.")})
        if set(stated) - set(selectors.Consent.Category.values):
            raise ValidationError({"consent": _("Unknown consent categories.")})
        if stated and not selectors.may_state_consent(actor, current):
            raise ValidationError({"consent": _("Only the agency that holds the victim's consent may state it.")})
        refused = set(passed) - selectors.referable_content(actor, current, stated)
        if refused:
            content = dict(TipReferral.Content.choices)
            labels = [str(content.get(code, code)) for code in sorted(refused)]
            raise ValidationError(
                {"passed_on": _("This may not be passed on: %(what)s.") % {"what": "; ".join(labels)}}
            )
        referral = TipReferral.objects.create(
            tip=current,
            agency=provider,
            asked=asked,
            passed_on=passed,
            consent=stated,
            referred_by=actor,
            referred_by_agency=_agency_of(actor),
        )
        tip_disseminated(
            tip=current,
            path=TipDissemination.Path.REFERRAL,
            actor=actor,
            recipient_agency=provider,
            reason=_("Referred for services"),
        )
        return {"agency_id": provider.pk, "referral_id": referral.pk, "passed_on": passed, "consent": stated}

    with transaction.atomic():
        done = _step(tip=tip, verb="refer", actor=actor, request=request, then=refer, seen_version=seen_version)
        _tell_provider(done)
    return done


def _tell_provider(tip: Tip) -> list[TipNotice]:
    """The provider's supervisors are told in the portal, once per referral event (the home's "Tips referred to
    your agency"), in the referral's transaction."""
    event = tip.events.filter(verb="refer").order_by("pk").last()
    referral = tip.referrals.order_by("pk").last()
    if event is None or referral is None:
        return []
    people = list(selectors.supervisors_of([referral.agency_id]))
    return TipNotice.objects.bulk_create(
        [TipNotice(user=user, tip=tip, event=event, verb="refer", created_at=event.occurred_at) for user in people]
    )


def tip_reopen(*, tip: Tip, actor: User, reason: str, request: Any = None, seen_version: int | None = None) -> Tip:
    """A closed tip goes back to where its work stopped (``Tip.reopen``); its assessment deadline runs anew if it
    needs one."""

    def restart(current: Tip) -> dict[str, Any]:
        current.close_reason = ""
        if current.status == Tip.Status.RECEIVED:
            current.assess_by = assess_by_for(received_at=timezone.now(), urgent=current.is_urgent)
            current.overdue_notified_at = None
            # Never assessed: nothing to review until it is (a no-predicate tip's purge date goes with its close).
            current.review_due = None
            current.review_notified_for = None
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
                "review_due",
                "review_notified_for",
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


# 28 CFR Part 23: the dissemination log (docs/decisions/0028-tips-intelligence-rules.md) -------------------------

# How long an assessed tip is kept from its last validation, and a tip closed with no criminal predicate from its
# close (a window for a reopen), before it is validated again or purged.
REVIEW_YEARS = 5
NO_PREDICATE_RETENTION = timedelta(days=90)


def review_due_after(day: date) -> date:
    """``REVIEW_YEARS`` after ``day`` (29 February gives 28 February)."""
    try:
        return day.replace(year=day.year + REVIEW_YEARS)
    except ValueError:
        return day.replace(year=day.year + REVIEW_YEARS, day=28)


def tip_disseminated(
    *,
    tip: Tip,
    path: str,
    actor: User | None,
    recipient_agency: Agency,
    recipient: User | None = None,
    reason: str = "",
) -> TipDissemination | None:
    """Log that ``tip``'s content left its receiving agency by ``path``: one row, in the caller's transaction.
    An assignment to the receiving agency itself sends nothing out (None); a link, a case, a print, an export or an
    API read, an attachment downloaded, is always logged (a case has an audience of its own; paper and files leave
    the portal)."""
    if path == TipDissemination.Path.ASSIGNMENT and recipient_agency.pk == tip.receiving_agency_id:
        return None
    return TipDissemination.objects.create(
        tip=tip,
        tip_number=tip.pk,
        receiving_agency_id=tip.receiving_agency_id,
        path=path,
        sent_by=actor,
        sent_by_agency=getattr(actor, "agency", None),
        recipient_agency=recipient_agency,
        recipient=recipient,
        reason=str(reason)[:200],
    )


def _agency_of(actor: User) -> Agency:
    agency = actor.agency
    if agency is None:  # nobody without an agency reads a tip's content (selectors)
        raise PermissionDenied
    return agency


def _then_disseminated(details: dict[str, Any], **dissemination: Any) -> dict[str, Any]:
    """A step's ``then``: log the dissemination, in the step's transaction, and hand its details back unchanged
    (the log row is the record of where the content went)."""
    tip_disseminated(**dissemination)
    return details


def tip_printed(*, access: selectors.TipAccess, actor: User, request: Any = None) -> TipDissemination:
    """The printable page was made: its paper leaves the portal. An audit event and a log row (to the printer)."""
    return _tip_taken_out(
        access, actor, path=TipDissemination.Path.PRINT, reason=_("Printed"), action="tips.tip.printed", request=request
    )


def tip_exported(*, access: selectors.TipAccess, actor: User, request: Any = None) -> TipDissemination:
    """The tip was downloaded as a file: an audit event and a log row (to the person who downloaded it)."""
    return _tip_taken_out(
        access,
        actor,
        path=TipDissemination.Path.EXPORT,
        reason=_("Downloaded as CSV"),
        action="tips.tip.exported",
        request=request,
    )


def _tip_taken_out(
    access: selectors.TipAccess, actor: User, *, path: str, reason: str, action: str, request: Any
) -> TipDissemination:
    """A copy of the tip leaves the portal with ``actor``: one log row and one audit event, together."""
    tip = access.tip
    with transaction.atomic():
        row = tip_disseminated(
            tip=tip, path=path, actor=actor, recipient_agency=_agency_of(actor), recipient=actor, reason=reason
        )
        assert row is not None
        audit_record(
            action=action,
            actor=actor,
            request=request,
            target=tip,
            details={"reporter_shown": access.may_read_reporter, "dissemination_id": row.pk},
        )
    return row


def dissemination_log_exported(*, actor: User, rows: int, filters: dict[str, Any], request: Any = None) -> None:
    """The log was downloaded: who, how many rows, with which filters (ids and dates only)."""
    audit_record(
        action="tips.dissemination.exported",
        actor=actor,
        request=request,
        details={"rows": rows, **{name: str(value) for name, value in filters.items() if value}},
    )


# Review and purge (28 CFR 23.54) ---------------------------------------------------------------------------------


def _lock_for_review(tip: Tip, actor: User) -> Tip:
    current = (
        Tip.objects.select_for_update(of=("self",))
        .filter(pk=tip.pk, receiving_agency=getattr(actor.agency, "pk", None))
        .first()
    )
    if current is None:
        raise Http404
    return current


def tip_validate(*, tip: Tip, actor: User, reason: str, request: Any = None) -> Tip:
    """The tip still meets the reasonable-suspicion standard: who says so, and why, and its five years start again.
    A tip with no criminal predicate has nothing to validate (it can be reopened, or purged)."""
    if not selectors.can_review_tips(actor):
        raise PermissionDenied(_("You may not do this to this tip."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why.")})
    with transaction.atomic():
        current = _lock_for_review(tip, actor)
        if not current.basis or current.close_reason == Tip.CloseReason.NO_CRIMINAL_PREDICATE:
            raise ValidationError(_("Only an assessed tip can be validated."))
        now = timezone.now()
        current.validated_at = now
        current.validated_by = actor
        current.review_due = review_due_after(timezone.localdate())
        current.review_notified_for = None
        current.version += 1
        current.save(
            update_fields=["validated_at", "validated_by", "review_due", "review_notified_for", "version", "updated_at"]
        )
        _record(
            current,
            verb="validate",
            actor=actor,
            from_status=current.status,
            reason=reason,
            request=request,
            details={"review_due": current.review_due.isoformat()},
        )
    return current


def tip_subject_correct(
    *,
    tip: Tip,
    subject: TipSubject,
    actor: User,
    request: Any = None,
    seen_version: int | None = None,
    **changes: Any,
) -> Tip:
    """Correct a subject's identifiers (a phone, a plate) by the receiving agency's staff: an event naming the
    fields changed, never their values. Not a validation: the review date stays. ``seen_version``: as for a step, a
    tip changed since the form was opened is refused (``TipChanged``), never overwritten. Fields given with the
    value they already hold are not changes; with no change left, nothing is written."""
    unknown = set(changes) - (set(SUBJECT_FIELDS) - {"role"})
    if unknown:
        raise ValidationError(_("Unknown subject fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    with transaction.atomic():
        current = selectors.tip_list_visible_to(actor).select_for_update(of=("self",)).filter(pk=tip.pk).first()
        if current is None:
            raise Http404
        if selectors.RECEIVER not in selectors.sides_read(actor, current):
            raise PermissionDenied(_("You may not do this to this tip."))
        if seen_version is not None and seen_version != current.version:
            raise TipChanged(current)
        row = TipSubject.objects.select_for_update().get(pk=subject.pk, tip=current)
        changes = {name: value for name, value in changes.items() if getattr(row, name) != value}
        if not changes:
            return current
        for name, value in changes.items():
            setattr(row, name, value)
        row.full_clean(exclude=["tip"])
        row.save()
        current.version += 1
        current.save(update_fields=["version", "updated_at"])
        _record(
            current,
            verb="correct_subject",
            actor=actor,
            from_status=current.status,
            request=request,
            details={"subject_id": row.pk, "fields": sorted(changes)},
        )
    return current


def _enqueue_emails(notices: list[TipNotice]) -> None:
    ids = [notice.pk for notice in notices]
    if ids:
        from tips.tasks import email_tip_notices

        transaction.on_commit(partial(email_tip_notices.enqueue, ids))


def tip_purge(*, tip: Tip, actor: User, reason_code: str, request: Any = None) -> AuditEvent:
    """Purge a tip (a supervisor of its receiving agency): first tell the people of every agency the log says it
    went to that tip #N was purged (its supervisors, and the person it was sent to), then delete the tip with its
    subjects, events, notices and attachments (their files leave private storage once the purge is committed).
    What stays: the audit tombstone (returned: the tip's number, the agency, who, when, the reason code) and the
    log's rows, emptied of their words and pointing at the tombstone."""
    if not selectors.can_purge_tips(actor):
        raise PermissionDenied(_("You may not do this to this tip."))
    if reason_code not in PurgeReason.values:
        raise ValidationError({"reason_code": _("Choose why the tip is purged.")})
    with transaction.atomic():
        current = _lock_for_review(tip, actor)
        number, agency = current.pk, current.receiving_agency
        rows = TipDissemination.objects.filter(tip=current)
        recipient_agencies = set(rows.exclude(recipient_agency=agency).values_list("recipient_agency_id", flat=True))
        recipients = set(
            rows.exclude(recipient_agency=agency).exclude(recipient__isnull=True).values_list("recipient_id", flat=True)
        )
        told = {user.pk: user for user in selectors.supervisors_of(recipient_agencies)}
        told.update({user.pk: user for user in User.objects.filter(pk__in=recipients, is_active=True)})
        tombstone = audit_record(
            action="tips.tip.purged",
            actor=actor,
            request=request,
            target=current,
            agency=agency,
            details={
                "tip": number,
                "agency_id": agency.pk,
                "reason": reason_code,
                "disseminations": rows.count(),
                "agencies_told": len(recipient_agencies),
                "people_told": len(told),
                "attachments": current.attachments.count(),
            },
        )
        now = timezone.now()
        notices = TipNotice.objects.bulk_create(
            [TipNotice(user=user, tip=None, tip_number=number, verb="purge", created_at=now) for user in told.values()]
        )
        rows.update(tip=None, reason="", tombstone=tombstone)
        files = [name for name in current.attachments.values_list("file", flat=True) if name]
        current.attachments.all().delete()
        transaction.on_commit(partial(_files_deleted, files))
        current.notices.all().delete()
        current.subjects.all().delete()
        current.events.all().delete()
        current.delete()
        _enqueue_emails(notices)
    return tombstone


def tips_review_notify(*, now: datetime | None = None) -> list[int]:
    """Remind the receiving agency's supervisors of each tip due for review within ``REVIEW_WINDOW_DAYS`` days, once
    per tip per cycle (``review_notified_for`` is the review date told; a validation starts a new cycle). Safe to
    run from several workers at once."""
    now = now or timezone.now()
    horizon = timezone.localdate(now) + timedelta(days=selectors.REVIEW_WINDOW_DAYS)
    due = Tip.objects.filter(review_due__isnull=False, review_due__lte=horizon).exclude(
        review_notified_for=models.F("review_due")
    )
    told = []
    for pk in list(due.order_by("review_due", "pk").values_list("pk", flat=True)):
        with transaction.atomic():
            tip = (
                Tip.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=pk, review_due__isnull=False, review_due__lte=horizon)
                .exclude(review_notified_for=models.F("review_due"))
                .first()
            )
            if tip is None:
                continue
            tip.review_notified_for = tip.review_due
            tip.save(update_fields=["review_notified_for", "updated_at"])
            people = list(selectors.supervisors_of([tip.receiving_agency_id]))
            assert tip.review_due is not None
            event = _record(
                tip,
                verb="review_due",
                actor=None,
                from_status=tip.status,
                details={"told": len(people), "review_due": tip.review_due.isoformat()},
            )
            notices = TipNotice.objects.bulk_create(
                [TipNotice(user=user, tip=tip, event=event, verb="review_due", created_at=now) for user in people]
            )
            _enqueue_emails(notices)
            told.append(pk)
    return told


# Attachments (under the document rules of cases: ``portal.uploads``) -------------------------------------------

MAX_ATTACHMENT_BYTES = MAX_DOCUMENT_BYTES  # the upload limit middleware reads it (settings.PORTAL_UPLOAD_LIMITS)


def tip_attach(
    *,
    tip: Tip,
    actor: User,
    uploaded_file: UploadedFile,
    submission_key: uuid.UUID | None = None,
    request: Any = None,
) -> TipAttachment:
    """Keep a file with an open tip, for its holding bin's keepers (the ``attach`` step's sides): checked as a
    case's document is (``document_checked``: its type read from its content, 20 MB at most), stored in private
    storage under a random name, with a ``TipEvent`` and an audit row (ids, type and size: never the file's name,
    which may name someone). A closed tip, or one that went on to a case, takes no more files. The same
    ``submission_key`` again gives the first attachment back and stores no second file."""
    size, content_type = document_checked(uploaded_file)

    def create(key: uuid.UUID | None) -> TipAttachment:
        attachment = TipAttachment(
            original_name=(uploaded_file.name or "")[:255],
            content_type=content_type,
            size=size,
            uploaded_by=actor,
            uploaded_by_agency=_agency_of(actor),
            submission_key=key,
        )
        try:
            with transaction.atomic():
                current = selectors.tip_list_visible_to(actor).select_for_update(of=("self",)).filter(pk=tip.pk).first()
                if current is None:
                    raise Http404
                if not selectors.sides_read(actor, current) & STEPS["attach"].sides:
                    raise PermissionDenied(_("You may not do this to this tip."))
                if not current.is_open:
                    raise ValidationError(
                        {
                            "file": _("This tip is %(status)s: it takes no more files.")
                            % {"status": str(current.get_status_display()).lower()}
                        }
                    )
                attachment.tip = current
                attachment.file.save("upload", uploaded_file, save=False)
                attachment.save()
                _record(
                    current,
                    verb="attach",
                    actor=actor,
                    from_status=current.status,
                    request=request,
                    details={"attachment_id": attachment.pk, "content_type": content_type, "size": size},
                )
        except BaseException:
            if attachment.file:  # stored before the transaction failed: keep no file without its row
                attachment.file.delete(save=False)
            raise
        return attachment

    return create_once(TipAttachment, actor=actor, key=submission_key, create=create)


def tip_attachment_downloaded(
    *, access: selectors.TipAccess, attachment: TipAttachment, actor: User, request: Any = None
) -> TipDissemination:
    """An attachment was downloaded by a reader of the tip's content: a row of the dissemination log (path
    ``attachment``, to the reader) and an audit event, together in one transaction (docs/decisions/0028). As for a
    print or an export, also inside the receiving agency: the file leaves the portal's access rules."""
    tip = access.tip
    with transaction.atomic():
        row = tip_disseminated(
            tip=tip,
            path=TipDissemination.Path.ATTACHMENT,
            actor=actor,
            recipient_agency=_agency_of(actor),
            recipient=actor,
            reason=_("Attachment #%(id)s downloaded") % {"id": attachment.pk},
        )
        assert row is not None  # only an assignment at home is no dissemination
        audit_record(
            action="tips.tip.attachment_downloaded",
            actor=actor,
            request=request,
            target=tip,
            details={
                "attachment_id": attachment.pk,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "dissemination_id": row.pk,
            },
        )
    return row


def _files_deleted(names: list[str]) -> None:
    """Delete purged attachments' files from private storage (after the purge committed: a purge rolled back keeps
    its files). A file that will not go is logged by its storage name (random, no content) for an operator."""
    storage = TipAttachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("A purged tip's attachment file %s was not deleted from private storage", name)


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


def tip_referral_viewed(*, referred: selectors.ReferredContent, actor: User, request: Any = None) -> None:
    """The provider read what a referral passed on (possibly a victim's details): an audit event naming what."""
    audit_record(
        action="tips.tip.viewed",
        actor=actor,
        request=request,
        target=referred.referral.tip,
        details={
            "via": "referral",
            "referral_id": referred.referral.pk,
            "shown": sorted(referred.shown),
            "reporter_shown": referred.reporter,
            "subjects": len(referred.victims),
        },
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
