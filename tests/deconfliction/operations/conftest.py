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
KIND_LABEL_ES = "Reunión encubierta"
# The secret operation's place, as its own page shows it (``floatformat:5``): never shown to another agency.
SECRET_LONGITUDE = -95.3629
SECRET_RADIUS_M = 437
SECRET_ZIP = "77002-2712"
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


def fields_of(operation: Operation, **changes: Any) -> dict[str, Any]:
    """What the edit form would send for ``operation``, with ``changes``."""
    values = {
        "kind": operation.kind,
        "starts_at": operation.starts_at,
        "ends_at": operation.ends_at,
        "address": operation.address,
        "zip_code": operation.zip_code,
        "latitude": operation.latitude,
        "longitude": operation.longitude,
        "radius_m": operation.radius_m,
        "case_agent": operation.case_agent,
        "phone_24h": operation.phone_24h,
        "notes": operation.notes,
        "case_number": operation.case.number if operation.case else "",
    }
    values.update(changes)
    return values


def edit(operation: Operation, actor, **changes: Any) -> Operation:
    """Edit ``operation`` as it now stands (its latest version)."""
    operation.refresh_from_db()
    return services.operation_update(
        operation=operation, version=operation.version, actor=actor, **fields_of(operation, **changes)
    )


@pytest.fixture
def partner_supervisor(task_force, partner_agency):
    return UserFactory(
        email="sergeant@bpd.example", full_name="Sid Sergeant", agency=partner_agency, role=Role.SUPERVISOR
    )


@pytest.fixture
def secret_operation(investigator, le_case):
    """The field office's operation, with sentinels in everything that stays in the field office."""
    return plan(
        investigator,
        kind=KIND,
        address=ADDRESS,
        notes=NOTES,
        case_number=le_case.number,
        zip_code=SECRET_ZIP,
        longitude=SECRET_LONGITUDE,
        radius_m=SECRET_RADIUS_M,
    )


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
