"""The words of tips' pages: a deadline as a countdown, the flags as tags. Selectors give the data; this says it."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from services_directory.models import ApiToken
from tips.models import Tip, TipEvent


def duration(span: timedelta) -> str:
    """A span as a person reads it at a glance: "2 d 4 h", "3 h 05 min", "12 min"."""
    minutes = max(int(span.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


def countdown(tip: Tip, now: datetime) -> str:
    """How long is left to assess a received tip, or how late it is; empty once it is assessed."""
    if not tip.awaiting_assessment:
        return ""
    if tip.assess_by < now:
        return _("Overdue by %(time)s") % {"time": duration(now - tip.assess_by)}
    return _("%(time)s left") % {"time": duration(tip.assess_by - now)}


def tags(tip: Tip) -> list[str]:
    """The flags a triager reads first."""
    found = []
    if tip.imminent_danger:
        found.append(_("Imminent danger"))
    if tip.involves_minor:
        found.append(_("Minor"))
    if tip.is_airline_report:
        found.append(_("In flight"))
    return found


@dataclass(frozen=True)
class TimelineEntry:
    event: TipEvent
    who: str


def timeline(events: Iterable[TipEvent]) -> list[TimelineEntry]:
    """Each event with who took it: a person and their agency; a partner system, by the name its agency gave the API
    token it sent the tip with (one query for all of them, only when the timeline has such an event); or the
    portal itself (a deadline passed, a review fell due)."""
    events = list(events)
    token_ids = {event.details.get("api_token_id") for event in events} - {None}
    tokens = dict(ApiToken.objects.filter(pk__in=token_ids).values_list("pk", "name")) if token_ids else {}
    entries = []
    for event in events:
        if event.actor is not None:
            who = event.actor.full_name
            if event.actor_agency is not None:
                who = f"{who} ({event.actor_agency.name})"
        elif "api_token_id" in event.details:
            name = tokens.get(event.details["api_token_id"])
            who = (
                _("a partner system, through the API (key: %(name)s)") % {"name": name}
                if name
                else _("a partner system, through the API")
            )
        else:
            who = _("the portal")
        entries.append(TimelineEntry(event, who))
    return entries
