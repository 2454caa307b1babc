"""Every write to cases, shares, consents and the people in cases. Each checks the actor's right through
``cases.selectors``, writes in one transaction with its audit event, and derives the guardian rows itself."""

from datetime import date

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, TaskForce
from cases import selectors
from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseNumberSequence,
    CaseParticipant,
    CaseShare,
    Consent,
    Person,
)
from portal.audit import audit_record

# What each share level grants, on top of nothing: the lead agency holds all four.
SHARE_LEVEL_PERMISSIONS: dict[str, tuple[str, ...]] = {
    CaseShare.Level.SUMMARY: (selectors.VIEW,),
    CaseShare.Level.PERSONAL: (selectors.VIEW, selectors.VIEW_PII),
    CaseShare.Level.LAW_ENFORCEMENT: (selectors.VIEW, selectors.VIEW_PII, selectors.VIEW_LE),
    CaseShare.Level.COLLABORATE: selectors.CASE_PERMISSIONS,
}
LAW_ENFORCEMENT_LEVELS = frozenset({CaseShare.Level.LAW_ENFORCEMENT, CaseShare.Level.COLLABORATE})


def _permissions(codenames) -> list[Permission]:
    return list(Permission.objects.filter(content_type__app_label="cases", codename__in=list(codenames)))


def _grant_to_agency(case: Case, agency: Agency, codenames) -> None:
    CaseGroupObjectPermission.objects.bulk_create(
        [
            CaseGroupObjectPermission(content_object=case, group_id=agency.group_id, permission=permission)
            for permission in _permissions(codenames)
        ],
        ignore_conflicts=True,
    )


