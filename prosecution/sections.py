"""The prosecution section of the case page and the case packet (``CASE_SECTIONS``, cases/sections.py).

Shown only to readers who see the case's law-enforcement-sensitive part (``selectors.may_see_prosecution``); for
anyone else the provider answers ``None`` and the section is not even announced. Its read is one audit event,
``prosecution.record.viewed``, per suspect shown, on their participation (the case in its details): the case's
activity, which lists events on the case, never shows it to a reader without law-enforcement access.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from cases.models import CaseParticipant
from cases.sections import CaseSection
from prosecution import selectors
from prosecution.models import Arrest, Charge
from prosecution.presenters import decision_text, disposition_text

if TYPE_CHECKING:
    from agencies.models import User
    from cases.selectors import CaseAccess, CaseDossier


@dataclass
class ChargeView:
    """A charge with its decision and disposition in words."""

    charge: Charge
    decision_text: str
    disposition_text: str
    may_decide: bool = False  # the reader records its decision and disposition (``selectors.may_decide_charge``)


@dataclass
class ArrestView:
    arrest: Arrest
    charges: list[ChargeView]


@dataclass
class SuspectRecord:
    """One suspect of the case as the reader sees them, with their arrests (each with its charges)."""

    participant: CaseParticipant
    label: str
    arrests: list[ArrestView] = field(default_factory=list)


def prosecution_section(user: "User", access: "CaseAccess", dossier: "CaseDossier") -> CaseSection | None:
    """The suspects' arrests, charges, charging decisions and dispositions, for a reader with LE access to a case
    that has suspects; ``None`` otherwise. Two queries, whatever the number of arrests and charges."""
    if not selectors.may_see_prosecution(access):
        return None
    suspects = {
        participant.pk: SuspectRecord(participant, dossier.names.get(participant.person_id, ""))
        for participant, _view in dossier.people
        if participant.role == CaseParticipant.Role.SUSPECT
    }
    if not suspects:
        return None
    for arrest in selectors.arrests_of(access.case):
        record = suspects.get(arrest.participant_id)
        if record is not None:
            charges = [
                ChargeView(
                    charge,
                    decision_text(charge),
                    disposition_text(charge),
                    selectors.may_decide_charge(user, access, charge),
                )
                for charge in arrest.charges.all()
            ]
            record.arrests.append(ArrestView(arrest, charges))
    return CaseSection(
        key="prosecution",
        title=_("Arrests and prosecution"),
        page_template="prosecution/section.html",
        print_template="prosecution/print/section.html",
        context={
            "suspects": list(suspects.values()),
            "may_record_arrests": selectors.may_record_arrests(access),
            "may_record_decisions": selectors.may_record_decisions(user, access),
        },
        reads=[
            {
                "action": "prosecution.record.viewed",
                "target": record.participant,
                "details": {
                    "case_id": access.case.pk,
                    "person_id": record.participant.person_id,
                    "arrests": len(record.arrests),
                },
            }
            for record in suspects.values()
        ],
        shows_le_sensitive=True,
    )
