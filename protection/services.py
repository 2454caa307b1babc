"""Every write of immigration relief (decision 0033): record an action, correct it, take a step, and send the
reminders the rules call for. Each write locks what it changes, checks who may and the state, saves, and writes its
audit event in the same transaction (ids and field names only, never values: relief is confidential)."""

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, User
from cases.models import Case, Person, VictimIdentification
from portal.audit import audit_record
from portal.models import AuditEvent
from portal.uploads import document_checked
from protection import selectors
from protection.models import ReliefAction, ReliefNotice, ReliefReminder
from protection.rules import EXPIRY_REMINDED, KINDS, STEPS, agency_allowed

logger = logging.getLogger(__name__)

# What a form may set on an action; its kind is chosen once, its status only by the steps.
EDITABLE_FIELDS = (
    "requested_on",
    "submitted_on",
    "decided_on",
    "valid_from",
    "expires_on",
    "requesting_agency",
    "signing_official",
    "signing_official_title",
    "external_reference",
    "notes",
)

# What records a decision: once an action is decided (granted, denied, withdrawn) a correction leaves them as the
# step set them. For a signed kind (a declaration, a certification) the dates it is valid are the signer's too.
DECIDED_FIELDS = ("decided_on", "signing_official", "signing_official_title")
SIGNER_FIELDS = (*DECIDED_FIELDS, "valid_from", "expires_on")


def _check_correction(before: dict[str, Any], current: ReliefAction) -> None:
    """A correction never takes a signer's decision: a signed kind's signing agency is not re-pointed (withdraw it
    and ask the other agency again), and a decided action's decision fields stay as decided (errors by field)."""
    errors: dict[str, str] = {}
    signed = KINDS[current.kind].signed
    if signed and current.requesting_agency_id != getattr(before["requesting_agency"], "pk", None):
        errors["requesting_agency"] = str(
            _("The agency asked to sign cannot be changed: withdraw this request and ask the other agency anew.")
        )
    if not current.is_open:
        frozen = SIGNER_FIELDS if signed else DECIDED_FIELDS
        for name in frozen:
            if getattr(current, name) != before[name]:
                errors[name] = str(_("It is decided: this is the decision's record and cannot be changed."))
    if errors:
        raise ValidationError(errors)


class StaleReliefEdit(ValidationError):
    """Someone changed the action since the form was opened: nothing is overwritten."""

    def __init__(self, changed_by: str) -> None:
        super().__init__(
            _(
                "%(who)s changed this relief action while you were editing it. Nothing was saved: check their "
                "changes below, then make yours again."
            )
            % {"who": changed_by or _("Someone")},
            code="stale",
        )


def _check(action: ReliefAction, actor: User) -> None:
    """The kind's rules and the dates (errors by field; nothing saved)."""
    errors: dict[str, str] = {}
    rule = KINDS[action.kind]
    agency: Agency | None = action.requesting_agency
    if not agency_allowed(action.kind, agency):
        errors["requesting_agency"] = str(
            _("Name the requesting agency: %(rule)s") % {"rule": rule.who}
            if agency is None
            else _("This agency may not request or sign it. %(rule)s") % {"rule": rule.who}
        )
    elif rule.own_agency and agency is not None and agency.pk != getattr(actor.agency, "pk", None):
        errors["requesting_agency"] = str(
            _("Only the requesting agency's own people record it. %(rule)s") % {"rule": rule.who}
        )
    today = timezone.localdate()
    for name in ("requested_on", "submitted_on", "decided_on"):
        day: date | None = getattr(action, name)
        if day is not None and day > today:
            errors[name] = str(_("This date cannot be in the future."))
    if action.submitted_on and action.requested_on and action.submitted_on < action.requested_on:
        errors["submitted_on"] = str(_("It is submitted on or after the day it was requested."))
    if action.valid_from and action.expires_on and action.expires_on <= action.valid_from:
        errors["expires_on"] = str(_("It expires after the day it is valid from."))
    if errors:
        raise ValidationError(errors)


def _attach(action: ReliefAction, uploaded_file: UploadedFile | None) -> None:
    if uploaded_file is None:
        return
    try:
        _size, content_type = document_checked(uploaded_file)
    except ValidationError as error:
        raise ValidationError({"document": error.message_dict["file"]}) from None
    action.document_name = (uploaded_file.name or "document")[:255]
    action.document_type = content_type
    action.document.save(action.document_name, uploaded_file, save=False)


