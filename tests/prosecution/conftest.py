"""The prosecution's cast: the suite's (tests/conftest.py), a U.S. Attorney's Office in the task force, and a
suspect in the field office's case (``le_case``) arrested once on a federal trafficking charge."""

import pytest

from agencies.models import Agency, TaskForceMember
from cases.models import CaseParticipant, CaseShare
from cases.services import case_share_grant, person_add_to_case
from prosecution import services
from prosecution.models import Arrest, Charge
from tests.factories import AgencyFactory, UserFactory

SUSPECT_GIVEN = "Vorlando"
FEDERAL = "18 U.S.C. § 1591(a)(1)"


@pytest.fixture
def prosecutor_office(task_force):
    agency = AgencyFactory(name="U.S. Attorney's Office", short_name="USAO", kind=Agency.Kind.PROSECUTOR)
    TaskForceMember.objects.create(task_force=task_force, agency=agency)
    return agency


@pytest.fixture
def prosecutor(prosecutor_office):
    return UserFactory(email="ausa@usao.example", full_name="Alma Attorney", agency=prosecutor_office)


@pytest.fixture
def suspect(le_case, investigator) -> CaseParticipant:
    return person_add_to_case(
        case=le_case,
        role=CaseParticipant.Role.SUSPECT,
        actor=investigator,
        given_name=SUSPECT_GIVEN,
        family_name="Quell",
    )


@pytest.fixture
def arrest(le_case, suspect, investigator, lead_agency, prosecutor_office) -> Arrest:
    return services.arrest_record(
        case=le_case,
        participant=suspect,
        arrested_on=le_case.opened_on,
        arresting_agency=lead_agency,
        charges=[{"statute": FEDERAL, "description": "Sex trafficking", "level": Charge.Level.FELONY}],
        actor=investigator,
    )


@pytest.fixture
def charge(arrest) -> Charge:
    return arrest.charges.get()


def share(case, agency, level, supervisor) -> None:
    case_share_grant(case=case, agency=agency, level=level, reason="Task force", actor=supervisor)


LEVELS = CaseShare.Level
