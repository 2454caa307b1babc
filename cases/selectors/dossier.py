"""Everything about one case that one reader may see, gathered once: the case page and the case packet both show
this and only this (docs/architecture.md §7)."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from agencies.models import User
from cases.models import Case, CaseParticipant, CaseShare, Consent, VictimIdentification, Visibility
from cases.presenters import (
    ask_for_more_text,
    identification_lines,
    indicator_labels,
    person_label,
    withheld_text,
)
from cases.sections import CaseSection, case_sections_for
from cases.selectors.cases import CHANGE, MANAGE, VIEW_LE, CaseAccess, shares_of
from cases.selectors.people import PersonView, consents_held_by, people_of_case_for
from cases.selectors.records import (
    NeedView,
    ServiceView,
    documents_visible,
    needs_visible,
    notes_visible,
    services_visible,
)


@dataclass
class CaseDossier:
    """Everything about one case that one viewer may see, gathered once by the rules of ``cases.selectors``: the case
    page and the case packet both show this and only this (docs/architecture.md §7: one rule source)."""

    case: Case
    permissions: frozenset[str]
    people: list[tuple[Any, PersonView]]
    names: dict[int, str]
    needs: list[NeedView]
    services: list[ServiceView]  # delivered to the victims or referred, as the reader may see them (decision 0035)
    notes: list[Any]
    documents: list[Any]
    referrals: list[Any]
    shares: list[CaseShare]
    consents: list[Consent]
    indicators: list[str]
    assigned: list[str]  # who works the case, for the lead agency's people (MANAGE)
    is_lead: bool = False  # the reader's agency leads the case
    reader_share: CaseShare | None = None  # else the active share through which the reader's agency sees it
    # What the apps above cases add (setting CASE_SECTIONS), each by its own app's rule.
    # The referrals that carry a need hidden from the reader (``_referrals_withheld``): whatever they left behind
    # (a service recorded, an event in the case's activity) is not shown either.
    withheld_referrals: frozenset[int] = frozenset()
    sections: list[CaseSection] = field(default_factory=list)

    @property
    def victims(self) -> list[tuple[Any, PersonView]]:
        """The victims, each with their identification as the reader may see it (``PersonView.identification``)."""
        return [
            (participant, view) for participant, view in self.people if participant.role == CaseParticipant.Role.VICTIM
        ]

    @property
    def le_narrative(self) -> str:
        return self.case.le_narrative if VIEW_LE in self.permissions else ""

    @property
    def shows_pii(self) -> bool:
        """Personal information is in view: any category of someone's information a consent or a share releases
        (identity and contact, but also their medical or immigration needs and their account), or files (read as
        personal information)."""
        return (
            any(view.categories for _participant, view in self.people)
            or bool(self.documents)
            or any(section.shows_pii for section in self.sections)
        )

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
            or any(section.shows_le_sensitive for section in self.sections)
        )

    @property
    def ways_to_see_more(self) -> list[tuple[str, Any]]:
        """Each distinct way to see what is withheld (the words, and the agency to ask), once each."""
        seen: dict[str, Any] = {}
        for _participant, view in self.people:
            if view.ask_text and view.ask_text not in seen:
                seen[view.ask_text] = view.withheld_because.agency if view.withheld_because else None
        return list(seen.items())

    def pii_shown(self) -> list[dict[str, Any]]:
        """Whose information is in view, and which categories (for the audit trail: ids and codes, never values)."""
        return [
            {"person_id": view.pk, "categories": sorted(view.categories)}
            for _participant, view in self.people
            if view.categories
        ]


def _referrals_withheld(user: User, case: Case, needs: list[NeedView]) -> QuerySet:
    """The case's referrals that carry a need hidden from ``user`` (their recipient, a clinic, would tell the need),
    unless the reader's own agency sent them: neither they nor anything they left behind (a service they recorded,
    an event in the case's activity) is shown."""
    hidden = case.needs.exclude(pk__in=[shown.need.pk for shown in needs])
    own = getattr(user.agency, "pk", None)
    return case.referrals.filter(needs__in=hidden).exclude(sender_agency_id=own)


def _referrals_shown(user: User, case: Case, withheld: frozenset[int]) -> QuerySet:
    """The case's referrals a reader who works the case sees: not one withheld (``_referrals_withheld``). One query,
    whatever their number."""
    own = getattr(user.agency, "pk", None)
    # A draft (a coordinator's proposal) is the lead agency's to send: nobody else hears of it here. ("draft" is
    # Referral.Status.DRAFT, written out: cases never imports referrals.)
    return case.referrals.exclude(pk__in=sorted(withheld)).exclude(Q(status="draft") & ~Q(sender_agency_id=own))


def case_dossier_for(user: User, access: CaseAccess) -> CaseDossier:
    """The case as ``user`` may see it, given their access to it (``case_access_for_user``). The case's referrals
    are read through the reverse relation (cases never imports referrals) and only by those who work the case, as on
    its page."""
    case, permissions = access.case, access.permissions
    is_lead = getattr(user.agency, "pk", None) == case.lead_agency_id
    people = people_of_case_for(user, case, permissions)
    for participant, view in people:
        view.label = person_label(participant, view)
        if view.withheld_because is not None:
            view.withheld_text = withheld_text(view.withheld_because)
            view.ask_text = ask_for_more_text(view.withheld_because)
        if isinstance(view.identification, VictimIdentification):
            view.identification_lines = identification_lines(view.identification)
    names = {view.pk: view.label for _participant, view in people}
    needs = needs_visible(user, case, people, names)
    withheld_referrals = frozenset(_referrals_withheld(user, case, needs).values_list("pk", flat=True))
    referrals = (
        list(
            _referrals_shown(user, case, withheld_referrals)
            .select_related("sender_agency", "recipient_agency", "recipient_service")
            .order_by("-created_at")[:50]
        )
        if CHANGE in permissions
        else []
    )
    dossier = CaseDossier(
        case=case,
        permissions=permissions,
        people=people,
        names=names,
        needs=needs,
        services=services_visible(user, case, people, names, withheld_referrals=withheld_referrals),
        withheld_referrals=withheld_referrals,
        notes=list(notes_visible(user, case, permissions)),
        documents=list(documents_visible(user, case, permissions)),
        referrals=referrals,
        shares=list(shares_of(case)) if MANAGE in permissions else [],
        consents=list(consents_held_by(user, case)),
        indicators=indicator_labels(case),
        assigned=[user.full_name for user in case.assigned_to.all()] if MANAGE in permissions else [],
        is_lead=is_lead,
        reader_share=None if is_lead else _reader_share(user, case),
    )
    dossier.sections = case_sections_for(user, access, dossier)
    return dossier


def _reader_share(user: User, case: Case) -> CaseShare | None:
    """The active share through which ``user``'s agency sees ``case`` (none for a grant to the user alone)."""
    if user.agency is None:
        return None
    return (
        case.shares.filter(agency=user.agency, status=CaseShare.Status.ACTIVE)
        .select_related("case__lead_agency")
        .first()
    )
