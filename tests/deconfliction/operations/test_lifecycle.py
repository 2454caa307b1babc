"""A conflict over its life (docs/decisions/0031): an edit of the place, radius or window never tells its editor
where the other operation is not; a settled pair that meets at another time is told again; a new contact is told;
an operation recorded done keeps conflicting until it ended; deactivated agencies and people are never told."""

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone, translation

from deconfliction.operations import services
from deconfliction.operations.models import Operation, OperationConflict, OperationNotice
from portal.audit import action_label
from portal.models import AuditEvent
from tests.deconfliction.operations.conftest import edit, north, plan, tomorrow_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(investigator, partner_investigator, coordinator) -> tuple[Operation, Operation]:
    """The field office's operation (10:00-12:00, 300 m) and the partner's, 500 m north (11:00-14:00, 300 m): they
    meet from 11:00 to 12:00, and a conflict is open."""
    mine = plan(investigator)
    theirs = plan(partner_investigator, latitude=north(500), starts_at=tomorrow_at(11), ends_at=tomorrow_at(14))
    assert OperationConflict.objects.get().status == OperationConflict.Status.OPEN
    return mine, theirs


def _settle(coordinator) -> OperationConflict:
    conflict = OperationConflict.objects.get()
    return services.conflict_resolve(
        conflict=conflict, resolution="jointly", version=conflict.version, actor=coordinator
    )


def _actions(code: str) -> int:
    return AuditEvent.objects.filter(action=code).count()


# --- D1: an edit never withdraws nor changes a conflict its editor sees ------------------------------------------

APART = [
    pytest.param({"latitude": north(-5_000)}, id="moved 5 km away"),
    pytest.param({"radius_m": 100}, id="radius shrunk below the distance"),
    pytest.param({"starts_at": tomorrow_at(14), "ends_at": tomorrow_at(16)}, id="window moved past theirs"),
    pytest.param({"ends_at": tomorrow_at(11)}, id="window shrunk to end when theirs starts"),
]


@pytest.mark.parametrize("settled", [False, True], ids=["open", "settled"])
@pytest.mark.parametrize("changes", APART)
def test_an_edit_that_ends_the_overlap_changes_nothing_either_side_sees(
    pair, investigator, partner_investigator, coordinator, changes, settled
):
    mine, theirs = pair
    if settled:
        _settle(coordinator)
    before = OperationConflict.objects.get()
    for side, actor, moved in ((mine, investigator, changes), (theirs, partner_investigator, {})):
        if moved:
            edit(side, actor, **moved)
    conflict = OperationConflict.objects.get()
    assert (conflict.status, conflict.resolution) == (before.status, before.resolution)
    assert (conflict.overlap_starts, conflict.overlap_ends) == (tomorrow_at(11), tomorrow_at(12))
    assert conflict.version == before.version
    assert _actions("deconfliction.conflict.withdrawn") == 0
    assert OperationNotice.objects.count() == 3


def test_moving_step_by_step_away_and_back_shows_the_same_conflict_throughout(pair, investigator):
    mine, _theirs = pair
    seen = set()
    for metres in (-200, -600, -1_200, -2_500, 0):
        mine = edit(mine, investigator, latitude=north(metres))
        conflict = OperationConflict.objects.get()
        seen.add((conflict.status, conflict.overlap_starts, conflict.overlap_ends, conflict.version))
    assert len(seen) == 1
    assert OperationNotice.objects.count() == 3


def test_cancelling_still_withdraws(pair, investigator):
    mine, _theirs = pair
    services.operation_close(operation=mine, status=Operation.Status.CANCELLED, actor=investigator)
    assert OperationConflict.objects.get().status == OperationConflict.Status.WITHDRAWN


