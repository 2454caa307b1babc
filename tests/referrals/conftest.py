"""Referrals for the cast: the lead investigator refers the victim of ``le_case`` to the task force's shelter (a
provider in the portal), or to a clinic outside the portal; or asks the shelter's agency to join the case."""

import pytest

from cases.models import CaseParticipant, CaseShare, Need
from cases.services import need_add
from referrals.models import Referral
from tests.factories import sent_join_request, sent_referral
from tests.services_directory.factories import listed_service


@pytest.fixture
def shelter_service(ngo):
    return listed_service(name="Harbor House", agency=ngo, confidential=True, email="intake@harbor.example")


@pytest.fixture
def offline_clinic():
    return listed_service(name="Open Door Clinic", categories=("medical",), email="frontdesk@opendoor.example")


@pytest.fixture
def le_victim(le_case):
    return le_case.participants.get(role=CaseParticipant.Role.VICTIM).person


@pytest.fixture
def shelter_need(le_case, le_victim, investigator):
    return need_add(
        case=le_case,
        person=le_victim,
        category=Need.Category.EMERGENCY_SHELTER,
        urgency=Need.Urgency.URGENT,
        actor=investigator,
    )


@pytest.fixture
def service_referral(le_case, le_victim, shelter_need, shelter_service, investigator):
    return sent_referral(
        le_case,
        le_victim,
        shelter_service,
        by=investigator,
        needs=[shelter_need],
        urgency=Referral.Urgency.URGENT,
        safety_notes="Do not call the victim's old phone: the employer has it.",
    )


@pytest.fixture
def interagency_referral(le_case, ngo, supervisor):
    return sent_join_request(
        le_case, ngo, CaseShare.Level.PERSONAL, by=supervisor, request_note="Victim advocacy for the survivor."
    )


@pytest.fixture
def legal_aid(task_force):
    """Another provider of the task force, in the portal."""
    from agencies.models import Agency
    from tests.factories import AgencyFactory

    agency = AgencyFactory(name="Gulf Legal Aid", short_name="GLA", kind=Agency.Kind.VICTIM_SERVICES)
    task_force.agencies.add(agency, through_defaults={})
    return agency


@pytest.fixture
def legal_aid_staff(legal_aid):
    from agencies.models import Role
    from tests.factories import UserFactory

    return UserFactory(email="paralegal@gla.example", full_name="Lee Legal", agency=legal_aid, role=Role.PROVIDER_STAFF)
