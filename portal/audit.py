"""Writing the audit trail: ``audit_record`` is the one way an ``AuditEvent`` is made."""

import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Required, TypedDict, Unpack

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from portal.models import AuditEvent

if TYPE_CHECKING:  # a type only: portal does not import domain apps at run time
    from django_stubs_ext import StrOrPromise

    from agencies.models import Agency, User

Outcome = AuditEvent.Outcome


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


class AuditFields(TypedDict, total=False):
    """One event as ``audit_record`` takes it (the request aside)."""

    action: Required[str]
    actor: "User | None"
    target: models.Model | None
    outcome: str
    details: dict[str, Any] | None
    actor_email: str
    agency: "Agency | None"


def audit_records(events: list[dict[str, Any]], *, request: HttpRequest | None = None) -> list[AuditEvent]:
    """Append several events at once (one INSERT): for a page that reads many records, such as a case's people.
    Each dict holds the ``AuditFields`` of one event."""
    return AuditEvent.objects.bulk_create([_build(request, **event) for event in events])


def audit_record(*, request: HttpRequest | None = None, **fields: Unpack[AuditFields]) -> AuditEvent:
    """Append one event. Call it inside the transaction of the change it records, so both land or neither.

    ``action`` is a dotted code (``auth.login.failed``). ``actor`` defaults to the request's signed-in user;
    ``actor_email`` names who tried when there is no user (a failed sign-in for an unknown address).
    ``agency`` defaults to the actor's; pass it when there is no actor but the event concerns an agency's account
    (a failed sign-in to it), so that agency's auditors see it. ``details`` must not hold PII: ids, codes and counts.
    """
    event = _build(request, **fields)
    event.save()
    return event


def _build(request: HttpRequest | None, **fields: Unpack[AuditFields]) -> AuditEvent:
    user = getattr(request, "user", None)
    actor = fields.get("actor")
    if actor is None and user is not None and user.is_authenticated:
        actor = user
    agency = fields.get("agency")
    if agency is None and actor is not None:
        agency = getattr(actor, "agency", None)
    target = fields.get("target")
    return AuditEvent(
        action=fields["action"],
        actor=actor,
        actor_email=getattr(actor, "email", "") or fields.get("actor_email", ""),
        agency_id=getattr(agency, "pk", None),
        agency_name=str(agency) if agency is not None else "",
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        outcome=fields.get("outcome", Outcome.SUCCESS),
        ip_address=client_ip(request),
        user_agent=(request.headers.get("User-Agent", "")[:300] if request is not None else ""),
        details=fields.get("details") or {},
    )


# --- Reading the trail: its codes in words. The codes stay as stored (exports and filters use them); pages show these.

