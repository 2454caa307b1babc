"""The people of a case as one reader may see them: which personal information a share or a consent releases
(docs/architecture.md §4.6-4.7), who is found by name, and the audit events of showing them."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, User
from cases.models import Case, CaseParticipant, Consent, Person, VictimIdentification
from cases.selectors.cases import (
    CHANGE,
    VIEW_LE,
    VIEW_PII,
    CaseAccess,
    _held,
    _held_here,
    can_find_people,
    case_access_for_user,
    case_list_visible_to,
)
from portal.languages import language_name

# The fields each consent category releases. Fields in no category (sex, languages, being a minor) are not PII.
PII_FIELDS: dict[str, tuple[str, ...]] = {
    Consent.Category.IDENTITY: (
        "given_name",
        "family_name",
        "aliases",
        "date_of_birth",
        "nationality",
        "identity_documents",
    ),
    Consent.Category.CONTACT: ("phone", "email", "address"),
}
ALL_CATEGORIES = frozenset(Consent.Category.values)
# The category that releases a victim's identification (status, type, age, citizenship, gender, race and ethnicity,
# disability, referral source): together they identify someone as their date of birth and nationality do
# (decision 0032).
IDENTIFICATION_CATEGORY = Consent.Category.IDENTITY


def pii_categories_for(
    user: User, person: Person, *, case_permissions: frozenset[str], role: str = "", on: date | None = None
) -> frozenset[str]:
    """The PII categories of ``person`` that ``user`` may see in a case where they hold ``case_permissions``.
    A suspect's details are law-enforcement-sensitive (docs/architecture.md §4.4); a person a victim service provider
    entered is
    seen by other agencies only through their consent (§4.6)."""
    if VIEW_PII not in case_permissions:
        return frozenset()
    if role == CaseParticipant.Role.SUSPECT and VIEW_LE not in case_permissions:
        return frozenset()
    return _released(user, person.entered_by_agency, person.consents.all(), on=on)


def _released(user: User, holder: Agency, consents: Iterable[Consent], *, on: date | None = None) -> frozenset[str]:
    """What ``holder`` releases to ``user``'s agency: everything if the holder is not a victim service provider or
    is the user's own agency, else the categories of the consents (prefetched by the caller) active on ``on``."""
    if not holder.is_victim_service_provider or holder.pk == getattr(user.agency, "pk", None):
        return ALL_CATEGORIES
    if user.agency is None:
        return frozenset()
    return consent_categories_for(user.agency.pk, consents, on=on)


def consent_categories_for(agency_id: int, consents: Iterable[Consent], *, on: date | None = None) -> frozenset[str]:
    """The PII categories that ``consents`` active on ``on`` (today) release to ``agency_id``: the one reading of
    a consent, for the case pages and for what a referral's recipient sees."""
    day = on or timezone.localdate()
    released: set[str] = set()
    for consent in consents:
        if consent.recipient_agency_id == agency_id and consent.is_active_on(day):
            released.update(consent.categories)
    return frozenset(released)


WITHHELD = object()


@dataclass(frozen=True)
class WithheldBecause:
    """Why some of a person's information is withheld from one reader, for the page to say it and offer the way to
    ask for more. ``reason`` is one of ``REASONS``; ``agency`` is whom to ask (the lead agency for a share, the victim
    service provider for a consent); ``on`` the day a consent expired or was revoked; ``released`` what a consent
    does release."""

    SHARE_LEVEL = "share_level"  # the reader's share of the case does not include personal information
    NO_CONSENT = "no_consent"  # the provider holds no consent of the person naming the reader's agency
    CONSENT_EXPIRED = "consent_expired"
    CONSENT_REVOKED = "consent_revoked"
    NOT_RELEASED = "not_released"  # an active consent releases other categories only
    REASONS = (SHARE_LEVEL, NO_CONSENT, CONSENT_EXPIRED, CONSENT_REVOKED, NOT_RELEASED)

    reason: str
    agency: Agency
    on: date | None = None
    released: frozenset[str] = frozenset()


