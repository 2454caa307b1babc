"""A case's notes, files and needs as one reader may see them: a victim service provider's records follow its
clients' consents (docs/architecture.md §4.6), law-enforcement-sensitive ones the reader's permission."""

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, User
from cases.models import Case, CaseParticipant, Consent, Document, Need, Person, ServiceEvent, Visibility
from cases.selectors.cases import (
    VIEW,
    VIEW_LE,
    VIEW_PII,
    CaseAccess,
    case_access_for_user,
    case_permissions,
)
from cases.selectors.people import (
    WITHHELD,
    PersonView,
    may_edit_identification,
    people_held_by,
    people_of_case_for,
    victim_access,
)


def _people_releasing(user: User, case: Case, category: str) -> set[int]:
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


def _from_providers_hidden(user: User, case: Case, agency_field: str) -> Q:
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


def _provider_notes_hidden(user: User, case: Case) -> Q:
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


def notes_visible(user: User, case: Case, permissions: frozenset[str]) -> QuerySet:
    notes = case.notes.select_related("author", "author_agency").exclude(_provider_notes_hidden(user, case))
    return notes if VIEW_LE in permissions else notes.filter(visibility=Visibility.CASE_TEAM)


def note_subjects_for(user: User, case: Case) -> QuerySet[Person]:
    """Whom a note ``user`` writes in ``case`` may be about: their victim service provider's clients in the case
    (none for other agencies, whose notes follow the case's share alone)."""
    if user.agency is None or not user.agency.is_victim_service_provider:
        return Person.objects.none()
    return people_held_by(user, case)


def documents_visible(user: User, case: Case, permissions: frozenset[str]) -> QuerySet:
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


def needs_visible(
    user: User, case: Case, people: list[tuple[Any, PersonView]], labels: dict[int, str]
) -> list[NeedView]:
    """A case's needs as ``user`` may see them. For a person a victim service provider holds, a medical or
    immigration need shows only through a consent releasing that category, and details only through ``narrative``;
    other needs are not identifying (a referral carries them without consent)."""
    released = {view.pk: view.categories for _participant, view in people}
    shown = []
    for need in case.needs.all():
        if need.person_id not in released:
            continue  # someone the viewer may not see at all (a suspect, without law-enforcement access)
        categories = released[need.person_id]
        if not _category_shown(need.category, categories):
            continue
        details = need.details if Consent.Category.NARRATIVE in categories else WITHHELD
        shown.append(NeedView(need=need, person_label=labels.get(need.person_id, ""), details=details))
    return shown


def _category_shown(category: str, released: frozenset[str]) -> bool:
    """Whether a need or a service of ``category`` of a person shows to a reader released ``released`` of them: a
    medical, mental health or immigration one only through the consent category that releases it."""
    required = SENSITIVE_NEEDS.get(category)
    return not required or required in released


def needs_visible_to(user: User, case: Case, permissions: frozenset[str] | None = None) -> QuerySet[Need]:
    """The needs of ``case`` that ``user`` may see, as a queryset, by the rule of ``needs_visible`` (the case page's):
    every form, list and step that touches needs (the refer form, marking a need met, the referral lines) reads
    them here. ``permissions`` are the user's on the case if the caller has them (a ``CaseAccess``'s): three
    queries, two more without them."""
    if permissions is None:
        permissions = case_permissions(user, case)
    people = people_of_case_for(user, case, permissions)
    return case.needs.filter(pk__in=[shown.need.pk for shown in needs_visible(user, case, people, {})])


def document_get_for_user(user: User, case_pk: int, document_pk: int) -> tuple[Case, Document]:
    """A document the user may read: 403 without ``view_case_pii`` on the case; a file they may not read (law-
    enforcement-sensitive, or a provider's) is a 404, as if it did not exist."""
    access = case_access_for_user(user, case_pk, VIEW_PII)
    document = documents_visible(user, access.case, access.permissions).filter(pk=document_pk).first()
    if document is None:
        raise Http404
    return access.case, document


def need_get_for_user(user: User, need_pk: int) -> tuple[CaseAccess, NeedView, PersonView]:
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


@dataclass
class ServiceView:
    """A service a victim received or was referred to, as one reader may see it (``services_visible``)."""

    event: ServiceEvent
    person_label: str
    program: Any  # the text, or WITHHELD


