"""The SQL kept per person (portal/compiled.py) is what a fresh compilation gives, whatever changes.

A memo keyed by less than its builder reads would hand a person SQL built for another state of the world (a role
they no longer hold, a share that has expired). So each step of a scenario below changes something the visibility
rules depend on, and after each one, for every member of the cast, the kept SQL must be the SQL compiled now.
"""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from agencies.auth import viewer_key
from agencies.models import Role, User
from agencies.services import membership_change_role
from cases.models import CaseShare
from cases.selectors import cases as case_selectors
from cases.services import case_share_grant, case_share_revoke
from portal.compiled import Memo
from referrals import selectors as referral_selectors
from referrals.models import Notification

CAST = (
    "investigator",
    "colleague",
    "supervisor",
    "agency_admin",
    "partner_investigator",
    "advocate",
    "provider_staff",
    "coordinator",
    "auditor",
    "outsider",
    "superuser",
)


def _fresh(user: User) -> User:
    """The person as the next request loads them, their permissions read afresh (as the request's first
    ``has_perm`` reads them)."""
    fresh = User.objects.select_related("_membership__agency").get(pk=user.pk)
    fresh.get_all_permissions()
    return fresh


def _kept_and_fresh(user: User) -> list[tuple[object, object]]:
    """For each memo: (what it hands out for ``user`` now, what compiling for ``user`` now gives)."""
    pairs = []
    for codename in case_selectors.CASE_PERMISSIONS:
        user = _fresh(user)
        kept = case_selectors._HELD_SQL.get(
            (viewer_key(user), codename), lambda: pytest.fail("the memo was emptied under the test")
        )
        pairs.append((kept, case_selectors._held_case_ids(_fresh(user), codename).query.sql_with_params()))
    user = _fresh(user)
    key = (viewer_key(user), referral_selectors.coordinated_task_force_ids(user))
    kept = referral_selectors._UNREAD_SQL.get(key, lambda: pytest.fail("the memo was emptied under the test"))
    pairs.append((kept, referral_selectors._unread_sql(_fresh(user))))
    return pairs


def _ask_everyone(people: list[User]) -> None:
    """What every page does: the memos fill for each person as they are now."""
    for user in people:
        for codename in case_selectors.CASE_PERMISSIONS:
            case_selectors._held(_fresh(user), codename)
        referral_selectors.unread_count(_fresh(user))


@pytest.fixture
def people(request, service_referral) -> list[User]:
    """The cast, each with an unread notice of the same referral (so the unread count's second query runs: the
    one that asks whether they still see it)."""
    cast = [request.getfixturevalue(name) for name in CAST]
    for user in cast:
        Notification.objects.create(user=user, referral=service_referral, verb="send")
    return cast


@pytest.fixture(autouse=True)
def _memos_emptied():
    case_selectors._HELD_SQL.clear()
    referral_selectors._UNREAD_SQL.clear()


def _assert_kept_is_fresh(people: list[User]) -> None:
    for user in people:
        for kept, fresh in _kept_and_fresh(user):
            assert kept == fresh, user.email


def test_the_kept_sql_follows_every_change_to_what_a_person_sees(
    people, le_case, supervisor, partner_agency, agency_admin, colleague
):
    steps = []

    def share_for_a_week():
        return case_share_grant(
            case=le_case,
            agency=partner_agency,
            level=CaseShare.Level.COLLABORATE,
            reason="Joint work",
            actor=supervisor,
            expires_on=timezone.localdate() + timedelta(days=7),
        )

    steps.append(share_for_a_week)
    steps.append(
        lambda: membership_change_role(membership=colleague.membership, role=Role.SUPERVISOR, actor=agency_admin)
    )
    steps.append(
        lambda: case_share_revoke(
            share=CaseShare.objects.get(case=le_case, agency=partner_agency, status=CaseShare.Status.ACTIVE),
            actor=supervisor,
            reason="Done",
        )
    )
    _ask_everyone(people)
    _assert_kept_is_fresh(people)
    for step in steps:
        step()
        _ask_everyone(people)
        _assert_kept_is_fresh(people)


def test_a_new_day_compiles_afresh(people, le_case):
    _ask_everyone(people)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        _ask_everyone(people)
        _assert_kept_is_fresh(people)


def test_a_person_asking_twice_is_compiled_once(investigator, le_case, monkeypatch):
    case_selectors._held(_fresh(investigator), case_selectors.VIEW)
    compiled = []
    original = case_selectors._held_case_ids

    def counted(user, codename):
        compiled.append(codename)
        return original(user, codename)

    monkeypatch.setattr(case_selectors, "_held_case_ids", counted)
    case_selectors._held(_fresh(investigator), case_selectors.VIEW)
    assert compiled == []
    case_selectors._held(_fresh(investigator), case_selectors.CHANGE)  # another question: compiled
    assert compiled == [case_selectors.CHANGE]


def test_the_memo_is_bounded_and_keeps_the_recently_used():
    memo = Memo(size=2)
    memo.get("a", lambda: ("A", ()))
    memo.get("b", lambda: ("B", ()))
    memo.get("a", lambda: ("never", ()))  # used: kept
    memo.get("c", lambda: ("C", ()))  # "b" goes
    assert memo.get("a", lambda: ("rebuilt", ())) == ("A", ())
    assert memo.get("b", lambda: ("rebuilt", ())) == ("rebuilt", ())
    assert connection.vendor  # the key holds the database's vendor too