def withheld_because(
    user: User,
    person: Person,
    *,
    case: Case,
    case_permissions: frozenset[str],
    categories: frozenset[str],
    on: date | None = None,
) -> WithheldBecause | None:
    """Why ``user`` does not see all of ``person``'s identity and contact details (``categories`` is what they do
    see, from ``pii_categories_for``); None when they see them. Reads the consents prefetched on ``person``."""
    if set(PII_FIELDS) <= categories:
        return None
    if VIEW_PII not in case_permissions:
        return WithheldBecause(WithheldBecause.SHARE_LEVEL, case.lead_agency)
    holder = person.entered_by_agency
    agency_pk = getattr(user.agency, "pk", None)
    day = on or timezone.localdate()
    theirs = [consent for consent in person.consents.all() if consent.recipient_agency_id == agency_pk]
    if categories:
        return WithheldBecause(WithheldBecause.NOT_RELEASED, holder, released=categories)
    revoked = [consent for consent in theirs if consent.revoked_at is not None]
    expired = [consent for consent in theirs if consent.revoked_at is None and consent.expires_on <= day]
    if expired:
        return WithheldBecause(WithheldBecause.CONSENT_EXPIRED, holder, on=max(c.expires_on for c in expired))
    if revoked:
        latest = max(consent.revoked_at for consent in revoked if consent.revoked_at is not None)
        return WithheldBecause(WithheldBecause.CONSENT_REVOKED, holder, on=timezone.localdate(latest))
    return WithheldBecause(WithheldBecause.NO_CONSENT, holder)


@dataclass
class PersonView:
    """A person as one viewer may see them: PII fields they may not see hold ``WITHHELD``; ``withheld_because``
    says why (None when nothing is withheld). ``label``, ``withheld_text`` and ``ask_text`` are those facts in words
    (``cases.presenters``), set by the dossier for the page and the packet."""

    person: Person
    categories: frozenset[str]
    values: dict[str, Any] = field(default_factory=dict)
    withheld_because: WithheldBecause | None = None
    label: str = ""
    withheld_text: str = ""
    ask_text: str = ""
    identification: Any = None
    identification_lines: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, person: Person, categories: frozenset[str]) -> "PersonView":
        values: dict[str, Any] = {
            "pk": person.pk,
            "sex": person.get_sex_display(),
            "languages": person.languages,
            "preferred_language": person.preferred_language,
            "languages_note": person.languages_note,
            "language_names": [language_name(code) for code in person.languages],
            "preferred_language_name": language_name(person.preferred_language) if person.preferred_language else "",
            "is_minor": person.is_minor,
            "entered_by_agency": person.entered_by_agency,
        }
        for category, names in PII_FIELDS.items():
            for name in names:
                values[name] = getattr(person, name) if category in categories else WITHHELD
        return cls(person=person, categories=categories, values=values)

    def withholds(self, name: str) -> bool:
        """Whether the field ``name`` is withheld from this viewer."""
        return self.values[name] is WITHHELD

    @property
    def shows_pii(self) -> bool:
        return bool(self.categories & set(PII_FIELDS))

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


def people_of_case_for(user: User, case: Case, case_permissions: frozenset[str]) -> list[tuple[Any, PersonView]]:
    """The case's participants with each person as ``user`` may see them (two queries whatever their number).
    Without ``view_le_sensitive`` suspects do not exist: not listed, not counted, not in a timeline (issue 11)."""
    participants = case.participants.select_related(
        "person__entered_by_agency",
        "identification__identified_by",
        "identification__identified_by_agency",
        "identification__confirmed_by",
        "identification__confirmed_by_agency",
    ).prefetch_related("person__consents")
    if VIEW_LE not in case_permissions:
        participants = participants.exclude(role=CaseParticipant.Role.SUSPECT)
    day = timezone.localdate()
    people = []
    for participant in participants:
        person = participant.person
        categories = pii_categories_for(user, person, case_permissions=case_permissions, role=participant.role, on=day)
        view = PersonView.of(person, categories)
        view.identification = identification_shown(participant, categories)
        view.withheld_because = withheld_because(
            user, person, case=case, case_permissions=case_permissions, categories=categories, on=day
        )
        people.append((participant, view))
    return people


