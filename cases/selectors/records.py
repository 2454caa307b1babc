"""A case's notes, files and needs as one reader may see them: a victim service provider's records follow its
clients' consents (docs/architecture.md §4.6), law-enforcement-sensitive ones the reader's permission."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency, User
from cases.models import Case, Consent, Document, Need, Person, Visibility
from cases.selectors.cases import VIEW, VIEW_LE, VIEW_PII, CaseAccess, case_access_for_user, case_permissions
from cases.selectors.people import WITHHELD, PersonView, people_held_by, people_of_case_for


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
        required = SENSITIVE_NEEDS.get(need.category)
        if required and required not in categories:
            continue
        details = need.details if Consent.Category.NARRATIVE in categories else WITHHELD
        shown.append(NeedView(need=need, person_label=labels.get(need.person_id, ""), details=details))
    return shown


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
