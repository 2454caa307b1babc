"""Writing the audit trail: ``audit_record`` is the one way an ``AuditEvent`` is made."""

from typing import Any

from django.db import models
from django.http import HttpRequest

from portal.models import AuditEvent

Outcome = AuditEvent.Outcome


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_records(events: list[dict[str, Any]], *, request: HttpRequest | None = None) -> list[AuditEvent]:
    """Append several events at once (one INSERT): for a page that reads many records, such as a case's people.
    Each dict takes the keyword arguments of ``audit_record`` but ``request``."""
    return AuditEvent.objects.bulk_create([_build(request=request, **event) for event in events])


def audit_record(
    *,
    action: str,
    actor: Any = None,
    request: HttpRequest | None = None,
    target: models.Model | None = None,
    outcome: str = Outcome.SUCCESS,
    details: dict[str, Any] | None = None,
    actor_email: str = "",
    agency: Any = None,
) -> AuditEvent:
    """Append one event. Call it inside the transaction of the change it records, so both land or neither.

    ``action`` is a dotted code (``auth.login.failed``). ``actor`` defaults to the request's signed-in user;
    ``actor_email`` names who tried when there is no user (a failed sign-in for an unknown address).
    ``agency`` defaults to the actor's; pass it when there is no actor but the event concerns an agency's account
    (a failed sign-in to it), so that agency's auditors see it. ``details`` must not hold PII: ids, codes and counts.
    """
    event = _build(
        action=action,
        actor=actor,
        request=request,
        target=target,
        outcome=outcome,
        details=details,
        actor_email=actor_email,
        agency=agency,
    )
    event.save()
    return event


def _build(
    *,
    action: str,
    actor: Any = None,
    request: HttpRequest | None = None,
    target: models.Model | None = None,
    outcome: str = Outcome.SUCCESS,
    details: dict[str, Any] | None = None,
    actor_email: str = "",
    agency: Any = None,
) -> AuditEvent:
    user = getattr(request, "user", None)
    if actor is None and user is not None and user.is_authenticated:
        actor = user
    if agency is None and actor is not None:
        agency = getattr(actor, "agency", None)
    return AuditEvent(
        action=action,
        actor=actor,
        actor_email=getattr(actor, "email", "") or actor_email,
        agency_id=getattr(agency, "pk", None),
        agency_name=str(agency) if agency is not None else "",
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        outcome=outcome,
        ip_address=client_ip(request),
        user_agent=(request.headers.get("User-Agent", "")[:300] if request is not None else ""),
        details=details or {},
    )