def person_edit_access(user: User, case_pk: int, person_pk: int) -> tuple[CaseAccess, CaseParticipant]:
    """``user``'s access to ``case_pk`` and the person's participation in it, if ``user`` may correct the person's
    record: they may change the case and see everything of the person (their role in it allows their details, and
    the agency that entered them releases all of it), and a victim service provider's client is corrected only by
    that provider (a consent releases information to read, not to rewrite). 404 outside the case or for a person
    the reader does not see in it (a suspect without law-enforcement access); 403 for one they see but may not
    correct."""
    access = case_access_for_user(user, case_pk)
    participants = (
        access.case.participants.filter(person_id=person_pk)
        .select_related("person__entered_by_agency")
        .prefetch_related("person__consents")
    )
    if VIEW_LE not in access.permissions:
        participants = participants.exclude(role=CaseParticipant.Role.SUSPECT)
    participant = participants.first()
    if participant is None:
        raise Http404
    if not may_edit_person(user, access, participant):
        raise PermissionDenied
    return access, participant


def may_edit_person(user: User, access: CaseAccess, participant: CaseParticipant) -> bool:
    """The rule of ``person_edit_access`` for a participant already read (the case page asks it per row)."""
    if CHANGE not in access.permissions:
        return False
    person = participant.person
    if person.entered_by_agency_id != getattr(user.agency, "pk", None):
        # One record is shared by every case the person is in: only the agency that entered it rewrites it (a
        # partner that added the person to a case of its own reads them there; a shelter's client stays the
        # shelter's, released by consent to read, never to rewrite).
        return False
    categories = pii_categories_for(user, person, case_permissions=access.permissions, role=participant.role)
    return set(PII_FIELDS) <= categories


def identification_shown(participant: CaseParticipant, categories: frozenset[str]) -> Any:
    """A victim's identification as a reader who sees ``categories`` of the person may see it: the record, None
    when none is recorded, ``WITHHELD`` when their identity is withheld (the identification is released with it);
    None for anyone but a victim. Reads the identification selected with ``participant``."""
    if participant.role != CaseParticipant.Role.VICTIM:
        return None
    if IDENTIFICATION_CATEGORY not in categories:
        return WITHHELD
    try:
        return participant.identification
    except VictimIdentification.DoesNotExist:
        return None


def may_edit_identification(user: User, access: CaseAccess, participant: CaseParticipant) -> bool:
    """Whether ``user`` records or changes the identification of ``participant``, a victim of ``access.case``: they
    may change the case and see the person's identity, and a victim service provider's client is the provider's
    alone (a consent releases it to read, never to rewrite). Unlike a person's record, the identification is this
    case's: any agency that changes the case and sees the person keeps it, not only the one that entered them."""
    if CHANGE not in access.permissions or participant.role != CaseParticipant.Role.VICTIM:
        return False
    holder = participant.person.entered_by_agency
    if holder.is_victim_service_provider and holder.pk != getattr(user.agency, "pk", None):
        return False
    categories = pii_categories_for(
        user, participant.person, case_permissions=access.permissions, role=participant.role
    )
    return IDENTIFICATION_CATEGORY in categories


def identification_edit_access(user: User, case_pk: int, person_pk: int) -> tuple[CaseAccess, CaseParticipant]:
    """``user``'s access to ``case_pk`` and the victim participation of ``person_pk`` in it, if ``user`` may record
    its identification (``may_edit_identification``). 404 outside the case or for a person the reader does not see
    in it; a ``ValidationError`` for someone in the case who is not a victim in it; 403 for a victim whose
    identification the reader may not change."""
    return victim_access(
        user,
        case_pk,
        person_pk,
        may=may_edit_identification,
        not_a_victim=_("Only a victim in the case has an identification."),
    )


def victim_access(
    user: User,
    case_pk: int,
    person_pk: int,
    *,
    may: Callable[[User, CaseAccess, CaseParticipant], bool],
    not_a_victim: str,
) -> tuple[CaseAccess, CaseParticipant]:
    """``user``'s access to ``case_pk`` and the victim participation of ``person_pk`` in it, if ``may`` lets them
    write a victim's record there (their identification, a service). 404 outside the case or for a person the reader
    does not see in it; a ``ValidationError`` (``not_a_victim``) for someone in it who is not a victim; 403 else."""
    access = case_access_for_user(user, case_pk)
    participants = (
        access.case.participants.filter(person_id=person_pk)
        .select_related("person__entered_by_agency", "identification")
        .prefetch_related("person__consents")
    )
    if VIEW_LE not in access.permissions:
        participants = participants.exclude(role=CaseParticipant.Role.SUSPECT)
    found = list(participants)
    if not found:
        raise Http404
    victim = next((participant for participant in found if participant.role == CaseParticipant.Role.VICTIM), None)
    if victim is None:
        raise ValidationError(not_a_victim, code="not_a_victim")
    if not may(user, access, victim):
        raise PermissionDenied
    return access, victim


