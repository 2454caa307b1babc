"""Who sees which case, and which of its fields: the one place that decides (docs/architecture.md §4.7-4.8).

A user may do X to a case when
1. their role allows X at all (a model permission on their role group: ``user.has_perm("cases.X")``),
2. their agency (through its group) or they themselves hold the object permission X on the case (guardian rows
   that ``cases.services`` derive from the lead agency and from ``CaseShare``), and no share of theirs has expired;
3. for PII that a victim service provider entered: their agency is that provider, or an active ``Consent`` of the
   person names their agency and the category.

Every page, list, count, search, export, file and packet asks here. Outside a case's audience: 404. Inside it but
without the finer permission: 403.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.apps import apps
from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, TaskForce, User
from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseParticipant,
    CaseShare,
    CaseUserObjectPermission,
    Consent,
    MeetingPacket,
    Need,
    Note,
    Person,
    Visibility,
)
from portal.models import AuditEvent

VIEW, CHANGE, VIEW_PII, VIEW_LE = "view_case", "change_case", "view_case_pii", "view_le_sensitive"
CASE_PERMISSIONS = (VIEW, CHANGE, VIEW_PII, VIEW_LE)
# Who decides who else sees the case, who works it and whether it is closed: people of the lead agency who may
# change it. A partner that collaborates (may change the case) does not control it.
MANAGE = "manage_case"
# Preparing a packet for a task force's case-coordination meeting: the coordinator's role (docs/architecture.md §4.3).
PREPARE_MEETING = "prepare_meeting_packet"
# What only a supervisor of the lead agency does: approve a share, assign the case, close or reopen it
# (docs/architecture.md §4.3).
DECIDE = "decide_case"

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


def _role_allows(user, codename: str) -> bool:
    return user.is_active and user.has_perm(f"cases.{codename}")


def _held(user, codename: str, case_ref: str = "pk") -> Q:
    """Cases on which ``user`` (or their agency) holds ``codename``, with no expired share of their agency.
    ``case_ref`` names the outer query's case id (``"pk"`` in a query of cases, ``"case_id"`` in one of rows that
    point at a case)."""
    by_user = CaseUserObjectPermission.objects.filter(
        content_object=OuterRef(case_ref), user_id=user.pk, permission__codename=codename
    )
    held = Q(Exists(by_user))
    agency = user.agency
    if agency is not None:
        by_agency = CaseGroupObjectPermission.objects.filter(
            content_object=OuterRef(case_ref), group_id=agency.group_id, permission__codename=codename
        )
        expired = CaseShare.objects.filter(
            case=OuterRef(case_ref),
            agency_id=agency.pk,
            status=CaseShare.Status.ACTIVE,
            expires_on__lte=timezone.localdate(),
        )
        held |= Q(Exists(by_agency)) & ~Q(Exists(expired))
    return held


def case_list_visible_to(user) -> QuerySet[Case]:
    """The cases ``user`` may open: an indexed EXISTS per permission source, never a list of ids."""
    if not _role_allows(user, VIEW):
        return Case.objects.none()
    return Case.objects.filter(_held(user, VIEW)).select_related("lead_agency", "task_force")


def case_permissions(user, case: Case) -> frozenset[str]:
    """What ``user`` may do to ``case`` (a subset of ``CASE_PERMISSIONS``). Two queries for one case."""
    allowed = {codename for codename in CASE_PERMISSIONS if _role_allows(user, codename)}
    if not allowed:
        return frozenset()
    rows = Case.objects.filter(pk=case.pk).values(**{codename: _exists(user, codename) for codename in allowed})
    held = rows.first() or {}
    granted = {codename for codename in allowed if held.get(codename)}
    if CHANGE in granted and user.agency is not None and user.agency.pk == case.lead_agency_id:
        granted.add(MANAGE)
        if _role_allows(user, DECIDE):
            granted.add(DECIDE)
    return frozenset(granted)


def _exists(user, codename: str):
    return ExpressionWrapper(_held(user, codename), output_field=BooleanField())


@dataclass(frozen=True)
class CaseAccess:
    """One person's access to one case, as ``case_access_for_user`` found it: the case, and what they may do to it
    (a subset of ``CASE_PERMISSIONS`` plus ``MANAGE`` and ``DECIDE``)."""

    case: Case
    permissions: frozenset[str]

    def allows(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def may_change(self) -> bool:
        return CHANGE in self.permissions

    @property
    def may_see_pii(self) -> bool:
        return VIEW_PII in self.permissions

    @property
    def may_see_le(self) -> bool:
        return VIEW_LE in self.permissions

    @property
    def manages(self) -> bool:
        """Of the lead agency and may change the case: decides who else sees it and who works it."""
        return MANAGE in self.permissions

    @property
    def decides(self) -> bool:
        """A supervisor of the lead agency: approves shares, assigns, closes and reopens."""
        return DECIDE in self.permissions


def case_access_for_user(user: User, pk: int, perm: str = VIEW) -> CaseAccess:
    """The case and ``user``'s access to it, if they may ``perm`` it: 404 outside its audience, 403 without the
    finer permission."""
    case = case_list_visible_to(user).filter(pk=pk).first()
    if case is None:
        raise Http404
    access = CaseAccess(case, case_permissions(user, case))
    if not access.allows(perm):
        raise PermissionDenied
    return access


def case_get_for_user(user: User, pk: int, perm: str = VIEW) -> Case:
    """The case, if ``user`` may ``perm`` it (``case_access_for_user`` without the rest of the answer)."""
    return case_access_for_user(user, pk, perm).case


def pii_categories_for(
    user, person: Person, *, case_permissions: frozenset[str], role: str = "", on: date | None = None
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


def _released(user, holder, consents, *, on: date | None = None) -> frozenset[str]:
    """What ``holder`` releases to ``user``'s agency: everything if the holder is not a victim service provider or
    is the user's own agency, else the categories of the consents (prefetched by the caller) active on ``on``."""
    if not holder.is_victim_service_provider or holder.pk == getattr(user.agency, "pk", None):
        return ALL_CATEGORIES
    if user.agency is None:
        return frozenset()
    day = on or timezone.localdate()
    released: set[str] = set()
    for consent in consents:
        if consent.recipient_agency_id == user.agency.pk and consent.is_active_on(day):
            released.update(consent.categories)
    return frozenset(released)


