"""Asking to see more of a case (decision 0025). An agency that sees a case through a share asks the lead agency
for a higher level; a supervisor of the lead approves it (a new share through ``case_share_grant``, replacing the
agency's current one) or declines it with a reason. A reader who finds a provider's client withheld for want of a
consent asks the provider to record one; the provider decides with its client, and the request is done when a
consent for the asker's agency is recorded or the provider answers that the client declined. Each step is an audit
event and a ``CaseNotice`` to whom it concerns, in the step's own transaction."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from agencies.models import Agency, User
from cases import selectors
from cases.models import AccessRequest, Case, CaseNotice, CaseShare, Consent, ConsentRequest, Person
from cases.selectors.work import share_deciders_of
from cases.services.shares import case_share_grant, share_level_allowed
from portal.audit import audit_record

# The share levels from least to most: more access is a level after the agency's own.
LEVEL_ORDER: tuple[str, ...] = tuple(CaseShare.Level.values)


def access_levels_to_ask(*, agency: Agency, share: CaseShare | None) -> list[str]:
    """The levels ``agency`` may ask for above ``share``'s, those the lead may give it (law-enforcement-sensitive
    levels only to law enforcement and prosecutors); none without a share."""
    if share is None:
        return []
    above = LEVEL_ORDER[LEVEL_ORDER.index(share.level) + 1 :]
    return [level for level in above if share_level_allowed(agency, level)]


@dataclass(frozen=True)
class AccessAsk:
    """What ``user`` may ask of one case's lead, as the case page and the form both read it: the share through
    which their agency sees it, the levels they may ask for, and their agency's request still awaiting a decision
    (then they ask nothing more)."""

    share: CaseShare | None
    levels: list[str] = field(default_factory=list)
    latest: AccessRequest | None = None  # the agency's latest request, whatever its status

    @property
    def open_request(self) -> AccessRequest | None:
        return self.latest if self.latest is not None and self.latest.is_open else None

    @property
    def declined(self) -> AccessRequest | None:
        """The agency's latest request, when the lead declined it (the page shows why)."""
        declined = AccessRequest.Status.DECLINED
        return self.latest if self.latest is not None and self.latest.status == declined else None

    @property
    def may_ask(self) -> bool:
        return bool(self.levels) and self.open_request is None


def access_ask_for(user: User, access: selectors.CaseAccess, share: CaseShare | None) -> AccessAsk:
    """``AccessAsk`` for ``user`` on ``access.case``, given their agency's active share (``agency_share_of``; the
    case page's dossier has read it). The lead agency never asks; nor does a role that does not ask for its
    agency."""
    case = access.case
    agency = user.agency
    if agency is None or agency.pk == case.lead_agency_id or not selectors.can_ask_for_access(user):
        return AccessAsk(share=None)
    levels = access_levels_to_ask(agency=agency, share=share)
    if not levels:
        return AccessAsk(share=share)
    return AccessAsk(share=share, levels=levels, latest=selectors.access_request_latest(case, agency))


def access_request_create(
    *, case: Case, level: str, reason: str, actor: User, request: HttpRequest | None = None
) -> AccessRequest:
    """Ask ``case``'s lead agency, for ``actor``'s agency, to see it at ``level``. 404 for one who does not see the
    case; 403 for the lead agency, a role that does not ask, or an agency that has nothing higher to ask for."""
    access = selectors.case_access_for_user(actor, case.pk)
    case = access.case
    ask = access_ask_for(actor, access, selectors.agency_share_of(actor, case))
    if not ask.levels or ask.share is None or actor.agency is None:
        raise PermissionDenied(_("Your agency cannot ask for more access to this case."))
    if ask.open_request is not None:
        raise ValidationError(_("Your agency already asked for more access; the lead agency has not decided yet."))
    if level not in ask.levels:
        raise ValidationError({"level": _("Choose a level above your agency's that the lead agency may give it.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why your agency needs to see more.")})
    try:
        with transaction.atomic():
            access_request = AccessRequest.objects.create(
                case=case,
                agency=actor.agency,
                level=level,
                reason=reason.strip(),
                asked_by=actor,
                from_share=ask.share,
            )
            audit_record(
                action="cases.access.requested",
                actor=actor,
                request=request,
                target=case,
                details={
                    "access_request_id": access_request.pk,
                    "agency_id": actor.agency.pk,
                    "level": level,
                    "from_level": ask.share.level,
                },
            )
            deciders = share_deciders_of(case).exclude(pk=actor.pk).values_list("pk", flat=True)
            _notify(deciders, case, CaseNotice.Verb.ACCESS_REQUESTED, actor, access_request=access_request)
    except IntegrityError:  # a colleague asked at the same moment
        raise ValidationError(
            _("Your agency already asked for more access; the lead agency has not decided yet.")
        ) from None
    return access_request


