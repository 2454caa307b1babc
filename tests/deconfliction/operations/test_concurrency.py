"""Two agencies planning overlapping operations at the same moment: neither transaction sees the other's row until
it commits, so without the task-force lock both detections would miss each other (decision 0031)."""

import threading

import pytest
from django.db import connection

from deconfliction.operations.models import OperationConflict, OperationNotice
from tests.deconfliction.operations.conftest import north, plan


@pytest.mark.postgres_only
@pytest.mark.parametrize("run", range(5))
def test_two_operations_planned_at_the_same_moment_find_each_other(transactional_db, request, run):
    planners = [request.getfixturevalue("investigator"), request.getfixturevalue("partner_investigator")]
    request.getfixturevalue("coordinator")
    barrier = threading.Barrier(len(planners))
    errors: list[BaseException] = []

    def plan_now(planner, metres: float) -> None:
        try:
            barrier.wait()
            plan(planner, latitude=north(metres))
        except BaseException as error:  # reported below: a thread's exception is otherwise lost
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=plan_now, args=(planner, 100 * n)) for n, planner in enumerate(planners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert OperationConflict.objects.count() == 1
    assert OperationNotice.objects.count() == 3
