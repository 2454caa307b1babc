"""Planning, editing, cancelling and settling: each refuses bad input whole, records its audit event, and keeps the
conflicts current."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from deconfliction.operations import services
from deconfliction.operations.models import Operation, OperationConflict, OperationNotice
from portal.models import AuditEvent
from tests.deconfliction.operations.conftest import PARTNER_PHONE, PHONE, fields_of, north, plan, tomorrow_at

pytestmark = pytest.mark.django_db


_fields = fields_of


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"ends_at": tomorrow_at(9)}, "ends_at", id="ends before it starts"),
        pytest.param({"ends_at": tomorrow_at(10) + timedelta(hours=73)}, "ends_at", id="longer than 72 hours"),
        pytest.param(
            {"starts_at": timezone.now() - timedelta(hours=5), "ends_at": timezone.now() - timedelta(hours=1)},
            "ends_at",
            id="already over",
        ),
        pytest.param({"radius_m": 49}, "radius_m", id="radius under 50 m"),
        pytest.param({"radius_m": 5_001}, "radius_m", id="radius over 5 km"),
        pytest.param({"latitude": None, "longitude": None}, "zip_code", id="no ZIP and no point"),
        pytest.param({"latitude": None, "longitude": None, "zip_code": "00000"}, "zip_code", id="unknown ZIP"),
        pytest.param({"latitude": None, "longitude": None, "zip_code": "77002abcde"}, "zip_code", id="ZIP and letters"),
        pytest.param({"latitude": None, "longitude": None, "zip_code": "77002-12"}, "zip_code", id="ZIP+2"),
        pytest.param({"latitude": None, "longitude": None, "zip_code": "770021234"}, "zip_code", id="ZIP+4 no dash"),
        pytest.param({"zip_code": "77002abcde"}, "zip_code", id="a bad ZIP beside a point"),
        pytest.param({"longitude": None}, "longitude", id="latitude without longitude"),
        pytest.param({"latitude": 91.0}, "latitude", id="latitude out of range"),
        pytest.param({"phone_24h": "12345"}, "phone_24h", id="not a phone"),
        pytest.param({"kind": "raid"}, "kind", id="unknown kind"),
        pytest.param({"case_number": "HT-1999-99999"}, "case_number", id="a case the planner may not work"),
    ],
)
def test_bad_input_is_refused_by_field_and_plans_nothing(investigator, fields, field):
    with pytest.raises(ValidationError) as refused:
        plan(investigator, **fields)
    assert field in refused.value.message_dict
    assert not Operation.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="deconfliction.").exists()


def test_the_case_agent_is_one_of_the_planners_agency(investigator, partner_investigator, advocate):
    for agent in (partner_investigator, advocate):
        with pytest.raises(ValidationError) as refused:
            plan(investigator, case_agent=agent)
        assert "case_agent" in refused.value.message_dict


def test_a_case_of_another_agency_shared_at_summary_level_may_not_be_named(le_case, partner_investigator):
    with pytest.raises(ValidationError) as refused:
        plan(partner_investigator, case_number=le_case.number)
    assert "case_number" in refused.value.message_dict


def test_planning_places_a_zip_at_its_centre_and_formats_the_phone(investigator, le_case):
    operation = plan(investigator, latitude=None, longitude=None, zip_code="77002", case_number=le_case.number.lower())
    assert (operation.latitude, operation.longitude) == (29.7594, -95.3594)
    assert operation.located_by == Operation.Located.ZIP
    assert operation.phone_24h == PHONE
    assert operation.case == le_case
    event = AuditEvent.objects.get(action="deconfliction.operation.created")
    assert (event.object_id, event.actor_id) == (str(operation.pk), investigator.pk)


def test_a_point_wins_over_the_zip_code(investigator):
    operation = plan(investigator, zip_code="77550")
    assert operation.located_by == Operation.Located.POINT
    assert operation.zip_code == "77550"


def test_a_form_sent_twice_plans_once(investigator):
    import uuid

    key = uuid.uuid4()
    first = plan(investigator, submission_key=key)
    again = plan(investigator, submission_key=key)
    assert first.pk == again.pk
    assert Operation.objects.count() == 1
    assert AuditEvent.objects.filter(action="deconfliction.operation.created").count() == 1


@pytest.mark.parametrize("who", ["advocate", "coordinator", "agency_admin", "auditor", "provider_staff"])
def test_who_may_not_plan_is_refused(request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        plan(user)
    assert not Operation.objects.exists()


def test_a_conflict_tells_both_case_agents_and_the_coordinator_once_with_the_others_contact(
    investigator, partner_investigator, coordinator, supervisor, django_capture_on_commit_callbacks
):
    mine = plan(investigator)
    with django_capture_on_commit_callbacks(execute=True):
        theirs = plan(partner_investigator, latitude=north(250), phone_24h="409-555-0199")
    conflict = OperationConflict.objects.get()
    assert (conflict.first, conflict.second) == (mine, theirs)
    assert conflict.status == OperationConflict.Status.OPEN
    assert 245 <= conflict.distance_m <= 255
    assert (conflict.overlap_starts, conflict.overlap_ends) == (tomorrow_at(10), tomorrow_at(12))
    notices = {notice.user: notice.operation for notice in OperationNotice.objects.all()}
    assert notices == {investigator: mine, partner_investigator: theirs, coordinator: None}  # not the supervisor
    by_recipient = {message.to[0]: message.body for message in mail.outbox}
    assert set(by_recipient) == {investigator.email, partner_investigator.email, coordinator.email}
    assert partner_investigator.full_name in by_recipient[investigator.email]
    assert PARTNER_PHONE in by_recipient[investigator.email]
    assert investigator.full_name in by_recipient[partner_investigator.email]
    assert PHONE in by_recipient[partner_investigator.email]
    assert PHONE in by_recipient[coordinator.email]
    assert PARTNER_PHONE in by_recipient[coordinator.email]
    assert OperationNotice.objects.filter(emailed_at__isnull=True).count() == 0
    disclosed = AuditEvent.objects.filter(action="deconfliction.conflict.disclosed")
    # One event in each side's trail, so that each agency's auditors see whom its contact was told to.
    assert sorted(event.agency_id or 0 for event in disclosed) == sorted([mine.agency_id, theirs.agency_id])
    for event in disclosed:
        assert event.object_id == str(conflict.pk)
        assert event.details["recipients"] == sorted([investigator.pk, partner_investigator.pk, coordinator.pk])


def test_the_e_mail_is_in_the_readers_language(investigator, partner_investigator, django_capture_on_commit_callbacks):
    partner_investigator.preferred_language = "es"
    partner_investigator.save()
    plan(investigator)
    with django_capture_on_commit_callbacks(execute=True):
        plan(partner_investigator)
    spanish = next(message for message in mail.outbox if message.to == [partner_investigator.email])
    assert spanish.body.startswith(f"Hola, {partner_investigator.full_name}:")  # a msgid the catalogue already has


def test_the_task_sends_each_notice_once(investigator, partner_investigator, django_capture_on_commit_callbacks):
    from deconfliction.operations.tasks import email_operation_notices

    plan(investigator)
    with django_capture_on_commit_callbacks(execute=True):
        plan(partner_investigator)
    sent = len(mail.outbox)
    ids = list(OperationNotice.objects.values_list("pk", flat=True))
    assert email_operation_notices.call(ids) == 0
    assert len(mail.outbox) == sent


def test_an_edit_within_the_overlap_keeps_the_window_first_disclosed_and_tells_no_one_again(
    investigator, partner_investigator, coordinator
):
    mine = plan(investigator)
    plan(partner_investigator)
    before = OperationConflict.objects.get()
    services.operation_update(
        operation=mine, version=mine.version, actor=investigator, **_fields(mine, starts_at=tomorrow_at(11))
    )
    conflict = OperationConflict.objects.get()
    assert (conflict.overlap_starts, conflict.overlap_ends) == (tomorrow_at(10), tomorrow_at(12))
    assert conflict.version == before.version
    assert OperationNotice.objects.count() == 3
    event = AuditEvent.objects.get(action="deconfliction.operation.updated")
    assert event.details == {"fields": ["starts_at"]}  # names, never values


def test_a_stale_edit_is_refused_and_changes_nothing(investigator, supervisor):
    mine = plan(investigator)
    opened_at = mine.version
    services.operation_update(operation=mine, version=opened_at, actor=supervisor, **_fields(mine, radius_m=500))
    with pytest.raises(services.StaleOperationEdit) as stale:
        services.operation_update(operation=mine, version=opened_at, actor=investigator, **_fields(mine, radius_m=900))
    assert supervisor.email in stale.value.messages[0]
    mine.refresh_from_db()
    assert (mine.radius_m, mine.version) == (500, opened_at + 1)


@pytest.mark.parametrize(
    ("who", "refused"),
    [
        ("investigator", None),  # who planned it
        ("supervisor", None),  # a supervisor of the agency
        ("colleague", PermissionDenied),  # of the agency: reads it, may not change it
        ("partner_investigator", Http404),  # of another agency: it does not exist
        ("agency_admin", Http404),  # of the agency, but does not plan operations
    ],
)
def test_who_may_cancel_an_operation(request, investigator, who, refused):
    mine = plan(investigator)
    user = request.getfixturevalue(who)
    if refused is None:
        services.operation_close(operation=mine, status=Operation.Status.CANCELLED, actor=user)
    else:
        with pytest.raises(refused):
            services.operation_close(operation=mine, status=Operation.Status.CANCELLED, actor=user)
    mine.refresh_from_db()
    assert mine.status == (Operation.Status.PLANNED if refused else Operation.Status.CANCELLED)


def test_the_case_agent_may_change_an_operation_someone_else_planned(investigator, colleague):
    mine = plan(investigator, case_agent=colleague)
    services.operation_close(operation=mine, status=Operation.Status.CANCELLED, actor=colleague)


def test_cancelling_withdraws_its_open_conflicts_and_a_cancelled_one_is_never_compared(
    investigator, partner_investigator, colleague
):
    mine = plan(investigator)
    plan(partner_investigator)
    services.operation_close(operation=mine, status=Operation.Status.CANCELLED, actor=investigator)
    assert OperationConflict.objects.get().status == OperationConflict.Status.WITHDRAWN
    assert AuditEvent.objects.filter(action="deconfliction.operation.cancelled").count() == 1
    plan(partner_investigator, case_agent=partner_investigator)
    assert OperationConflict.objects.count() == 1  # the new one meets only the cancelled one
    with pytest.raises(ValidationError):
        services.operation_close(operation=mine, status=Operation.Status.CANCELLED, actor=investigator)


def test_the_coordinator_settles_an_open_conflict_once(investigator, partner_investigator, coordinator, outsider):
    plan(investigator)
    plan(partner_investigator)
    conflict = OperationConflict.objects.get()
    settled = services.conflict_resolve(
        conflict=conflict, resolution="jointly", version=conflict.version, actor=coordinator
    )
    assert (settled.status, settled.resolution, settled.resolved_by) == ("resolved", "jointly", coordinator)
    assert AuditEvent.objects.filter(action="deconfliction.conflict.resolved").count() == 1
    with pytest.raises(ValidationError):
        services.conflict_resolve(conflict=conflict, resolution="defers", version=settled.version, actor=coordinator)


def test_a_settled_conflict_is_refused_to_a_stale_form_and_to_an_unknown_resolution(
    investigator, partner_investigator, coordinator
):
    plan(investigator)
    plan(partner_investigator)
    conflict = OperationConflict.objects.get()
    with pytest.raises(ValidationError):
        services.conflict_resolve(conflict=conflict, resolution="shrug", version=conflict.version, actor=coordinator)
    with pytest.raises(ValidationError):
        services.conflict_resolve(conflict=conflict, resolution="jointly", version=0, actor=coordinator)
    conflict.refresh_from_db()
    assert conflict.status == OperationConflict.Status.OPEN


@pytest.mark.parametrize("who", ["investigator", "partner_investigator", "supervisor", "auditor", "outsider"])
def test_only_a_coordinator_of_both_agencies_task_force_settles(request, who, investigator, partner_investigator):
    plan(investigator)
    plan(partner_investigator)
    conflict = OperationConflict.objects.get()
    with pytest.raises(Http404):
        services.conflict_resolve(
            conflict=conflict, resolution="jointly", version=conflict.version, actor=request.getfixturevalue(who)
        )


def test_an_operation_is_recorded_done_only_once_it_has_started(investigator):
    mine = plan(investigator)
    with pytest.raises(ValidationError):
        services.operation_close(operation=mine, status=Operation.Status.DONE, actor=investigator)
    Operation.objects.filter(pk=mine.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    before = timezone.now()
    services.operation_close(operation=mine, status=Operation.Status.DONE, actor=investigator)
    mine.refresh_from_db()
    assert mine.status == Operation.Status.DONE
    assert before <= mine.ends_at <= timezone.now()  # it ended when it was recorded done
    assert AuditEvent.objects.filter(action="deconfliction.operation.done", object_id=str(mine.pk)).count() == 1
