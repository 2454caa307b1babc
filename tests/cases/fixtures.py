"""Cases shared with the cast, with sentinel PII that must never reach the wrong eyes."""

import pytest

from agencies.models import Role
from cases.models import Case, CaseParticipant, CaseShare
from cases.services import case_create, case_share_grant, person_add_to_case
from tests.factories import UserFactory, given_consent

VICTIM_NAME = "Zyxwa Sentinel-Victim"
VICTIM_PHONE = "555-0199-777"
CLIENT_NAME = "Qorvan Sentinel-Client"
CLIENT_PHONE = "555-0188-333"
LE_SECRET = "LE-SENTINEL-WIRETAP-42"


@pytest.fixture
def shelter_supervisor(ngo, task_force):
    return UserFactory(email="supervisor@safeharbor.example", full_name="Sam Shelter", agency=ngo, role=Role.SUPERVISOR)


@pytest.fixture
def le_case(investigator, supervisor, task_force, partner_agency):
    """Led by the federal field office; shared (by its supervisor) with the partner police department at summary
    level."""
    case = case_create(
        actor=investigator,
        title="Massage parlor network",
        intake_channel=Case.Channel.HOTLINE,
        case_type=Case.Type.SEX,
        summary="Three venues under common control.",
        le_narrative=LE_SECRET,
        task_force=task_force,
    )
    given, family = VICTIM_NAME.split(" ")
    person_add_to_case(
        case=case,
        role=CaseParticipant.Role.VICTIM,
        actor=investigator,
        given_name=given,
        family_name=family,
        phone=VICTIM_PHONE,
        sex="female",
        languages=["es"],
    )
    case_share_grant(
        case=case,
        agency=partner_agency,
        level=CaseShare.Level.SUMMARY,
        reason="Venue in city limits",
        actor=supervisor,
    )
    return case


@pytest.fixture
def ngo_case(advocate, shelter_supervisor, task_force, lead_agency):
    """The shelter's own client, shared with the federal field office with personal information."""
    case = case_create(
        actor=advocate,
        title="Client intake",
        intake_channel=Case.Channel.NGO,
        case_type=Case.Type.LABOR,
        task_force=task_force,
    )
    given, family = CLIENT_NAME.split(" ")
    person_add_to_case(
        case=case,
        role=CaseParticipant.Role.VICTIM,
        actor=advocate,
        given_name=given,
        family_name=family,
        phone=CLIENT_PHONE,
    )
    case_share_grant(
        case=case,
        agency=lead_agency,
        level=CaseShare.Level.PERSONAL,
        reason="Joint investigation",
        actor=shelter_supervisor,
    )
    return case


@pytest.fixture
def ngo_client(ngo_case):
    """The shelter's client in ``ngo_case``, whose PII the shelter holds."""
    return ngo_case.participants.get(role=CaseParticipant.Role.VICTIM).person


@pytest.fixture
def client_consent(ngo_client, advocate, lead_agency):
    """The client's consent to release their identity (not contact details) to the field office, for 90 days."""
    return given_consent(ngo_client, lead_agency, by=advocate, days=90)