def access_request_approve(
    *, access_request: AccessRequest, actor: User, request: HttpRequest | None = None
) -> CaseShare:
    """A supervisor of the lead agency approves: a new share at the level asked for replaces the agency's current
    one (``case_share_grant``: its guardian rows, its audit events), keeping that share's end date. Refused when
    already decided, or when the agency's share has changed since it asked (the request no longer says what it
    would change: decline it, and the agency asks again)."""
    selectors.case_get_for_user(actor, access_request.case_id, selectors.DECIDE)
    with transaction.atomic():
        access_request = (
            AccessRequest.objects.select_for_update(of=("self",))
            .select_related("case", "agency", "from_share")
            .get(pk=access_request.pk)
        )
        if access_request.status != AccessRequest.Status.OPEN:
            raise ValidationError(_("This request was already decided."))
        current = (
            CaseShare.objects.select_for_update()
            .filter(
                case_id=access_request.case_id,
                agency_id=access_request.agency_id,
                status__in=[CaseShare.Status.REQUESTED, CaseShare.Status.ACTIVE],
            )
            .first()
        )
        if current is None or current.pk != access_request.from_share_id:
            raise ValidationError(
                _("The agency's access has changed since it asked: decline this request; the agency may ask again.")
            )
        share = case_share_grant(
            case=access_request.case,
            agency=access_request.agency,
            level=access_request.level,
            reason=access_request.reason,
            actor=actor,
            expires_on=current.expires_on,
            request=request,
            audit_details={"access_request_id": access_request.pk},
        )
        access_request.approve(by=actor, share=share)
        access_request.save(update_fields=["status", "decided_by", "decided_at", "share", "updated_at"])
        audit_record(
            action="cases.access.approved",
            actor=actor,
            request=request,
            target=access_request.case,
            details={
                "access_request_id": access_request.pk,
                "agency_id": access_request.agency_id,
                "level": access_request.level,
                "share_id": share.pk,
                "replaces": current.pk,
            },
        )
        _tell_asker(access_request, CaseNotice.Verb.ACCESS_APPROVED, actor)
    return share


def access_request_decline(
    *, access_request: AccessRequest, actor: User, reason: str, request: HttpRequest | None = None
) -> AccessRequest:
    """A supervisor of the lead agency declines, saying why (the asker reads it): the agency keeps its share."""
    selectors.case_get_for_user(actor, access_request.case_id, selectors.DECIDE)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the request is declined.")})
    with transaction.atomic():
        access_request = (
            AccessRequest.objects.select_for_update(of=("self",)).select_related("case").get(pk=access_request.pk)
        )
        if access_request.status != AccessRequest.Status.OPEN:
            raise ValidationError(_("This request was already decided."))
        access_request.decline(by=actor, reason=reason.strip())
        access_request.save(update_fields=["status", "decided_by", "decided_at", "decline_reason", "updated_at"])
        audit_record(
            action="cases.access.declined",
            actor=actor,
            request=request,
            target=access_request.case,
            details={"access_request_id": access_request.pk, "agency_id": access_request.agency_id},
        )
        _tell_asker(access_request, CaseNotice.Verb.ACCESS_DECLINED, actor)
    return access_request


