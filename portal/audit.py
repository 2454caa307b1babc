"""Writing the audit trail: ``audit_record`` is the one way an ``AuditEvent`` is made."""

from typing import TYPE_CHECKING, Any, Required, TypedDict, Unpack

from django.db import models
from django.http import HttpRequest

from portal.models import AuditEvent

if TYPE_CHECKING:  # a type only: portal does not import domain apps at run time
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