# --- D4: a pair that meets again at another time ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "reopened"),
    [
        pytest.param([{"starts_at": tomorrow_at(13), "ends_at": tomorrow_at(15)}], True, id="meets at 13:00"),
        pytest.param(
            [
                {"latitude": north(-5_000)},
                {"latitude": north(0), "starts_at": tomorrow_at(13), "ends_at": tomorrow_at(15)},
            ],
            True,
            id="apart, then meets at 13:00",
        ),
        pytest.param([{"starts_at": tomorrow_at(11) + timedelta(minutes=30)}], False, id="within the settled window"),
        pytest.param([{"latitude": north(100)}], False, id="closer, the same window"),
    ],
)
def test_a_settled_pair_meeting_at_another_time_is_reopened_and_told_again(
    pair, investigator, partner_investigator, coordinator, steps, reopened
):
    mine, _theirs = pair
    settled = _settle(coordinator)
    for changes in steps:
        mine = edit(mine, investigator, **changes)
    conflict = OperationConflict.objects.get()
    if not reopened:
        assert (conflict.status, conflict.resolution, conflict.version) == ("resolved", "jointly", settled.version)
        assert OperationNotice.objects.count() == 3
        return
    assert (conflict.status, conflict.resolution, conflict.resolved_by) == ("open", "", None)
    assert (conflict.overlap_starts, conflict.overlap_ends) == (tomorrow_at(13), tomorrow_at(14))
    assert conflict.version > settled.version  # the coordinator's old form is stale
    told = OperationNotice.objects.filter(created_at__gt=settled.resolved_at)
    assert {notice.user for notice in told} == {investigator, partner_investigator, coordinator}
    event = AuditEvent.objects.get(action="deconfliction.conflict.reopened")
    assert event.details["earlier_resolution"] == "jointly"
    assert event.details["earlier_resolved_by"] == coordinator.pk
    assert _actions("deconfliction.conflict.resolved") == 1  # the earlier settling stays in the trail
    assert _actions("deconfliction.conflict.disclosed") == 4  # twice, once in each side's trail


def test_an_open_conflict_meeting_at_another_time_is_told_its_new_window(pair, investigator, coordinator):
    mine, _theirs = pair
    before = OperationConflict.objects.get()
    edit(mine, investigator, starts_at=tomorrow_at(13), ends_at=tomorrow_at(15))
    conflict = OperationConflict.objects.get()
    assert conflict.status == OperationConflict.Status.OPEN
    assert (conflict.overlap_starts, conflict.overlap_ends) == (tomorrow_at(13), tomorrow_at(14))
    assert conflict.version == before.version + 1
    assert OperationNotice.objects.count() == 6


# --- D5: a new contact is told ------------------------------------------------------------------------------------


@pytest.mark.parametrize("settled", [False, True], ids=["open", "settled"])
@pytest.mark.parametrize("change", ["phone_24h", "case_agent"])
def test_a_new_contact_is_told_to_both_sides_and_the_coordinators(
    pair,
    investigator,
    colleague,
    partner_investigator,
    coordinator,
    change,
    settled,
    django_capture_on_commit_callbacks,
):
    mine, _theirs = pair
    if settled:
        _settle(coordinator)
    mail.outbox.clear()
    changes: dict[str, Any] = {"phone_24h": "713-555-0188"} if change == "phone_24h" else {"case_agent": colleague}
    with django_capture_on_commit_callbacks(execute=True):
        edit(mine, investigator, **changes)
    new_agent = colleague if change == "case_agent" else investigator
    told = OperationNotice.objects.order_by("pk")[3:]
    assert {(notice.user, notice.operation_id) for notice in told} == {
        (new_agent, mine.pk),
        (partner_investigator, _theirs.pk),
        (coordinator, None),
    }
    to_partner = next(message.body for message in mail.outbox if message.to == [partner_investigator.email])
    assert ("+1 713-555-0188" if change == "phone_24h" else colleague.full_name) in to_partner
    assert OperationConflict.objects.get().status == ("resolved" if settled else "open")
    reasons = set(
        AuditEvent.objects.filter(action="deconfliction.conflict.disclosed").values_list("details__reason", flat=True)
    )
    assert reasons == {"opened", "contact_changed"}


def test_an_edit_of_the_notes_tells_no_one_and_keeps_the_conflicts_version(pair, investigator):
    """N2: a coordinator's settle form is not made stale by an edit that changes nothing of the conflict."""
    mine, _theirs = pair
    before = OperationConflict.objects.get()
    edit(mine, investigator, notes="More officers")
    assert OperationConflict.objects.get().version == before.version
    assert OperationNotice.objects.count() == 3


# --- D3: done once started, and conflicting until it ended --------------------------------------------------------


def test_an_operation_recorded_done_while_running_keeps_conflicting_until_it_ended(
    investigator, partner_investigator, coordinator
):
    now = timezone.now()
    mine = plan(investigator, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2))
    plan(
        partner_investigator,
        latitude=north(250),
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(hours=3),
    )
    services.operation_close(operation=mine, status=Operation.Status.DONE, actor=investigator)
    conflict = OperationConflict.objects.get()
    assert conflict.status == OperationConflict.Status.OPEN  # its overlap had begun
    assert _actions("deconfliction.conflict.withdrawn") == 0
    # Another operation meeting it before it ended conflicts; one after it ended does not.
    plan(
        partner_investigator,
        latitude=north(100),
        starts_at=now - timedelta(minutes=20),
        ends_at=now + timedelta(hours=1),
    )
    assert OperationConflict.objects.filter(first=mine).count() == 2
    plan(
        partner_investigator,
        latitude=north(100),
        starts_at=timezone.now() + timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
    )
    assert OperationConflict.objects.filter(first=mine).count() == 2