WITHHELD = object()


@dataclass
class PersonView:
    """A person as one viewer may see them: PII fields they may not see hold ``WITHHELD``."""

    person: Person
    categories: frozenset[str]
    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, person: Person, categories: frozenset[str]) -> "PersonView":
        values: dict[str, Any] = {
            "pk": person.pk,
            "sex": person.get_sex_display(),
            "languages": person.languages,
            "preferred_language": person.preferred_language,
            "is_minor": person.is_minor,
            "entered_by_agency": person.entered_by_agency,
        }
        for category, names in PII_FIELDS.items():
            for name in names:
                values[name] = getattr(person, name) if category in categories else WITHHELD
        return cls(person=person, categories=categories, values=values)

    @property
    def shows_pii(self) -> bool:
        return bool(self.categories & set(PII_FIELDS))

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


def people_of_case_for(user, case: Case, case_permissions: frozenset[str]) -> list[tuple[Any, PersonView]]:
    """The case's participants with each person as ``user`` may see them (two queries whatever their number).
    Without ``view_le_sensitive`` suspects do not exist: not listed, not counted, not in a timeline (issue 11)."""
    participants = case.participants.select_related("person__entered_by_agency").prefetch_related("person__consents")
    if VIEW_LE not in case_permissions:
        participants = participants.exclude(role=CaseParticipant.Role.SUSPECT)
    day = timezone.localdate()
    return [
        (
            participant,
            PersonView.of(
                participant.person,
                pii_categories_for(
                    user, participant.person, case_permissions=case_permissions, role=participant.role, on=day
                ),
            ),
        )
        for participant in participants
    ]


def _people_releasing(user, case: Case, category: str) -> set[int]:
    """The people of ``case`` with an active consent releasing ``category`` to ``user``'s agency (one query)."""
    if user.agency is None:
        return set()
    day = timezone.localdate()
    consents = Consent.objects.filter(
        person__participations__case=case, recipient_agency=user.agency, revoked_at__isnull=True
    ).only("person_id", "categories", "signed_on", "expires_on", "revoked_at")
    return {c.person_id for c in consents if category in c.categories and c.is_active_on(day)}


