"""Tasks renamed in issue 12 keep working on a database with rows queued under their old names: the migrations
rename the rows not yet run, and the new names import (the worker loads a task by its path)."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

RENAMES = [
    (
        "referrals.migrations.0003_queued_expiry_task_renamed",
        "referrals.tasks.expire_overdue",
        "referrals.tasks.referrals_expire",
    ),
    (
        "cases.migrations.0010_queued_purge_task_renamed",
        "cases.tasks.purge_meeting_packets",
        "cases.tasks.meeting_packets_purge",
    ),
]


def _row(task_path: str, status: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path=task_path,
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        run_after=timezone.now(),
        backend_name="default",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("module", "old", "new"), RENAMES)
def test_a_task_queued_under_its_old_name_runs_under_the_new_one(module, old, new):
    migration = importlib.import_module(module)
    queued, finished = _row(old, "READY"), _row(old, "SUCCESSFUL")

    migration.rename(old, new)(apps, None)

    queued.refresh_from_db()
    finished.refresh_from_db()
    assert (queued.task_path, finished.task_path) == (new, old)
    assert import_string(new).name == new.rsplit(".", 1)[1]

    migration.rename(new, old)(apps, None)  # the migration's way back
    queued.refresh_from_db()
    assert queued.task_path == old
