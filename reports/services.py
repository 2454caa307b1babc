"""Writes of the reports app: recording an outreach event, signing a quarterly report. One transaction, one audit
event each."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import User
from portal.audit import audit_record
from reports import selectors
from reports.models import OutreachEvent, QuarterlyReport, snapshot_digest
from reports.quarterly import access as quarterly_access
from reports.quarterly.measures import compute


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


class AlreadySigned(Exception):
    """The quarter's report is signed already (perhaps a moment ago, by someone else): ``report`` is that one."""

    def __init__(self, report: QuarterlyReport | None) -> None:
        super().__init__("This quarter's report is already signed.")
        self.report = report


class StaleSignOff(Exception):
    """The records changed between the reading of the report and its signature: the measures signed would not be
    those read. Read it again, then sign."""


def quarterly_report_sign(
    *, actor: User, quarter_code: str, digest: str, request: HttpRequest | None = None
) -> QuarterlyReport:
    """Sign the actor's agency's report of ``quarter_code``: compute it now, and freeze it if it is still the one
    the actor read (``digest``, the draft's, carried by the form; ``StaleSignOff`` otherwise). Only a supervisor of
    the agency, once the quarter has ended, once per agency, quarter and kind: a second signature, even one racing
    the first, is ``AlreadySigned`` (the unique constraint decides the race). 404 (``Http404``) for who reads no
    report of that quarter, as the page."""
    access = quarterly_access.quarterly_access_for(actor, quarter_code)
    if access.signed is not None:
        raise AlreadySigned(access.signed)
    if not quarterly_access.can_sign_quarterly_reports(actor):
        raise PermissionDenied(_("Only a supervisor of the agency signs its quarterly report."))
    if not access.ended:
        raise ValidationError(
            _("The quarter ends on %(day)s: sign its report once it has ended.")
            % {"day": access.quarter.end.isoformat()}
        )
    draft = compute(access.agency, access.quarter)
    if draft.digest != digest:
        raise StaleSignOff
    now = timezone.now()
    snapshot = {
        **draft.content,
        "signed_by": {"id": actor.pk, "name": actor.full_name, "email": actor.email},
        "signed_at": now.isoformat(),
        "draft_digest": draft.digest,
    }
    report = QuarterlyReport(
        agency=access.agency,
        fiscal_year=access.quarter.fiscal_year,
        quarter=access.quarter.quarter,
        kind=access.kind,
        snapshot=snapshot,
        digest=snapshot_digest(snapshot),
        signed_by=actor,
        signed_at=now,
    )
    try:
        with transaction.atomic():
            report.save()
            audit_record(
                request=request,
                action="reports.quarterly.signed",
                actor=actor,
                target=report,
                details={"quarter": access.quarter.code, "kind": access.kind, "digest": report.digest},
            )
    except IntegrityError:
        # Signed by someone else between our look and our insert: theirs stands.
        raise AlreadySigned(quarterly_access.signed_report_of(access.agency, access.quarter, access.kind)) from None
    return report
