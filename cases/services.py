"""Every write to cases, shares, consents and the people in cases. Each checks the actor's right through
``cases.selectors``, writes in one transaction with its audit event, and derives the guardian rows itself."""

import zipfile
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
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
    Document,
    MeetingPacket,
    Need,
    Note,
    Person,
    Visibility,
)
from portal.audit import audit_record
from portal.models import AuditEvent

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
    for name, value, choices in [("case_type", case_type, Case.Type), ("intake_channel", intake_channel, Case.Channel)]:
        if value not in choices.values:
            raise ValidationError({name: _("Choose one of the listed values.")})
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
    if level in LAW_ENFORCEMENT_LEVELS and not agency.is_law_enforcement:
        raise ValidationError(
            {"level": _("Law-enforcement-sensitive information is shared only with law enforcement and prosecutors.")}
        )
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
    return share


def case_share_approve(*, share: CaseShare, actor, request: HttpRequest | None = None) -> CaseShare:
    """A supervisor of the lead agency approves a requested share: the agency sees the case from now on."""
    selectors.case_get_for_user(actor, share.case_id, selectors.DECIDE)
    with transaction.atomic():
        share = CaseShare.objects.select_for_update().select_related("case", "agency").get(pk=share.pk)
        if share.status != CaseShare.Status.REQUESTED:
            raise ValidationError(_("This share was already decided."))
        _activate(share, actor, request)
    return share


def case_share_decline(*, share: CaseShare, actor, request: HttpRequest | None = None) -> None:
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


def _activate(
    share: CaseShare, actor, request: HttpRequest | None, audit_details: dict[str, Any] | None = None
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
    *, share: CaseShare, actor, request: HttpRequest | None = None, audit_details: dict[str, Any] | None = None
) -> None:
    """End a share (or withdraw a request): the agency stops seeing the case at its next request. Anyone of the
    lead agency who manages the case may narrow its audience; only widening it needs a supervisor."""
    selectors.case_get_for_user(actor, share.case_id, selectors.MANAGE)
    with transaction.atomic():
        share = CaseShare.objects.select_for_update().get(pk=share.pk)
        if share.status not in {CaseShare.Status.REQUESTED, CaseShare.Status.ACTIVE}:
            return
        _end(share, actor, request, audit_details=audit_details)


def case_share_withdraw(
    *, share: CaseShare, actor, request: HttpRequest | None = None, audit_details: dict[str, Any] | None = None
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
    actor,
    request: HttpRequest | None,
    reason: str = "revoked",
    audit_details: dict[str, Any] | None = None,
) -> None:
    was_active = share.status == CaseShare.Status.ACTIVE
    share.revoke(by=actor)
    share.save(update_fields=["status", "revoked_at", "revoked_by", "updated_at"])
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


def person_add_to_case(
    *, case: Case, role: str, actor, request: HttpRequest | None = None, **person_fields
) -> CaseParticipant:
    """Record a person in a case. The actor's agency is recorded as the one that entered them: if it is a victim
    service provider, other agencies see their PII only through a consent."""
    case = selectors.case_get_for_user(actor, case.pk, selectors.CHANGE)
    if role not in CaseParticipant.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    person = Person(entered_by_agency=actor.agency, entered_by=actor, **person_fields)
    person.full_clean()
    with transaction.atomic():
        person.save()
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
    if (
        actor.agency is None
        or actor.agency.pk != person.entered_by_agency_id
        or not actor.has_perm("cases.record_consent")
    ):
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
    if (
        actor.agency is None
        or actor.agency.pk != consent.holder_agency_id
        or not actor.has_perm("cases.record_consent")
    ):
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


def need_add(
    *,
    case: Case,
    person: Person,
    category: str,
    actor,
    urgency: str = Need.Urgency.ROUTINE,
    details: str = "",
    request: HttpRequest | None = None,
) -> Need:
    case = selectors.case_get_for_user(actor, case.pk, selectors.CHANGE)
    if not case.participants.filter(person=person).exists():
        raise ValidationError({"person": _("This person is not in the case.")})
    if category not in Need.Category.values or urgency not in Need.Urgency.values:
        raise ValidationError(_("Choose a need and an urgency from the lists."))
    with transaction.atomic():
        need = Need.objects.create(case=case, person=person, category=category, urgency=urgency, details=details)
        audit_record(
            action="cases.need.added",
            actor=actor,
            request=request,
            target=case,
            details={"need_id": need.pk, "category": category, "urgency": urgency},
        )
    return need