def services_visible(
    user: User,
    case: Case,
    people: list[tuple[Any, PersonView]],
    labels: dict[int, str],
    *,
    withheld_referrals: frozenset[int] = frozenset(),
) -> list[ServiceView]:
    """A case's services delivered and referred, as ``user`` may see them (decision 0035): a service shows where a
    need of the same category of the same person would (``needs_visible``), since it tells as much: a victim the
    reader does not see (a suspect without law-enforcement access; no service is anyone else's anyway) has none
    shown, and for a person a victim service provider holds, a medical, mental health or immigration service only
    through a consent releasing that category; its program (the words of what was done) only through
    ``narrative``, as a need's details. The category, the date, delivered or referred and the provider are not
    identifying (a referral carries them without consent). A service recorded by a referral withheld from the reader
    (``withheld_referrals``: one carrying a need hidden from them, whose recipient would tell it) is not shown
    either, whatever its own category. Nor is one withdrawn (entered in error). One query, whatever their number."""
    released = {participant.pk: (view, view.categories) for participant, view in people}
    events = (
        ServiceEvent.objects.standing()
        .filter(participant__case=case)
        .select_related("provider")
        .order_by("provided_on", "id")
    )
    shown = []
    for event in events:
        if event.participant_id not in released or event.referral_id in withheld_referrals:
            continue
        view, categories = released[event.participant_id]
        if not _category_shown(event.category, categories):
            continue
        program = event.program if Consent.Category.NARRATIVE in categories else WITHHELD
        shown.append(ServiceView(event=event, person_label=labels.get(view.pk, ""), program=program))
    return shown


def service_event_to_correct(user: User, case_pk: int, event_pk: int) -> tuple[CaseAccess, ServiceEvent]:
    """``user``'s access to ``case_pk`` and its service ``event_pk``, withdrawn or not, if ``user`` may mark it
    entered in error: whoever may record a service for its victim (``may_record_service``). 404 outside the case,
    for a service not in it, and for one the reader does not see (``services_visible``: its person or its category
    hidden, withdrawn, or recorded by a referral, which may be withheld); 403 for one they see but may not
    correct."""
    access = case_access_for_user(user, case_pk)
    event = ServiceEvent.objects.filter(pk=event_pk, participant__case=access.case).first()
    if event is None:
        raise Http404
    people = people_of_case_for(user, access.case, access.permissions)
    found = next(((p, view) for p, view in people if p.pk == event.participant_id), None)
    if found is None:
        raise Http404  # its person is hidden from the reader
    participant, view = found
    if not may_record_service(user, access, participant):
        if event.is_withdrawn or event.referral_id is not None or not _category_shown(event.category, view.categories):
            raise Http404
        raise PermissionDenied
    return access, event


def may_record_service(user: User, access: CaseAccess, participant: CaseParticipant) -> bool:
    """Whether ``user`` records a service delivered to (or a referral made for) ``participant``, a victim of
    ``access.case``, directly (a completed service referral records its own, by the referral's rule): they may
    change the case and see the person's identity (so every category of them), and a victim service provider's
    client is the provider's alone (a consent releases the services to read, never to write). It is the rule of a
    victim's identification (``may_edit_identification``), asked under its own name: a service, too, is this case's
    record of the victim, and the two change together or not at all (decision 0035)."""
    return may_edit_identification(user, access, participant)


def service_record_access(user: User, case_pk: int, person_pk: int) -> tuple[CaseAccess, CaseParticipant]:
    """``user``'s access to ``case_pk`` and the victim participation of ``person_pk`` in it, if ``user`` may record
    a service for them (``may_record_service``). 404 outside the case or for a person the reader does not see in it;
    a ``ValidationError`` for someone in the case who is not a victim in it; 403 for a victim whose services the
    reader may not record."""
    return victim_access(
        user,
        case_pk,
        person_pk,
        may=may_record_service,
        not_a_victim=_("Services are recorded for a victim in the case."),
    )


def category_released_q(user: User, category: str, person_ref: str, *, on: date | None = None) -> Q:
    """Rows whose person (``person_ref``: ``"participant__person"`` in a query of a victim's records) has
    ``category`` of their information released to ``user``'s agency, in SQL: the rule of ``pii_categories_for`` for
    a reader who holds ``view_case_pii`` on the case (the caller's part, with a suspect's law-enforcement rule).
    Everything of a person the agency entered, or that no victim service provider entered; a provider's client's
    only through an active consent (``consent_categories_for``: not revoked, signed by ``on``, expiring after it)
    naming the agency with that category. For counting or listing rows of many cases at once (a relief report)
    without reading each person's consents. A consent's categories are a JSON list of codes: matched as the code in
    quotes in its text, which reads the same on PostgreSQL and on SQLite (whose JSON has no "contains")."""
    agency_id = getattr(user.agency, "pk", None)
    if agency_id is None:
        return Q(pk__in=[])
    day = on or timezone.localdate()
    consents = Consent.objects.filter(
        person=OuterRef(person_ref),
        recipient_agency=agency_id,
        revoked_at__isnull=True,
        signed_on__lte=day,
        expires_on__gt=day,
        categories__icontains=json.dumps(category),
    )
    holder = f"{person_ref}__entered_by_agency"
    return (
        ~Q(**{f"{holder}__kind": Agency.Kind.VICTIM_SERVICES}) | Q(**{f"{holder}_id": agency_id}) | Q(Exists(consents))
    )