def test_an_operation_recorded_done_before_the_overlap_began_withdraws_it(investigator, partner_investigator):
    now = timezone.now()
    mine = plan(investigator, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2))
    plan(partner_investigator, starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=3))
    services.operation_close(operation=mine, status=Operation.Status.DONE, actor=investigator)
    assert OperationConflict.objects.get().status == OperationConflict.Status.WITHDRAWN


# --- D2 and D6: who is no longer told -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deactivated", "conflict", "told"),
    [
        ("nothing", True, {"investigator", "partner_investigator", "coordinator"}),
        ("lead_agency", False, set()),  # its operations conflict with no one's
        ("partner_agency", False, set()),
        ("coordination_office", True, {"investigator", "partner_investigator"}),
        ("coordinator", True, {"investigator", "partner_investigator"}),
    ],
)
def test_deactivated_agencies_neither_conflict_nor_are_told(
    request, investigator, partner_investigator, coordinator, deactivated, conflict, told
):
    plan(investigator)
    if deactivated != "nothing":
        who = request.getfixturevalue(deactivated)
        who.is_active = False
        who.save()
    plan(partner_investigator, latitude=north(250))
    assert OperationConflict.objects.exists() == conflict
    people = {name: request.getfixturevalue(name) for name in ("investigator", "partner_investigator", "coordinator")}
    assert {name for name, user in people.items() if OperationNotice.objects.filter(user=user).exists()} == told


def test_a_notice_is_not_e_mailed_once_its_readers_agency_is_deactivated(
    investigator, partner_investigator, coordinator, coordination_office
):
    from deconfliction.operations.tasks import email_operation_notices

    plan(investigator)
    plan(partner_investigator)  # its e-mails are not sent: no on-commit callbacks run here
    coordination_office.is_active = False
    coordination_office.save()
    assert email_operation_notices.call(list(OperationNotice.objects.values_list("pk", flat=True))) == 2
    assert coordinator.email not in {message.to[0] for message in mail.outbox}


@pytest.mark.parametrize(
    ("agent", "gone", "told"),
    [
        ("colleague", [], "colleague"),  # the case agent
        ("colleague", ["colleague"], "investigator"),  # who planned it
        ("investigator", ["investigator"], "supervisor"),  # the agency's supervisors
    ],
)
def test_a_deactivated_case_agents_notice_goes_to_the_planner_or_the_supervisors(
    request, investigator, colleague, supervisor, partner_investigator, agent, gone, told
):
    mine = plan(investigator, case_agent=request.getfixturevalue(agent))
    for name in gone:
        user = request.getfixturevalue(name)
        user.is_active = False
        user.save()
    plan(partner_investigator, latitude=north(250))
    recipients = OperationNotice.objects.filter(operation=mine).values_list("user", flat=True)
    assert list(recipients) == [request.getfixturevalue(told).pk]


# --- N3: each action in words ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("deconfliction.operation.created", "planned an operation"),
        ("deconfliction.operation.updated", "edited an operation"),
        ("deconfliction.operation.cancelled", "cancelled an operation"),
        ("deconfliction.operation.done", "recorded an operation done"),
        ("deconfliction.conflict.disclosed", "told both sides of an operation conflict whom to call"),
        ("deconfliction.conflict.reopened", "reopened a settled operation conflict: the operations meet again"),
        ("deconfliction.conflict.withdrawn", "withdrew an operation conflict: an operation was cancelled or ended"),
        ("deconfliction.conflict.resolved", "recorded how an operation conflict was settled"),
    ],
)
def test_each_action_reads_in_words(code, words):
    with translation.override("en"):  # whatever language an earlier test on this worker left active
        assert str(action_label(code)) == words


def test_a_case_agent_now_of_another_agency_is_not_told_the_planner_is(
    investigator, colleague, partner_agency, partner_investigator
):
    mine = plan(investigator, case_agent=colleague)
    colleague.membership.agency = partner_agency
    colleague.membership.save()
    plan(partner_investigator, latitude=north(250))
    assert list(OperationNotice.objects.filter(operation=mine).values_list("user", flat=True)) == [investigator.pk]
