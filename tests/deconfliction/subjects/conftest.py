"""Cases and tips of the cast holding the same subjects, written as a real commit writes them (the index is kept by
``on_commit`` receivers, which a test's transaction only runs inside ``committed()``)."""

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from agencies.models import Role
from cases.models import Case, CaseParticipant, Consent
from cases.services import case_create, person_add_to_case
from tests.factories import UserFactory, given_consent

SUSPECT_PHONE = "(713) 555-0142"
SUSPECT_PHONE_OTHERWISE = "+1 713.555.0142"
SUSPECT = {"given_name": "Vexlor", "family_name": "Sentinel-Suspect", "phone": SUSPECT_PHONE}
CASE_TITLE = "CASE-TITLE-SENTINEL massage venues"
LE_NARRATIVE = "LE-NARRATIVE-SENTINEL wiretap on line 3"
CLIENT = {
    "given_name": "Quilla",
    "family_name": "Sentinel-Client",
    "phone": "713-555-0177",
    "date_of_birth": "1999-04-02",
}

Committed = Callable[[], AbstractContextManager[Any]]


@pytest.fixture
def committed(django_capture_on_commit_callbacks) -> Committed:
    """``with committed():`` runs the after-commit work (the reindex, the e-mails) at the block's end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def second_ngo(task_force):
    from agencies.models import Agency, TaskForceMember
    from tests.factories import AgencyFactory

    agency = AgencyFactory(name="Open Door Center", short_name="Open Door", kind=Agency.Kind.VICTIM_SERVICES)
    TaskForceMember.objects.create(task_force=task_force, agency=agency)
    return agency


@pytest.fixture
def second_advocate(second_ngo):
    return UserFactory(email="advocate@opendoor.example", full_name="Dora Door", agency=second_ngo)


def open_case(actor, people: Iterable[tuple[str, dict[str, Any]]], *, task_force, title: str = CASE_TITLE) -> Case:
    """A case of ``actor``'s agency (in ``task_force`` if the agency is a member) with ``people`` (role, fields)."""
    if task_force is not None and not task_force.agencies.filter(pk=actor.agency.pk).exists():
        task_force = None
    case = case_create(
        actor=actor,
        title=title,
        intake_channel=Case.Channel.LAW_ENFORCEMENT,
        le_narrative=LE_NARRATIVE,
        task_force=task_force,
    )
    for role, fields in people:
        values = dict(fields)
        if isinstance(values.get("date_of_birth"), str):
            from datetime import date

            values["date_of_birth"] = date.fromisoformat(values["date_of_birth"])
        person_add_to_case(case=case, role=role, actor=actor, **values)
    return case


def consent_to_deconfliction(case: Case, *, by, recipient, days: int = 90) -> Consent:
    person = case.participants.get(role=CaseParticipant.Role.VICTIM).person
    return given_consent(person, recipient, categories=[Consent.Category.DECONFLICTION], by=by, days=days)


def receive_tip(by, subjects: list[dict[str, Any]]):
    """A tip entered by ``by`` into their agency's holding bin, with ``subjects``."""
    from tips.models import Tip
    from tips.services import tip_receive

    return tip_receive(actor=by, channel=Tip.Channel.HOTLINE, narrative="TIP-NARRATIVE-SENTINEL", subjects=subjects)


@pytest.fixture
def intake(task_force, lead_agency):
    return UserFactory(email="intake@ffo.example", full_name="Ines Intake", agency=lead_agency, role=Role.INTAKE)


@pytest.fixture
def partner_intake(task_force, partner_agency):
    return UserFactory(email="intake@bpd.example", full_name="Pia Intake", agency=partner_agency, role=Role.INTAKE)


@pytest.fixture
def ngo_intake(task_force, ngo):
    return UserFactory(email="hotline@safeharbor.example", full_name="Hana Hotline", agency=ngo, role=Role.INTAKE)
