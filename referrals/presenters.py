"""The words of the notices page: one line per notice, of a referral's step or of a case's share (decision 0023)."""

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from cases.models import CaseNotice
from referrals.models import Notification


@dataclass(frozen=True)
class NoticeLine:
    text: str
    url: str
    created_at: datetime
    is_new: bool
    agency_name: str  # who took the step, when it was another agency


def notice_line(notice: Notification | CaseNotice) -> NoticeLine:
    if isinstance(notice, CaseNotice):
        return NoticeLine(
            text=_("%(number)s: %(step)s (%(agency)s)")
            % {"number": notice.case.number, "step": notice.get_verb_display(), "agency": notice.agency.name},
            url=notice.get_absolute_url(),
            created_at=notice.created_at,
            is_new=notice.read_at is None,
            agency_name="",
        )
    actor_agency = notice.event.actor_agency if notice.event is not None else None
    return NoticeLine(
        text=_("Referral #%(number)s: %(step)s") % {"number": notice.referral_id, "step": notice.get_verb_display()},
        url=reverse("referral_detail", args=[notice.referral_id]),
        created_at=notice.created_at,
        is_new=notice.read_at is None,
        agency_name=actor_agency.name if actor_agency is not None else "",
    )
