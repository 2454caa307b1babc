"""Fixtures of the people-administration tests, on top of the suite's fixed cast (``tests/conftest.py``)."""

import pytest
from django.test import Client

from agencies.models import Role
from agencies.services import invitation_create
from tests.factories import UserFactory
from tests.helpers import post_password

WRONG_PASSWORD = "wrong-password-xx"


@pytest.fixture
def other_agency_admin(other_agency):
    """The agency administrator of the outsider's agency: an admin, but not of the lead agency."""
    return UserFactory(
        email="admin@faraway.example", full_name="Fay Faraway", agency=other_agency, role=Role.AGENCY_ADMIN
    )


@pytest.fixture
def trainee(task_force, lead_agency):
    """A caseworker at the lead agency whom the people-administration tests act upon (not one of the cast)."""
    return UserFactory(email="trainee@ffo.example", full_name="Tess Trainee", agency=lead_agency)


@pytest.fixture
def pending_invitation(lead_agency, agency_admin):
    """An invitation the lead agency's admin sent to a newcomer, not yet answered."""
    invitation, _token = invitation_create(
        agency=lead_agency,
        email="newcomer@ffo.example",
        full_name="Nia Newcomer",
        role=Role.CASEWORKER,
        actor=agency_admin,
    )
    return invitation


@pytest.fixture
def lock_out(db):
    """``lock_out(user)``: five wrong passwords in a row on the real sign-in form, which locks the account."""

    def lock(user) -> None:
        attacker = Client()
        for _ in range(5):
            response = post_password(attacker, user.email, WRONG_PASSWORD)
            assert response.status_code in {200, 403}

    return lock