def _next_case_number(year: int) -> str:
    sequence, _created = CaseNumberSequence.objects.select_for_update().get_or_create(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"HT-{year}-{sequence.last:05d}"


def case_create(
    *,
    actor,
    title: str,
    intake_channel: str,
    case_type: str = Case.Type.UNKNOWN,
    summary: str = "",
    jurisdiction: str = "",
    indicators: list[str] | tuple[str, ...] = (),
    le_narrative: str = "",
    task_force: TaskForce | None = None,
    opened_on: date | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Open a case led by the actor's agency, which holds every permission on it."""
    if actor.agency is None or not actor.has_perm("cases.add_case"):
        raise PermissionDenied(_("You cannot open cases."))
    unknown = set(indicators) - set(Case.Indicator.values)
    if unknown:
        raise ValidationError(
            {"indicators": _("Unknown indicators: %(codes)s") % {"codes": ", ".join(sorted(unknown))}}
        )
    if task_force is not None and not task_force.agencies.filter(pk=actor.agency.pk).exists():
        raise ValidationError({"task_force": _("Your agency is not a member of this task force.")})
    opened_on = opened_on or timezone.localdate()
    with transaction.atomic():
        case = Case.objects.create(
            number=_next_case_number(opened_on.year),
            title=title,
            case_type=case_type,
            intake_channel=intake_channel,
            summary=summary,
            jurisdiction=jurisdiction,
            indicators=sorted(set(indicators)),
            le_narrative=le_narrative,
            task_force=task_force,
            opened_on=opened_on,
            lead_agency=actor.agency,
            created_by=actor,
        )
        _grant_to_agency(case, actor.agency, selectors.CASE_PERMISSIONS)
        audit_record(action="cases.case.created", actor=actor, request=request, target=case)
    return case


def case_share_grant(
    *,
    case: Case,
    agency: Agency,
    level: str,
    reason: str,
    actor,
    expires_on: date | None = None,
    request: HttpRequest | None = None,
) -> CaseShare:
    """Share a case with another agency at a level; the guardian rows come with the share, in one transaction.
    A new share replaces the agency's current one (a change of level is a revocation and a grant)."""
    case = selectors.case_get_for_user(actor, case.pk, selectors.CHANGE)
    if agency.pk == case.lead_agency_id:
        raise ValidationError({"agency": _("The lead agency already sees everything in its case.")})
    if level not in SHARE_LEVEL_PERMISSIONS:
        raise ValidationError({"level": _("Unknown share level.")})
    if level in LAW_ENFORCEMENT_LEVELS and not agency.is_law_enforcement:
        raise ValidationError(
            {"level": _("Law-enforcement-sensitive information is shared only with law enforcement and prosecutors.")}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the agency needs to see this case.")})
    if expires_on is not None and expires_on <= timezone.localdate():
        raise ValidationError({"expires_on": _("The expiry must be in the future.")})
    with transaction.atomic():
        current = (
            CaseShare.objects.select_for_update().filter(case=case, agency=agency, revoked_at__isnull=True).first()
        )
        if current is not None:
            _revoke(current, actor, request, reason="replaced")
        share = CaseShare.objects.create(
            case=case, agency=agency, level=level, reason=reason, granted_by=actor, expires_on=expires_on
        )
        _grant_to_agency(case, agency, SHARE_LEVEL_PERMISSIONS[level])
        audit_record(
            action="cases.share.granted",
            actor=actor,
            request=request,
            target=case,
            details={"share_id": share.pk, "agency_id": agency.pk, "level": level},
        )
    return share


def case_share_revoke(*, share: CaseShare, actor, request: HttpRequest | None = None) -> None:
    selectors.case_get_for_user(actor, share.case_id, selectors.CHANGE)
    with transaction.atomic():
        share = CaseShare.objects.select_for_update().get(pk=share.pk)
        if share.revoked_at is not None:
            return
        _revoke(share, actor, request)


def _revoke(share: CaseShare, actor, request: HttpRequest | None, reason: str = "revoked") -> None:
    share.revoked_at = timezone.now()
    share.revoked_by = actor
    share.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    CaseGroupObjectPermission.objects.filter(content_object_id=share.case_id, group_id=share.agency.group_id).delete()
    audit_record(
        action="cases.share.revoked",
        actor=actor,
        request=request,
        target=share.case,
        details={"share_id": share.pk, "agency_id": share.agency_id, "reason": reason},
    )


def person_add_to_case(
    *, case: Case, role: str, actor, request: HttpRequest | None = None, **person_fields
) -> CaseParticipant:
    """Record a person in a case. The actor's agency is recorded as the one that entered them: if it is a victim
    service provider, other agencies see their PII only through a consent."""
    case = selectors.case_get_for_user(actor, case.pk, selectors.CHANGE)
    if role not in CaseParticipant.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    with transaction.atomic():
        person = Person.objects.create(entered_by_agency=actor.agency, entered_by=actor, **person_fields)
        participant = CaseParticipant.objects.create(case=case, person=person, role=role, added_by=actor)
        audit_record(
            action="cases.participant.added",
            actor=actor,
            request=request,
            target=case,
            details={"person_id": person.pk, "role": role},
        )
    return participant


def consent_record(
    *,
    person: Person,
    recipient_agency: Agency,
    categories: list[str],
    purpose: str,
    signed_on: date,
    expires_on: date,
    actor,
    request: HttpRequest | None = None,
) -> Consent:
    """Record a victim's written consent to release PII to one agency. Only the victim service provider that holds
    the person's information records it; an expiry is required (VAWA: reasonably time-limited)."""
    if actor.agency is None or actor.agency.pk != person.entered_by_agency_id:
        raise PermissionDenied(_("Only the agency that holds this person's information records their consent."))
    unknown = set(categories) - set(Consent.Category.values)
    if not categories or unknown:
        raise ValidationError({"categories": _("Choose what the person agreed to release.")})
    if recipient_agency.pk == actor.agency.pk:
        raise ValidationError({"recipient_agency": _("Consent is for releasing information to another agency.")})
    if expires_on <= signed_on:
        raise ValidationError({"expires_on": _("A consent expires after the day it was signed.")})
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("A consent cannot be signed in the future.")})
    with transaction.atomic():
        consent = Consent.objects.create(
            person=person,
            holder_agency=actor.agency,
            recipient_agency=recipient_agency,
            categories=sorted(set(categories)),
            purpose=purpose,
            signed_on=signed_on,
            expires_on=expires_on,
            recorded_by=actor,
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
    return consent


def consent_revoke(*, consent: Consent, actor, request: HttpRequest | None = None) -> None:
    """The victim withdrew their consent: the recipient stops seeing the PII at its next request."""
    if actor.agency is None or actor.agency.pk != consent.holder_agency_id:
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
