"""Tips for the cast: the lead field office's intake officer receives them; its supervisor assigns them to the
partner police department's investigator. Sentinels in every content field, to see where they reach."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Role
from cases.models import Case
from tests.factories import UserFactory
from tips import services
from tips.models import Tip, TipSubject

NARRATIVE = "NARRATIVE-SENTINEL: three women kept in a back room"
SUBJECT_NAME = "Xavra Sentinel-Subject"
SUBJECT_PHONE = "555-0142-999"
REPORTER_NAME = "Rorik Sentinel-Reporter"
REPORTER_PHONE = "555-0111-222"
WHERE = "WHERE-SENTINEL motel on Route 9"


@pytest.fixture
def intake(task_force, lead_agency):
    return UserFactory(email="intake@ffo.example", full_name="Ines Intake", agency=lead_agency, role=Role.INTAKE)


@pytest.fixture
def intake_colleague(task_force, lead_agency):
    return UserFactory(email="intake2@ffo.example", full_name="Ian Intake", agency=lead_agency, role=Role.INTAKE)


@pytest.fixture
def partner_supervisor(task_force, partner_agency):
    return UserFactory(
        email="sergeant@bpd.example", full_name="Sid Sergeant", agency=partner_agency, role=Role.SUPERVISOR
    )


@pytest.fixture
def partner_colleague(task_force, partner_agency):
    return UserFactory(email="detective2@bpd.example", full_name="Pia Partner", agency=partner_agency)


@pytest.fixture
def ngo_intake(task_force, ngo):
    return UserFactory(email="hotline@safeharbor.example", full_name="Hana Hotline", agency=ngo, role=Role.INTAKE)


@pytest.fixture
def ngo_supervisor(task_force, ngo):
    return UserFactory(email="boss@safeharbor.example", full_name="Nora Boss", agency=ngo, role=Role.SUPERVISOR)


def receive(by, *, permission=Tip.ReporterPermission.NO, channel=Tip.Channel.HOTLINE, **fields):
    values = {
        "channel": channel,
        "narrative": NARRATIVE,
        "reporter_name": REPORTER_NAME,
        "reporter_phone": REPORTER_PHONE,
        "reporter_role": "neighbour",
        "reporter_permission": permission,
        "where_text": WHERE,
        "indicators": [Case.Indicator.RESTRICTED_MOVEMENT, Case.Indicator.CONFISCATED_DOCUMENTS],
        **fields,
    }
    subjects = values.pop(
        "subjects",
        [
            {
                "role": TipSubject.Role.VICTIM,
                "name": SUBJECT_NAME,
                "approximate_age": 19,
                "sex": TipSubject.Sex.FEMALE,
                "phone": SUBJECT_PHONE,
            },
            {"role": TipSubject.Role.SUSPECT, "alias": "Big Mike", "vehicle_plate": "ABC1234", "vehicle_state": "TX"},
        ],
    )
    return services.tip_receive(actor=by, subjects=subjects, **values)


@pytest.fixture
def tip(intake):
    return receive(intake)


def assessed(tip, by):
    return services.tip_assess(tip=tip, actor=by, reason="Two independent indicators, a named venue.")


def referred(tip, by, owner, provider, *, passed_on=("narrative", "victim_identity"), **more):
    """``tip`` assigned to ``owner``, who refers it to ``provider`` passing on ``passed_on``."""
    tip = assigned(tip, by, owner) if tip.status != Tip.Status.ASSIGNED else tip
    return services.tip_refer(
        tip=tip,
        actor=owner,
        provider=provider,
        asked="Shelter tonight and an interpreter.",
        passed_on=passed_on,
        **more,
    )


def assigned(tip, by, owner):
    tip = assessed(tip, by) if tip.status == Tip.Status.RECEIVED else tip
    return services.tip_assign(
        tip=tip, actor=by, agency=owner.agency, owner=owner, due_on=timezone.localdate() + timedelta(days=7)
    )
