"""Demo operations (fictional) for ``manage.py seed_demo``, written only through ``deconfliction.operations.services``.

Dana Reyes (FBI) plans a surveillance tomorrow evening near downtown; Omar Haddad (Bayport Police) plans a warrant
service a few hundred metres away during the same evening: the conflict opens, both are told whom to call, and it
waits on Carla Diaz's (coordinator) board. A third operation, Bayport Police's interview the day after, is far
enough in time to conflict with nothing. Seeded without the shared random generator, so no other app's data changes.
"""

import random
from datetime import timedelta

from django.core.management.base import OutputWrapper
from django.utils import timezone

from agencies.models import User
from cases import selectors as case_selectors
from deconfliction.operations import services
from deconfliction.operations.models import Operation, OperationConflict

DANA, OMAR = "dana.reyes@fbi.example", "omar.haddad@bpd.example"


def seed(*, rng: random.Random, stdout: OutputWrapper) -> None:
    """Create the demo operations, unless there are operations already (``seed_demo`` runs in one transaction)."""
    if Operation.objects.exists():
        stdout.write("Demo operations are already there: nothing added.")
        return
    dana, omar = User.objects.get(email=DANA), User.objects.get(email=OMAR)
    tomorrow = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    case = case_selectors.case_list_workable_by(dana).order_by("number").first()
    services.operation_create(
        actor=dana,
        kind=Operation.Kind.SURVEILLANCE,
        starts_at=tomorrow + timedelta(hours=18),
        ends_at=tomorrow + timedelta(hours=23),
        address="Fictional motel, 1200 Main St",
        zip_code="77002",
        latitude=29.7560,
        longitude=-95.3630,
        radius_m=300,
        case_agent=dana,
        phone_24h="713-555-0147",
        case_number=case.number if case else "",
        notes="Two cars; the target arrives after 19:00.",
    )
    services.operation_create(
        actor=omar,
        kind=Operation.Kind.WARRANT,
        starts_at=tomorrow + timedelta(hours=20),
        ends_at=tomorrow + timedelta(hours=22),
        address="Fictional massage parlour, 1150 Main St",
        zip_code="77002",
        latitude=29.7580,
        longitude=-95.3610,
        radius_m=300,
        case_agent=omar,
        phone_24h="409-555-0199",
        notes="Entry team of six; marked units on the perimeter.",
    )
    services.operation_create(
        actor=omar,
        kind=Operation.Kind.INTERVIEW,
        starts_at=tomorrow + timedelta(days=1, hours=10),
        ends_at=tomorrow + timedelta(days=1, hours=12),
        zip_code="77550",
        case_agent=omar,
        phone_24h="409-555-0199",
    )
    stdout.write(
        f"Demo: {Operation.objects.count()} operations, {OperationConflict.objects.count()} conflict "
        "(FBI and Bayport Police, tomorrow evening)."
    )