def consents_held_by(user: User, case: Case) -> QuerySet[Consent]:
    """Consents of the case's people that the user's agency holds (and so may see and revoke)."""
    if user.agency is None:
        return Consent.objects.none()
    return (
        Consent.objects.filter(holder_agency=user.agency, person__participations__case=case)
        .select_related("person", "recipient_agency")
        .distinct()
    )


def case_ids_named(user: User, text: str) -> QuerySet[Any]:
    """The ids of cases with a participant named ``text`` whose name ``user`` may see (``values("case_id")``, to
    use as a subquery). Names a victim service provider holds are searched only by that provider (a consent
    releases a name to read, not to search for).

    The matching participants as a set, so that PostgreSQL can find the names through the trigram indexes on
    ``UPPER(name)`` (the SQL Django writes for ``icontains``; cases migration 0012) or from the cases the person
    may read, whichever is smaller, rather than testing every visible case's people."""
    return (
        participations_findable_by(user)
        .filter(Q(person__given_name__icontains=text) | Q(person__family_name__icontains=text))
        .order_by()
        .values("case_id")
    )


def name_search_q(user: User, text: str) -> Q:
    """Cases with a participant named ``text`` whose name ``user`` may see (``case_ids_named`` as a condition)."""
    return Q(pk__in=case_ids_named(user, text))


def _name_readable(user: User, prefix: str = "") -> Q:
    """People whose names ``user`` may look for: not held by a victim service provider, or held by their own."""
    return ~Q(**{f"{prefix}entered_by_agency__kind": Agency.Kind.VICTIM_SERVICES}) | Q(
        **{f"{prefix}entered_by_agency_id": getattr(user.agency, "pk", None)}
    )


SEARCH_LIMIT = 50


def _people_findable_by(user: User) -> QuerySet[Person]:
    """The people ``user`` may find by name: in a case where they see personal information (a suspect only where
    they also see law-enforcement-sensitive information), and, for a victim service provider's client, only by
    that provider. The one rule of the person search and of adding a found person to another case."""
    if user.agency is None or not can_find_people(user):
        return Person.objects.none()
    in_visible_case = _participations_showing_people(user)
    if connection.vendor == "postgresql":
        # Each person the trigram index finds is checked through their own participations (a few rows by
        # person_id) against the reader's cases, hashed once; the set of all people of the reader's cases would be
        # built by reading every participant (a sequential scan of 1.5 million at 500,000 cases).
        people = Person.objects.filter(Exists(in_visible_case.filter(person_id=OuterRef("pk"))))
    else:
        # SQLite drives that probe from the whole list of the reader's cases, for each person named (0.9 s for
        # 11,000 cases); the people of those cases as one set costs 30 ms.
        people = Person.objects.filter(pk__in=in_visible_case.values("person_id"))
    return people.filter(_name_readable(user))


def _participations_showing_people(user: User) -> QuerySet[CaseParticipant]:
    """Participations in cases where ``user`` sees personal information (a suspect's only where they also see
    law-enforcement-sensitive information)."""
    return CaseParticipant.objects.filter(_held(user, VIEW_PII, "case_id")).filter(
        ~Q(role=CaseParticipant.Role.SUSPECT) | _held_here(user, VIEW_LE, "case_id")
    )


def participations_findable_by(user: User) -> QuerySet[CaseParticipant]:
    """``_people_findable_by`` case by case: each participation in which ``user`` may find its person (they see the
    person's personal information in that case; a victim service provider's client only by that provider). What
    a tip's possible matches compare its subjects with (``tips.matching``): a match is a search the portal runs for
    its reader, so it finds no one the person search would not."""
    if user.agency is None or not can_find_people(user):
        return CaseParticipant.objects.none()
    return _participations_showing_people(user).filter(_name_readable(user, "person__"))


