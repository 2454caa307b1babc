"""The probes (docs/deployment.md, "Checks and housekeeping"): ``/healthz``, liveness for the load balancer, and
``/readyz``, readiness with the background task queue's state. Both public, both JSON whatever happens: a database
that does not answer is a 503 that says so in a word, never the HTML error page nor the error's text."""

from datetime import datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.db import OperationalError, connection
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=timezone.UTC)
SECRET_IN_THE_ERROR = 'could not connect to server "db.internal" as user "portal"'


def queued(*, at: datetime, run_after: datetime | None = None, status: str = TaskResultStatus.READY) -> DBTaskResult:
    """A row of django_tasks_db's queue, enqueued at ``at`` (``run_after`` None: as soon as possible)."""
    with time_machine.travel(at, tick=False):
        return DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="referrals.tasks.referrals_expire",
            backend_name="default",
            run_after=run_after,
            status=status,
            started_at=at if status == TaskResultStatus.RUNNING else None,
        )


def get(client, name: str):
    return client.get(reverse(name))


@pytest.fixture
def queue(db):
    """Two due tasks (the older waiting since 4 minutes before NOW), one not yet due, one running for 20 minutes
    (stale), one for 1 minute, and finished ones, which readiness does not read."""
    queued(at=NOW - timedelta(minutes=30), run_after=NOW - timedelta(minutes=4))
    queued(at=NOW - timedelta(minutes=1))
    queued(at=NOW - timedelta(minutes=1), run_after=NOW + timedelta(minutes=5))
    queued(at=NOW - timedelta(minutes=20), status=TaskResultStatus.RUNNING)
    queued(at=NOW - timedelta(minutes=1), status=TaskResultStatus.RUNNING)
    for status in [TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]:
        queued(at=NOW - timedelta(hours=2), status=status)


def test_readiness_reports_the_queue_in_one_query(client, queue, django_assert_num_queries):
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(1):
        response = get(client, "readyz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {
        "status": "ok",
        "tasks": {"due": 2, "oldest_due_seconds": 240, "stale_running": 1},
    }


def test_readiness_of_an_empty_queue(client, db):
    response = get(client, "readyz")
    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "tasks": {"due": 0, "oldest_due_seconds": 0, "stale_running": 0}},
    )


@pytest.mark.parametrize(
    ("waited", "status"),
    [(599, 200), (600, 200), (601, 503)],  # PORTAL_TASKS_DUE_MAX_WAIT is 10 minutes
)
def test_readiness_fails_once_a_due_task_waited_too_long(client, db, waited, status):
    """No worker takes the tasks (it exited, or was never started): e-mails wait, and readiness says so."""
    queued(at=NOW)
    with time_machine.travel(NOW + timedelta(seconds=waited), tick=False):
        response = get(client, "readyz")
    assert response.status_code == status
    body = response.json()
    assert body["status"] == ("ok" if status == 200 else "unavailable")
    assert body["tasks"]["oldest_due_seconds"] == waited
    assert body.get("reason") == (None if status == 200 else "tasks")


@pytest.mark.parametrize("name", ["healthz", "readyz"])
def test_a_database_that_does_not_answer_is_a_503_in_json_without_the_errors_text(client, db, name):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError(SECRET_IN_THE_ERROR)):
        response = get(client, name)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "unavailable", "reason": "database"}
    assert "db.internal" not in response.content.decode()
    assert "<html" not in response.content.decode().lower()


def test_liveness_reads_no_queue(client, queue, django_assert_num_queries):
    with time_machine.travel(NOW + timedelta(hours=1), tick=False), django_assert_num_queries(1):
        response = get(client, "healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan read is PostgreSQL's")
def test_readiness_reads_the_queue_through_indexes_never_the_finished_results(queue):
    """The table keeps every finished task (a million rows is ordinary): with sequential scans priced out, as at
    that size, the plan reads waiting and running tasks through their partial indexes (265 ms -> 0.1 ms measured at
    a million finished rows)."""
    from django.test.utils import CaptureQueriesContext

    from portal import views

    with CaptureQueriesContext(connection) as queries:
        views._task_queue(NOW)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + queries.captured_queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan
    assert "tasks_db_new_ordering_idx" in plan
    assert "portal_task_running_idx" in plan