# What each action says a person did, as the predicate of a sentence ("Dana Reyes" + "viewed the case"); a page
# that lists actions on their own capitalises it. Codes missing here are read out of the code itself
# (``action_label``), so a new action is never shown blank.
ACTION_LABELS: dict[str, "StrOrPromise"] = {
    "auth.login.succeeded": _("signed in"),
    "auth.login.failed": _("failed to sign in"),
    "auth.login.address_refused": _("was refused sign-in from an address with too many failures"),
    "auth.logout": _("signed out"),
    "auth.session.expired": _("was signed out: the session ended"),
    "auth.password.changed": _("changed their password"),
    "auth.password.reset": _("reset their password"),
    "auth.account.locked": _("account locked after failed sign-ins"),
    "auth.account.unlocked": _("unlocked an account"),
    "auth.mfa.enrolled": _("set up an authenticator"),
    "auth.mfa.removed": _("removed an authenticator"),
    "auth.mfa.reset": _("reset an authenticator"),
    "auth.mfa.failed": _("entered a wrong authenticator code"),
    "auth.mfa.reset_by_admin": _("reset a person's authenticator"),
    "auth.mfa.enrolment_refused": _("was refused adding an authenticator without a link"),
    "auth.mfa.enrolment_link.sent": _("sent a link to set up an authenticator"),
    "auth.mfa.enrolment_link.used": _("used a link to set up an authenticator"),
    "auth.mfa.enrolment_link.refused": _("was refused a link to set up an authenticator"),
    "agencies.invitation.sent": _("invited a person"),
    "agencies.invitation.accepted": _("accepted an invitation"),
    "agencies.invitation.revoked": _("revoked an invitation"),
    "agencies.membership.role_changed": _("changed a person's role"),
    "agencies.user.deactivated": _("deactivated an account"),
    "agencies.user.reactivated": _("reactivated an account"),
    "cases.case.created": _("opened the case"),
    "cases.case.viewed": _("viewed the case"),
    "cases.case.updated": _("edited the case"),
    "cases.case.status_changed": _("changed the case's status"),
    "cases.case.assigned": _("assigned the case"),
    "cases.pii.viewed": _("viewed personal information"),
    "cases.participant.added": _("added a person to the case"),
    "cases.person.updated": _("corrected a person's record"),
    "cases.victim_identification.recorded": _("recorded how a victim was identified"),
    "cases.victim_identification.updated": _("changed how a victim was identified"),
    "cases.share.requested": _("asked to share the case"),
    "cases.share.granted": _("shared the case"),
    "cases.share.declined": _("declined sharing the case"),
    "cases.share.revoked": _("stopped sharing the case"),
    "cases.share.reinstated": _("put back an earlier share"),
    "cases.access.requested": _("asked the lead agency for more access"),
    "cases.access.approved": _("approved a request for more access"),
    "cases.access.declined": _("declined a request for more access"),
    "cases.consent.requested": _("asked an agency to record a consent"),
    "cases.consent_request.fulfilled": _("recorded a consent that was asked for"),
    "cases.consent_request.declined": _("answered that the client declined a consent"),
    "cases.consent.recorded": _("recorded a consent"),
    "cases.consent.revoked": _("revoked a consent"),
    "cases.consent.expired_when_read": _("found only an expired consent"),
    "cases.note.added": _("added a note"),
    "cases.need.added": _("recorded a need"),
    "cases.need.met": _("marked a need as met"),
    "cases.service_event.withdrawn": _("withdrew the services a referral entered in error had recorded"),
    "cases.service_event.recorded": _("recorded a service delivered or a referral made"),
    "cases.service_event.entered_in_error": _("marked a service recorded in error"),
    "cases.document.uploaded": _("uploaded a file"),
    "cases.document.downloaded": _("downloaded a file"),
    "cases.packet.generated": _("printed the case packet"),
    "cases.meeting_packet.requested": _("prepared a meeting packet"),
    "cases.meeting_packet.downloaded": _("downloaded a meeting packet"),
    "cases.meeting_packet.failed": _("meeting packet failed"),
    "cases.meeting_packet.deleted": _("meeting packet deleted after its time"),
    "cases.meeting_packet.withdrawn": _("meeting packet withdrawn"),
    "referrals.referral.proposed": _("drafted a referral"),
    "referrals.referral.sent": _("sent a referral"),
    "referrals.referral.received": _("opened a referral"),
    "referrals.referral.accepted": _("accepted a referral"),
    "referrals.referral.rejected": _("declined a referral"),
    "referrals.referral.started": _("started the service of a referral"),
    "referrals.referral.held": _("put a referral on hold"),
    "referrals.referral.resumed": _("resumed a referral"),
    "referrals.referral.completed": _("completed a referral"),
    "referrals.referral.failed": _("marked a referral as failed"),
    "referrals.referral.cancelled": _("cancelled a referral"),
    "referrals.referral.rerouted": _("re-routed a referral"),
    "referrals.referral.entered_in_error": _("marked a referral as entered in error"),
    "referrals.referral.expired": _("referral expired: nobody answered in time"),
    "referrals.referral.letter_printed": _("printed a referral letter"),
    "referrals.message.added": _("wrote a message on a referral"),
    "services_directory.import.completed": _("imported directory records"),
    "services_directory.service.updated": _("edited a service"),
    "services_directory.capacity.updated": _("reported a service's capacity"),
    "services_directory.term.mapped": _("mapped a taxonomy term"),
    "services_directory.api_token.issued": _("issued an API token"),
    "services_directory.api_token.revoked": _("revoked an API token"),
    "portal.audit.exported": _("exported the audit trail"),
    "portal.request.denied": _("was refused a page or an action"),
    "tips.tip.received": _("entered a tip"),
    "tips.tip.assessed": _("assessed a tip (reasonable suspicion)"),
    "tips.tip.closed_no_predicate": _("closed a tip: no criminal predicate"),
    "tips.tip.assigned": _("assigned a tip"),
    "tips.tip.linked": _("linked a tip to a case"),
    "tips.tip.case_opened": _("opened a case from a tip"),
    "tips.tip.closed": _("closed a tip"),
    "tips.tip.reopened": _("reopened a tip"),
    "tips.tip.overdue": _("tip not assessed in time: supervisors and coordinators told"),
    "tips.tip.viewed": _("read a tip"),
    "tips.api.refused": _("was refused by the tips API: a wrong key, or one that may not send tips"),
    "tips.api.throttled": _("sent too many tips at once: the tips API slowed it down"),
    "tips.tip.validated": _("validated a tip for five more years"),
    "tips.tip.subject_corrected": _("corrected a subject's identifiers in a tip"),
    "tips.tip.review_due": _("tip due for review: supervisors told"),
    "tips.tip.purged": _("purged a tip (its content deleted)"),
    "tips.tip.printed": _("printed a tip"),
    "tips.tip.exported": _("downloaded a tip"),
    "tips.dissemination.exported": _("exported the tip dissemination log"),
    "deconfliction.operation.created": _("planned an operation"),
    "deconfliction.operation.updated": _("edited an operation"),
    "deconfliction.operation.cancelled": _("cancelled an operation"),
    "deconfliction.operation.done": _("recorded an operation done"),
    "deconfliction.conflict.disclosed": _("told both sides of an operation conflict whom to call"),
    "deconfliction.conflict.reopened": _("reopened a settled operation conflict: the operations meet again"),
    "deconfliction.conflict.withdrawn": _("withdrew an operation conflict: an operation was cancelled or ended"),
    "deconfliction.conflict.resolved": _("recorded how an operation conflict was settled"),
    "deconfliction.subject.conflict_found": _("told an agency of a subject another agency also holds"),
    "deconfliction.subject.conflict_resolved": _("recorded how a subject conflict was settled"),
    "deconfliction.subject.conflict_reopened": _("reopened a settled subject conflict: it now matches on more"),
    "deconfliction.subject.checked": _("checked a subject against the deconfliction index"),
    "deconfliction.subject.check_refused": _("was refused a subject check: too many in the hour"),
    "deconfliction.entries.removed": _("removed a subject's identifiers from the deconfliction index"),
    "protection.relief.recorded": _("recorded a victim's immigration relief"),
    "protection.relief.updated": _("corrected a victim's immigration relief"),
    "protection.relief.submit": _("marked immigration relief submitted"),
    "protection.relief.grant": _("marked immigration relief granted"),
    "protection.relief.deny": _("marked immigration relief declined or denied, saying why"),
    "protection.relief.withdraw": _("withdrew immigration relief"),
    "protection.relief.extend": _("extended interim assistance by 30 days"),
    "protection.relief.viewed": _("read a victim's immigration relief"),
    "protection.relief.listed": _("read the immigration relief queue"),
    "protection.relief.document_downloaded": _("downloaded an immigration relief document"),
    "protection.relief.expiry_reminded": _("immigration relief expiring: the case's agents and advocates told"),
    "protection.hhs_notice.overdue": _("HHS notification of a minor overdue: supervisors and coordinators told"),
    "prosecution.record.viewed": _("read the arrests and charges of a case's suspects"),
    "prosecution.arrest.recorded": _("recorded an arrest"),
    "prosecution.arrest.updated": _("corrected an arrest"),
    "prosecution.charge.added": _("added a charge to an arrest"),
    "prosecution.charge.decided": _("recorded a charging decision"),
    "prosecution.charge.disposed": _("recorded the disposition of a charge"),
    "prosecution.statute.added": _("listed a state trafficking statute"),
    "prosecution.statute.removed": _("took a state trafficking statute off the list"),
    "reports.dashboard.viewed": _("viewed the dashboard"),
    "reports.chart.downloaded": _("downloaded a dashboard table as CSV"),
    "reports.outreach_event.recorded": _("recorded an outreach event"),
    "reports.quarterly.viewed": _("read a quarterly report"),
    "reports.quarterly.signed": _("signed a quarterly report"),
    "reports.quarterly.exported": _("downloaded a signed quarterly report (CSV or PDF)"),
    "reports.quarterly.listed": _("listed the quarterly reports"),
    "reports.quarterly.sign_refused": _("was refused signing a quarterly report"),
}


