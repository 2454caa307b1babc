"""The people in cases and their consents to release personal information (docs/architecture.md §4.6)."""

import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, User
from cases import selectors
from cases.models import Case, CaseParticipant, Consent, Person
from cases.services.requests import consent_requests_fulfil
from cases.services.victims import identifications_follow_date_of_birth
from portal.audit import audit_record
from portal.idempotency import create_once
from portal.models import AuditEvent

# What a correction may change: the record's own fields (not who entered it, nor its number).
EDITABLE_PERSON_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "nationality",
    "languages",
    "preferred_language",
    "languages_note",
    "phone",
    "email",
    "address",
)


class StalePersonEdit(ValidationError):
    """Someone saved the person's record since the form was opened: nothing is overwritten."""

    def __init__(self, changed_fields: list[str], changed_by: str) -> None:
        self.changed_fields = changed_fields
        super().__init__(
            _(
                "%(who)s changed this person's record (%(fields)s) while you were editing it. Nothing was saved: "
                "check their changes below, then make yours again."
            )
            % {"who": changed_by or _("Someone"), "fields": ", ".join(changed_fields) or "—"},
            code="stale",
        )


def person_add_to_case(
    *,
    case: Case,
    role: str,
    actor: User,
    submission_key: uuid.UUID | None = None,
    request: HttpRequest | None = None,
    **person_fields: Any,
) -> CaseParticipant:
    """Record a person in a case. The actor's agency is recorded as the one that entered them: if it is a victim
    service provider, other agencies see their PII only through a consent. The same ``submission_key`` again (the
    form sent twice) gives the first participant back: the person is not recorded twice."""
    case = selectors.case_get_for_user(actor, case.pk, selectors.CHANGE)
    if role not in CaseParticipant.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    person = Person(entered_by_agency=actor.agency, entered_by=actor, **person_fields)
    person.full_clean()

    def create(key: uuid.UUID | None) -> CaseParticipant:
        with transaction.atomic():
            person.save()
            participant = CaseParticipant.objects.create(
                case=case, person=person, role=role, added_by=actor, submission_key=key
            )
            audit_record(
                action="cases.participant.added",
                actor=actor,
                request=request,
                target=case,
                details={"person_id": person.pk, "role": role},
            )
        return participant

    return create_once(CaseParticipant, actor=actor, key=submission_key, create=create)


