"""The cast of the relief tests, beside the suite's own (tests/conftest.py): a state police agency that sees the
federal case at law-enforcement level, and an immigration legal aid (a second victim service provider).

``relief_case``: led by the federal field office (``le_case``: the partner police see a summary), its victim a
foreign-national minor identified today, seen at law-enforcement level by the state police, at personal level by
the shelter (the victims' advocate) and the coordination office; a Continued Presence granted to its victim.
``client_case``: the shelter's own client (``ngo_case``), shared at personal level with the field office and the
legal aid; a T visa filed for the client by the shelter.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Agency, Role
from cases.models import CaseParticipant, CaseShare, VictimIdentification
from cases.services import case_share_grant, victim_identification_save
from protection import services
from protection.models import ReliefAction
from tests.factories import AgencyFactory, UserFactory

CP_REFERENCE = "CP-SENTINEL-4411"
T_VISA_REFERENCE = "EAC-SENTINEL-9902"


@pytest.fixture
def state_agency(db):
    return AgencyFactory(name="Gulf State Police", short_name="GSP", kind=Agency.Kind.STATE_LE)


@pytest.fixture
def legal_aid(db):
    return AgencyFactory(name="Immigrant Legal Aid", short_name="ILA", kind=Agency.Kind.VICTIM_SERVICES)


@pytest.fixture
def second_task_force(task_force, state_agency, legal_aid):
    """The state police and the legal aid join the cast's task force."""
    task_force.members.create(agency=state_agency)
    task_force.members.create(agency=legal_aid)
    return task_force


@pytest.fixture
def state_investigator(second_task_force, state_agency):
    return UserFactory(email="detective@gsp.example", full_name="Stan State", agency=state_agency)


@pytest.fixture
def attorney(second_task_force, legal_aid):
    return UserFactory(email="attorney@ila.example", full_name="Lia Lawyer", agency=legal_aid)


@pytest.fixture
def state_intake(second_task_force, state_agency):
    return UserFactory(email="intake@gsp.example", full_name="Ian Intake", agency=state_agency, role=Role.INTAKE)


def victim_of(case) -> CaseParticipant:
    return case.participants.get(role=CaseParticipant.Role.VICTIM)


def identify_minor(case, actor, *, years: int = 15) -> VictimIdentification:
    """The case's victim: a foreign national of ``years``, identified today as a potential victim."""
    participant = victim_of(case)
    person = participant.person
    person.date_of_birth = timezone.localdate() - timedelta(days=365 * years + 30)
    person.save(update_fields=["date_of_birth"])
    return victim_identification_save(
        case=case,
        person=person,
        version=0,
        actor=actor,
        identified_on=timezone.localdate(),
        citizenship=VictimIdentification.Citizenship.FOREIGN_NATIONAL,
    )


def granted(action: ReliefAction, actor, **fields) -> ReliefAction:
    return services.relief_action_step(action=action, verb="grant", version=action.version, actor=actor, **fields)


@pytest.fixture
def relief_case(le_case, investigator, supervisor, state_agency, ngo, coordination_office, second_task_force):
    for agency, level in (
        (state_agency, CaseShare.Level.LAW_ENFORCEMENT),
        (ngo, CaseShare.Level.PERSONAL),
        (coordination_office, CaseShare.Level.PERSONAL),
    ):
        case_share_grant(case=le_case, agency=agency, level=level, reason="Task force", actor=supervisor)
    return le_case


@pytest.fixture
def continued_presence(relief_case, investigator, lead_agency) -> ReliefAction:
    today = timezone.localdate()
    action = services.relief_action_record(
        case=relief_case,
        person=victim_of(relief_case).person,
        kind=ReliefAction.Kind.CONTINUED_PRESENCE,
        actor=investigator,
        requested_on=today - timedelta(days=30),
        requesting_agency=lead_agency,
        external_reference=CP_REFERENCE,
    )
    return granted(action, investigator, valid_from=today - timedelta(days=10), expires_on=today + timedelta(days=720))


@pytest.fixture
def client_case(ngo_case, shelter_supervisor, legal_aid, second_task_force):
    case_share_grant(
        case=ngo_case,
        agency=legal_aid,
        level=CaseShare.Level.PERSONAL,
        reason="Immigration help",
        actor=shelter_supervisor,
    )
    return ngo_case


@pytest.fixture
def t_visa(client_case, advocate) -> ReliefAction:
    return services.relief_action_record(
        case=client_case,
        person=victim_of(client_case).person,
        kind=ReliefAction.Kind.T_VISA,
        actor=advocate,
        requested_on=timezone.localdate() - timedelta(days=3),
        external_reference=T_VISA_REFERENCE,
    )
