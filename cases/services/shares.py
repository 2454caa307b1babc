"""Who else sees a case: shares granted, approved, declined, revoked and withdrawn, and the guardian rows that
follow from the active share (docs/architecture.md §4.5), derived here and nowhere else."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, User
from cases import selectors
from cases.models import Case, CaseGroupObjectPermission, CaseNotice, CaseShare
from cases.services.notices import share_notices_send
from portal.audit import audit_record

# What each share level grants, on top of nothing: the lead agency holds all four.
SHARE_LEVEL_PERMISSIONS: dict[str, tuple[str, ...]] = {
    CaseShare.Level.SUMMARY: (selectors.VIEW,),
    CaseShare.Level.PERSONAL: (selectors.VIEW, selectors.VIEW_PII),
    CaseShare.Level.LAW_ENFORCEMENT: (selectors.VIEW, selectors.VIEW_PII, selectors.VIEW_LE),
    CaseShare.Level.COLLABORATE: selectors.CASE_PERMISSIONS,
}
LAW_ENFORCEMENT_LEVELS = frozenset({CaseShare.Level.LAW_ENFORCEMENT, CaseShare.Level.COLLABORATE})


def share_level_allowed(agency: Agency, level: str) -> bool:
    """Law-enforcement-sensitive information goes only to law enforcement and prosecutors: the rule of a share, and
    of a referral asking an agency to join a case."""
    return level not in LAW_ENFORCEMENT_LEVELS or agency.is_law_enforcement


def share_level_check(*, agency: Agency, level: str, field: str = "level") -> None:
    """``share_level_allowed``, or a ``ValidationError`` on ``field`` saying why not."""
    if not share_level_allowed(agency, level):
        raise ValidationError(
            {field: _("Law-enforcement-sensitive information is shared only with law enforcement and prosecutors.")}
        )


def _permissions(codenames: Iterable[str]) -> list[Permission]:
    return list(Permission.objects.filter(content_type__app_label="cases", codename__in=list(codenames)))


def _grant_to_agency(case: Case, agency: Agency, codenames: Iterable[str]) -> None:
    CaseGroupObjectPermission.objects.bulk_create(
        [
            CaseGroupObjectPermission(content_object=case, group_id=agency.group_id, permission=permission)
            for permission in _permissions(codenames)
        ],
        ignore_conflicts=True,
    )


def case_share_grant(
    *,
    case: Case,
    agency: Agency,
    level: str,
    reason: str,
    actor: User,
    expires_on: date | None = None,
    request: HttpRequest | None = None,
    audit_details: dict[str, Any] | None = None,
) -> CaseShare:
    """Share a case with another agency at a level. Only the lead agency shares its case, and a task force's case
    only within the task force (``selectors.share_candidates``); a supervisor's share takes effect at once, a
    caseworker's waits for a supervisor's approval (``case_share_approve``). A new share replaces the agency's
    current one; the guardian rows come and go with the active share, in the same transaction. ``audit_details``
    add to the event's details (e.g. the referral whose acceptance carries out ``actor``'s choice)."""
    access = selectors.case_access_for_user(actor, case.pk, selectors.MANAGE)
    case = access.case
    if agency.pk == case.lead_agency_id:
        raise ValidationError({"agency": _("The lead agency already sees everything in its case.")})
    if not selectors.share_candidates(case).filter(pk=agency.pk).exists():
        raise ValidationError({"agency": _("A task force's case is shared only with the task force's agencies.")})
    if level not in SHARE_LEVEL_PERMISSIONS:
        raise ValidationError({"level": _("Unknown share level.")})
    share_level_check(agency=agency, level=level)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the agency needs to see this case.")})
    if expires_on is not None and expires_on <= timezone.localdate():
        raise ValidationError({"expires_on": _("The end must be in the future.")})
    decides = access.decides
    with transaction.atomic():
        current = (
            CaseShare.objects.select_for_update()
            .filter(case=case, agency=agency, status__in=[CaseShare.Status.REQUESTED, CaseShare.Status.ACTIVE])
            .first()
        )
        if current is not None:
            if current.status == CaseShare.Status.ACTIVE and not decides:
                raise ValidationError(
                    {"agency": _("The case is already shared with this agency; a supervisor changes the level.")}
                )
            _end(current, actor, request, reason="replaced")
        try:
            with transaction.atomic():
                share = CaseShare.objects.create(
                    case=case,
                    agency=agency,
                    level=level,
                    reason=reason,
                    granted_by=actor,
                    expires_on=expires_on,
                    replaces=current,
                )
        except IntegrityError:  # someone shared the case with the same agency at the same moment
            raise ValidationError(
                {"agency": _("The case was just shared with this agency. Reload the page.")}
            ) from None
        if decides:
            _activate(share, actor, request, audit_details)
        else:
            audit_record(
                action="cases.share.requested",
                actor=actor,
                request=request,
                target=case,
                details={"share_id": share.pk, "agency_id": agency.pk, "level": level, **(audit_details or {})},
            )
            share_notices_send(share=share, verb=CaseNotice.Verb.SHARE_REQUESTED, actor=actor)
    return share


def case_share_approve(*, share: CaseShare, actor: User, request: HttpRequest | None = None) -> CaseShare:
    """A supervisor of the lead agency approves a requested share: the agency sees the case from now on."""
    selectors.case_get_for_user(actor, share.case_id, selectors.DECIDE)
    with transaction.atomic():
        share = CaseShare.objects.select_for_update().select_related("case", "agency").get(pk=share.pk)
        if share.status != CaseShare.Status.REQUESTED:
            raise ValidationError(_("This share was already decided."))
        _activate(share, actor, request)
        share_notices_send(share=share, verb=CaseNotice.Verb.SHARE_APPROVED, actor=actor)
    return share


def case_share_decline(*, share: CaseShare, actor: User, request: HttpRequest | None = None) -> None:
    selectors.case_get_for_user(actor, share.case_id, selectors.DECIDE)
    with transaction.atomic():
        share = CaseShare.objects.select_for_update().get(pk=share.pk)
        if share.status != CaseShare.Status.REQUESTED:
            raise ValidationError(_("This share was already decided."))
        share.decline(by=actor)
        share.save(update_fields=["status", "revoked_at", "revoked_by", "updated_at"])
        audit_record(
            action="cases.share.declined",
            actor=actor,
            request=request,
            target=share.case,
            details={"share_id": share.pk, "agency_id": share.agency_id},
        )
        share_notices_send(share=share, verb=CaseNotice.Verb.SHARE_DECLINED, actor=actor)


def _activate(
    share: CaseShare, actor: User, request: HttpRequest | None, audit_details: dict[str, Any] | None = None
) -> None:
    share.approve(by=actor)
    share.save(update_fields=["status", "approved_by", "updated_at"])
    _grant_to_agency(share.case, share.agency, SHARE_LEVEL_PERMISSIONS[share.level])
    audit_record(
        action="cases.share.granted",
        actor=actor,
        request=request,
        target=share.case,
        details={"share_id": share.pk, "agency_id": share.agency_id, "level": share.level, **(audit_details or {})},
    )


def case_share_revoke(
    *,
    share: CaseShare,
    actor: User,
    reason: str,
    request: HttpRequest | None = None,
    audit_details: dict[str, Any] | None = None,
) -> None:
    """End a share (or withdraw a request), saying why: the agency stops seeing the case at its next request. Who
    may end which share is ``CaseAccess.may_end_share``: a request by anyone who manages the case, a share a
    supervisor approved only by a supervisor."""
    access = selectors.case_access_for_user(actor, share.case_id, selectors.MANAGE)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the agency should stop seeing the case.")})
    with transaction.atomic():
        share = CaseShare.objects.select_for_update().select_related("agency").get(pk=share.pk)
        if share.status not in {CaseShare.Status.REQUESTED, CaseShare.Status.ACTIVE}:
            return
        if not access.may_end_share(share):
            raise PermissionDenied(_("A supervisor approved this share: a supervisor ends it."))
        share.end_reason = reason.strip()
        _end(share, actor, request, audit_details=audit_details)


def case_share_withdraw(
    *, share: CaseShare, actor: User, request: HttpRequest | None = None, audit_details: dict[str, Any] | None = None
) -> CaseShare | None:
    """Undo a share made in error: end it and put back the share it replaced, as its granter had decided it (the
    earlier access was another act's). Returns the reinstated share, if any. Narrowing, so anyone of the lead
    agency who manages the case may do it."""
    selectors.case_get_for_user(actor, share.case_id, selectors.MANAGE)
    with transaction.atomic():
        share = (
            CaseShare.objects.select_for_update(of=("self",))
            .select_related("replaces", "agency", "case")
            .get(pk=share.pk)
        )
        if share.status not in {CaseShare.Status.REQUESTED, CaseShare.Status.ACTIVE}:
            return None
        _end(share, actor, request, reason="withdrawn", audit_details=audit_details)
        earlier = share.replaces
        if earlier is None or (earlier.expires_on is not None and earlier.expires_on <= timezone.localdate()):
            return None
        reinstated = CaseShare.objects.create(
            case=share.case,
            agency=share.agency,
            level=earlier.level,
            reason=earlier.reason,
            granted_by=earlier.granted_by,
            expires_on=earlier.expires_on,
        )
        if earlier.approved_by_id is not None:
            reinstated.approve(by=earlier.approved_by)
            reinstated.save(update_fields=["status", "approved_by", "updated_at"])
            _grant_to_agency(share.case, share.agency, SHARE_LEVEL_PERMISSIONS[reinstated.level])
        audit_record(
            action="cases.share.reinstated",
            actor=actor,
            request=request,
            target=share.case,
            details={
                "share_id": reinstated.pk,
                "reinstates": earlier.pk,
                "agency_id": share.agency_id,
                "level": reinstated.level,
                "status": reinstated.status,
                **(audit_details or {}),
            },
        )
        return reinstated


def _end(
    share: CaseShare,
    actor: User,
    request: HttpRequest | None,
    reason: str = "revoked",
    audit_details: dict[str, Any] | None = None,
) -> None:
    was_active = share.status == CaseShare.Status.ACTIVE
    share.revoke(by=actor)
    share.save(update_fields=["status", "revoked_at", "revoked_by", "end_reason", "updated_at"])
    if was_active:
        CaseGroupObjectPermission.objects.filter(
            content_object_id=share.case_id, group_id=share.agency.group_id
        ).delete()
    audit_record(
        action="cases.share.revoked",
        actor=actor,
        request=request,
        target=share.case,
        details={"share_id": share.pk, "agency_id": share.agency_id, "reason": reason, **(audit_details or {})},
    )
