"""The directory in words, for its pages and the referral letter: why a service ranks where it does, its capacity,
hours, ages and genders served. Selectors decide what a viewer gets; this module only says it.

Nothing here queries the database beyond what the service in hand already carries.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from services_directory import languages
from services_directory.models import Schedule, Service

if TYPE_CHECKING:  # a type only: selectors import this module to word their results
    from services_directory.selectors import SearchCriteria

CONFIDENTIAL_DISTANCE_STEP = 5  # miles: a confidential location's distance is shown rounded up to this


@dataclass
class Reason:
    rank: Literal["eligibility", "capacity", "language", "distance"]
    text: str
    good: bool | None  # True: counts for it; False: against; None: unknown


def service_reasons(service: Service, criteria: "SearchCriteria", now: datetime, confidential: bool) -> list[Reason]:
    """Why ``service`` ranks where ``selectors.service_search`` put it, one reason per rank the search used.
    ``confidential``: a location of it is hidden from the viewer, so its distance is said only roughly."""
    reasons = []
    if criteria.asks_eligibility:
        rank = getattr(service, "eligibility_rank", 0)
        if rank == 0 and criteria.age is None and (service.minimum_age or service.maximum_age is not None):
            # No age to compare (withheld from the viewer, or not recorded): say the range, claim nothing.
            text = _("Ask the provider: it serves %(range)s, and the person's age is not known to you") % {
                "range": age_range(service)
            }
            reasons.append(Reason("eligibility", text, None))
        else:
            reasons.append(
                Reason("eligibility", _eligibility_text(service, criteria, rank), {0: True, 1: None}.get(rank, False))
            )
    reasons.append(capacity_reason(service, now))
    if criteria.languages:
        names = ", ".join(languages.language_name(c) for c in criteria.languages)
        if getattr(service, "language_rank", 1) == 0:
            reasons.append(Reason("language", _("Speaks %(languages)s") % {"languages": names}, True))
        else:
            reasons.append(Reason("language", _("Does not list %(languages)s") % {"languages": names}, False))
    if criteria.near is not None:
        distance = getattr(service, "distance", None)
        if distance is None:
            reasons.append(Reason("distance", _("No location with coordinates"), None))
        else:
            text = _("%(distance)s from %(place)s") % {
                "distance": shown_distance(distance, confidential),
                "place": criteria.near.label,
            }
            reasons.append(Reason("distance", text, True))
    return reasons


def shown_distance(distance: float | None, confidential: bool) -> str:
    if distance is None:
        return ""
    if confidential:
        step = CONFIDENTIAL_DISTANCE_STEP
        return _("within %(miles)d mi") % {"miles": max(step, math.ceil(distance / step) * step)}
    return _("%(miles).1f mi") % {"miles": distance}


def _eligibility_text(service: Service, criteria: "SearchCriteria", rank: int) -> str:
    if rank == 2:
        problems = []
        if criteria.age is not None and (
            (service.minimum_age is not None and service.minimum_age > criteria.age)
            or (service.maximum_age is not None and service.maximum_age < criteria.age)
        ):
            problems.append(age_range(service))
        if service.accepts_minors is False and criteria.minor:
            problems.append(_("no minors"))
        if criteria.without_status and service.accepts_without_status is False:
            problems.append(_("requires immigration status"))
        if criteria.gender and service.genders_served and criteria.gender not in service.genders_served:
            problems.append(_("serves %(genders)s") % {"genders": genders_text(service)})
        return _("Not eligible: %(why)s") % {"why": "; ".join(problems)}
    if rank == 1:
        unknown = []
        if service.accepts_minors is None and criteria.minor:
            unknown.append(_("whether it takes minors"))
        if criteria.without_status and service.accepts_without_status is None:
            unknown.append(_("whether it takes people without immigration status"))
        return _("Ask the provider: it does not say %(what)s") % {"what": _(" or ").join(unknown)}
    return _("Eligible (%(range)s)") % {"range": age_range(service)}


def age_range(service: Service) -> str:
    low, high = service.minimum_age, service.maximum_age
    if low is None and high is None:
        return _("all ages")
    if high is None:
        return _("ages %(low)d and over") % {"low": low}
    if low is None:
        return _("up to age %(high)d") % {"high": high}
    return _("ages %(low)d-%(high)d") % {"low": low, "high": high}


def genders_text(service: Service) -> str:
    if not service.genders_served:
        return _("everyone")
    return ", ".join(str(Service.Gender(letter).label) for letter in service.genders_served)


def capacity_reason(service: Service, now: datetime) -> Reason:
    C = Service.Capacity
    if service.capacity == C.UNKNOWN:
        return Reason("capacity", _("Capacity not reported"), None)
    label = str(service.get_capacity_display())
    if service.capacity_count is not None and service.capacity != C.FULL:
        label = _("%(status)s (%(count)d open)") % {"status": label, "count": service.capacity_count}
    updated = service.capacity_updated_at
    if updated is None or now - updated > settings.PORTAL_CAPACITY_STALE_AFTER:
        days = (now - updated).days if updated else None
        stale = (
            ngettext("not confirmed for %(days)d day", "not confirmed for %(days)d days", days) % {"days": days}
            if days is not None
            else _("never confirmed")
        )
        return Reason("capacity", f"{label}, {stale}", None)
    return Reason("capacity", f"{label}, {updated_text(updated, now)}", service.capacity != C.FULL)


def capacity_saved_text(service: Service, now: datetime) -> str:
    """What a provider's capacity report saved, said back to them: when, and the capacity as searches show it."""
    saved_at = timezone.localtime(service.capacity_updated_at or now)
    return _("Saved at %(when)s: %(name)s is %(capacity)s.") % {
        "when": f"{saved_at:%H:%M}",
        "name": service.name,
        "capacity": capacity_reason(service, now).text,
    }


def updated_text(updated: datetime, now: datetime) -> str:
    age = now - updated
    if age < timedelta(hours=1):
        return _("updated within the hour")
    if age < timedelta(days=1):
        hours = int(age.total_seconds() // 3600)
        return ngettext("updated %(n)d hour ago", "updated %(n)d hours ago", hours) % {"n": hours}
    return ngettext("updated %(n)d day ago", "updated %(n)d days ago", age.days) % {"n": age.days}


_DAY_NAMES = {
    "MO": _lazy("Mon"),
    "TU": _lazy("Tue"),
    "WE": _lazy("Wed"),
    "TH": _lazy("Thu"),
    "FR": _lazy("Fri"),
    "SA": _lazy("Sat"),
    "SU": _lazy("Sun"),
}


def hours_text(schedule: Schedule) -> str:
    """ "Mon, Tue, Wed 09:00-17:00", "Every day, 24 hours", or the schedule's own description."""
    days = [code for code in schedule.byday.split(",") if code.strip() in _DAY_NAMES]
    if schedule.freq not in ("", Schedule.Frequency.WEEKLY) or schedule.opens_at is None or schedule.closes_at is None:
        return schedule.description
    when = _("Every day") if not days or len(days) == 7 else ", ".join(str(_DAY_NAMES[code.strip()]) for code in days)
    if schedule.opens_at == schedule.closes_at:
        hours = _("24 hours")
    else:
        hours = f"{schedule.opens_at:%H:%M}-{schedule.closes_at:%H:%M}"
    text = f"{when}, {hours}"
    return f"{text} ({schedule.description})" if schedule.description else text