def _clients_by_provider(case: Case) -> dict[int, set[int]]:
    """Each victim service provider's clients in ``case`` (the people it entered), by the provider's id."""
    clients: dict[int, set[int]] = {}
    rows = case.participants.filter(person__entered_by_agency__kind=Agency.Kind.VICTIM_SERVICES).values_list(
        "person__entered_by_agency_id", "person_id"
    )
    for agency_id, person_id in rows:
        clients.setdefault(agency_id, set()).add(person_id)
    return clients


def _providers_released_by_all(clients: dict[int, set[int]], released: set[int]) -> set[int]:
    """The providers whose every client in the case released their account to the viewer. A provider with no client
    in the case releases nothing: the safe reading, as an empty "every" would release all its records."""
    return {agency_id for agency_id, people in clients.items() if people and people <= released}


def _from_providers_hidden(user, case: Case, agency_field: str) -> Q:
    """Records a victim service provider wrote that name nobody (its files) stay with it unless every client of it
    in the case released their account (``narrative``) to the viewer's agency. Its notes name whom they are about:
    ``_provider_notes_hidden``."""
    providers = _providers_released_by_all(
        _clients_by_provider(case), _people_releasing(user, case, Consent.Category.NARRATIVE)
    )
    own = getattr(user.agency, "pk", None)
    return Q(**{f"{agency_field}__kind": Agency.Kind.VICTIM_SERVICES}) & ~Q(
        **{f"{agency_field}_id__in": [own, *providers]}
    )


def _provider_notes_hidden(user, case: Case) -> Q:
    """Notes a victim service provider wrote that another agency's ``user`` may not read. A note names whom it is
    about (its clients): it is released only when EACH of them has an active consent releasing ``narrative`` to the
    user's agency; one client's consent never releases a note about another. A note naming nobody (written before
    notes named their clients) is read the safe way: released only when every client of its provider in the case
    has released their account. Three queries whatever the number of notes."""
    own = getattr(user.agency, "pk", None)
    released = _people_releasing(user, case, Consent.Category.NARRATIVE)
    clients = _clients_by_provider(case)
    authors: dict[int, int] = {}
    about: dict[int, set[int]] = {}
    rows = (
        case.notes.filter(author_agency__kind=Agency.Kind.VICTIM_SERVICES)
        .exclude(author_agency_id=own)
        .values_list("pk", "author_agency_id", "about")
    )
    for note_id, agency_id, person_id in rows:
        authors[note_id] = agency_id
        about.setdefault(note_id, set()).update([person_id] if person_id is not None else [])
    # Whose consent each note needs: the people it names, or (naming nobody) every client of its provider here.
    needed = {note_id: people or clients.get(authors[note_id], set()) for note_id, people in about.items()}
    shown = [note_id for note_id, people in needed.items() if people and people <= released]
    return Q(author_agency__kind=Agency.Kind.VICTIM_SERVICES) & ~Q(author_agency_id=own) & ~Q(pk__in=shown)


def notes_visible(user, case: Case, permissions: frozenset[str]) -> QuerySet:
    notes = case.notes.select_related("author", "author_agency").exclude(_provider_notes_hidden(user, case))
    return notes if VIEW_LE in permissions else notes.filter(visibility=Visibility.CASE_TEAM)


def note_subjects_for(user, case: Case) -> QuerySet[Person]:
    """Whom a note ``user`` writes in ``case`` may be about: their victim service provider's clients in the case
    (none for other agencies, whose notes follow the case's share alone)."""
    if user.agency is None or not user.agency.is_victim_service_provider:
        return Person.objects.none()
    return people_held_by(user, case)


def documents_visible(user, case: Case, permissions: frozenset[str]) -> QuerySet:
    """Files are read as personal information (a statement, a passport scan): without ``view_case_pii`` none is
    listed, not even by name; law-enforcement-sensitive ones also need that permission. A provider's files name
    nobody: they follow the rule of its notes that name nobody (released only when every client of the provider in
    the case released their account to the viewer's agency)."""
    if VIEW_PII not in permissions:
        return case.documents.none()
    documents = case.documents.select_related("uploaded_by", "uploaded_by_agency").exclude(
        _from_providers_hidden(user, case, "uploaded_by_agency")
    )
    return documents if VIEW_LE in permissions else documents.filter(visibility=Visibility.CASE_TEAM)


# The needs that say something about a person's health or status, and the consent category that releases them.
SENSITIVE_NEEDS: dict[str, str] = {
    Need.Category.MEDICAL: Consent.Category.MEDICAL,
    Need.Category.MENTAL_HEALTH: Consent.Category.MEDICAL,
    Need.Category.LEGAL_IMMIGRATION: Consent.Category.IMMIGRATION,
}


