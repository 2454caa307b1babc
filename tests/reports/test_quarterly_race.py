"""Two supervisors sign the same quarter at the same moment, each on a database connection of their own as two web
workers would (decision 0037): one signed report results, the other signer is told it is signed (``AlreadySigned``,
carrying the row that stands), never a database error or a 500, and one sign-off is audited.

A barrier holds the two threads either as they call the service, or inside it after its "signed yet?" look and
before its insert: then both have found nothing signed and both insert, and the unique constraint
(``quarterly_report_signed_once``) decides, which is the race the service must survive.

PostgreSQL only. SQLite's test database is in memory with a shared cache, whose second writer fails at once with
"database table is locked" rather than waiting: that measures the test database, not the service. (On a SQLite
file with the portal's settings, WAL, a busy timeout and immediate transactions, the second writer waits and the
race ends as on PostgreSQL: checked with a test database on disk.)"""

import threading
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection

from agencies.models import Role
from portal.models import AuditEvent
from reports import services
from reports.models import QuarterlyReport
from reports.quarterly.measures import compute
from tests.factories import UserFactory
from tests.reports.quarterly_world import NOW, Q1_2027

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=(
            "two writers at once: SQLite's in-memory test database (shared cache) fails the second writer at once "
            "with 'database table is locked' instead of waiting, so the race is run on PostgreSQL"
        ),
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def after_the_quarter():
    """FY2027-Q1 (2026-10-01..12-31) has ended: seen on 2027-04-15. The clock is the process's, so both threads
    read it."""
    with time_machine.travel(NOW, tick=False):
        yield


def _race(
    monkeypatch: pytest.MonkeyPatch,
    signers: list,
    *,
    at_the_call: Callable[[], Any],
    before_the_insert: Callable[[], Any],
) -> tuple[list[QuarterlyReport], list[BaseException]]:
    """Each of ``signers`` signs FY2027-Q1 of their agency from a thread of their own: ``at_the_call`` runs in each
    thread before it calls the service, ``before_the_insert`` after the service's look for a signed report and
    before its insert. The digest is the draft's, read before the race, as each signer's page carried it."""
    digest = compute(signers[0].agency, Q1_2027).digest
    real_compute = services.compute
    signed: list[QuarterlyReport] = []
    refused: list[BaseException] = []

    def computed_then_wait(*args: Any, **kwargs: Any) -> Any:
        draft = real_compute(*args, **kwargs)
        before_the_insert()
        return draft

    def sign(user) -> None:
        try:
            at_the_call()
            signed.append(services.quarterly_report_sign(actor=user, quarter_code=Q1_2027.code, digest=digest))
        except BaseException as error:  # every outcome is asserted below: a thread's exception is otherwise lost
            refused.append(error)
        finally:
            connection.close()

    monkeypatch.setattr(services, "compute", computed_then_wait)
    _all_at_once(sign, signers)
    return signed, refused


def _all_at_once(work: Any, each: list[Any]) -> None:
    """``work(item)`` for each item, each in a thread of its own (its own database connection), all awaited."""
    threads = [threading.Thread(target=work, args=(item,)) for item in each]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread never finished"


def _nothing() -> None:
    pass


@pytest.mark.parametrize("run", range(2))
@pytest.mark.parametrize(
    "moment",
    [
        "calling",  # both call the service at once: whoever looks second may already find the first's row
        "inserting",  # both have looked and found nothing signed: the unique constraint decides
    ],
)
def test_two_supervisors_signing_at_the_same_moment_give_one_report(
    monkeypatch, after_the_quarter, supervisor, lead_agency, moment, run
):
    deputy = UserFactory(email="deputy@ffo.example", full_name="Dee Deputy", agency=lead_agency, role=Role.SUPERVISOR)
    barrier = threading.Barrier(2, timeout=30)
    at_the_call, before_the_insert = (barrier.wait, _nothing) if moment == "calling" else (_nothing, barrier.wait)

    signed, refused = _race(
        monkeypatch, [supervisor, deputy], at_the_call=at_the_call, before_the_insert=before_the_insert
    )

    assert len(signed) == 1, refused
    assert len(refused) == 1
    [winner], [loser] = signed, refused
    assert isinstance(loser, services.AlreadySigned), repr(loser)
    assert loser.report == winner  # the loser is told who signed: the row that stands
    assert loser.report.signed_by == winner.signed_by
    assert list(QuarterlyReport.objects.all()) == [winner]
    assert winner.digest_matches()
    events = AuditEvent.objects.filter(action="reports.quarterly.signed")
    assert [(event.actor_id, event.object_id) for event in events] == [(winner.signed_by_id, str(winner.pk))]


def test_two_sign_offs_from_the_page_at_the_same_moment_are_a_signature_and_a_refusal(
    monkeypatch, after_the_quarter, client_as, supervisor, lead_agency
):
    """The same race through the page: both posts are answered (302 back to the report), never a 500; the second
    signer's refusal is audited with its reason."""
    deputy = UserFactory(email="deputy@ffo.example", full_name="Dee Deputy", agency=lead_agency, role=Role.SUPERVISOR)
    clients = [client_as(supervisor), client_as(deputy)]
    digest = compute(lead_agency, Q1_2027).digest
    barrier = threading.Barrier(2, timeout=30)
    real_compute = services.compute
    statuses: list[int] = []
    errors: list[BaseException] = []

    def computed_then_wait(*args: Any, **kwargs: Any) -> Any:
        draft = real_compute(*args, **kwargs)
        barrier.wait()
        return draft

    def post(client) -> None:
        try:
            response = client.post(f"/reports/quarterly/{Q1_2027.code}/sign/", {"digest": digest, "confirm": "on"})
            statuses.append(response.status_code)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    monkeypatch.setattr(services, "compute", computed_then_wait)
    _all_at_once(post, clients)

    assert errors == []
    assert statuses == [302, 302]
    winner = QuarterlyReport.objects.get()
    assert AuditEvent.objects.filter(action="reports.quarterly.signed").count() == 1
    [refusal] = AuditEvent.objects.filter(action="reports.quarterly.sign_refused")
    assert refusal.details["reason"] == "already_signed"
    assert {refusal.actor_id, winner.signed_by_id} == {supervisor.pk, deputy.pk}
