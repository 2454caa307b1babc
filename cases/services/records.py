"""A case's needs, the services its victims received, its notes and files."""

import uuid
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, User
from cases import selectors
from cases.models import Case, CaseParticipant, Document, Need, Note, Person, ServiceEvent, Visibility
from portal.audit import audit_record
from portal.idempotency import create_once
from portal.uploads import MAX_DOCUMENT_BYTES as MAX_DOCUMENT_BYTES  # the portal's rule for kept documents
from portal.uploads import document_checked


def need_add(
    *,
    case: Case,
    person: Person,
    category: str,
    actor: User,
    urgency: str = Need.Urgency.ROUTINE,
    details: str = "",
    submission_key: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> Need:
    """Record a victim's need. The same ``submission_key`` again (the form sent twice) gives the first need back."""
    case = selectors.case_get_for_user(actor, case.pk, selectors.CHANGE)
    if not case.participants.filter(person=person).exists():
        raise ValidationError({"person": _("This person is not in the case.")})
    if category not in Need.Category.values or urgency not in Need.Urgency.values:
        raise ValidationError(_("Choose a need and an urgency from the lists."))

    def create(key: uuid.UUID | None) -> Need:
        with transaction.atomic():
            need = Need.objects.create(
                case=case, person=person, category=category, urgency=urgency, details=details, submission_key=key
            )
            audit_record(
                action="cases.need.added",
                actor=actor,
                request=request,
                target=case,
                details={"need_id": need.pk, "category": category, "urgency": urgency},
            )
        return need

    return create_once(Need, actor=actor, key=submission_key, create=create)


def need_mark_met(*, need: Need, actor: User, request: HttpRequest | None = None) -> None:
    """Those who may change the case mark a need they may see as met; a need hidden from them is a 404."""
    access = selectors.case_access_for_user(actor, need.case_id, selectors.CHANGE)
    if not selectors.needs_visible_to(actor, access.case, access.permissions).filter(pk=need.pk).exists():
        raise Http404
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        if need.is_met:
            return  # marked met by someone else a moment ago (or a form sent twice): nothing changes
        need.mark_met()
        need.save(update_fields=["status", "updated_at"])
        audit_record(
            action="cases.need.met", actor=actor, request=request, target=need.case, details={"need_id": need.pk}
        )


def _service_checked(*, category: str, on: date | None, kind: str) -> dict[str, str]:
    """The errors of a service's category, date and kind, by field (none when they are good)."""
    errors: dict[str, str] = {}
    if category not in ServiceEvent.Category.values:
        errors["category"] = _("Choose the service from the list.")
    if kind not in ServiceEvent.Kind.values:
        errors["kind"] = _("Say whether the service was delivered or the person referred.")
    if on is None:
        errors["on"] = _("Say when.")
    elif on > timezone.localdate():
        errors["on"] = _("The date of a service cannot be in the future.")
    return errors


def service_event_record(
    *,
    actor: User,
    participant: CaseParticipant,
    category: str,
    on: date | None,
    kind: str = ServiceEvent.Kind.DELIVERED,
    provider_name: str = "",
    program: str = "",
    submission_key: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> ServiceEvent:
    """Record a service ``participant``, a victim, received from the actor's agency (``delivered``: the provider is
    that agency) or a referral the agency made for them outside the portal (``referred``: to ``provider_name``).
    Who may is ``selectors.may_record_service`` (404 / 403 / a ``ValidationError`` for someone who is not a victim,
    as ``selectors.service_record_access``). The date is never in the future. The audit event names ids and the
    kind, never the category or the program. The same ``submission_key`` again gives the first record back."""
    _access, participant = selectors.service_record_access(actor, participant.case_id, participant.person_id)
    agency = actor.agency
    if agency is None:
        raise PermissionDenied
    errors = _service_checked(category=category, on=on, kind=kind)
    provider_name, program = provider_name.strip(), program.strip()
    if kind == ServiceEvent.Kind.REFERRED and not provider_name:
        errors["provider_name"] = _("Say to whom the person was referred.")
    if errors or on is None:
        raise ValidationError(errors)
    delivered, day = kind == ServiceEvent.Kind.DELIVERED, on

    def create(key: uuid.UUID | None) -> ServiceEvent:
        with transaction.atomic():
            event = ServiceEvent(
                participant=participant,
                category=category,
                kind=kind,
                provided_on=day,
                provider=agency if delivered else None,
                provider_name="" if delivered else provider_name,
                program=program,
                recorded_by=actor,
                recorded_by_agency=agency,
                submission_key=key,
            )
            # The key is ``create_once``'s to check (a race ends in its IntegrityError, answered with the first).
            event.full_clean(exclude=["participant", "recorded_by", "recorded_by_agency", "provider", "submission_key"])
            event.save()
            audit_record(
                action="cases.service_event.recorded",
                actor=actor,
                request=request,
                target=participant.case,
                details={"service_event_ids": [event.pk], "person_id": participant.person_id, "kind": kind},
            )
        return event

    return create_once(ServiceEvent, actor=actor, key=submission_key, create=create)


REASON_MAX_LENGTH = 2000  # why a service is marked entered in error: the form's limit too


def service_event_mark_entered_in_error(
    *, actor: User, case_pk: int, event_pk: int, reason: str, request: HttpRequest | None = None
) -> bool:
    """Mark a service recorded directly as entered in error: whoever may record one for its victim may
    (``selectors.service_event_to_correct``: 404 / 403). The row stays, with who withdrew it, when and why; no page,
    packet or report shows or counts it again (``ServiceEvent.objects.standing``). A reason is required. A service a
    referral recorded follows its referral (marked entered in error, it withdraws them all): refused here with a
    ``ValidationError``. One audit event naming ids only (never the category, the program or the reason, which may
    say something of the person's health). True if marked now; false if it already was (a form sent twice, or
    someone else a moment before): nothing changes then."""
    _access, event = selectors.service_event_to_correct(actor, case_pk, event_pk)
    if event.referral_id is not None:
        raise ValidationError(
            _(
                "This service was recorded when its referral was completed: it follows that referral. If the referral "
                "was entered in error, mark the referral so."
            ),
            code="from_referral",
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say what was entered in error.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("Say it in 2,000 characters or fewer.")})
    with transaction.atomic():
        event = ServiceEvent.objects.select_for_update().select_related("participant__case").get(pk=event.pk)
        if event.is_withdrawn:
            return False
        event.withdrawn_at, event.withdrawn_by, event.withdrawn_reason = timezone.now(), actor, reason
        event.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason", "updated_at"])
        audit_record(
            action="cases.service_event.entered_in_error",
            actor=actor,
            request=request,
            target=event.participant.case,
            details={"service_event_ids": [event.pk], "person_id": event.participant.person_id},
        )
    return True


def service_events_withdraw_for_referral(*, referral_id: int, actor: User, request: HttpRequest | None = None) -> int:
    """A referral marked entered in error delivered nothing: the services its completion recorded are withdrawn (the
    grant reports would count them), in the step's transaction, with one audit event naming ids only. The rows stay,
    marked as a service entered in error is (the reason is the referral's step). The number withdrawn."""
    with transaction.atomic():
        events = list(
            ServiceEvent.objects.standing()
            .filter(referral_id=referral_id)
            .select_related("participant__case")
            .order_by("pk")
        )
        if not events:
            return 0
        now = timezone.now()
        ServiceEvent.objects.filter(pk__in=[event.pk for event in events]).update(
            withdrawn_at=now, withdrawn_by=actor, updated_at=now
        )
        participant = events[0].participant
        audit_record(
            action="cases.service_event.withdrawn",
            actor=actor,
            request=request,
            target=participant.case,
            details={
                "service_event_ids": [event.pk for event in events],
                "person_id": participant.person_id,
                "referral_id": referral_id,
            },
        )
    return len(events)


def service_events_from_referral(
    *,
    referral_id: int,
    participant: CaseParticipant,
    categories: Iterable[str],
    on: date,
    provider: Agency | None,
    provider_name: str,
    actor: User,
    actor_agency: Agency,
    request: HttpRequest | None = None,
) -> list[ServiceEvent]:
    """The services a completed service referral delivered to ``participant``: one per category, each once however
    often this runs for the referral (a retry, a second completion): the categories it already recorded are
    skipped, and the unique constraint ``service_event_once_per_referral`` refuses a copy. Called by ``referrals``
    inside its step's transaction, with the referral's row locked: the step's own rule (the recipient's side, or
    the sender on behalf of a recipient outside the portal) is the right, since the recipient of a service referral
    does not see the case. One audit event for them all (ids, never categories)."""
    if participant.role != CaseParticipant.Role.VICTIM:
        raise ValidationError(_("Services are recorded for a victim in the case."), code="not_a_victim")
    wanted = sorted({category for category in categories if category in ServiceEvent.Category.values})
    with transaction.atomic():
        done = set(
            ServiceEvent.objects.filter(referral_id=referral_id, category__in=wanted).values_list("category", flat=True)
        )
        events = [
            ServiceEvent.objects.create(
                participant=participant,
                category=category,
                kind=ServiceEvent.Kind.DELIVERED,
                provided_on=on,
                provider=provider,
                provider_name="" if provider is not None else provider_name[:200],
                referral_id=referral_id,
                recorded_by=actor,
                recorded_by_agency=actor_agency,
            )
            for category in wanted
            if category not in done
        ]
        if events:
            audit_record(
                action="cases.service_event.recorded",
                actor=actor,
                request=request,
                target=participant.case,
                details={
                    "service_event_ids": [event.pk for event in events],
                    "person_id": participant.person_id,
                    "kind": ServiceEvent.Kind.DELIVERED,
                    "referral_id": referral_id,
                },
            )
    return events


def note_add(
    *,
    case: Case,
    text: str,
    actor: User,
    visibility: str = Visibility.CASE_TEAM,
    about: Iterable[Person] = (),
    submission_key: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> Note:
    """Those who may change a case add notes to it; a law-enforcement-sensitive note also needs that permission.
    A victim service provider's note names whom it is about (``about``), among its clients in the case: required
    when it has any there, since another agency reads the note only through each one's consent. The same
    ``submission_key`` again (the form sent twice) gives the first note back."""
    access = selectors.case_access_for_user(actor, case.pk, selectors.CHANGE)
    case, agency = access.case, actor.agency
    if agency is None or (visibility == Visibility.LAW_ENFORCEMENT and not access.may_see_le):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    about = list(about)
    clients = {person.pk for person in selectors.note_subjects_for(actor, case)}
    if any(person.pk not in clients for person in about):
        raise ValidationError({"about": _("A note is about your agency's clients in the case.")})
    if clients and not about:
        raise ValidationError({"about": _("Say which of your clients the note is about.")})

    def create(key: uuid.UUID | None) -> Note:
        with transaction.atomic():
            note = Note.objects.create(
                case=case, author=actor, author_agency=agency, text=text, visibility=visibility, submission_key=key
            )
            note.about.set(about)
            audit_record(
                action="cases.note.added",
                actor=actor,
                request=request,
                target=case,
                details={"note_id": note.pk, "visibility": visibility, "about": sorted(person.pk for person in about)},
            )
        return note

    return create_once(Note, actor=actor, key=submission_key, create=create)


def document_upload(
    *,
    case: Case,
    uploaded_file: UploadedFile,
    actor: User,
    description: str = "",
    visibility: str = Visibility.CASE_TEAM,
    submission_key: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> Document:
    """Store a file with a case, outside anything served publicly. Its type is read from its content. The same
    ``submission_key`` again (the upload sent twice) gives the first document back and stores no second file."""
    access = selectors.case_access_for_user(actor, case.pk, selectors.CHANGE)
    case = access.case
    if visibility == Visibility.LAW_ENFORCEMENT and not access.may_see_le:
        raise PermissionDenied
    size, content_type = document_checked(uploaded_file)

    def create(key: uuid.UUID | None) -> Document:
        with transaction.atomic():
            document = Document(
                case=case,
                original_name=(uploaded_file.name or "")[:255],
                content_type=content_type,
                size=size,
                description=description,
                visibility=visibility,
                uploaded_by=actor,
                uploaded_by_agency=actor.agency,
                submission_key=key,
            )
            document.file.save("upload", uploaded_file, save=False)
            try:
                document.save()
            except IntegrityError:  # the same upload at the same moment: keep no second file
                document.file.delete(save=False)
                raise
            audit_record(
                action="cases.document.uploaded",
                actor=actor,
                request=request,
                target=case,
                details={"document_id": document.pk, "content_type": content_type, "size": document.size},
            )
        return document

    return create_once(Document, actor=actor, key=submission_key, create=create)
