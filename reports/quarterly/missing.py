"""Before sign-off: the agency's records that a report counts but that lack a field the report needs, each with a
link to the case page where it is fixed (decision 0037).

A victim counted with no identification recorded, or an identification whose type of trafficking is not known yet,
whose person has no date of birth (no age), or whose citizenship (and, for a provider, gender) is blank: "not
reported" is an answer, blank is missing. An arrest of the quarter with no charge, or with a charge still waiting
for its charging decision. Only records on cases the viewer may open are listed (an arrest only where they see the
case's law-enforcement-sensitive part), and a victim is named as the case page names them to that viewer (their
name, or "Victim #N (identity withheld)"); what their identification lacks is said only where it is released to
them. Every name shown is a read of personal information: ``reads`` are the audit events the page writes.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.models import Agency, User
from cases import selectors as case_selectors
from cases.models import CaseParticipant, VictimIdentification
from cases.presenters import person_label
from cases.selectors import IDENTIFICATION_CATEGORY, VIEW, VIEW_LE, PersonView, pii_categories_for
from prosecution.models import Arrest, Charge
from reports.fiscal import FiscalQuarter
from reports.quarterly.measures import Kind, counted_participations, counted_people

LIMIT = 100  # records listed of each sort; beyond, the page says there are more


@dataclass(frozen=True)
class MissingRecord:
    case_number: str
    label: str  # the person as the case page names them, or the arrest
    missing: list[str]  # what is missing, in words
    url: str  # the case page, at the section where it is fixed


@dataclass
class MissingList:
    records: list[MissingRecord] = field(default_factory=list)
    more: bool = False  # more than ``LIMIT`` of a sort: the first are listed
    reads: list[dict[str, Any]] = field(default_factory=list)  # the audit events of the names shown


def _case_url(case_pk: int, anchor: str) -> str:
    return reverse("case_detail", args=[case_pk]) + "#" + anchor


def _victims_missing(kind: str) -> Q:
    """Participations (with their identification joined) that lack a field the report of ``kind`` needs."""
    missing = (
        Q(identification__isnull=True)
        | Q(identification__trafficking_type=VictimIdentification.TraffickingType.UNKNOWN)
        | Q(identification__trafficking_type="")
        | Q(identification__age_at_identification__isnull=True)
        | Q(identification__citizenship="")
    )
    if kind == Kind.VICTIM_SERVICES:
        missing |= Q(identification__gender="")
    return missing


def _what_is_missing(identification: VictimIdentification | None, kind: str) -> tuple[list[str], str]:
    """What ``identification`` lacks, in words, and the case page's section where it is fixed: the person's record
    (people) when only the date of birth is missing, else the victim's identification."""
    if identification is None:
        return [_("no identification recorded")], "victims-heading"
    found = []
    if identification.trafficking_type in ("", VictimIdentification.TraffickingType.UNKNOWN):
        found.append(_("type of trafficking not known yet"))
    if identification.citizenship == "":
        found.append(_("citizenship left blank"))
    if kind == Kind.VICTIM_SERVICES and identification.gender == "":
        found.append(_("gender left blank"))
    anchor = "victims-heading" if found else "people-heading"
    if identification.age_at_identification is None:
        found.append(_("no date of birth, so no age"))
    return found, anchor


def missing_for(viewer: User, agency: Agency, quarter: FiscalQuarter, kind: str) -> MissingList:
    """The records of ``agency``'s report of ``quarter`` that miss a required field and that ``viewer`` may open.
    A fixed number of queries: the victims (and, when any, their cases' permissions and consents), the arrests."""
    result = MissingList()
    _victims(viewer, agency, quarter, kind, result)
    if kind == Kind.LAW_ENFORCEMENT:
        _arrests(viewer, agency, quarter, result)
    return result


def _victims(viewer: User, agency: Agency, quarter: FiscalQuarter, kind: str, result: MissingList) -> None:
    participations = list(
        counted_participations(agency, quarter, kind)
        .filter(person__in=counted_people(agency, quarter, kind).values("pk"))
        .filter(case_selectors.cases_held(viewer, VIEW, "case_id"))
        .filter(_victims_missing(kind))
        .select_related("case", "person__entered_by_agency", "identification")
        .prefetch_related("person__consents")
        .order_by("case__number", "pk")[: LIMIT + 1]
    )
    result.more = result.more or len(participations) > LIMIT
    participations = participations[:LIMIT]
    permissions = case_selectors.case_permissions_many(viewer, {p.case_id for p in participations})
    for participant in participations:
        case_permissions = permissions.get(participant.case_id, frozenset())
        categories = pii_categories_for(
            viewer, participant.person, case_permissions=case_permissions, role=CaseParticipant.Role.VICTIM
        )
        view = PersonView.of(participant.person, categories)
        if IDENTIFICATION_CATEGORY in categories:
            missing, anchor = _what_is_missing(_identification_of(participant), kind)
        else:
            missing = [_("a field of the identification (withheld from you with the person's identity)")]
            anchor = "victims-heading"
        result.records.append(
            MissingRecord(
                participant.case.number,
                person_label(participant, view),
                missing,
                _case_url(participant.case_id, anchor),
            )
        )
        if view.shows_pii:
            result.reads.append(
                {
                    "action": "cases.pii.viewed",
                    "target": participant.case,
                    "details": {
                        "person_id": participant.person_id,
                        "categories": sorted(categories),
                        "via": "quarterly_report",
                    },
                }
            )


def _identification_of(participant: CaseParticipant) -> VictimIdentification | None:
    try:
        return participant.identification
    except VictimIdentification.DoesNotExist:
        return None


def _arrests(viewer: User, agency: Agency, quarter: FiscalQuarter, result: MissingList) -> None:
    """The agency's arrests of the quarter with no charge or with a charge awaiting its decision, on cases where the
    viewer sees the prosecution (law-enforcement-sensitive). The suspect is not named: the arrest's day and case
    lead to it."""
    arrests = list(
        Arrest.objects.filter(arresting_agency=agency.pk, arrested_on__range=(quarter.start, quarter.end))
        .filter(case_selectors.cases_held(viewer, VIEW, "case_id"))
        .filter(case_selectors.cases_held(viewer, VIEW_LE, "case_id"))
        .annotate(
            charges_n=Count("charges"),
            pending_n=Count("charges", filter=Q(charges__decision=Charge.Decision.PENDING)),
        )
        .filter(Q(charges_n=0) | Q(pending_n__gt=0))
        .select_related("case")
        .order_by("arrested_on", "pk")[: LIMIT + 1]
    )
    result.more = result.more or len(arrests) > LIMIT
    for arrest in arrests[:LIMIT]:
        if arrest.charges_n == 0:
            missing = [_("no charge recorded")]
        else:
            missing = [
                ngettext(
                    "%(count)s charge without a charging decision",
                    "%(count)s charges without a charging decision",
                    arrest.pending_n,
                )
                % {"count": arrest.pending_n}
            ]
        result.records.append(
            MissingRecord(
                arrest.case.number,
                _("Arrest on %(day)s") % {"day": arrest.arrested_on.isoformat()},
                missing,
                _case_url(arrest.case_id, "prosecution"),
            )
        )