@dataclass
class NeedView:
    need: Need
    person_label: str
    details: Any  # the text, or WITHHELD


def needs_visible(user, case: Case, people: list[tuple[Any, "PersonView"]], labels: dict[int, str]) -> list[NeedView]:
    """A case's needs as ``user`` may see them. For a person a victim service provider holds, a medical or
    immigration need shows only through a consent releasing that category, and details only through ``narrative``;
    other needs are not identifying (a referral carries them without consent)."""
    released = {view.pk: view.categories for _participant, view in people}
    shown = []
    for need in case.needs.all():
        if need.person_id not in released:
            continue  # someone the viewer may not see at all (a suspect, without law-enforcement access)
        categories = released[need.person_id]
        required = SENSITIVE_NEEDS.get(need.category)
        if required and required not in categories:
            continue
        details = need.details if Consent.Category.NARRATIVE in categories else WITHHELD
        shown.append(NeedView(need=need, person_label=labels.get(need.person_id, ""), details=details))
    return shown


def needs_visible_to(user, case: Case, permissions: frozenset[str] | None = None) -> QuerySet[Need]:
    """The needs of ``case`` that ``user`` may see, as a queryset, by the rule of ``needs_visible`` (the case page's):
    every form, list and step that touches needs (the refer form, marking a need met, the referral lines) reads
    them here. ``permissions`` are the user's on the case if the caller has them (a ``CaseAccess``'s): three
    queries, two more without them."""
    if permissions is None:
        permissions = case_permissions(user, case)
    people = people_of_case_for(user, case, permissions)
    return case.needs.filter(pk__in=[shown.need.pk for shown in needs_visible(user, case, people, {})])


def document_get_for_user(user, case_pk: int, document_pk: int):
    """A document the user may read: 403 without ``view_case_pii`` on the case; a file they may not read (law-
    enforcement-sensitive, or a provider's) is a 404, as if it did not exist."""
    access = case_access_for_user(user, case_pk, VIEW_PII)
    document = documents_visible(user, access.case, access.permissions).filter(pk=document_pk).first()
    if document is None:
        raise Http404
    return access.case, document


def share_candidates(case: Case) -> QuerySet[Agency]:
    """The agencies the lead may let see ``case``: active ones other than the lead, and, for a task force's case,
    only that task force's members. The one statement of the boundary: the Share form, "ask an agency to join"
    (and its re-routing) offer these, and ``case_share_grant`` refuses any other."""
    agencies = Agency.objects.filter(is_active=True).exclude(pk=case.lead_agency_id)
    if case.task_force_id is not None:
        agencies = agencies.filter(task_forces=case.task_force_id)
    return agencies.order_by("name")


def shares_of(case: Case) -> QuerySet[CaseShare]:
    return case.shares.filter(status__in=[CaseShare.Status.REQUESTED, CaseShare.Status.ACTIVE]).select_related(
        "agency", "granted_by", "approved_by"
    )


def consents_held_by(user, case: Case) -> QuerySet[Consent]:
    """Consents of the case's people that the user's agency holds (and so may see and revoke)."""
    if user.agency is None:
        return Consent.objects.none()
    return (
        Consent.objects.filter(holder_agency=user.agency, person__participations__case=case)
        .select_related("person", "recipient_agency")
        .distinct()
    )


def name_search_q(user, text: str) -> Q:
    """Cases with a participant named ``text`` whose name ``user`` may see. Names a victim service provider holds
    are searched only by that provider (a consent releases a name to read, not to search for)."""
    named = CaseParticipant.objects.filter(case=OuterRef("pk")).filter(
        Q(person__given_name__icontains=text) | Q(person__family_name__icontains=text)
    )
    if user.agency is None or not _role_allows(user, VIEW_PII):
        return Q(pk__in=[])
    named = named.filter(_name_readable(user, "person__")).filter(
        ~Q(role=CaseParticipant.Role.SUSPECT) | _held(user, VIEW_LE, "case_id")
    )
    return Q(Exists(named)) & _held(user, VIEW_PII)


def _name_readable(user, prefix: str = "") -> Q:
    """People whose names ``user`` may look for: not held by a victim service provider, or held by their own."""
    return ~Q(**{f"{prefix}entered_by_agency__kind": Agency.Kind.VICTIM_SERVICES}) | Q(
        **{f"{prefix}entered_by_agency_id": user.agency.pk}
    )


