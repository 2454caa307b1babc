"""The words of immigration relief for its pages, the packet, the queue and the home: the lines of an action,
the HHS notice's countdown, an expiry, the interim-assistance clock, and who may do what."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from protection.models import INTERIM_ASSISTANCE_DAYS, INTERIM_ASSISTANCE_EXTENSION_DAYS, ReliefAction
from protection.rules import KINDS
from protection.selectors import HhsTask, QueueItem


def _day(day: date | None) -> str:
    return day.isoformat() if day else ""


def _moment(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def days_left_text(until: date, today: date) -> str:
    left = (until - today).days
    if left < 0:
        return _("expired on %(day)s") % {"day": _day(until)}
    if left == 0:
        return _("expires today")
    return ngettext("expires in %(days)s day", "expires in %(days)s days", left) % {"days": left}


def interim_clock(action: ReliefAction, today: date) -> str:
    """Interim assistance's clock: which day of its 90 (or, extended, 120) it is on, and what is left."""
    if action.kind != ReliefAction.Kind.INTERIM_ASSISTANCE or action.valid_from is None:
        return ""
    total = INTERIM_ASSISTANCE_DAYS + (INTERIM_ASSISTANCE_EXTENSION_DAYS if action.extended_on else 0)
    day = (today - action.valid_from).days + 1
    ends = action.interim_assistance_ends
    assert ends is not None
    if day > total:
        return _("Ended on %(day)s (%(total)s days).") % {"day": _day(ends), "total": total}
    text = _("Day %(day)s of %(total)s; ends on %(end)s.") % {"day": max(day, 0), "total": total, "end": _day(ends)}
    if not action.extended_on:
        text += " " + _("It may be extended once by %(days)s days.") % {"days": INTERIM_ASSISTANCE_EXTENSION_DAYS}
    return text


def hhs_text(task: HhsTask, now: datetime) -> str:
    if task.sent is not None:
        return _("HHS was notified on %(day)s.") % {"day": _day(task.sent.submitted_on or task.sent.decided_on)}
    if task.is_overdue(now):
        return _("HHS notification overdue: it was due by %(when)s.") % {"when": _moment(task.due)}
    return _("HHS notification due by %(when)s (24 hours after the identification was recorded).") % {
        "when": _moment(task.due)
    }


@dataclass(frozen=True)
class ActionLines:
    """An action as the section, the packet and the update page show it."""

    action: ReliefAction
    lines: list[tuple[str, str]]
    clock: str


def action_lines(action: ReliefAction, today: date) -> ActionLines:
    lines: list[tuple[str, str]] = [(_("Status"), str(action.get_status_display()))]
    for label, day in (
        (_("Requested"), action.requested_on),
        (_("Submitted"), action.submitted_on),
        (_("Decided"), action.decided_on),
        (_("Valid from"), action.valid_from),
    ):
        if day:
            lines.append((label, _day(day)))
    if action.expires_on:
        expiry = _day(action.expires_on)
        if action.status == ReliefAction.Status.GRANTED:
            expiry = f"{expiry} ({days_left_text(action.expires_on, today)})"
        lines.append((_("Expires"), expiry))
    if action.requesting_agency is not None:
        lines.append((_("Requesting or signing agency"), str(action.requesting_agency.name)))
    if action.signing_official:
        signer = action.signing_official
        if action.signing_official_title:
            signer = f"{signer}, {action.signing_official_title}"
        lines.append((_("Signing official"), signer))
    if action.external_reference:
        lines.append((_("Reference"), action.external_reference))
    if action.decline_reason:
        lines.append((_("Why it was declined or denied"), action.decline_reason))
    if action.notes:
        lines.append((_("Notes"), action.notes))
    return ActionLines(action, lines, interim_clock(action, today))


def who_may(kinds: dict | None = None) -> list[tuple[str, str | Promise]]:
    """Each kind of relief and who requests or signs it, for the pages."""
    labels = dict(ReliefAction.Kind.choices)
    return [(str(labels[kind]), rule.who) for kind, rule in (kinds or KINDS).items()]


@dataclass(frozen=True)
class QueueLine:
    item: QueueItem
    label: str
    detail: str
    overdue: bool


def queue_line(item: QueueItem, now: datetime) -> QueueLine:
    today = timezone.localdate(now)
    action = item.action
    if item.what == "hhs":
        assert isinstance(item.due, datetime)
        label = _("HHS notification of a foreign-national minor")
        if item.overdue:
            detail = _("Overdue: due by %(when)s") % {"when": _moment(item.due)}
        else:
            detail = _("Due by %(when)s") % {"when": _moment(item.due)}
        return QueueLine(item, label, detail, item.overdue)
    assert action is not None
    label = str(action.get_kind_display())
    if item.what == "expiry":
        assert action.expires_on is not None
        return QueueLine(item, label, days_left_text(action.expires_on, today), False)
    if item.what == "signature":
        agency = action.requesting_agency.name if action.requesting_agency else ""
        detail = ngettext(
            "%(status)s, asked of %(agency)s %(days)s day ago",
            "%(status)s, asked of %(agency)s %(days)s days ago",
            item.age_days or 0,
        ) % {"status": action.get_status_display(), "agency": agency, "days": item.age_days or 0}
        return QueueLine(item, label, detail, False)
    return QueueLine(item, label, interim_clock(action, today), False)


def date_words(day: date) -> str:
    return date_format(day, "DATE_FORMAT")
