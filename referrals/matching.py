"""A case's person as the directory's eligibility rules read them: their sex as a letter of ``Service.Gender`` and
their age. One statement for the services found for a need (``views.need_services``) and the demo's referrals."""

from datetime import date

from cases.models import Person
from cases.selectors import WITHHELD, PersonView
from services_directory.models import Service

SEX_TO_GENDER: dict[str, str] = {
    Person.Sex.FEMALE: Service.Gender.FEMALE,
    Person.Sex.MALE: Service.Gender.MALE,
    Person.Sex.OTHER: Service.Gender.OTHER,
}


def age_on(born: date | None, today: date) -> int | None:
    """Full years from ``born`` to ``today``; None when the date of birth is unknown."""
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def visible_age(view: PersonView, today: date) -> int | None:
    """The person's age as ``view``'s reader may know it: None when the date of birth is withheld from them (the
    ranking then uses only whether they are a minor, and claims no age) or not recorded."""
    born = view.date_of_birth
    return None if born is WITHHELD else age_on(born, today)


def matching_languages(view: PersonView) -> list[str]:
    """The person's language codes for the directory, the preferred one first, each once."""
    return list(dict.fromkeys(code for code in [view.preferred_language, *(view.languages or [])] if code))
