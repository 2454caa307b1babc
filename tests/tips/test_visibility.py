"""Who sees which tip in which state (docs/decisions/0026-tips.md): a received tip is in the receiving agency's
holding bin (its intake staff and supervisors); once assigned, the assigned agency's owner and supervisors see it
too; coordinators of the task force follow it without its content; a victim service provider it was referred to
reads what was passed on with the referral (its intake staff and supervisors); everyone else gets a 404, and the
queue lists exactly what the page opens."""

import pytest
from django.urls import reverse

from tests.tips.conftest import NARRATIVE, REPORTER_NAME, SUBJECT_NAME, WHERE, assessed, assigned, referred
from tips import selectors, services
from tips.models import Tip

STATES = ["received", "assessed", "assigned", "case_opened", "referred", "closed"]

# who -> what they get in each state: "content" (200 and the content), "oversight" (200, no content), "referral"
# (200, what was passed on: here the narrative and the victim's identity, never where or the reporter), 404.
C, S, R, N = "content", "oversight", "referral", 404  # S: the state of the tip, not its content
TABLE: dict[str, list[str | int]] = {
    "intake": [C, C, C, C, C, C],  # the receiving agency's intake staff
    "intake_colleague": [C, C, C, C, C, C],
    "supervisor": [C, C, C, C, C, C],  # the receiving agency's supervisor
    "investigator": [N, N, N, N, N, N],  # the receiving agency's caseworker: not the holding bin's
    "agency_admin": [N, N, N, N, N, N],
    "partner_investigator": [N, N, C, C, C, N],  # the owner, once assigned (the closed tip here never was)
    "partner_supervisor": [N, N, C, C, C, N],  # the assigned agency's supervisor
    "partner_colleague": [N, N, N, N, N, N],  # the assigned agency's other caseworker
    "ngo_intake": [N, N, N, N, R, N],  # the provider it was referred to: its intake staff
    "ngo_supervisor": [N, N, N, N, R, N],  # and its supervisors
    "advocate": [N, N, N, N, N, N],  # the provider's caseworker
    "provider_staff": [N, N, N, N, N, N],
    "coordinator": [S, S, S, S, S, S],  # the task force's coordinator: deadlines, not content
    "auditor": [N, N, N, N, N, N],
    "outsider": [N, N, N, N, N, N],
}


def _tip_in(state, tip, intake, supervisor, owner, ngo):
    if state == "received":
        return tip
    if state == "assessed":
        return assessed(tip, intake)
    if state == "assigned":
        return assigned(tip, supervisor, owner)
    if state == "case_opened":
        return services.tip_open_case(tip=assigned(tip, supervisor, owner), actor=owner)
    if state == "referred":
        return referred(tip, supervisor, owner, ngo)
    return services.tip_close_no_predicate(tip=tip, actor=intake, reason="A landlord dispute, no force or fraud.")


@pytest.mark.parametrize("who", sorted(TABLE))
@pytest.mark.parametrize("state", STATES)
def test_who_sees_which_tip_in_which_state(
    request, client_as, tip, intake, supervisor, partner_investigator, partner_supervisor, ngo, who, state
):
    tip = _tip_in(state, tip, intake, supervisor, partner_investigator, ngo)
    assert tip.status == state
    expected = TABLE[who][STATES.index(state)]
    reader = request.getfixturevalue(who)
    client = client_as(reader)
    page = client.get(reverse("tip_detail", args=[tip.pk]))
    listed = selectors.tip_list_visible_to(reader).filter(pk=tip.pk).exists()
    if expected == N:
        assert page.status_code == 404
        assert not listed
        return
    assert page.status_code == 200
    assert listed
    body = page.content.decode()
    if expected == R:
        assert (NARRATIVE in body, SUBJECT_NAME in body, WHERE in body, REPORTER_NAME in body) == (
            True,
            True,
            False,
            False,
        )
        return
    for sentinel in (NARRATIVE, SUBJECT_NAME, WHERE):
        assert (sentinel in body) == (expected == C), sentinel


@pytest.mark.parametrize("who", sorted(TABLE))
def test_the_queue_lists_the_open_tips_the_page_would_open(request, client_as, tip, who):
    reader = request.getfixturevalue(who)
    page = client_as(reader).get(reverse("tip_queue"))
    if reader.agency is None:
        assert page.status_code == 404
        return
    shown = [row.tip.pk for row in page.context["rows"]]
    assert shown == ([tip.pk] if TABLE[who][0] != N else [])
    assert (WHERE in page.content.decode()) == (TABLE[who][0] == C)


def test_steps_of_a_tip_one_cannot_see_are_404(client_as, tip, outsider, investigator):
    for person in (outsider, investigator):
        response = client_as(person).post(reverse("tip_step", args=[tip.pk, "assess"]), {"assess-reason": "x"})
        assert response.status_code == 404
    tip.refresh_from_db()
    assert tip.status == Tip.Status.RECEIVED


def test_a_coordinator_of_another_task_force_does_not_see_the_tip(tip, other_agency):
    from agencies.models import Agency, Role
    from tests.factories import AgencyFactory, TaskForceFactory, UserFactory

    office = AgencyFactory(name="Far Coordination", kind=Agency.Kind.COORDINATION)
    TaskForceFactory(name="Far Task Force", member_agencies=[office, other_agency])
    far = UserFactory(agency=office, role=Role.COORDINATOR)
    assert not selectors.tip_list_visible_to(far).exists()