def relief_action_record(
    *,
    case: Case,
    person: Person,
    kind: str,
    actor: User,
    requested_on: date,
    requesting_agency: Agency | None = None,
    uploaded_file: UploadedFile | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> ReliefAction:
    """Record a relief action for ``person``, a victim in ``case``, as requested on ``requested_on``. Who may:
    whoever sees the victim's relief and may change the case (``selectors.relief_access_for``), within the kind's
    rules (``protection.rules.KINDS``: Continued Presence only by a federal law-enforcement agency, for itself; a
    declaration asked of a law-enforcement agency, a certification of a certifying one)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown or kind not in ReliefAction.Kind.values:
        raise ValidationError(_("These fields cannot be set: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    relief = selectors.relief_access_for(actor, case.pk, person.pk)
    if not relief.may_record:
        raise PermissionDenied
    assert actor.agency is not None
    action = ReliefAction(
        case=relief.case,
        participant=relief.participant,
        kind=kind,
        requested_on=requested_on,
        requesting_agency=requesting_agency,
        recorded_by=actor,
        recorded_by_agency=actor.agency,
        **fields,
    )
    _check(action, actor)
    with transaction.atomic():
        _attach(action, uploaded_file)
        action.save()
        audit_record(
            action="protection.relief.recorded",
            actor=actor,
            request=request,
            target=relief.participant,
            details={"case_id": relief.case.pk, "person_id": person.pk, "relief_id": action.pk},
        )
    return action


def _locked(action: ReliefAction, version: int) -> ReliefAction:
    current = ReliefAction.objects.select_for_update(of=("self",)).select_related("requesting_agency").get(pk=action.pk)
    if current.version != version:
        raise StaleReliefEdit(changed_by=_last_editor(current))
    return current


def relief_action_update(
    *,
    action: ReliefAction,
    version: int,
    actor: User,
    uploaded_file: UploadedFile | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> ReliefAction:
    """Correct ``action``, made on ``version`` of it; refused if it changed since (``StaleReliefEdit``). The audit
    event names the fields changed, never their values."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be set: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    relief = selectors.relief_access_for(actor, action.case_id, action.participant.person_id)
    if not relief.may_record:
        raise PermissionDenied
    with transaction.atomic():
        current = _locked(action, version)
        before = {name: getattr(current, name) for name in EDITABLE_FIELDS}
        for name, value in fields.items():
            setattr(current, name, value)
        _check_correction(before, current)
        _check(current, actor)
        changed = [name for name in EDITABLE_FIELDS if getattr(current, name) != before[name]]
        if uploaded_file is not None:
            _attach(current, uploaded_file)
            changed.append("document")
        if not changed:
            return current
        current.version += 1
        current.save()
        audit_record(
            action="protection.relief.updated",
            actor=actor,
            request=request,
            target=relief.participant,
            details={
                "case_id": relief.case.pk,
                "person_id": relief.participant.person_id,
                "relief_id": current.pk,
                "fields": changed,
            },
        )
    return current


def relief_action_step(
    *,
    action: ReliefAction,
    verb: str,
    version: int,
    actor: User,
    on: date | None = None,
    reason: str = "",
    valid_from: date | None = None,
    expires_on: date | None = None,
    request: HttpRequest | None = None,
) -> ReliefAction:
    """Take step ``verb`` (``protection.rules.STEPS``) on ``action``, made on ``version`` of it: submit, grant
    (with the days it is valid), decline or deny (with a reason, always), withdraw, or extend interim assistance by
    its 30 days. A declaration's or certification's grant and decline are the signing agency's own."""
    step = STEPS.get(verb)
    if step is None:
        raise ValidationError(_("That step does not exist."))
    relief = selectors.relief_access_for(actor, action.case_id, action.participant.person_id)
    on = on or timezone.localdate()
    reason = reason.strip()
    if step.reason_required and not reason:
        raise ValidationError({"reason": _("Say why it was declined or denied.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("This date cannot be in the future.")})
    with transaction.atomic():
        current = _locked(action, version)
        if not selectors.may_take_step(actor, relief, current, verb):
            raise PermissionDenied
        if verb == "deny":
            current.deny(on=on, reason=reason)
        else:
            getattr(current, verb)(on=on)
        if verb == "grant":
            current.valid_from = valid_from or current.valid_from
            current.expires_on = expires_on or current.expires_on
            if current.kind == ReliefAction.Kind.INTERIM_ASSISTANCE:
                current.valid_from = current.valid_from or on
                current.expires_on = current.interim_assistance_ends
        _check(current, actor)
        current.version += 1
        current.save()
        audit_record(
            action=f"protection.relief.{verb}",
            actor=actor,
            request=request,
            target=relief.participant,
            details={"case_id": relief.case.pk, "person_id": relief.participant.person_id, "relief_id": current.pk},
        )
    return current


def _last_editor(action: ReliefAction) -> str:
    last = (
        AuditEvent.objects.filter(
            action__startswith="protection.relief.",
            object_type="cases.caseparticipant",
            object_id=str(action.participant_id),
            details__relief_id=action.pk,
        )
        .order_by("-occurred_at", "-id")
        .first()
    )
    return last.actor_email if last else ""


# --- Reminders ----------------------------------------------------------------------------------------------------


def relief_reminders_notify(*, now: datetime | None = None) -> list[int]:
    """Send what is due, each once (``ReliefReminder``'s unique constraints): an HHS notice overdue (24 hours after
    the portal learned of a foreign-national minor) escalated to the lead agency's supervisors and the task
    force's coordinators; a grant of Continued Presence or employment authorization reaching 90, 60 or 30 days
    before it expires, to the case's agents and the victim's advocates who see it (only the nearest threshold:
    a grant recorded 45 days before its end is reminded at 60, then at 30). The reminders sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent: list[int] = []
    told_already = ReliefReminder.objects.filter(identification_id=OuterRef("pk"), kind=ReliefReminder.Kind.HHS_OVERDUE)
    overdue = (
        selectors.hhs_tasks_open()
        .filter(foreign_national_minor_since__lt=now - timedelta(hours=selectors.HHS_NOTICE_HOURS))
        .filter(~Exists(told_already))
        .select_related("participant__case")
        .order_by("foreign_national_minor_since", "id")
    )
    for identification in list(overdue):
        _send_logged(sent, partial(_escalate_hhs, identification, now))
    expiring = (
        ReliefAction.objects.filter(
            kind__in=EXPIRY_REMINDED,
            status=ReliefAction.Status.GRANTED,
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=selectors.EXPIRY_WARNING_DAYS[0]),
        )
        .select_related("case", "participant__person")
        .order_by("expires_on", "id")
    )
    for action in list(expiring):
        assert action.expires_on is not None
        days_left = (action.expires_on - today).days
        threshold = min(days for days in selectors.EXPIRY_WARNING_DAYS if days_left <= days)
        kind = f"expires_{threshold}"
        if ReliefReminder.objects.filter(action=action, kind=kind, due=_expiry_due(action.expires_on)).exists():
            continue  # this threshold of this expiry was reminded (a changed expiry is reminded anew)
        _send_logged(sent, partial(_remind_expiry, action, kind, now))
    return sent


def _send_logged(sent: list[int], send: Callable[[], ReliefReminder | None]) -> None:
    """One reminder in a transaction of its own: another worker's sending it first (the unique constraint) or one
    failing does not keep the others from being sent."""
    try:
        with transaction.atomic():
            reminder = send()
    except IntegrityError:
        return  # another worker sent it
    except DatabaseError:
        logger.exception("A relief reminder failed; the next run tries again")
        return
    if reminder is not None:
        sent.append(reminder.pk)


def _notify(reminder: ReliefReminder, people: list[User], now: datetime) -> None:
    notices = ReliefNotice.objects.bulk_create(
        [ReliefNotice(user=user, reminder=reminder, created_at=now) for user in people]
    )
    ids = [notice.pk for notice in notices]
    if ids:
        from protection.tasks import email_relief_notices

        transaction.on_commit(partial(email_relief_notices.enqueue, ids))


def _escalate_hhs(identification: VictimIdentification, now: datetime) -> ReliefReminder:
    case = identification.participant.case
    people = selectors.escalation_recipients(case)
    reminder = ReliefReminder.objects.create(
        kind=ReliefReminder.Kind.HHS_OVERDUE,
        case=case,
        identification=identification,
        due=selectors.hhs_due(identification),
        sent_at=now,
        told=len(people),
    )
    _notify(reminder, people, now)
    audit_record(
        action="protection.hhs_notice.overdue",
        actor=None,
        target=identification.participant,
        details={"case_id": case.pk, "person_id": identification.participant.person_id, "told": len(people)},
    )
    return reminder


def _remind_expiry(action: ReliefAction, kind: str, now: datetime) -> ReliefReminder:
    assert action.expires_on is not None
    people = selectors.expiry_recipients(action)
    due = _expiry_due(action.expires_on)
    reminder = ReliefReminder.objects.create(
        kind=kind, case=action.case, action=action, due=due, sent_at=now, told=len(people)
    )
    _notify(reminder, people, now)
    audit_record(
        action="protection.relief.expiry_reminded",
        actor=None,
        target=action.participant,
        details={
            "case_id": action.case_id,
            "person_id": action.participant.person_id,
            "relief_id": action.pk,
            "told": len(people),
        },
    )
    return reminder


def _expiry_due(expires_on: date) -> datetime:
    """The moment an expiry is reminded about: what keys its reminders with the action and the threshold."""
    return timezone.make_aware(datetime.combine(expires_on, datetime.min.time()))


def relief_notices_mark_read(*, user: User) -> int:
    return ReliefNotice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