def person_update(
    *,
    case: Case,
    person: Person,
    version: int,
    actor: User,
    request: HttpRequest | None = None,
    **changes: Any,
) -> Person:
    """Correct a person's record, seen from ``case``, made on ``version`` of it; refuse it if the record changed since
    (``StalePersonEdit``). Only who may see all of it and change the case corrects it, and a victim service
    provider's client only that provider (``selectors.person_edit_access``). The audit event names the fields
    changed, never their values."""
    unknown = set(changes) - set(EDITABLE_PERSON_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be edited: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    selectors.person_edit_access(actor, case.pk, person.pk)
    with transaction.atomic():
        current = Person.objects.select_for_update().get(pk=person.pk)
        if current.version != version:
            last = (
                AuditEvent.objects.filter(
                    action="cases.person.updated", object_type="cases.person", object_id=str(person.pk)
                )
                .order_by("-occurred_at", "-id")
                .first()
            )
            raise StalePersonEdit(
                changed_fields=last.details.get("fields", []) if last else [],
                changed_by=last.actor_email if last else "",
            )
        before = {name: getattr(current, name) for name in EDITABLE_PERSON_FIELDS}
        for name, value in changes.items():
            setattr(current, name, value)
        current.full_clean()
        changed = [name for name in EDITABLE_PERSON_FIELDS if getattr(current, name) != before[name]]
        if not changed:
            return current
        current.version += 1
        current.save()
        if "date_of_birth" in changed:
            identifications_follow_date_of_birth(current)
        audit_record(
            action="cases.person.updated",
            actor=actor,
            request=request,
            target=current,
            details={"case_id": case.pk, "fields": changed},
        )
    return current


def person_link_to_case(
    *,
    case: Case,
    person: Person,
    role: str,
    actor: User,
    submission_key: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> CaseParticipant:
    """Add a person already recorded to another case, rather than recording them twice. ``actor`` must be able to
    find them (``selectors.person_findable_get``: the person search's rule) and to change ``case``; the record
    stays the one its agency entered, so a victim service provider's client is still released only by consent."""
    case = selectors.case_get_for_user(actor, case.pk, selectors.CHANGE)
    person = selectors.person_findable_get(actor, person.pk)
    if role not in CaseParticipant.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if case.participants.filter(person=person, role=role).exists():
        raise ValidationError({"role": _("This person is already in the case in this role.")})
    suspect = CaseParticipant.Role.SUSPECT
    if role != suspect and person.participations.filter(role=suspect).exists():
        # A suspect's identity is law-enforcement-sensitive wherever they are one: added as anyone else, they would
        # show to every reader of the new case.
        raise ValidationError({"role": _("This person is a suspect in another case: add them as a suspect.")})

    def create(key: uuid.UUID | None) -> CaseParticipant:
        with transaction.atomic():
            participant = CaseParticipant.objects.create(
                case=case, person=person, role=role, added_by=actor, submission_key=key
            )
            audit_record(
                action="cases.participant.added",
                actor=actor,
                request=request,
                target=case,
                details={"person_id": person.pk, "role": role, "existing": True},
            )
        return participant

    return create_once(CaseParticipant, actor=actor, key=submission_key, create=create)


def consent_record(
    *,
    person: Person,
    recipient_agency: Agency,
    categories: list[str],
    purpose: str,
    signed_on: date,
    expires_on: date,
    actor: User,
    submission_key: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> Consent:
    """Record a victim's written consent to release PII to one agency. Only the victim service provider that holds
    the person's information records it; an expiry is required (VAWA: reasonably time-limited). The same
    ``submission_key`` again (the form sent twice) gives the first consent back."""
    if not selectors.can_record_consent(actor, person) or actor.agency is None:
        raise PermissionDenied(_("Only the agency that holds this person's information records their consent."))
    unknown = set(categories) - set(Consent.Category.values)
    if not categories or unknown:
        raise ValidationError({"categories": _("Choose what the person agreed to release.")})
    if recipient_agency.pk == actor.agency.pk:
        raise ValidationError({"recipient_agency": _("Consent is for releasing information to another agency.")})
    if expires_on <= signed_on:
        raise ValidationError({"expires_on": _("A consent expires after the day it was signed.")})
    longest = settings.PORTAL_CONSENT_MAX_DAYS
    if (expires_on - signed_on).days > longest:
        raise ValidationError(
            {"expires_on": _("A consent lasts at most %(days)s days (it must be time-limited).") % {"days": longest}}
        )
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("A consent cannot be signed in the future.")})
    holder = actor.agency

    def create(key: uuid.UUID | None) -> Consent:
        with transaction.atomic():
            consent = Consent.objects.create(
                person=person,
                holder_agency=holder,
                recipient_agency=recipient_agency,
                categories=sorted(set(categories)),
                purpose=purpose,
                signed_on=signed_on,
                expires_on=expires_on,
                recorded_by=actor,
                submission_key=key,
            )
            audit_record(
                action="cases.consent.recorded",
                actor=actor,
                request=request,
                target=consent,
                details={
                    "person_id": person.pk,
                    "recipient_agency_id": recipient_agency.pk,
                    "categories": consent.categories,
                    "expires_on": expires_on.isoformat(),
                },
            )
            # it answers the recipient's open request for it, if any (decision 0025)
            consent_requests_fulfil(consent=consent, actor=actor, request=request)
        return consent

    return create_once(Consent, actor=actor, key=submission_key, create=create)


def consent_revoke(*, consent: Consent, actor: User, request: HttpRequest | None = None) -> None:
    """The victim withdrew their consent: the recipient stops seeing the PII at its next request."""
    if not selectors.can_revoke_consent(actor, consent):
        raise PermissionDenied(_("Only the agency that recorded a consent revokes it."))
    with transaction.atomic():
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        if consent.revoked_at is not None:
            return
        consent.revoked_at = timezone.now()
        consent.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            action="cases.consent.revoked",
            actor=actor,
            request=request,
            target=consent,
            details={"person_id": consent.person_id, "recipient_agency_id": consent.recipient_agency_id},
        )
