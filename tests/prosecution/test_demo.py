"""The demo's prosecution (prosecution/demo.py): the task force's state statutes, two arrests with their charges
(a federal sex-trafficking charge that ended in a plea, a state one under the listed statute), a year of the task
force's other arrests across agencies and months with every decision and disposition, the bus-station suspect
arrested by the Bayport Police, and nothing more when seeded again."""

from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from cases.demo import IDENTIFIED_YESTERDAY
from prosecution.models import Arrest, Charge, TraffickingStatute
from tests.helpers import kept_for_the_tests


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[str]:
    yield from kept_for_the_tests(django_db_blocker, override_settings(DEBUG=True)(_seed))


def _state() -> list[tuple]:
    return list(
        Charge.objects.order_by("id").values_list(
            "arrest__arrested_on",
            "arrest__arresting_agency__short_name",
            "statute",
            "is_trafficking",
            "decision",
            "disposition",
            "sentence",
        )
    )


def test_the_demo_has_two_arrests_with_trafficking_charges_and_one_plea(db, demo):
    assert "2 arrests with their charges, 1 plea" in demo
    assert TraffickingStatute.objects.filter(task_force__name__startswith="Gulf Coast").count() == 2
    motels = Arrest.objects.filter(case__title="Online advertisements, Marlin County motels").order_by("id")
    arrests = list(motels.select_related("case", "participant"))
    assert len(arrests) == 2
    assert all(arrest.participant.role == "suspect" for arrest in arrests)
    charges = Charge.objects.filter(arrest__in=arrests).order_by("id")
    assert list(
        charges.values_list("arrest__arresting_agency__short_name", "is_trafficking", "decision", "disposition")
    ) == [("FBI Bayport", True, "charged", "plea"), ("MCSO", True, "pending", "pending")]


def test_a_year_of_arrests_across_agencies_months_decisions_and_dispositions(db, demo):
    today = timezone.localdate()
    arrests = Arrest.objects.filter(arrested_on__gt=today - timedelta(days=365))
    assert arrests.count() >= 10
    assert len({arrest.arrested_on.replace(day=1) for arrest in arrests}) >= 5
    assert set(arrests.values_list("arresting_agency__short_name", flat=True)) >= {
        "FBI Bayport",
        "HSI Bayport",
        "GSP",
        "MCSO",
        "BPD",
    }
    charges = Charge.objects.filter(arrest__in=arrests)
    assert set(charges.values_list("is_trafficking", flat=True)) == {True, False}
    assert set(charges.values_list("decision", flat=True)) == set(Charge.Decision.values)
    assert set(charges.values_list("disposition", flat=True)) == set(Charge.Disposition.values)
    assert Charge.objects.trafficking().count() >= 5
    assert Charge.objects.convictions().count() >= 3


def test_the_bus_station_suspect_is_arrested_by_the_bayport_police_on_a_trafficking_charge(db, demo):
    (arrest,) = Arrest.objects.filter(case__title=IDENTIFIED_YESTERDAY).select_related("participant__person")
    assert arrest.arresting_agency.short_name == "BPD"
    assert arrest.participant.role == "suspect"
    assert arrest.arrested_on == timezone.localdate()
    (charge,) = arrest.charges.all()
    assert (charge.is_trafficking, charge.decision) == (True, Charge.Decision.PENDING)


@override_settings(DEBUG=True)
def test_seeding_the_demo_again_changes_no_prosecution_record(db, demo):
    before = (_state(), list(TraffickingStatute.objects.values_list("pk", "citation")))
    out = _seed()
    assert "no arrest added" in out
    assert (_state(), list(TraffickingStatute.objects.values_list("pk", "citation"))) == before
