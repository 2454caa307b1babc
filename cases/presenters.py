"""How cases are put into words for pages and PDFs. The selectors decide what a reader may see; this module only
says it (docs/architecture.md §13: presentation apart from reads)."""

from datetime import date
from typing import TYPE_CHECKING

from django.utils import formats
from django.utils.translation import gettext as _

from cases.models import Case, CaseParticipant, CaseShare, Consent, Person, VictimIdentification
from cases.selectors.people import WithheldBecause

if TYPE_CHECKING:
    from cases.selectors.people import PersonView


def person_label(participant: CaseParticipant, view: "PersonView") -> str:
    """How a person is named to a viewer: their name, or their role and number when the identity is withheld. The
    people table, the needs list and the packet all name a person by this."""
    if view.withholds("given_name"):
        return _("%(role)s #%(id)s (identity withheld)") % {"role": participant.get_role_display(), "id": view.pk}
    return f"{view.given_name} {view.family_name}".strip()


def person_choice_label(participant: CaseParticipant, view: "PersonView") -> str:
    """A person as a choice in a form (the need's person, a consent's, a note's subjects): their label, and what
    tells apart two people of the same name: their role, their year of birth where the reader may see it (else
    "minor" when known) and their number."""
    label = person_label(participant, view)
    if view.withholds("given_name"):
        return f"{label}, {_('minor')}" if view.is_minor else label
    details = [participant.get_role_display()]
    born = view.date_of_birth
    if born is not None and not view.withholds("date_of_birth"):
        details.append(_("born %(year)s") % {"year": born.year})
    elif view.is_minor:
        details.append(_("minor"))
    details.append(f"#{view.pk}")
    return f"{label} ({', '.join(details)})"


def client_choice_label(person: Person) -> str:
    """A victim service provider's own client as a choice (it holds their identity): name, year of birth, number."""
    details = [_("born %(year)s") % {"year": person.date_of_birth.year}] if person.date_of_birth else []
    details.append(f"#{person.pk}")
    return f"{person.given_name} {person.family_name}".strip() + f" ({', '.join(details)})"


def withheld_text(because: WithheldBecause) -> str:
    """Why a person's information is withheld from the reader, in one sentence."""
    agency = because.agency.name
    if because.reason == WithheldBecause.SHARE_LEVEL:
        return _("Withheld: your agency's share of this case does not include personal information.")
    if because.reason == WithheldBecause.CONSENT_EXPIRED:
        return _("Withheld: the person's consent to release it to your agency expired on %(day)s.") % {
            "day": formats.date_format(because.on or "", "SHORT_DATE_FORMAT")
        }
    if because.reason == WithheldBecause.CONSENT_REVOKED:
        return _("Withheld: the person revoked their consent to release it to your agency on %(day)s.") % {
            "day": formats.date_format(because.on or "", "SHORT_DATE_FORMAT")
        }
    if because.reason == WithheldBecause.NOT_RELEASED:
        released = ", ".join(str(Consent.Category(code).label) for code in sorted(because.released))
        return _("Withheld in part: the person's consent releases only %(released)s to your agency.") % {
            "released": released
        }
    return _("Withheld: %(agency)s holds no consent of this person releasing it to your agency.") % {"agency": agency}


def ask_for_more_text(because: WithheldBecause) -> str:
    """The way to see more: a share from the lead agency, or a consent the provider records."""
    if because.reason == WithheldBecause.SHARE_LEVEL:
        return _("Ask %(agency)s, which leads the case, to share it with personal information.") % {
            "agency": because.agency.name
        }
    return _("Ask %(agency)s to record the person's consent to release it to your agency.") % {
        "agency": because.agency.name
    }


def access_text(*, is_lead: bool, share: CaseShare | None, may_see_pii: bool, may_see_le: bool) -> str:
    """The reader's own level of access to a case, in one sentence."""
    if is_lead:
        return _("Your agency leads this case: you see everything in it, as the consents of the people allow.")
    if share is not None:
        return _("%(agency)s shares this case with your agency at the level: %(level)s.") % {
            "agency": share.case.lead_agency.name,
            "level": share.get_level_display(),
        }
    if may_see_le:
        return str(CaseShare.Level.LAW_ENFORCEMENT.label)
    return str((CaseShare.Level.PERSONAL if may_see_pii else CaseShare.Level.SUMMARY).label)


def indicator_labels(case: Case) -> list[str]:
    """The case's trafficking indicators in words (a code no longer offered is left out)."""
    return [str(Case.Indicator(code).label) for code in case.indicators if code in Case.Indicator.values]


def identification_lines(identification: VictimIdentification) -> list[tuple[str, str]]:
    """A victim's identification in words, one (label, value) pair per line, for the case page and the packet
    alike. Dates are ISO (they read the same in both languages); who identified and confirmed, with their agency."""

    def by(day: date, user: object, agency: object) -> str:
        return _("%(day)s, by %(who)s (%(agency)s)") % {
            "day": formats.date_format(day, "Y-m-d"),
            "who": getattr(user, "full_name", "") or "—",
            "agency": getattr(agency, "name", "") or "—",
        }

    age = identification.age_at_identification
    lines = [
        (_("Status"), str(identification.get_status_display())),
        (
            _("Identified"),
            by(identification.identified_on, identification.identified_by, identification.identified_by_agency),
        ),
    ]
    if identification.confirmed_on is not None:
        lines.append(
            (
                _("Confirmed"),
                by(identification.confirmed_on, identification.confirmed_by, identification.confirmed_by_agency),
            )
        )
    lines += [
        (_("Type of trafficking"), str(identification.get_trafficking_type_display())),
        (_("Age when identified"), str(age) if age is not None else _("Not known (no date of birth)")),
        (_("Citizenship"), str(identification.get_citizenship_display())),
        (_("Gender"), identification.gender_text),
        (_("Race and ethnicity"), ", ".join(identification.race_ethnicity_labels)),
        (_("Disability"), str(identification.get_disability_display())),
        (_("Referred by"), str(identification.get_referral_source_display())),
    ]
    return lines
