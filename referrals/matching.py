"""A case's person as the directory's eligibility rules read them: their sex as a letter of ``Service.Gender`` and
their age. One statement for the services found for a need (``views.need_services``) and the demo's referrals."""

from datetime import date

from cases.models import Person
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
