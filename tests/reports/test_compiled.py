"""The dashboard's queries kept per person, period and filters (``reports.sections._fetch``) are what a fresh
compilation gives, whatever changes; and "now" is the page's own, however the kept query was compiled.

A key that holds less than a chart's builder reads would hand a person counts built for another state of the world
(a role they no longer hold, a share that has expired, a task force their office left). So each step below changes
something a chart's rules depend on, and after each one, for every member of the cast and every filter, the SQL a
page runs with the kept queries must be the SQL it runs with none kept.
"""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Role, TaskForce, TaskForceMember, User
from agencies.services import membership_change_role
from cases.models import CaseShare
from cases.services import case_share_grant, case_share_revoke
from portal.compiled import Memo
from reports import sections
from reports.selectors import can_view_dashboard
from tests.reports.helpers import scope_for, table

CAST = (
    "investigator",
    "colleague",
    "supervisor",
    "partner_investigator",
    "advocate",
    "shelter_supervisor",
    "coordinator",
    "auditor",
)


@pytest.fixture(autouse=True)
def _memo_emptied():
    sections._CHART_SQL.clear()
    yield
    sections._CHART_SQL.clear()


def _fresh(user: User) -> User:
    """The person as the next request loads them, their permissions read afresh."""
    return User.objects.select_related("_membership__agency").get(pk=user.pk)


def _executed(scope: sections.Scope, *, kept: bool) -> list[str | None]:
    """The SQL each chart query runs for ``scope`` (``None``: none run, nothing can match), with what is kept, or
    with nothing kept (compiled now). Only the charts' own: a miss also reads what building reads (a coordinator's
    task forces)."""
    executed: list[str | None] = []
    original, memo = sections._fetch, sections._CHART_SQL
    if not kept:
        sections._CHART_SQL = Memo()  # compiled now, the kept ones left as they are for the next step

    def recorded(*args, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            rows = original(*args, **kwargs)
        executed.append(queries.captured_queries[-1]["sql"] if queries.captured_queries else None)
        return rows

    sections._fetch = recorded
    try:
        sections.build(scope)
    finally:
        sections._fetch, sections._CHART_SQL = original, memo
    return executed


def _assert_kept_is_fresh(people: list[User], filters: list[dict]) -> None:
    for user in people:
        for chosen in filters:
            kept = _executed(scope_for(_fresh(user), **chosen), kept=True)
            fresh = _executed(scope_for(_fresh(user), **chosen), kept=False)
            assert kept == fresh, (user.email, chosen)


@pytest.fixture
def people(request, world) -> list[User]:
    cast = [request.getfixturevalue(name) for name in CAST]
    return [user for user in cast if can_view_dashboard(user)]


def _ask_everyone(people: list[User], filters: list[dict]) -> None:
    """What every page does: the memo fills for each person and filter as they are now."""
    for user in people:
        for chosen in filters:
            sections.build(scope_for(_fresh(user), **chosen))


def _share_case_b(world, agency, actor, *, days: int) -> CaseShare:
    """Case B, the Field Office's labor case, shared with ``agency`` at personal level for ``days``."""
    return case_share_grant(
        case=world.b,
        agency=agency,
        level=CaseShare.Level.PERSONAL,
        reason="Joint work",
        actor=actor,
        expires_on=timezone.localdate() + timedelta(days=days),
    )


def test_the_cast_sees_the_dashboard(people):
    assert len(people) >= 6  # the test below is about many readers, not one


def test_the_kept_queries_follow_every_change_to_what_a_person_sees(
    people, world, supervisor, colleague, agency_admin, partner_agency, coordination_office, lead_agency, task_force
):
    filters = [{}, {"agency": lead_agency}, {"task_force": task_force}]
    _ask_everyone(people, filters)
    _assert_kept_is_fresh(people, filters)

    steps = [
        lambda: _share_case_b(world, partner_agency, supervisor, days=7),
        lambda: membership_change_role(membership=colleague.membership, role=Role.SUPERVISOR, actor=agency_admin),
        lambda: TaskForceMember.objects.create(
            task_force=TaskForce.objects.create(name="Second Task Force"), agency=coordination_office
        ),
        lambda: case_share_revoke(
            share=CaseShare.objects.get(case=world.b, agency=partner_agency, status=CaseShare.Status.ACTIVE),
            actor=supervisor,
            reason="Done",
        ),
    ]
    for step in steps:
        step()
        _assert_kept_is_fresh(people, filters)


def test_a_new_day_compiles_afresh(people, world, supervisor, partner_agency):
    _share_case_b(world, partner_agency, supervisor, days=1)
    _ask_everyone(people, [{}])
    _assert_kept_is_fresh(people, [{}])
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):  # the share has lapsed
        _assert_kept_is_fresh(people, [{}])


def test_overdue_now_is_the_pages_now_in_a_query_compiled_once(world, supervisor, monkeypatch):
    from agencies.models import Role
    from tests.factories import UserFactory
    from tests.tips.conftest import receive

    intake = UserFactory(email="in@ffo.example", full_name="In Take", agency=supervisor.agency, role=Role.INTAKE)
    tip = receive(intake)
    now = timezone.now()
    type(tip).objects.filter(pk=tip.pk).update(assess_by=now + timedelta(minutes=30))

    compiled = []
    original = sections._compiled

    def counted(queryset):
        compiled.append(queryset)
        return original(queryset)

    monkeypatch.setattr(sections, "_compiled", counted)
    before = scope_for(supervisor)
    assert table(sections.overdue_now(before))["Tips awaiting assessment"] == ("0",)
    after = sections.Scope(user=supervisor, start=before.start, end=before.end, now=now + timedelta(hours=1))
    assert after.today == before.today  # the same day: the kept query serves both
    assert table(sections.overdue_now(after))["Tips awaiting assessment"] == ("1",)
    assert len(compiled) == 2  # the tips' and the referrals' queries, each compiled once for both pages


def test_a_reader_whose_role_sees_nothing_gets_zeros_without_a_query(world, supervisor, monkeypatch):
    """Where Django knows without asking that nothing matches (no grant at all), nothing is run, and the one-row
    measures are zeros as ``aggregate`` would give."""
    monkeypatch.setattr(sections.case_selectors, "can_read_cases", lambda user: False)
    scope = scope_for(supervisor)
    with CaptureQueriesContext(connection) as queries:
        chart = sections.victims_new_and_continuing(scope)
    assert table(chart) == {"New": ("0",), "Continuing": ("0",)}
    assert len(queries) == 0
