"""``manage.py run_worker``: the background worker survives a database outage (issue 13, "Resilience")."""

import logging
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import InterfaceError, OperationalError
from django_tasks_db.management.commands.db_worker import Worker

from portal.management.commands import run_worker


@pytest.fixture
def worker(settings, db):
    """The database backend (the suite runs tasks at once); the worker's loop, its signal handlers (the test process
    keeps its own), the wait and the connections' closing patched: ``worker.run`` is the loop, ``worker.sleep`` the
    waits, ``worker.close_all`` the closing."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with (
        mock.patch.object(Worker, "run", autospec=True) as run,
        mock.patch.object(Worker, "configure_signals"),
        mock.patch.object(run_worker, "sleep") as sleep,
        mock.patch.object(run_worker.connections, "close_all") as close_all,
    ):
        yield mock.Mock(run=run, sleep=sleep, close_all=close_all)


def test_the_worker_is_started_again_after_each_database_error_with_a_growing_wait(worker, caplog):
    worker.run.side_effect = [OperationalError("server closed the connection"), InterfaceError("closed"), None]
    with caplog.at_level(logging.WARNING, logger="portal.worker"):
        call_command("run_worker", "--no-startup-delay", "--queue-name", "default")
    assert worker.run.call_count == 3
    assert [call.args for call in worker.sleep.call_args_list] == [(1.0,), (2.0,)]
    assert worker.close_all.call_count == 2
    restarts = [
        record.getMessage()
        for record in caplog.records
        if record.name == "portal.worker" and "stopped on a database error" in record.getMessage()
    ]
    assert len(restarts) == 2
    assert [("OperationalError: server closed" in line, "in 1 s" in line) for line in restarts[:1]] == [(True, True)]
    assert [("InterfaceError: closed" in line, "in 2 s" in line) for line in restarts[1:]] == [(True, True)]


def test_any_other_error_ends_the_worker_for_its_supervisor_to_see(worker):
    worker.run.side_effect = [OperationalError("server closed the connection"), ZeroDivisionError("a bug"), None]
    with pytest.raises(ZeroDivisionError):
        call_command("run_worker", "--no-startup-delay")
    assert worker.run.call_count == 2
    assert worker.sleep.call_count == 1


def test_the_autoreloader_is_not_used_even_in_debug(worker, settings):
    """Under the autoreloader the worker would run in a thread whose database error nobody restarts."""
    settings.DEBUG = True
    with mock.patch.object(run_worker.db_worker, "run_with_reloader") as reloader:
        call_command("run_worker", "--no-startup-delay", "--reload")
    reloader.assert_not_called()
    assert worker.run.call_count == 1


@pytest.mark.parametrize(("failures", "wait"), [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 30), (7, 30), (50, 30)])
def test_the_wait_doubles_up_to_thirty_seconds(failures, wait):
    assert run_worker.backoff(failures) == wait


def test_a_new_outage_after_a_long_healthy_run_starts_at_the_shortest_wait(worker):
    worker.run.side_effect = [OperationalError("a"), OperationalError("b"), OperationalError("c"), None]
    # monotonic() is read at each start and at each error: the second run lasts an hour, the others no time.
    clock = iter([0, 0, 10, 3610, 3620, 3620, 3620])
    with mock.patch.object(run_worker, "monotonic", side_effect=lambda: next(clock)):
        call_command("run_worker", "--no-startup-delay")
    assert [call.args for call in worker.sleep.call_args_list] == [(1.0,), (1.0,), (2.0,)]