def action_label(code: str) -> "StrOrPromise":
    """``code`` in words: from ``ACTION_LABELS``, else its last parts ("admin.cases.case.changed" reads
    "admin: cases case changed")."""
    label = ACTION_LABELS.get(code)
    if label is not None:
        return label
    head, _dot, rest = code.partition(".")
    return f"{head}: {rest.replace('.', ' ').replace('_', ' ')}" if rest else code


def action_codes_described_by(words: str) -> list[str]:
    """The codes whose words (``ACTION_LABELS``, in the reader's language) hold ``words`` from the start of a word
    ("sign" finds "signed in", not "assigned"), whatever their case and accents ("revoco" finds "revocó"): the
    trail's action filter takes words as well as the start of a code."""
    wanted = _folded(words)
    if not wanted:
        return []
    return [code for code, label in ACTION_LABELS.items() if f" {wanted}" in f" {_folded(str(label))}"]


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


# How the trail names an object: by a field that is no one's personal information (a case by its number, an
# account by its e-mail address, which the trail shows anyway), else by its kind and id ("Referral 12"). Domain
# models are named by label, as settings name their registries: portal imports no domain app.
OBJECT_LABEL_FIELDS: dict[str, str] = {
    "cases.case": "number",
    "agencies.user": "email",
    "agencies.agency": "name",
    "agencies.taskforce": "name",
    "services_directory.organization": "name",
    "services_directory.service": "name",
    "services_directory.taxonomyterm": "name",
}


def object_labels(events: Iterable[AuditEvent]) -> dict[tuple[str, str], str]:
    """The words for the objects of ``events``, by (object type, id): one query per kind of object named by a
    field (``OBJECT_LABEL_FIELDS``), none for the rest, whatever the number of events."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.object_type:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    labels: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        try:
            model = apps.get_model(object_type)
        except (LookupError, ValueError):
            model = None
        kind = capfirst(str(model._meta.verbose_name)) if model is not None else object_type
        for object_id in ids:
            labels[object_type, object_id] = f"{kind} {object_id}"
        field = OBJECT_LABEL_FIELDS.get(object_type)
        if model is not None and field is not None:
            rows = model._default_manager.filter(pk__in=_valid_keys(model, ids)).values_list("pk", field)
            labels.update({(object_type, str(pk)): str(value) for pk, value in rows})
    return labels


def _valid_keys(model: type[models.Model], ids: Iterable[str]) -> list[Any]:
    """The ids that can be ``model``'s keys: an event's object id is text, and a malformed one names nothing."""
    keys = []
    for object_id in ids:
        try:
            keys.append(model._meta.pk.to_python(object_id))
        except ValidationError:
            continue
    return keys