def need_mark_met(*, need: Need, actor, request: HttpRequest | None = None) -> None:
    """Those who may change the case mark a need they may see as met; a need hidden from them is a 404."""
    access = selectors.case_access_for_user(actor, need.case_id, selectors.CHANGE)
    if not selectors.needs_visible_to(actor, access.case, access.permissions).filter(pk=need.pk).exists():
        raise Http404
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        need.status = Need.Status.MET
        need.save(update_fields=["status", "updated_at"])
        audit_record(
            action="cases.need.met", actor=actor, request=request, target=need.case, details={"need_id": need.pk}
        )


def note_add(
    *,
    case: Case,
    text: str,
    actor,
    visibility: str = Visibility.CASE_TEAM,
    about=(),
    request: HttpRequest | None = None,
) -> Note:
    """Those who may change a case add notes to it; a law-enforcement-sensitive note also needs that permission.
    A victim service provider's note names whom it is about (``about``), among its clients in the case: required
    when it has any there, since another agency reads the note only through each one's consent."""
    access = selectors.case_access_for_user(actor, case.pk, selectors.CHANGE)
    case = access.case
    if visibility == Visibility.LAW_ENFORCEMENT and not access.may_see_le:
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    about = list(about)
    clients = {person.pk for person in selectors.note_subjects_for(actor, case)}
    if any(person.pk not in clients for person in about):
        raise ValidationError({"about": _("A note is about your agency's clients in the case.")})
    if clients and not about:
        raise ValidationError({"about": _("Say which of your clients the note is about.")})
    with transaction.atomic():
        note = Note.objects.create(
            case=case, author=actor, author_agency=actor.agency, text=text, visibility=visibility
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


MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# Content types recognised from the file's first bytes, not from its name or the browser's word.
DOCUMENT_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "text/plain": (),
}


WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _is_word_document(uploaded_file) -> bool:
    """A .docx is a ZIP archive; any ZIP is not a .docx: it must hold the parts of a Word document."""
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    finally:
        uploaded_file.seek(0)
    return {"[Content_Types].xml", "word/document.xml"} <= names


def sniff_content_type(head: bytes) -> str | None:
    for content_type, signatures in DOCUMENT_SIGNATURES.items():
        if any(head.startswith(signature) for signature in signatures):
            return content_type
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain" if b"\x00" not in head else None


def document_upload(
    *,
    case: Case,
    uploaded_file,
    actor,
    description: str = "",
    visibility: str = Visibility.CASE_TEAM,
    request: HttpRequest | None = None,
) -> Document:
    """Store a file with a case, outside anything served publicly. Its type is read from its content."""
    access = selectors.case_access_for_user(actor, case.pk, selectors.CHANGE)
    case = access.case
    if visibility == Visibility.LAW_ENFORCEMENT and not access.may_see_le:
        raise PermissionDenied
    if uploaded_file.size > MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": _("Files are limited to 20 MB.")})
    uploaded_file.seek(0)
    content_type = sniff_content_type(uploaded_file.read(2048))
    uploaded_file.seek(0)
    if content_type == WORD and not _is_word_document(uploaded_file):
        content_type = None
    if content_type is None:
        raise ValidationError({"file": _("Upload a PDF, an image (PNG or JPEG), a Word document or plain text.")})
    with transaction.atomic():
        document = Document(
            case=case,
            original_name=uploaded_file.name[:255],
            content_type=content_type,
            size=uploaded_file.size,
            description=description,
            visibility=visibility,
            uploaded_by=actor,
            uploaded_by_agency=actor.agency,
        )
        document.file.save("upload", uploaded_file, save=False)
        document.save()
        audit_record(
            action="cases.document.uploaded",
            actor=actor,
            request=request,
            target=case,
            details={"document_id": document.pk, "content_type": content_type, "size": document.size},
        )
    return document