SEARCH_LIMIT = 50


def person_search_for(user, text: str) -> QuerySet[Person]:
    """People whose names ``user`` may see, matching ``text``: fuzzy (trigram similarity) on PostgreSQL, a plain
    match on SQLite. As in the case list, names a victim service provider holds are searched only by it."""
    text = text.strip()
    if not text or user.agency is None or not _role_allows(user, VIEW_PII):
        return Person.objects.none()
    in_visible_case = (
        CaseParticipant.objects.filter(person=OuterRef("pk"))
        .filter(_held(user, VIEW_PII, "case_id"))
        .filter(~Q(role=CaseParticipant.Role.SUSPECT) | _held(user, VIEW_LE, "case_id"))
    )
    people = Person.objects.filter(Exists(in_visible_case)).filter(_name_readable(user))
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


def cases_of_people_visible_to(user, people: list[Person]) -> dict[int, list[Case]]:
    """For each person, the visible cases they are in (one query for all of them); a case where they are a suspect
    only where ``user`` may see law-enforcement-sensitive information (elsewhere suspects do not exist)."""
    participations = (
        CaseParticipant.objects.filter(person__in=people)
        .filter(case__in=case_list_visible_to(user))
        .filter(~Q(role=CaseParticipant.Role.SUSPECT) | _held(user, VIEW_LE, "case_id"))
        .select_related("case")
        .order_by("case__number")
    )
    found: dict[int, list[Case]] = {}
    for participation in participations:
        cases = found.setdefault(participation.person_id, [])
        if participation.case not in cases:
            cases.append(participation.case)
    return found


def case_activity(case: Case, permissions: frozenset[str], limit: int = 25) -> QuerySet[AuditEvent]:
    """The newest events about the case (views, changes, shares, downloads), for those who may change it. Without
    ``view_le_sensitive``, nothing about a suspect: not their being added, not a read of their details."""
    events = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk))
    if VIEW_LE not in permissions:
        suspects = list(case.participants.filter(role=CaseParticipant.Role.SUSPECT).values_list("person_id", flat=True))
        about_suspects = events.filter(
            Q(action="cases.participant.added", details__role=CaseParticipant.Role.SUSPECT)
            | Q(details__person_id__in=suspects)
        )
        # By id (a subquery), not ``exclude`` on a JSON key: events without the key must stay.
        events = events.exclude(pk__in=about_suspects.values("pk"))
    return events.order_by("-occurred_at", "-id")[:limit]


def case_assignable_people(case: Case) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, _membership__agency_id=case.lead_agency_id, groups__permissions__codename="change_case"
    ).distinct()


def consents_expired_for(user, view: PersonView) -> list[int]:
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


def person_read_events(user, case: Case, people: list[tuple[Any, PersonView]], **details: Any) -> list[dict]:
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


def people_held_by(user, case: Case) -> QuerySet[Person]:
    """The people of ``case`` whose information ``user``'s agency holds (a shelter's own clients)."""
    if user.agency is None:
        return Person.objects.none()
    return Person.objects.filter(participations__case=case, entered_by_agency=user.agency).distinct()


def victims_of(case: Case) -> list[Person]:
    return [
        participant.person
        for participant in case.participants.filter(role=CaseParticipant.Role.VICTIM).select_related("person")
    ]


