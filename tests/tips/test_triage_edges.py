"""Edges of triage found in review: a tip reopened and overdue again, a reopened tip taken from whoever had it, a
reporter's details at an agency that is neither law enforcement nor a victim service provider, a case the reader
cannot open, the queue's reads, and a step taken from a page opened before someone else's."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Role
from cases.models import Case
from cases.services import case_create
from portal.models import AuditEvent
from tests.factories import AgencyFactory, UserFactory
from tests.tips.conftest import REPORTER_NAME, REPORTER_PHONE, WHERE, assessed, assigned, receive
from tips import services
from tips.models import Tip, TipNotice


def test_a_tip_reopened_and_overdue_again_is_told_again_and_the_tips_after_it_too(intake, supervisor):
    first = receive(intake)
    later = receive(intake)
    Tip.objects.filter(pk=later.pk).update(assess_by=first.assess_by + timedelta(minutes=5))
    with time_machine.travel(first.assess_by + timedelta(minutes=1)):
        assert services.tips_overdue_notify() == [first.pk]
        services.tip_close_no_predicate(tip=first, actor=intake, reason="A landlord dispute.")
        services.tip_reopen(tip=Tip.objects.get(pk=first.pk), actor=supervisor, reason="The caller rang again.")
    reopened = Tip.objects.get(pk=first.pk)
    with time_machine.travel(max(reopened.assess_by, later.assess_by) + timedelta(minutes=1)):
        assert sorted(services.tips_overdue_notify()) == sorted([first.pk, later.pk])
    told = TipNotice.objects.filter(tip=first, user=supervisor, verb="overdue")
    assert told.count() == 2  # once for each time it was overdue
    assert TipNotice.objects.filter(tip=later, user=supervisor).count() == 1


def test_a_reopened_tip_is_taken_from_whoever_had_it(client_as, tip, intake, supervisor, partner_investigator):
    assigned(tip, supervisor, partner_investigator)
    services.tip_close(
        tip=Tip.objects.get(pk=tip.pk),
        actor=partner_investigator,
        close_reason=Tip.CloseReason.INSUFFICIENT,
        reason="Nothing more to go on.",
    )
    assert client_as(partner_investigator).get(reverse("tip_detail", args=[tip.pk])).status_code == 200
    services.tip_reopen(tip=Tip.objects.get(pk=tip.pk), actor=supervisor, reason="A second caller named the motel.")
    reopened = Tip.objects.get(pk=tip.pk)
    assert reopened.status == Tip.Status.ASSESSED
    assert reopened.owner is None
    assert reopened.assigned_agency is None
    assert client_as(partner_investigator).get(reverse("tip_detail", args=[tip.pk])).status_code == 404
    assert reopened.events.last().details["previous_owner_id"] == partner_investigator.pk  # the timeline keeps it


@pytest.mark.parametrize(
    ("kind", "reporter_shown"),
    [(Agency.Kind.VICTIM_SERVICES, True), (Agency.Kind.OTHER_GOVERNMENT, False), (Agency.Kind.LOCAL_LE, False)],
)
def test_only_a_victim_service_providers_triage_keeps_a_callers_details_without_permission(
    client_as, task_force, kind, reporter_shown
):
    agency = AgencyFactory(name=f"Receiver {kind}", short_name=kind[:6], kind=kind)
    task_force.members.create(agency=agency)
    taker = UserFactory(email=f"taker@{kind}.example", agency=agency, role=Role.INTAKE)
    colleague = UserFactory(email=f"colleague@{kind}.example", agency=agency, role=Role.INTAKE)
    tip = receive(taker)
    page = client_as(colleague).get(reverse("tip_detail", args=[tip.pk])).content.decode()
    assert WHERE in page  # the colleague reads the tip itself
    assert (REPORTER_NAME in page) == reporter_shown
    assert (REPORTER_PHONE in page) == reporter_shown


def test_a_case_the_reader_cannot_open_is_not_named_on_the_tip(
    client_as, tip, intake, supervisor, partner_investigator, partner_agency
):
    assigned(tip, supervisor, partner_investigator)
    theirs = case_create(
        actor=partner_investigator, title="Route 9 motel", intake_channel=Case.Channel.HOTLINE, summary="Their own."
    )
    services.tip_link_case(tip=Tip.objects.get(pk=tip.pk), actor=partner_investigator, case_number=theirs.number)
    owner_page = client_as(partner_investigator).get(reverse("tip_detail", args=[tip.pk])).content.decode()
    intake_page = client_as(intake).get(reverse("tip_detail", args=[tip.pk])).content.decode()
    assert theirs.number in owner_page
    assert theirs.number not in intake_page  # the receiving agency does not learn the partner has a case


def test_the_queue_records_that_it_showed_where_each_tip_happened(client_as, intake, coordinator):
    tips = [receive(intake), receive(intake, where_text="")]
    client_as(intake).get(reverse("tip_queue"))
    reads = AuditEvent.objects.filter(action="tips.tip.viewed", actor=intake)
    assert [int(event.object_id) for event in reads] == [tips[0].pk]  # the second shows no place
    client_as(coordinator).get(reverse("tip_queue"))
    assert not AuditEvent.objects.filter(action="tips.tip.viewed", actor=coordinator).exists()  # no content shown


def test_an_assignment_from_a_page_opened_before_anothers_is_refused(
    client_as, tip, intake, supervisor, partner_investigator, partner_colleague
):
    assessed(tip, intake)
    seen = Tip.objects.get(pk=tip.pk).version
    url = reverse("tip_step", args=[tip.pk, "assign"])
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    client = client_as(supervisor)
    client.post(url, {"assign-owner": partner_investigator.pk, "assign-due_on": due, "assign-version": seen})
    response = client.post(
        url, {"assign-owner": partner_colleague.pk, "assign-due_on": due, "assign-version": seen}, follow=True
    )
    assert "changed since you opened it" in response.content.decode()
    assert Tip.objects.get(pk=tip.pk).owner == partner_investigator
