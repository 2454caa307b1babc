"""Writes of the reports app: recording an outreach event. One transaction, one audit event."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import User
from portal.audit import audit_record
from reports import selectors
from reports.models import OutreachEvent


def outreach_event_record(
    *,
    actor: User,
    held_on: date,
    title: str,
    kind: str,
    audience: str,
    people_reached: int,
    request: HttpRequest | None = None,
) -> OutreachEvent:
    """Record an event of the actor's agency (only their own: nobody records another agency's work)."""
    if not selectors.can_record_outreach(actor) or actor.agency is None:
        raise PermissionDenied(_("You cannot record outreach events."))
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("Record an event once it has taken place.")})
    event = OutreachEvent(
        agency=actor.agency,
        held_on=held_on,
        title=title,
        kind=kind,
        audience=audience,
        people_reached=people_reached,
        recorded_by=actor,
    )
    event.full_clean()
    with transaction.atomic():
        event.save()
        audit_record(
            request=request,
            action="reports.outreach_event.recorded",
            actor=actor,
            target=event,
            details={"kind": kind, "audience": audience, "people_reached": people_reached},
        )
    return event
