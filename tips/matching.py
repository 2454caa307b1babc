"""Possible matches of a tip with the cases its reader may open (issue 15, docs/decisions/0029-tip-matches.md).

A case matches a tip's subject when a person of the case has the same phone (its last ten digits, whatever the
formatting: "+1 (555) 014-2999" is "5550142999"), the same e-mail (whatever the case), or the same name (given and
family name against the subject's name or alias, whatever the case and the accents) born the same year (the
subject's date of birth; or an approximate age, read as a year either side of the year it gives at the tip's
receipt). A case has no vehicles: a plate (and its state, when both give one) matches the subject of another tip
the reader reads that went to the case (linked to it, or opened as it).

Matching is a search the portal runs for its reader, so it looks only where the reader may look:
- people through the person search's rule (``cases.selectors.participations_findable_by``): a case where the reader
  sees personal information (a suspect's only with law-enforcement-sensitive access), and a victim service
  provider's client only for that provider (a consent releases a name to read, not to search for);
- cases the reader may open (``cases.selectors.case_ids_visible_to``);
- other tips whose content the reader reads (``tips.selectors.tip_list_readable_by``).
A match shows the case's number and title and what matched, never the person: the reader opens the case to see
them. Showing a match is a read of that person's identity or contact details, recorded by ``match_read_events``.

Two queries (the people, the plates) whatever the number of subjects and cases. Phones, e-mails and birth years
are compared in the database; a name, once the year matched, in Python (SQLite cannot fold accents, and the
portal adds no ``unaccent`` to PostgreSQL for it), so the rows read are the people of the reader's cases born in
the subjects' years.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Lower, Replace, Right, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import User
from cases import selectors as case_selectors
from cases.models import Case, CaseParticipant
from tips.models import Tip, TipSubject
from tips.selectors import tip_list_readable_by

PHONE, EMAIL, NAME_AND_BIRTH_YEAR, PLATE = "phone", "email", "name_and_birth_year", "plate"
# What matched, in words, in the order a match lists them.
ON_LABELS = {
    PHONE: _("phone"),
    EMAIL: _("e-mail"),
    NAME_AND_BIRTH_YEAR: _("name and birth year"),
    PLATE: _("vehicle plate"),
}
# What a match reveals of the person, as the consent categories name it (for the audit event).
CATEGORY_OF = {PHONE: "contact", EMAIL: "contact", NAME_AND_BIRTH_YEAR: "identity"}

PHONE_DIGITS = 10  # the North American number without its country code
PHONE_MIN_DIGITS = 7  # fewer digits than a local number match too much to mean anything
# How phone numbers are written around their digits; the database strips these (it has no "digits only").
PHONE_FORMATTING = (" ", "-", ".", "(", ")", "+", "/")
PLATE_FORMATTING = (" ", "-")
MATCH_LIMIT = 20  # a short list: the cases to look at first, by number


def phone_key(text: str) -> str:
    """The digits of a phone number, the last ten of them ("+1 555-014-2999" and "(555) 014 2999" are one);
    empty when fewer than ``PHONE_MIN_DIGITS``."""
    digits = "".join(char for char in text if char.isdigit())
    return digits[-PHONE_DIGITS:] if len(digits) >= PHONE_MIN_DIGITS else ""


def name_key(text: str) -> str:
    """A name without case, accents or extra spaces ("José  ÁLVAREZ" is "jose alvarez")."""
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def plate_key(text: str) -> str:
    """A plate in capitals without its spaces and hyphens ("abc-1234" is "ABC1234"), as the database reads it."""
    return "".join(char for char in text.strip().upper() if char not in PLATE_FORMATTING)


def birth_years(subject: TipSubject, received_on: date) -> range | None:
    """The years a subject may have been born: their date of birth's, or for an approximate age the year it gives
    at the tip's receipt and one either side; None when neither is known."""
    if subject.date_of_birth is not None:
        return range(subject.date_of_birth.year, subject.date_of_birth.year + 1)
    if subject.approximate_age is not None:
        year = received_on.year - subject.approximate_age
        return range(year - 1, year + 2)
    return None