def case_transition(
    *, case: Case, transition: str, actor, reason: str = "", request: HttpRequest | None = None
) -> Case:
    """Move a case along its status transitions (``start_investigation``, ``start_prosecution``, ``close``,
    ``reopen``); closing needs a reason."""
    if transition not in {"start_investigation", "start_prosecution", "close", "reopen"}:
        raise ValidationError(_("Unknown status change."))
    selectors.case_get_for_user(
        actor, case.pk, selectors.DECIDE if transition in {"close", "reopen"} else selectors.MANAGE
    )
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        previous = case.status
        method = getattr(case, transition)
        if transition == "close":
            if reason not in Case.ClosedReason.values:
                raise ValidationError({"reason": _("Say why the case is closed.")})
            method(reason=reason)
        else:
            method()
        case.version += 1
        case.save()
        audit_record(
            action="cases.case.status_changed",
            actor=actor,
            request=request,
            target=case,
            details={"from": previous, "to": case.status},
        )
    return case


EDITABLE_CASE_FIELDS = (
    "title",
    "case_type",
    "intake_channel",
    "summary",
    "jurisdiction",
    "indicators",
    "le_narrative",
    "task_force",
)


class StaleEdit(ValidationError):
    """Someone saved the case since the form was opened: nothing is overwritten."""

    def __init__(self, changed_fields: list[str], changed_by: str, changed_at) -> None:
        self.changed_fields = changed_fields
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__(
            _(
                "%(who)s changed this case at %(when)s (%(fields)s) while you were editing it. Nothing was saved: "
                "check their changes below, then make yours again."
            )
            % {
                "who": changed_by or _("Someone"),
                "when": f"{changed_at:%Y-%m-%d %H:%M}",
                "fields": ", ".join(changed_fields),
            },
            code="stale",
        )


