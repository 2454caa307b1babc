"""What an agency itself holds on a case (``cases.selectors.cases_held_by_agency``), the agency-level form of
``cases_held``: its group's rows from leading the case or from an active share, less an expired share's. One row per
situation and permission; ``le_case`` is led by the field office."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from agencies.models import Agency
from cases.models import Case, CaseGroupObjectPermission, CaseParticipant, CaseShare
from cases.selectors import CASE_PERMISSIONS, CHANGE, VIEW, VIEW_LE, VIEW_PII, cases_held_by_agency
from cases.services import case_share_grant, case_share_revoke

Level = CaseShare.Level


@dataclass(frozen=True)
class Situation:
    agency: Agency
    on: date | None = None  # the day to ask on, if not today


Fixture = Callable[[str], Any]


def _tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())


def _share(fixture: Fixture, level: str, *, expires_on: date | None = None, by: str = "supervisor") -> CaseShare:
    return case_share_grant(
        case=fixture("le_case"),
        agency=fixture("partner_agency"),
        level=level,
        reason="Joint operation",
        actor=fixture(by),
        expires_on=expires_on,
    )


def _shared(level: str) -> Callable[[Fixture], Situation]:
    def arrange(fixture: Fixture) -> Situation:
        return Situation(_share(fixture, level).agency)

    return arrange


def _expired(fixture: Fixture) -> Situation:
    """Still active on the day it ends: the job that revokes expired shares has not run, its rows are still there."""
    share = _share(fixture, Level.COLLABORATE, expires_on=_tomorrow())
    return Situation(share.agency, on=share.expires_on)


def _revoked(fixture: Fixture) -> Situation:
    share = _share(fixture, Level.COLLABORATE)
    case_share_revoke(share=share, actor=fixture("supervisor"), reason="No longer involved")
    return Situation(share.agency)


def _awaiting_approval(fixture: Fixture) -> Situation:
    """Asked for by a caseworker, not yet approved by a supervisor."""
    share = case_share_grant(
        case=fixture("le_case"),
        agency=fixture("coordination_office"),
        level=Level.PERSONAL,
        reason="Meeting",
        actor=fixture("investigator"),
    )
    assert share.awaits_approval
    return Situation(share.agency)


SITUATIONS: dict[str, Callable[[Fixture], Situation]] = {
    "lead agency": lambda fixture: Situation(fixture("lead_agency")),
    "summary share": _shared(Level.SUMMARY),
    "personal share": _shared(Level.PERSONAL),
    "law-enforcement share": _shared(Level.LAW_ENFORCEMENT),
    "collaborating share": _shared(Level.COLLABORATE),
    "collaborating share on the day it expires": _expired,
    "revoked collaborating share": _revoked,
    "share awaiting approval": _awaiting_approval,
    "task force member without a share": lambda fixture: Situation(fixture("ngo")),
    "agency of another task force": lambda fixture: Situation(fixture("other_agency")),
}

ALL = set(CASE_PERMISSIONS)
HELD: dict[str, set[str]] = {
    "lead agency": ALL,
    "summary share": {VIEW},
    "personal share": {VIEW, VIEW_PII},
    "law-enforcement share": {VIEW, VIEW_PII, VIEW_LE},
    "collaborating share": {VIEW, VIEW_PII, VIEW_LE, CHANGE},
    "collaborating share on the day it expires": set(),
    "revoked collaborating share": set(),
    "share awaiting approval": set(),
    "task force member without a share": set(),
    "agency of another task force": set(),
}
ROWS = [
    pytest.param(situation, codename, codename in held, id=f"{situation}: {codename}")
    for situation, held in HELD.items()
    for codename in CASE_PERMISSIONS
]


def _holds(situation: Situation, codename: str, case: Case) -> bool:
    """Asked on the situation's day: the day an expiry is compared with is read when the condition is built."""
    with time_machine.travel(_noon(situation.on or timezone.localdate())):
        return Case.objects.filter(cases_held_by_agency(situation.agency, codename), pk=case.pk).exists()


@pytest.mark.parametrize(("situation", "codename", "expected"), ROWS)
def test_what_an_agency_holds_on_a_case(request, le_case, situation, codename, expected):
    assert _holds(SITUATIONS[situation](request.getfixturevalue), codename, le_case) is expected


def test_an_expired_share_voids_the_rows_still_there(request, le_case, partner_agency):
    """The expired share's rows outlive its last day until the job revokes it: the expiry alone voids them."""
    situation = _expired(request.getfixturevalue)
    assert CaseGroupObjectPermission.objects.filter(
        content_object_id=le_case.pk, group_id=partner_agency.group_id
    ).count() == len(CASE_PERMISSIONS)
    assert _holds(Situation(partner_agency), VIEW, le_case)
    assert not _holds(situation, VIEW, le_case)


def test_rows_that_point_at_a_case_ask_through_case_ref(le_case, lead_agency, partner_agency):
    participants = CaseParticipant.objects.filter(case=le_case)
    assert participants.exists()
    assert participants.filter(cases_held_by_agency(lead_agency, VIEW_LE, "case_id")).count() == participants.count()
    assert not participants.filter(cases_held_by_agency(partner_agency, VIEW_LE, "case_id")).exists()
    assert participants.filter(cases_held_by_agency(partner_agency, VIEW, "case__pk")).count() == participants.count()