def _stripped(expression: Any, characters: Iterable[str]) -> Any:
    for character in characters:
        expression = Replace(expression, Value(character), Value(""))
    return expression


@dataclass(frozen=True)
class Match:
    """A case the reader may open that may be about the tip's subjects: ``on`` what (codes of ``ON_LABELS``),
    ``subjects`` which of the tip's, ``people`` the ids of the case's people it matched and ``tips`` the other tips
    a plate matched (for the audit trail, never shown)."""

    case: Case
    on: tuple[str, ...]
    subjects: tuple[TipSubject, ...]
    people: dict[int, tuple[str, ...]] = field(default_factory=dict)
    tips: tuple[int, ...] = ()

    @property
    def on_labels(self) -> list[str]:
        return [str(ON_LABELS[code]) for code in self.on]

    @property
    def subject_labels(self) -> list[str]:
        return [subject.label for subject in self.subjects]


@dataclass
class _Found:
    case: Case
    on: set[str] = field(default_factory=set)
    subjects: dict[int, TipSubject] = field(default_factory=dict)
    people: dict[int, set[str]] = field(default_factory=dict)
    tips: set[int] = field(default_factory=set)

    def add(self, subject: TipSubject, on: str, *, person_id: int | None = None, tip_id: int | None = None) -> None:
        self.on.add(on)
        self.subjects.setdefault(subject.pk, subject)
        if person_id is not None:
            self.people.setdefault(person_id, set()).add(on)
        if tip_id is not None:
            self.tips.add(tip_id)

    def match(self) -> Match:
        return Match(
            case=self.case,
            on=tuple(code for code in ON_LABELS if code in self.on),
            subjects=tuple(sorted(self.subjects.values(), key=lambda subject: subject.pk)),
            people={pk: tuple(code for code in ON_LABELS if code in on) for pk, on in sorted(self.people.items())},
            tips=tuple(sorted(self.tips)),
        )


def possible_matches(user: User, tip: Tip, subjects: list[TipSubject]) -> list[Match]:
    """The cases ``user`` may open that may be about ``subjects`` (the tip's, as its page shows them), by case
    number, at most ``MATCH_LIMIT``; the case the tip already went to is not one. Two queries at most."""
    found: dict[int, _Found] = {}
    for participant, subject, on in _people_matching(user, tip, subjects):
        found.setdefault(participant.case_id, _Found(participant.case)).add(
            subject, on, person_id=participant.person_id
        )
    for other, subject in _plates_matching(user, tip, subjects):
        case = other.tip.case
        assert case is not None  # the query asks for tips that went to a case
        found.setdefault(case.pk, _Found(case)).add(subject, PLATE, tip_id=other.tip_id)
    matches = sorted(found.values(), key=lambda each: each.case.number)
    return [each.match() for each in matches[:MATCH_LIMIT]]


