"""Abuse of the lockout (issue 11, point 7; docs/decisions/0013): one client address failing across many accounts
is refused for a while before any password is checked, so it cannot lock a task force; the CJIS lock itself
(5 failures in 15 minutes, until released) is unchanged."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies import lockout
from portal.models import AuditEvent
from tests.factories import UserFactory
from tests.helpers import post_password

WRONG = "not-the-password-at-all"
ATTACKER = "198.51.100.66"
NEIGHBOUR = "203.0.113.20"


@pytest.fixture
def accounts(task_force, lead_agency):
    """Six people of one agency, whom one client tries to lock."""
    return [UserFactory(email=f"officer{number}@ffo.example", agency=lead_agency) for number in range(6)]


def spray(client, accounts, start, *, per_account=5, address=ATTACKER, seconds_apart=10) -> list[int]:
    """Wrong passwords, ``per_account`` for each account in turn, one every ``seconds_apart`` seconds (slower than
    allauth's own per-address limit of 10 a minute, which a patient attacker stays under). Returns the statuses."""
    statuses = []
    attempt = 0
    for account in accounts:
        for _ in range(per_account):
            with time_machine.travel(start + timedelta(seconds=attempt * seconds_apart), tick=False):
                statuses.append(post_password(client, account.email, WRONG, REMOTE_ADDR=address).status_code)
            attempt += 1
    return statuses


def test_one_address_locks_at_most_two_accounts_and_then_is_refused(client, accounts):
    statuses = spray(client, accounts, timezone.now())

    assert [lockout.is_locked(account.email) for account in accounts] == [True, True, False, False, False, False]
    assert statuses[:10] == [200, 200, 200, 200, 403] * 2  # the fifth failure on an account locks it
    assert set(statuses[10:]) == {429}


def test_a_refused_attempt_is_not_counted_against_the_account_it_aimed_at(client, accounts):
    spray(client, accounts, timezone.now())

    for account in accounts[2:]:
        assert not AccessAttempt.objects.filter(username=account.email).exists()


def test_the_refusal_says_why_and_when_to_try_again_without_checking_the_password(client, accounts):
    start = timezone.now()
    spray(client, accounts[:2], start)
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        refused = post_password(client, accounts[2].email, REMOTE_ADDR=ATTACKER)  # the right password

    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Too many failed sign-ins from this network" in page
    assert "Your password was not checked" in page
    assert 0 < int(refused["Retry-After"]) <= 15 * 60
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="auth.login.address_refused")
    assert event.actor_email == accounts[2].email
    assert event.ip_address == ATTACKER
    assert event.outcome == AuditEvent.Outcome.DENIED


def test_after_the_cool_off_the_address_may_sign_in_again(client, accounts):
    start = timezone.now()
    spray(client, accounts[:2], start)
    last_failure = start + timedelta(seconds=90)

    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert post_password(client, accounts[2].email, REMOTE_ADDR=ATTACKER).status_code == 429
    with time_machine.travel(last_failure + timedelta(minutes=15, seconds=1), tick=False):
        response = post_password(client, accounts[2].email, REMOTE_ADDR=ATTACKER)
    assert response["Location"] == reverse("mfa_authenticate")


def test_another_address_is_not_affected(client, accounts):
    start = timezone.now()
    spray(client, accounts[:2], start)

    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        neighbour = post_password(Client(), accounts[2].email, REMOTE_ADDR=NEIGHBOUR)
        attacker = post_password(client, accounts[2].email, REMOTE_ADDR=ATTACKER)
    assert neighbour["Location"] == reverse("mfa_authenticate")
    assert attacker.status_code == 429


def test_an_address_that_keeps_failing_waits_longer_each_time(client, accounts):
    start = timezone.now()
    spray(client, accounts[:2], start)  # 10 failures in 90 seconds: refused for 15 minutes
    second_round = start + timedelta(minutes=17)
    assert 429 not in spray(client, accounts[2:4], second_round)  # 20 within the hour: refused until it is over

    with time_machine.travel(second_round + timedelta(minutes=20), tick=False):  # 15 minutes would be over
        assert post_password(client, accounts[5].email, REMOTE_ADDR=ATTACKER).status_code == 429
    with time_machine.travel(start + timedelta(minutes=61), tick=False):  # the first failure is an hour old
        response = post_password(client, accounts[5].email, REMOTE_ADDR=ATTACKER)
    assert response["Location"] == reverse("mfa_authenticate")


def test_behind_a_proxy_the_client_address_is_the_one_refused(client, accounts, settings):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    start = timezone.now()
    for number in range(10):
        with time_machine.travel(start + timedelta(seconds=10 * number), tick=False):
            post_password(
                client,
                accounts[number % 2].email,
                WRONG,
                REMOTE_ADDR=proxy,
                HTTP_X_FORWARDED_FOR=f"{NEIGHBOUR}, {ATTACKER}",
            )

    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        attacker = post_password(client, accounts[2].email, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=ATTACKER)
        colleague = post_password(Client(), accounts[2].email, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=NEIGHBOUR)
    assert attacker.status_code == 429
    assert colleague["Location"] == reverse("mfa_authenticate")


def test_the_cjis_lock_still_holds_until_released_whatever_address_comes_next(client, accounts):
    start = timezone.now()
    spray(client, accounts[:1], start)
    assert lockout.is_locked(accounts[0].email)

    for later, address in [(timedelta(minutes=16), ATTACKER), (timedelta(days=3), NEIGHBOUR)]:
        with time_machine.travel(start + later, tick=False):
            response = post_password(Client(), accounts[0].email, REMOTE_ADDR=address)
        assert response.status_code == 403
        assert "This account is locked" in response.content.decode()


def test_failures_spread_across_addresses_still_lock_the_account(client, accounts):
    """Changing address does not help against one account: the lock is the account's (docs/decisions/0003)."""
    start = timezone.now()
    for number in range(5):
        with time_machine.travel(start + timedelta(minutes=number), tick=False):
            post_password(Client(), accounts[0].email, WRONG, REMOTE_ADDR=f"192.0.2.{number + 1}")

    assert lockout.is_locked(accounts[0].email)