def person_findable_get(user: User, pk: int) -> Person:
    """A person ``user`` may find by name (``_people_findable_by``), to add to another case; 404 otherwise."""
    person = _people_findable_by(user).filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def person_search_for(user: User, text: str) -> QuerySet[Person]:
    """People whose names ``user`` may see, matching ``text``: fuzzy (trigram similarity) on PostgreSQL, a plain
    match on SQLite. As in the case list, names a victim service provider holds are searched only by it."""
    text = text.strip()
    if not text:
        return Person.objects.none()
    people = _people_findable_by(user)
    words = text.split()
    if connection.vendor == "postgresql":
        # Each word must be similar (pg_trgm's % operator, served by the trigram index on each name) to a name.
        for word in words:
            people = people.filter(Q(given_name__trigram_similar=word) | Q(family_name__trigram_similar=word))
        similarity = TrigramSimilarity("given_name", text) + TrigramSimilarity("family_name", text)
        return people.annotate(similarity=similarity).order_by("-similarity", "family_name", "given_name")[
            :SEARCH_LIMIT
        ]
    for word in words:
        people = people.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    return people.order_by("family_name", "given_name")[:SEARCH_LIMIT]


def cases_of_people_visible_to(user: User, people: list[Person]) -> dict[int, list[Case]]:
    """For each person, the visible cases they are in (one query for all of them); a case where they are a suspect
    only where ``user`` may see law-enforcement-sensitive information (elsewhere suspects do not exist)."""
    participations = (
        CaseParticipant.objects.filter(person__in=people)
        .filter(case__in=case_list_visible_to(user))
        .filter(~Q(role=CaseParticipant.Role.SUSPECT) | _held_here(user, VIEW_LE, "case_id"))
        .select_related("case")
        .order_by("case__number")
    )
    found: dict[int, list[Case]] = {}
    for participation in participations:
        cases = found.setdefault(participation.person_id, [])
        if participation.case not in cases:
            cases.append(participation.case)
    return found


def consents_expired_for(user: User, view: PersonView) -> list[int]:
    """Consents naming ``user``'s agency that have expired (not revoked) and release nothing now: reading the
    person then is an audit event of its own."""
    person = view.person
    agency_pk = getattr(user.agency, "pk", None)
    if (
        view.shows_pii
        or not person.entered_by_agency.is_victim_service_provider
        or person.entered_by_agency_id == agency_pk
    ):
        return []
    today = timezone.localdate()
    return [
        consent.pk
        for consent in person.consents.all()
        if consent.recipient_agency_id == agency_pk and consent.revoked_at is None and consent.expires_on <= today
    ]


def person_read_events(user: User, case: Case, people: list[tuple[Any, PersonView]], **details: Any) -> list[dict]:
    """The audit events of showing ``people`` to ``user`` (on a page or in a packet; ``details`` says where): one
    ``cases.pii.viewed`` per person whose personal information is shown (id and categories, never values), one
    ``cases.consent.expired_when_read`` per expired consent that would have released it."""
    events: list[dict] = []
    for _participant, view in people:
        if view.shows_pii:
            events.append(
                {
                    "action": "cases.pii.viewed",
                    "target": case,
                    "details": {"person_id": view.pk, "categories": sorted(view.categories), **details},
                }
            )
        for consent_id in consents_expired_for(user, view):
            events.append(
                {
                    "action": "cases.consent.expired_when_read",
                    "target": case,
                    "details": {"person_id": view.pk, "consent_id": consent_id, **details},
                }
            )
    return events


def people_held_by(user: User, case: Case) -> QuerySet[Person]:
    """The people of ``case`` whose information ``user``'s agency holds (a shelter's own clients)."""
    if user.agency is None:
        return Person.objects.none()
    return Person.objects.filter(participations__case=case, entered_by_agency=user.agency).distinct()


def victims_of(case: Case) -> list[Person]:
    return [
        participant.person
        for participant in case.participants.filter(role=CaseParticipant.Role.VICTIM).select_related("person")
    ]


def is_victim_in(case: Case, person: Person) -> bool:
    return case.participants.filter(person=person, role=CaseParticipant.Role.VICTIM).exists()