def _people_matching(
    user: User, tip: Tip, subjects: list[TipSubject]
) -> Iterable[tuple[CaseParticipant, TipSubject, str]]:
    """Each (participant, subject, on what) of the people ``user`` may find in the cases they may open."""
    received_on = timezone.localdate(tip.received_at)
    phones = {key: subject for subject in subjects if (key := phone_key(subject.phone))}
    emails = {
        subject.email_or_handle.strip().lower(): subject for subject in subjects if "@" in subject.email_or_handle
    }
    named = [
        (subject, {name_key(text) for text in (subject.name, subject.alias) if text.strip()}, years)
        for subject in subjects
        if (years := birth_years(subject, received_on)) is not None and (subject.name.strip() or subject.alias.strip())
    ]
    wanted = Q()
    if phones:
        wanted |= Q(phone_key__in=list(phones))
    if emails:
        wanted |= Q(email_key__in=list(emails))
    for _subject, _names, years in named:
        wanted |= Q(
            person__date_of_birth__gte=date(years.start, 1, 1), person__date_of_birth__lt=date(years.stop, 1, 1)
        )
    if not wanted:
        return
    participants = _findable_participants(user, tip).annotate(
        phone_key=Right(_stripped("person__phone", PHONE_FORMATTING), PHONE_DIGITS),
        email_key=Lower("person__email"),
    )
    for participant in participants.filter(wanted):
        person = participant.person
        if (subject := phones.get(phone_key(person.phone))) is not None:
            yield participant, subject, PHONE
        if person.email and (subject := emails.get(person.email.strip().lower())) is not None:
            yield participant, subject, EMAIL
        if person.date_of_birth is None:
            continue
        full_name = name_key(f"{person.given_name} {person.family_name}")
        for subject, names, years in named:
            if full_name in names and person.date_of_birth.year in years:
                yield participant, subject, NAME_AND_BIRTH_YEAR


def _findable_participants(user: User, tip: Tip) -> QuerySet[CaseParticipant]:
    """The participations ``user`` may find a person in, in the cases they may open but the tip's own."""
    participants = case_selectors.participations_findable_by(user).filter(
        case_id__in=case_selectors.case_ids_visible_to(user)
    )
    if tip.case_id is not None:
        participants = participants.exclude(case_id=tip.case_id)
    return participants.select_related("person", "case").order_by("case__number", "pk")


def _plates_matching(user: User, tip: Tip, subjects: list[TipSubject]) -> Iterable[tuple[TipSubject, TipSubject]]:
    """Each (other tip's subject, this tip's subject) with the same plate, of the tips ``user`` reads that went to a
    case they may open (not this tip's case). States must agree when both are given."""
    plates: dict[str, list[TipSubject]] = {}
    for subject in subjects:
        if key := plate_key(subject.vehicle_plate):
            plates.setdefault(key, []).append(subject)
    if not plates:
        return
    others = TipSubject.objects.filter(
        tip__in=tip_list_readable_by(user).values("pk"), tip__case__in=case_selectors.case_ids_visible_to(user)
    ).exclude(tip=tip.pk)
    if tip.case_id is not None:
        others = others.exclude(tip__case=tip.case_id)
    others = (
        others.annotate(plate_key=Upper(_stripped("vehicle_plate", PLATE_FORMATTING)))
        .filter(plate_key__in=list(plates))
        .select_related("tip__case")
        .order_by("tip__case__number", "pk")
    )
    for other in others:
        for subject in plates.get(plate_key(other.vehicle_plate), []):
            states = {state.strip().upper() for state in (subject.vehicle_state, other.vehicle_state) if state.strip()}
            if len(states) <= 1:
                yield other, subject


def match_read_events(tip: Tip, matches: list[Match]) -> list[dict[str, Any]]:
    """The audit events of showing ``matches`` (as the person search records what it finds): one
    ``cases.pii.viewed`` per person matched, with what of them the match reveals (identity, contact); one
    ``tips.tip.viewed`` per other tip a plate matched (its plate and its case). Ids and codes only, for
    ``portal.audit.audit_records`` to write at once."""
    events: list[dict[str, Any]] = []
    for match in matches:
        for person_id, on in match.people.items():
            events.append(
                {
                    "action": "cases.pii.viewed",
                    "target": match.case,
                    "details": {
                        "person_id": person_id,
                        "categories": sorted({CATEGORY_OF[code] for code in on}),
                        "via": "tip_match",
                        "tip_id": tip.pk,
                        "on": list(on),
                    },
                }
            )
        events.extend(
            {
                "action": "tips.tip.viewed",
                "target": Tip(pk=other_tip),
                "details": {
                    "via": "tip_match",
                    "tip_id": tip.pk,
                    "case_id": match.case.pk,
                    "fields": ["vehicle_plate"],
                },
            }
            for other_tip in match.tips
        )
    return events