def case_update(*, case: Case, version: int, actor, request: HttpRequest | None = None, **changes) -> Case:
    """Save an edit made on ``version`` of the case; refuse it if the case changed since. Editing the
    law-enforcement-sensitive narrative needs that permission."""
    unknown = set(changes) - set(EDITABLE_CASE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be edited: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    access = selectors.case_access_for_user(actor, case.pk, selectors.CHANGE)
    if "le_narrative" in changes and not access.may_see_le:
        changes.pop("le_narrative")
    if not access.manages:
        changes.pop("task_force", None)  # the task force decides the audience: the lead's to change
    task_force = changes.get("task_force")
    if task_force is not None and not task_force.agencies.filter(pk=access.case.lead_agency_id).exists():
        raise ValidationError({"task_force": _("The lead agency is not a member of this task force.")})
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        if current.version != version:
            last = (
                AuditEvent.objects.filter(
                    action__in=["cases.case.updated", "cases.case.status_changed"],
                    object_type="cases.case",
                    object_id=str(case.pk),
                )
                .order_by("-occurred_at", "-id")
                .first()
            )
            fields = last.details.get("fields", ["status"]) if last else []
            if not access.may_see_le:
                fields = [name for name in fields if name != "le_narrative"]
            raise StaleEdit(
                changed_fields=fields,
                changed_by=last.actor_email if last else "",
                changed_at=last.occurred_at if last else current.updated_at,
            )
        changed = [name for name, value in changes.items() if getattr(current, name) != value]
        if not changed:
            return current
        for name in changed:
            setattr(current, name, changes[name])
        current.version += 1
        current.save()
        audit_record(
            action="cases.case.updated", actor=actor, request=request, target=current, details={"fields": changed}
        )
    return current


def case_assign(*, case: Case, users, actor, request: HttpRequest | None = None) -> None:
    """Set who works the case (a supervisor's decision): people of the lead agency whose role allows case work."""
    case = selectors.case_get_for_user(actor, case.pk, selectors.DECIDE)
    users = list(users)
    outsiders = [user for user in users if user.agency is None or user.agency.pk != case.lead_agency_id]
    if outsiders:
        raise ValidationError({"assigned_to": _("Only people of the lead agency are assigned to its case.")})
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        case.assigned_to.set(users)
        audit_record(
            action="cases.case.assigned",
            actor=actor,
            request=request,
            target=case,
            details={"user_ids": sorted(user.pk for user in users)},
        )


# --- Meeting packets ----------------------------------------------------------------------------------------------


def meeting_packet_request(
    *, actor, task_force: TaskForce, meeting_on: date, cases: list[Case], request: HttpRequest | None = None
) -> MeetingPacket:
    """Queue a meeting packet of ``cases`` for ``actor``; the task builds it after the transaction commits. Each
    case must be one ``actor`` may see, of ``task_force``: the packet can never hold more than its requester's
    case list."""
    from cases.tasks import build_meeting_packet

    if not selectors.meeting_task_forces_of(actor).filter(pk=task_force.pk).exists():
        raise PermissionDenied
    if not cases:
        raise ValidationError({"cases": _("Choose at least one case.")})
    working = MeetingPacket.objects.filter(
        requested_by=actor, status__in=[MeetingPacket.Status.QUEUED, MeetingPacket.Status.RUNNING]
    )
    if working.count() >= MeetingPacket.MAX_WORKING_PER_PERSON:
        raise ValidationError(
            _("You have %(count)s packets being prepared: wait for one to finish.")
            % {"count": MeetingPacket.MAX_WORKING_PER_PERSON}
        )
    if len(cases) > MeetingPacket.MAX_CASES:
        raise ValidationError({"cases": _("A packet holds at most %(max)s cases.") % {"max": MeetingPacket.MAX_CASES}})
    visible = set(
        selectors.meeting_cases_for(actor, task_force).filter(pk__in=[c.pk for c in cases]).values_list("pk", flat=True)
    )
    if visible != {case.pk for case in cases}:
        raise ValidationError({"cases": _("Some of these cases are not open cases of this task force you may see.")})
    with transaction.atomic():
        packet = MeetingPacket.objects.create(
            requested_by=actor,
            agency=actor.agency,
            task_force=task_force,
            meeting_on=meeting_on,
            steps_total=len(cases) + 1,
        )
        packet.cases.set(cases)
        audit_record(
            action="cases.meeting_packet.requested",
            actor=actor,
            request=request,
            target=packet,
            details={"task_force_id": task_force.pk, "case_ids": sorted(visible)},
        )
        transaction.on_commit(lambda: build_meeting_packet.enqueue(packet.pk))
    return packet


def meeting_packets_purge(*, now=None) -> int:
    """Delete the files of meeting packets past their lifetime (the rows stay, marked expired), and give up on those
    still waiting or running a lifetime after they were asked for (a worker that died). Returns how many."""
    now = now or timezone.now()
    expired = MeetingPacket.objects.filter(status=MeetingPacket.Status.READY, expires_at__lte=now)
    stuck = MeetingPacket.objects.filter(
        status__in=[MeetingPacket.Status.QUEUED, MeetingPacket.Status.RUNNING],
        created_at__lte=now - MeetingPacket.LIFETIME,
    )
    packets = [*expired.select_related("agency"), *stuck.select_related("agency")]
    for packet in packets:
        status = (
            MeetingPacket.Status.EXPIRED if packet.status == MeetingPacket.Status.READY else MeetingPacket.Status.FAILED
        )
        meeting_packet_discard(packet, status=status, action="cases.meeting_packet.deleted")
    return len(packets)


def meeting_packet_discard(packet: MeetingPacket, *, status: str, action: str, request: HttpRequest | None = None):
    """Delete a packet's file and mark it ``status``; audited in the requester's agency's trail."""
    if packet.file:
        packet.file.delete(save=False)
    packet.status = status
    packet.save(update_fields=["file", "status", "updated_at"])
    audit_record(action=action, actor=None, request=request, target=packet, agency=packet.agency)


def meeting_packet_open(packet: MeetingPacket, *, request: HttpRequest | None = None):
    """The file of a ready packet for its requester, if they may still read everything in it; otherwise the packet
    is withdrawn (its file deleted) and ``None`` returned. The download is audited once the file is open."""
    if not packet.is_downloadable():
        return None
    if not selectors.meeting_packet_still_readable(packet):
        meeting_packet_discard(
            packet, status=MeetingPacket.Status.WITHDRAWN, action="cases.meeting_packet.withdrawn", request=request
        )
        return None
    try:
        handle = packet.file.open("rb")
    except FileNotFoundError:  # purged between the check and the open
        return None
    audit_record(action="cases.meeting_packet.downloaded", request=request, target=packet)
    return handle
