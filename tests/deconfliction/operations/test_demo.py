"""The demo operations (deconfliction/operations/demo.py): the FBI's and Bayport Police's overlapping evening, on
Carla Diaz's board, each side seeing only the other's contact; a second seed adds nothing."""

import random
from collections.abc import Iterator
from io import StringIO

import pytest

from agencies import demo as agencies_demo
from agencies.models import User
from cases import demo as cases_demo
from deconfliction import demo
from deconfliction.operations import selectors
from deconfliction.operations.models import Operation, OperationConflict, OperationNotice
from portal.management.commands.seed_demo import DEMO_SEED
from services_directory import demo as directory_demo
from tests.helpers import kept_for_the_tests


def _seed() -> str:
    out, rng = StringIO(), random.Random(DEMO_SEED)
    for module in (agencies_demo, directory_demo, cases_demo, demo):
        module.seed(rng=rng, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[str]:
    yield from kept_for_the_tests(django_db_blocker, _seed)


pytestmark = [pytest.mark.django_db]


def _user(email: str) -> User:
    return User.objects.get(email=email)


def test_three_operations_and_one_open_conflict_between_the_fbi_and_bayport_police(seeded):
    assert Operation.objects.count() == 3
    conflict = OperationConflict.objects.get()
    assert conflict.status == OperationConflict.Status.OPEN
    assert {str(conflict.first.agency), str(conflict.second.agency)} == {"FBI Bayport", "BPD"}
    assert conflict.distance_m < 600
    assert "3 operations, 1 conflict" in seeded


def test_both_case_agents_and_the_coordinator_are_told(seeded):
    told = set(OperationNotice.objects.values_list("user__email", flat=True))
    assert told == {"dana.reyes@fbi.example", "omar.haddad@bpd.example", "carla.diaz@gctf.example"}


def test_each_side_sees_its_own_operations_and_the_others_contact_only(seeded):
    dana, omar, carla = (
        _user("dana.reyes@fbi.example"),
        _user("omar.haddad@bpd.example"),
        _user("carla.diaz@gctf.example"),
    )
    assert selectors.operation_list_for(dana).count() == 1
    assert selectors.operation_list_for(omar).count() == 2
    assert selectors.operation_list_for(carla).count() == 0
    view = selectors.view_for_planner(dana, selectors.conflicts_for_agency(dana).get())
    assert [side.name for side in view.sides] == ["Omar Haddad"]
    assert selectors.open_conflicts_coordinated_by(carla).count() == 1
    assert selectors.operation_list_for(dana).get().case is not None  # linked to a case Dana works


def test_a_second_seed_adds_nothing(seeded):
    out = StringIO()
    demo.seed(rng=random.Random(DEMO_SEED), stdout=out)
    assert "already there" in out.getvalue()
    assert Operation.objects.count() == 3
