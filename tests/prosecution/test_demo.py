"""The demo's prosecution (prosecution/demo.py): the task force's state statutes, two arrests with their charges
(a federal sex-trafficking charge that ended in a plea, a state one under the listed statute), and nothing more
when seeded again."""

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

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
    arrests = list(Arrest.objects.select_related("case", "participant"))
    assert len(arrests) == 2
    assert {arrest.case.title for arrest in arrests} == {"Online advertisements, Marlin County motels"}
    assert all(arrest.participant.role == "suspect" for arrest in arrests)
    charges = _state()
    assert [(agency, trafficking) for _day, agency, _statute, trafficking, *_rest in charges] == [
        ("FBI Bayport", True),
        ("MCSO", True),
    ]
    assert [row[4:6] for row in charges] == [("charged", "plea"), ("pending", "pending")]
    assert Charge.objects.trafficking().count() == 1  # brought: the federal one
    assert Charge.objects.convictions().count() == 1


@override_settings(DEBUG=True)
def test_seeding_the_demo_again_changes_no_prosecution_record(db, demo):
    before = (_state(), list(TraffickingStatute.objects.values_list("pk", "citation")))
    out = _seed()
    assert "no arrest added" in out
    assert (_state(), list(TraffickingStatute.objects.values_list("pk", "citation"))) == before
