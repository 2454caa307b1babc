"""A case's activity in words, as its page shows it: who did what and when, with one person's run of reads folded
into one line ("Dana Reyes viewed the case 5 times, 2 Dec 14:02 to 16:40"). The events come from
``selectors.case_activity``; this only words them."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.models import Case
from portal.audit import action_label
from portal.models import AuditEvent

# Reads a page makes together (the case, and the personal information it shows): a run of them by one person is
# one line.
READS = frozenset({"cases.case.viewed", "cases.pii.viewed"})
LINES_SHOWN = 25


@dataclass
class ActivityLine:
    action: str  # the events' code (a run of reads: ``cases.case.viewed``)
    who: str
    agency: str
    what: str
    first: datetime
    last: datetime
    count: int = 1

    @property
    def same_day(self) -> bool:
        return timezone.localtime(self.first).date() == timezone.localtime(self.last).date()


def activity_lines(events: Iterable[AuditEvent], limit: int = LINES_SHOWN) -> list[ActivityLine]:
    """``events`` (newest first) as at most ``limit`` lines, newest first."""
    lines: list[ActivityLine] = []
    run: list[AuditEvent] = []
    for event in events:
        if run and not (event.action in READS and _actor(event) == _actor(run[0])):
            lines.append(_reads_line(run))
            run = []
        if event.action in READS:
            run.append(event)
        else:
            lines.append(_line(event, _what(event)))
        if len(lines) >= limit:
            return lines[:limit]
    if run:
        lines.append(_reads_line(run))
    return lines[:limit]


def _actor(event: AuditEvent) -> tuple[int | None, str]:
    return event.actor_id, event.actor_email


def _who(event: AuditEvent) -> str:
    actor = event.actor
    if actor is not None:
        return getattr(actor, "full_name", "") or actor.email
    return event.actor_email or _("The portal")


def _line(event: AuditEvent, what: str, action: str = "") -> ActivityLine:
    return ActivityLine(
        action=action or event.action,
        who=_who(event),
        agency=event.agency_name,
        what=what,
        first=event.occurred_at,
        last=event.occurred_at,
    )


def _what(event: AuditEvent) -> str:
    if event.action == "cases.case.status_changed":
        status = event.details.get("to")
        if status in Case.Status.values:
            return _("moved the case to “%(status)s”") % {"status": Case.Status(status).label}
    return str(action_label(event.action))


def _reads_line(run: list[AuditEvent]) -> ActivityLine:
    """One person's consecutive reads: how many times they opened the case, from the first to the last."""
    views = sum(1 for event in run if event.action == "cases.case.viewed") or 1
    with_pii = any(event.action == "cases.pii.viewed" for event in run)
    if with_pii:
        what = ngettext(
            "viewed the case and personal information",
            "viewed the case and personal information %(count)d times",
            views,
        ) % {"count": views}
    else:
        what = ngettext("viewed the case", "viewed the case %(count)d times", views) % {"count": views}
    line = _line(run[0], what, action="cases.case.viewed")
    line.first, line.count = run[-1].occurred_at, views
    return line
