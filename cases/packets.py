"""Case packets (docs/architecture.md §7): a PDF of one case as one viewer may see it, and the sections of a meeting
packet.

What a packet shows comes from ``selectors.case_dossier_for``, the rule source of the case page too; this module
only lays it out. Every packet is a disclosure and so an audit event (``cases.packet.generated``) naming the
viewer, the case, the handling mark and whose personal information it carried (ids and categories, never values).
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db import models
from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency, User
from cases import selectors
from cases.models import Case
from portal.audit import audit_records
from portal.pdf import html_to_pdf, prepared_at

# A packet whose text runs past this many characters, spaces left out (about three pages: some 1,300 a page in the
# demo), gets a table of contents. Judged from the HTML before typesetting, so a packet is typeset once.
CONTENTS_FROM_CHARACTERS = 4000


class Handling(models.TextChoices):
    """The handling mark a packet carries on every page: the most sensitive thing it holds decides. Ordered from
    least to most restricted."""

    RESTRICTED = "restricted", gettext_lazy("RESTRICTED - TASK FORCE USE ONLY - NO PII")
    PII = "pii", gettext_lazy("CONFIDENTIAL - CONTAINS PII - VAWA/FVPSA PROTECTED")
    LAW_ENFORCEMENT = "le", gettext_lazy("LAW ENFORCEMENT SENSITIVE")
    LAW_ENFORCEMENT_PII = "le_pii", gettext_lazy("LAW ENFORCEMENT SENSITIVE - CONTAINS PII")

    @classmethod
    def of(cls, dossier: selectors.CaseDossier) -> "Handling":
        return cls._for(le=dossier.shows_le_sensitive, pii=dossier.shows_pii)

    @classmethod
    def strictest(cls, handlings: list["Handling"]) -> "Handling":
        """The mark of several cases together: LE-sensitive if any is, with PII if any holds PII."""
        le = any(handling in (cls.LAW_ENFORCEMENT, cls.LAW_ENFORCEMENT_PII) for handling in handlings)
        pii = any(handling in (cls.PII, cls.LAW_ENFORCEMENT_PII) for handling in handlings)
        return cls._for(le=le, pii=pii)

    @classmethod
    def _for(cls, *, le: bool, pii: bool) -> "Handling":
        if le:
            return cls.LAW_ENFORCEMENT_PII if pii else cls.LAW_ENFORCEMENT
        return cls.PII if pii else cls.RESTRICTED


@dataclass
class TimelineEntry:
    when: datetime
    text: str


def _at_start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def timeline_of(dossier: selectors.CaseDossier) -> list[TimelineEntry]:
    """What happened in the case, oldest first, built only from what the dossier holds (so it can show nothing
    the viewer may not see)."""
    case = dossier.case
    entries = [
        TimelineEntry(_at_start_of(case.opened_on), _("Case opened by %(agency)s") % {"agency": case.lead_agency})
    ]
    for participant, view in dossier.people:
        entries.append(
            TimelineEntry(
                participant.created_at,
                _("%(person)s added as %(role)s")
                % {"person": dossier.names[view.pk], "role": participant.get_role_display().lower()},
            )
        )
    for item in dossier.needs:
        entries.append(
            TimelineEntry(
                item.need.created_at,
                _("Need recorded: %(category)s for %(person)s")
                % {"category": item.need.get_category_display(), "person": item.person_label},
            )
        )
    for service in dossier.services:
        event = service.event
        text = (
            _("Service delivered: %(category)s for %(person)s")
            if event.kind == event.Kind.DELIVERED
            else _("Referred for a service: %(category)s for %(person)s")
        )
        entries.append(
            TimelineEntry(
                _at_start_of(event.provided_on),
                text % {"category": event.get_category_display(), "person": service.person_label},
            )
        )
    for note in dossier.notes:
        entries.append(
            TimelineEntry(note.created_at, _("Note by %(author)s, %(agency)s") % _by(note.author, note.author_agency))
        )
    for document in dossier.documents:
        entries.append(
            TimelineEntry(document.created_at, _("File added by %(agency)s") % {"agency": document.uploaded_by_agency})
        )
    prefetch_related_objects(dossier.referrals, "events__actor_agency")
    for referral in dossier.referrals:
        recipient = referral.recipient_service.name if referral.recipient_service else referral.recipient_agency.name
        for event in referral.events.all():
            if event.verb == "message":
                continue
            entries.append(
                TimelineEntry(
                    event.occurred_at,
                    _("Referral #%(number)s to %(recipient)s %(step)s")
                    % {"number": referral.pk, "recipient": recipient, "step": event.get_verb_display()},
                )
            )
    for share in dossier.shares:
        entries.append(
            TimelineEntry(
                share.created_at,
                _("Shared with %(agency)s: %(level)s") % {"agency": share.agency, "level": share.get_level_display()},
            )
        )
    if case.closed_on:
        entries.append(
            TimelineEntry(
                _at_start_of(case.closed_on),
                _("Case closed: %(reason)s") % {"reason": case.get_closed_reason_display() or "—"},
            )
        )
    return sorted(entries, key=lambda entry: entry.when)


def _by(user: User, agency: Agency) -> dict[str, Any]:
    return {"author": getattr(user, "full_name", "") or str(user), "agency": agency}


def case_section_context(dossier: selectors.CaseDossier) -> dict[str, Any]:
    """What the section template of one case needs (``cases/print/case_section.html``)."""
    case = dossier.case
    return {
        "dossier": dossier,
        "case": case,
        "handling": Handling.of(dossier),
        "timeline": timeline_of(dossier),
        "withheld": selectors.WITHHELD,
        "may_see_files": selectors.VIEW_PII in dossier.permissions,
        # Referrals are shown to those who work the case, as on its page; a coordinator follows them on the board.
        "referrals_shown": selectors.CHANGE in dossier.permissions,
        # Read from each referral's own model (cases never imports referrals).
        "open_referrals": sum(1 for referral in dossier.referrals if referral.status in referral.OPEN),
    }


def print_context(viewer: User, handling: Handling, **extra: Any) -> dict[str, Any]:
    """The context every printed page shares: the handling mark, who it was prepared for and when (UTC)."""
    return {"viewer": viewer, "handling": handling.label, "prepared_at": prepared_at(), **extra}


def packet_audit_events(
    viewer: User, case: Case, dossier: selectors.CaseDossier, handling: Handling, **details: Any
) -> list[dict[str, Any]]:
    """The disclosure (``cases.packet.generated``: the handling mark, whose information it carried, ids and
    categories only) and the same read events the case page writes for the people and the sections shown."""
    reads = [
        *selectors.person_read_events(viewer, case, dossier.people, via="packet", **details),
        *(
            {**event, "details": {**event.get("details", {}), "via": "packet", **details}}
            for section in dossier.sections
            for event in section.reads
        ),
    ]
    return [
        {
            "action": "cases.packet.generated",
            "actor": viewer,
            "target": case,
            "details": {"handling": handling.value, "pii": dossier.pii_shown(), **details},
        },
        *({**event, "actor": viewer} for event in reads),
    ]


def text_length(html: str) -> int:
    """The characters of text ``html`` shows, spaces and the template's indentation left out."""
    return sum(len(word) for word in strip_tags(html).split())


def render_case_packet(case: Case, viewer: User, *, request: HttpRequest | None = None) -> bytes:
    """The PDF of ``case`` as ``viewer`` may see it. The case is looked up again through ``case_access_for_user`` for
    ``viewer`` (404 outside its audience), so a caller cannot hand in a case the viewer may not read."""
    access = selectors.case_access_for_user(viewer, case.pk)
    case = access.case
    dossier = selectors.case_dossier_for(viewer, access)
    section = case_section_context(dossier)
    handling = section["handling"]
    title = _("Case packet %(number)s") % {"number": case.number}
    context = print_context(viewer, handling, title=title, section=section, contents=False)
    html = render_to_string("cases/print/case_packet.html", context)
    if text_length(html) > CONTENTS_FROM_CHARACTERS:
        html = render_to_string("cases/print/case_packet.html", {**context, "contents": True})
    pdf = html_to_pdf(html)
    audit_records(packet_audit_events(viewer, case, dossier, handling, packet="case"), request=request)
    return pdf