def need_get_for_user(user, need_pk: int) -> tuple[CaseAccess, NeedView, PersonView]:
    """A need ``user`` may see (``needs_visible``), their access to its case (``case_access_for_user``) and its
    person as the user may see them; 404 for a need they may not see, as if it did not exist."""
    case_id = Need.objects.filter(pk=need_pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Http404
    access = case_access_for_user(user, case_id, VIEW)
    people = people_of_case_for(user, access.case, access.permissions)
    shown = next((n for n in needs_visible(user, access.case, people, {}) if n.need.pk == need_pk), None)
    if shown is None:
        raise Http404
    person = next(view for _participant, view in people if view.pk == shown.need.person_id)
    return access, shown, person


def is_victim_in(case: Case, person: Person) -> bool:
    return case.participants.filter(person=person, role=CaseParticipant.Role.VICTIM).exists()


@dataclass
class CaseDossier:
    """Everything about one case that one viewer may see, gathered once by the rules above: the case page and the
    case packet both show this and only this (docs/architecture.md §7: one rule source)."""

    case: Case
    permissions: frozenset[str]
    people: list[tuple[Any, PersonView]]
    names: dict[int, str]
    needs: list[NeedView]
    notes: list[Any]
    documents: list[Any]
    referrals: list[Any]
    shares: list[CaseShare]
    consents: list[Consent]
    indicators: list[str]
    assigned: list[str]  # who works the case, for the lead agency's people (MANAGE)

    @property
    def le_narrative(self) -> str:
        return self.case.le_narrative if VIEW_LE in self.permissions else ""

    @property
    def shows_pii(self) -> bool:
        """Personal information is in view: any category of someone's information a consent or a share releases
        (identity and contact, but also their medical or immigration needs and their account), or files (read as
        personal information)."""
        return any(view.categories for _participant, view in self.people) or bool(self.documents)

    @property
    def shows_le_sensitive(self) -> bool:
        """Anything only law enforcement may read is in view: the narrative, an LE note or file, a suspect's PII."""
        return (
            bool(self.le_narrative)
            or any(note.visibility == Visibility.LAW_ENFORCEMENT for note in self.notes)
            or any(document.visibility == Visibility.LAW_ENFORCEMENT for document in self.documents)
            or any(
                participant.role == CaseParticipant.Role.SUSPECT and view.shows_pii for participant, view in self.people
            )
        )

    def pii_shown(self) -> list[dict[str, Any]]:
        """Whose information is in view, and which categories (for the audit trail: ids and codes, never values)."""
        return [
            {"person_id": view.pk, "categories": sorted(view.categories)}
            for _participant, view in self.people
            if view.categories
        ]


def person_label(participant: CaseParticipant, view: PersonView) -> str:
    """How a person is named to a viewer: their name, or their role and number when the identity is withheld."""
    if view.given_name is WITHHELD:
        return _("%(role)s #%(id)s (identity withheld)") % {"role": participant.get_role_display(), "id": view.pk}
    return f"{view.given_name} {view.family_name}".strip()


def _referrals_shown(user, case: Case, needs: list[NeedView]) -> QuerySet:
    """The case's referrals a reader who works the case sees: not one that carries a need hidden from them (its
    recipient, a clinic, would tell the need), unless their own agency sent it. One query, whatever their number."""
    hidden = case.needs.exclude(pk__in=[shown.need.pk for shown in needs])
    own = getattr(user.agency, "pk", None)
    withheld = case.referrals.filter(needs__in=hidden).exclude(sender_agency_id=own)
    # A draft (a coordinator's proposal) is the lead agency's to send: nobody else hears of it here.
    return case.referrals.exclude(pk__in=withheld.values("pk")).exclude(Q(status="draft") & ~Q(sender_agency_id=own))


def case_dossier_for(user, access: CaseAccess) -> CaseDossier:
    """The case as ``user`` may see it, given their access to it (``case_access_for_user``). The case's referrals
    are read through the reverse relation (cases never imports referrals) and only by those who work the case, as on
    its page."""
    case, permissions = access.case, access.permissions
    people = people_of_case_for(user, case, permissions)
    names = {view.pk: person_label(participant, view) for participant, view in people}
    needs = needs_visible(user, case, people, names)
    referrals = (
        list(
            _referrals_shown(user, case, needs)
            .select_related("sender_agency", "recipient_agency", "recipient_service")
            .order_by("-created_at")[:50]
        )
        if CHANGE in permissions
        else []
    )
    return CaseDossier(
        case=case,
        permissions=permissions,
        people=people,
        names=names,
        needs=needs,
        notes=list(notes_visible(user, case, permissions)),
        documents=list(documents_visible(user, case, permissions)),
        referrals=referrals,
        shares=list(shares_of(case)) if MANAGE in permissions else [],
        consents=list(consents_held_by(user, case)),
        indicators=[str(Case.Indicator(code).label) for code in case.indicators if code in Case.Indicator.values],
        assigned=[user.full_name for user in case.assigned_to.all()] if MANAGE in permissions else [],
    )


# --- Meeting packets ----------------------------------------------------------------------------------------------


def meeting_task_forces_of(user) -> QuerySet[TaskForce]:
    """The task forces whose meetings ``user`` may prepare a packet for: those their agency belongs to, if their
    role prepares meeting packets (the coordinator's, docs/architecture.md §4.3)."""
    if user.agency is None or not _role_allows(user, PREPARE_MEETING) or not _role_allows(user, VIEW):
        return TaskForce.objects.none()
    return TaskForce.objects.filter(agencies=user.agency)


def meeting_cases_for(user, task_force: TaskForce, *, since: date | None = None) -> QuerySet[Case]:
    """Open cases of ``task_force`` that ``user`` may see, oldest number first; with ``since``, only those with
    activity from that day on that ``user`` could see: a change to the case, a note for the whole case team by a
    non-provider (or by their own agency), a need of a kind shown without consent, a referral for those who work the
    case. Activity the reader may not see (an LE note, a shelter's note, a medical need) never selects a case: trying
    one day after another must not reveal that, or when, it happened. It may miss activity a consent releases."""
    cases = case_list_visible_to(user).filter(task_force=task_force).exclude(status=Case.Status.CLOSED)
    if since is not None:
        start = timezone.make_aware(datetime.combine(since, time.min))
        own = getattr(user.agency, "pk", None)
        notes = Note.objects.filter(case=OuterRef("pk"), created_at__gte=start, visibility=Visibility.CASE_TEAM).filter(
            ~Q(author_agency__kind=Agency.Kind.VICTIM_SERVICES) | Q(author_agency_id=own)
        )
        needs = (
            Need.objects.filter(case=OuterRef("pk"), updated_at__gte=start)
            .exclude(category__in=list(SENSITIVE_NEEDS))
            # a suspect's need, only for those to whom suspects exist (law-enforcement access)
            .filter(~Exists(_suspect_in_case()) | _held(user, VIEW_LE, "case_id"))
        )
        # through the reverse relation (cases never imports referrals), for those who see a case's referrals; not
        # one carrying a need of a kind shown only with consent (its recipient would tell the need)
        referrals = (
            apps.get_model("referrals", "Referral")
            ._default_manager.filter(case=OuterRef("pk"), updated_at__gte=start)
            .exclude(needs__category__in=list(SENSITIVE_NEEDS))
        )
        active = (
            Q(updated_at__gte=start)
            | Q(Exists(notes))
            | Q(Exists(needs))
            | (Q(Exists(referrals)) & _held(user, CHANGE))
        )
        cases = cases.filter(active).distinct()
    return cases.order_by("number")


def _suspect_in_case():
    """Whether the outer row's person (a need's) is a suspect in the outer row's case."""
    return CaseParticipant.objects.filter(
        case_id=OuterRef("case_id"), person_id=OuterRef("person_id"), role=CaseParticipant.Role.SUSPECT
    )


def disclosure_of(dossier: CaseDossier) -> dict[str, Any]:
    """What a packet of ``dossier`` shows, to compare later: the reader's permissions and each person's categories."""
    return {
        "permissions": sorted(dossier.permissions),
        "people": {str(view.pk): sorted(view.categories) for _participant, view in dossier.people if view.categories},
    }


def meeting_packet_still_readable(packet: MeetingPacket) -> bool:
    """Whether the requester may still read everything the packet's file holds: still active, in the same agency,
    preparing packets for its task force, and for each case at least the permissions and, for each person, the
    categories they had when it was built. A share revoked, a consent withdrawn or a change of role since: no."""
    user = packet.requested_by
    if not user.is_active or getattr(user.agency, "pk", None) != packet.agency_id:
        return False
    if not meeting_task_forces_of(user).filter(pk=packet.task_force_id).exists():
        return False
    for case_id, before in packet.disclosed.items():
        try:
            access = case_access_for_user(user, int(case_id))
        except (Http404, PermissionDenied):
            return False
        now = disclosure_of(case_dossier_for(user, access))
        if not set(before["permissions"]) <= set(now["permissions"]):
            return False
        for person_id, categories in before["people"].items():
            if not set(categories) <= set(now["people"].get(person_id, [])):
                return False
    return True


def meeting_packets_of(user) -> QuerySet[MeetingPacket]:
    """The meeting packets ``user`` asked for: only they may see or download them."""
    return MeetingPacket.objects.filter(requested_by=user).select_related("task_force")


def meeting_packet_get_for_user(user, pk: int) -> MeetingPacket:
    packet = meeting_packets_of(user).filter(pk=pk).first()
    if packet is None:
        raise Http404
    return packet