def consent_request_create(
    *, case: Case, person: Person, reason: str, actor: User, request: HttpRequest | None = None
) -> ConsentRequest:
    """Ask the victim service provider that entered ``person`` to record their consent to release their
    information to ``actor``'s agency. Only where the case page withholds it for want of a consent (no consent, or
    one expired, revoked or releasing less); it tells the provider's people who record consents and reveals
    nothing of the person to the asker. 404 for a person the asker does not see in the case."""
    access = selectors.case_access_for_user(actor, case.pk)
    case = access.case
    found = [
        (participant, view)
        for participant, view in selectors.people_of_case_for(actor, case, access.permissions)
        if view.pk == person.pk
    ]
    if not found:
        raise Http404
    if actor.agency is None or not selectors.can_ask_for_access(actor):
        raise PermissionDenied(_("Your role does not ask for consents."))
    if not selectors.people_to_ask_consent_for(found):
        raise PermissionDenied(_("Nothing of this person is withheld for want of a consent."))
    person = found[0][1].person
    if not reason.strip():
        raise ValidationError({"reason": _("Say why your agency needs the person's information.")})
    holder_id = person.entered_by_agency_id
    if selectors.consent_requests_open_from(actor.agency, [person.pk]):
        raise ValidationError(_("Your agency already asked for this person's consent; the answer has not come yet."))
    try:
        with transaction.atomic():
            consent_request = ConsentRequest.objects.create(
                case=case,
                person=person,
                holder_agency_id=holder_id,
                agency=actor.agency,
                reason=reason.strip(),
                asked_by=actor,
            )
            audit_record(
                action="cases.consent.requested",
                actor=actor,
                request=request,
                target=consent_request,
                details={
                    "case_id": case.pk,
                    "person_id": person.pk,
                    "holder_agency_id": holder_id,
                    "agency_id": actor.agency.pk,
                },
            )
            recorders = selectors.consent_recorders_of(holder_id).values_list("pk", flat=True)
            _notify(recorders, case, CaseNotice.Verb.CONSENT_REQUESTED, actor, consent_request=consent_request)
    except IntegrityError:  # a colleague asked at the same moment
        raise ValidationError(
            _("Your agency already asked for this person's consent; the answer has not come yet.")
        ) from None
    return consent_request


def consent_request_client_declined(
    *, consent_request: ConsentRequest, actor: User, request: HttpRequest | None = None
) -> ConsentRequest:
    """The provider answers that its client declined to release their information: the request is done, and the
    asker is told so. No reason of the client is kept."""
    if not selectors.can_record_consents(actor) or consent_request.holder_agency_id != getattr(
        actor.agency, "pk", None
    ):
        raise Http404
    with transaction.atomic():
        consent_request = ConsentRequest.objects.select_for_update().get(pk=consent_request.pk)
        if consent_request.status != ConsentRequest.Status.OPEN:
            raise ValidationError(_("This request was already answered."))
        consent_request.client_declined(by=actor)
        consent_request.save(update_fields=["status", "answered_by", "answered_at", "updated_at"])
        audit_record(
            action="cases.consent_request.declined",
            actor=actor,
            request=request,
            target=consent_request,
            details={"person_id": consent_request.person_id, "agency_id": consent_request.agency_id},
        )
        _tell_asker(consent_request, CaseNotice.Verb.CONSENT_DECLINED, actor)
    return consent_request


def consent_requests_fulfil(*, consent: Consent, actor: User, request: HttpRequest | None = None) -> int:
    """A consent releasing ``consent.person``'s information to an agency answers that agency's open request for it
    (``consent_record`` calls this in its transaction). Returns how many requests it answered."""
    answered = 0
    for consent_request in ConsentRequest.objects.select_for_update().filter(
        person_id=consent.person_id, agency_id=consent.recipient_agency_id, status=ConsentRequest.Status.OPEN
    ):
        consent_request.fulfil(by=actor, consent=consent)
        consent_request.save(update_fields=["status", "answered_by", "answered_at", "consent", "updated_at"])
        audit_record(
            action="cases.consent_request.fulfilled",
            actor=actor,
            request=request,
            target=consent_request,
            details={
                "person_id": consent.person_id,
                "agency_id": consent.recipient_agency_id,
                "consent_id": consent.pk,
            },
        )
        _tell_asker(consent_request, CaseNotice.Verb.CONSENT_RECORDED, actor)
        answered += 1
    return answered


def _tell_asker(asked: AccessRequest | ConsentRequest, verb: str, actor: User) -> None:
    recipients = [asked.asked_by_id] if asked.asked_by_id != actor.pk else []
    if isinstance(asked, AccessRequest):
        _notify(recipients, asked.case, verb, actor, access_request=asked)
    else:
        _notify(recipients, asked.case, verb, actor, consent_request=asked)


def _notify(
    recipients: Iterable[int],
    case: Case,
    verb: str,
    actor: User,
    *,
    access_request: AccessRequest | None = None,
    consent_request: ConsentRequest | None = None,
) -> None:
    CaseNotice.objects.bulk_create(
        [
            CaseNotice(
                user_id=pk,
                case=case,
                access_request=access_request,
                consent_request=consent_request,
                verb=verb,
                actor=actor,
            )
            for pk in recipients
        ]
    )
