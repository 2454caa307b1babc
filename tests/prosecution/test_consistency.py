"""The trafficking mark stays right (decision 0034): a case that moves between task forces has its charges marked
again against the new list; a charge recorded while the list changes is marked under the task force's row lock, which
the statute services take too; re-marking costs two UPDATEs whatever the number of charges; a statute listed twice at
once is refused on its field, not a 500; and the services' row locks take only their own rows."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from cases.services import case_update
from prosecution import services
from prosecution.models import Charge, TraffickingStatute
from prosecution.statutes import citation_key
from tests.factories import TaskForceFactory
from tests.prosecution.conftest import FEDERAL

pytestmark = pytest.mark.django_db

STATE = "Gulf State Rev. Stat. § 14:46.2"
locks_rows = pytest.mark.skipif(
    not connection.features.has_select_for_update_of, reason="SELECT ... FOR UPDATE OF needs PostgreSQL"
)


def _marks(arrest) -> list[bool]:
    return list(arrest.charges.order_by("id").values_list("is_trafficking", flat=True))


def test_moving_a_case_to_another_task_force_marks_its_charges_again(
    le_case, task_force, lead_agency, supervisor, coordinator, investigator, arrest
):
    services.trafficking_statute_add(task_force=task_force, citation=STATE, title="HT", actor=coordinator)
    services.charge_add(arrest=arrest, version=arrest.version, statute=f"{STATE}(A)", actor=investigator)
    assert _marks(arrest) == [True, True]
    elsewhere = TaskForceFactory(name="Elsewhere Task Force", member_agencies=[lead_agency])
    case = case_update(case=le_case, version=le_case.version, actor=supervisor, task_force=elsewhere)
    assert _marks(arrest) == [True, False]  # the federal charge stays marked
    case = case_update(case=case, version=case.version, actor=supervisor, task_force=task_force)
    assert _marks(arrest) == [True, True]
    case_update(case=case, version=case.version, actor=supervisor, task_force=None)
    assert _marks(arrest) == [True, False]


def test_a_case_without_arrests_pays_one_query_for_the_receiver(le_case, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert services.case_charges_remark(case=le_case) == 0


def test_re_marking_is_two_updates_whatever_the_number_of_charges(task_force, coordinator, investigator, arrest):
    for n in range(3):
        services.charge_add(arrest=arrest, version=arrest.version + n, statute=f"{STATE}({n})", actor=investigator)
    with CaptureQueriesContext(connection) as listed:
        statute = services.trafficking_statute_add(task_force=task_force, citation=STATE, title="HT", actor=coordinator)
    assert _marks(arrest) == [True, True, True, True]
    with CaptureQueriesContext(connection) as removed:
        services.trafficking_statute_remove(statute=statute, actor=coordinator)
    assert _marks(arrest) == [True, False, False, False]
    for captured in (listed, removed):
        updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('UPDATE "prosecution_charge"')]
        assert len(updates) == 1


def test_a_statute_listed_twice_at_once_is_refused_on_its_field(monkeypatch, task_force):
    """The second of two coordinators passes the check before the first commits: the unique constraint refuses it,
    and the service says so on the field (here the check is made to miss the first, as it would in the race)."""
    key = citation_key(STATE)
    TraffickingStatute.objects.create(task_force=task_force, citation=STATE, citation_key=key, title="HT")
    exists = QuerySet.exists
    monkeypatch.setattr(QuerySet, "exists", lambda self: False if self.model is TraffickingStatute else exists(self))
    with pytest.raises(ValidationError) as refused:
        services.trafficking_statute_add(task_force=task_force, citation=STATE, title="HT", actor=None)
    assert "already listed" in refused.value.message_dict["citation"][0]
    assert TraffickingStatute.objects.count() == 1


def _lock_then_read(captured: CaptureQueriesContext) -> tuple[int, int, int]:
    sql = [q["sql"] for q in captured.captured_queries]
    savepoint = next(i for i, s in enumerate(sql) if s.startswith("SAVEPOINT"))
    lock = next(i for i, s in enumerate(sql) if 'FROM "agencies_taskforce"' in s and "FOR UPDATE" in s)
    reads = [i for i, s in enumerate(sql) if 'FROM "prosecution_traffickingstatute"' in s and "INSERT" not in s]
    return savepoint, lock, reads[-1] if reads else len(sql)


@locks_rows
def test_recording_a_charge_reads_the_list_under_the_task_forces_lock(
    le_case, suspect, lead_agency, investigator, task_force, coordinator, arrest
):
    with CaptureQueriesContext(connection) as recorded:
        services.arrest_record(
            case=le_case,
            participant=suspect,
            arrested_on=le_case.opened_on,
            arresting_agency=lead_agency,
            charges=[{"statute": STATE}],
            actor=investigator,
        )
    with CaptureQueriesContext(connection) as added:
        services.charge_add(arrest=arrest, version=arrest.version, statute=STATE, actor=investigator)
    for captured in (recorded, added):
        savepoint, lock, read = _lock_then_read(captured)
        assert savepoint < lock < read
    with CaptureQueriesContext(connection) as listed:
        services.trafficking_statute_add(task_force=task_force, citation=STATE, title="HT", actor=coordinator)
    sql = [q["sql"] for q in listed.captured_queries]
    lock = next(i for i, s in enumerate(sql) if 'FROM "agencies_taskforce"' in s and "FOR UPDATE" in s)
    insert = next(i for i, s in enumerate(sql) if s.startswith('INSERT INTO "prosecution_traffickingstatute"'))
    assert lock < insert


@locks_rows
def test_the_services_lock_only_their_own_row(arrest, charge, investigator, prosecutor_office, lead_agency):
    with CaptureQueriesContext(connection) as captured:
        services.charge_add(arrest=arrest, version=arrest.version, statute=FEDERAL, actor=investigator)
        arrest.refresh_from_db()
        services.arrest_update(
            arrest=arrest,
            version=arrest.version,
            arrested_on=arrest.arrested_on.replace(day=1),
            arresting_agency=lead_agency,
            actor=investigator,
        )
        decided = services.charge_decide(
            charge=charge,
            version=charge.version,
            decision="charged",
            decided_on=arrest.arrested_on,
            prosecuting_agency=prosecutor_office,
            actor=investigator,
        )
        services.charge_dispose(
            charge=decided,
            version=decided.version,
            disposition="dismissed",
            disposed_on=arrest.arrested_on,
            actor=investigator,
        )
    joined_locks = [q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"] and "JOIN" in q["sql"]]
    assert len(joined_locks) == 4
    for sql in joined_locks:
        assert 'FOR UPDATE OF "prosecution_' in sql
    assert Charge.objects.get(pk=charge.pk).disposition == "dismissed"
