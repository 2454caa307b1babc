"""Operations for the cast: the lead field office (``investigator``, ``supervisor``) and the partner police
department (``partner_investigator``, ``partner_supervisor``) of the same task force, ``outsider`` of another one.
Sentinels in every field that must never leave the planning agency."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from agencies.models import Role
from deconfliction.operations import services
from deconfliction.operations.models import Operation
from tests.factories import UserFactory

ADDRESS = "ADDRESS-SENTINEL 1200 Main St"
NOTES = "NOTES-SENTINEL entry team of six"
# Kinds are words in the page; the sentinel is the kind's label, which the other side must never read.
KIND = Operation.Kind.UNDERCOVER
KIND_LABEL = "Undercover meeting"
LATITUDE, LONGITUDE = 29.7560, -95.3630
METRES_PER_DEGREE = 111_195.08  # of latitude, on the mean sphere
PHONE = "+1 713-555-0147"
PARTNER_PHONE = "+1 409-555-0199"


def north(metres: float) -> float:
    """The latitude ``metres`` north of the base point."""
    return LATITUDE + metres / METRES_PER_DEGREE


def tomorrow_at(hour: int) -> datetime:
    base = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return base + timedelta(hours=hour)


def plan(by, **fields: Any) -> Operation:
    values: dict[str, Any] = {
        "kind": Operation.Kind.WARRANT,
        "starts_at": tomorrow_at(10),
        "ends_at": tomorrow_at(12),
        "latitude": LATITUDE,
        "longitude": LONGITUDE,
        "radius_m": 300,
        "case_agent": by,
        "phone_24h": "713-555-0147",
    }
    values.update(fields)
    return services.operation_create(actor=by, **values)


@pytest.fixture
def partner_supervisor(task_force, partner_agency):
    return UserFactory(
        email="sergeant@bpd.example", full_name="Sid Sergeant", agency=partner_agency, role=Role.SUPERVISOR
    )


@pytest.fixture
def secret_operation(investigator, le_case):
    """The field office's operation, with sentinels in everything that stays in the field office."""
    return plan(investigator, kind=KIND, address=ADDRESS, notes=NOTES, case_number=le_case.number, zip_code="77002")


@pytest.fixture
def partner_operation(partner_investigator, coordinator):
    """The partner's operation, 250 m from the field office's, the same morning."""
    return plan(
        partner_investigator,
        latitude=north(250),
        starts_at=tomorrow_at(11),
        ends_at=tomorrow_at(14),
        phone_24h="409-555-0199",
    )
