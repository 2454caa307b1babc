"""Sign-in as CJIS-grade systems do it: notice, password, second factor, lockout (docs/architecture.md §10)."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies import lockout
from portal.models import AuditEvent
from tests.factories import PASSWORD, UserFactory, totp_code
from tests.helpers import post_password, sign_in

WRONG = "not-the-password-at-all"


def _fail(client, user, times: int):
    for _ in range(times):
        post_password(client, user.email, WRONG)


def test_the_system_use_notice_must_be_acknowledged(client, investigator):
    response = post_password(client, investigator.email, acknowledge=False)
    assert response.status_code == 200
    assert "You must accept the system-use notice to sign in." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action__startswith="auth.login").exists()


def test_the_sign_in_page_shows_the_notice(client, db):
    page = client.get(reverse("account_login")).content.decode()
    assert "System-use notice" in page
    assert "monitored, recorded and audited" in page


def test_a_password_alone_does_not_sign_in_a_person_with_an_authenticator(client, investigator):
    response = post_password(client, investigator.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home"))["Location"].startswith(reverse("account_login"))


def test_password_and_code_sign_in_and_are_audited(client, investigator):
    response = sign_in(client, investigator)
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    event = AuditEvent.objects.get(action="auth.login.succeeded")
    assert event.actor == investigator
    assert event.agency_name == "FFO"
    assert event.ip_address == "127.0.0.1"


def _wrong_code(user, offset_range=(-1, 0, 1)) -> str:
    valid = {totp_code(user, offset) for offset in offset_range}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def test_a_wrong_code_is_refused_and_audited(client, investigator):
    post_password(client, investigator.email)
    response = client.post(reverse("mfa_authenticate"), {"code": _wrong_code(investigator)})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.mfa.failed", actor=investigator).count() == 1
    assert client.get(reverse("home")).status_code == 302


def test_a_code_is_accepted_only_once(client, investigator):
    code = totp_code(investigator)
    post_password(client, investigator.email)
    assert client.post(reverse("mfa_authenticate"), {"code": code})["Location"] == reverse("home")

    other = type(client)()
    post_password(other, investigator.email)
    replay = other.post(reverse("mfa_authenticate"), {"code": code})
    assert replay.status_code == 200
    assert "Incorrect code" in replay.content.decode()
    assert other.get(reverse("home")).status_code == 302


def test_a_person_without_an_authenticator_can_only_enrol(client, lead_agency, task_force):
    person = UserFactory(agency=lead_agency, mfa=False)
    response = post_password(client, person.email)
    assert response.status_code == 302  # signed in with the password: nothing else is possible yet
    for url in [reverse("home"), reverse("people"), reverse("usersessions_list")]:
        refused = client.get(url)
        assert refused.status_code == 302, url
        assert refused["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_enrolling_an_authenticator_opens_the_portal(
    client, lead_agency, task_force, django_capture_on_commit_callbacks
):
    person = UserFactory(agency=lead_agency, mfa=False)
    post_password(client, person.email)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action="auth.mfa.enrolled", actor=person).exists()


def test_the_last_authenticator_cannot_be_removed(client, investigator):
    sign_in(client, investigator)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=investigator, type=Authenticator.Type.TOTP).exists()
    assert not AuditEvent.objects.filter(action="auth.mfa.removed").exists()


class TestLockout:
    def test_five_failures_lock_the_account_and_the_page_says_so(self, client, investigator):
        _fail(client, investigator, 4)
        fifth = post_password(client, investigator.email, WRONG)
        assert fifth.status_code == 403
        assert "This account is locked" in fifth.content.decode()
        assert AuditEvent.objects.filter(action="auth.account.locked", actor_email=investigator.email).count() == 1

    def test_the_right_password_does_not_open_a_locked_account(self, client, investigator):
        _fail(client, investigator, 5)
        response = post_password(client, investigator.email)
        assert response.status_code == 403
        assert "This account is locked" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_the_lock_lasts_until_someone_unlocks_it(self, client, investigator):
        _fail(client, investigator, 5)
        with time_machine.travel(timezone.now() + timedelta(days=3)):
            response = post_password(client, investigator.email)
        assert response.status_code == 403

    def test_four_failures_do_not_lock(self, client, investigator):
        _fail(client, investigator, 4)
        assert sign_in(client, investigator)["Location"] == reverse("home")

    def test_failures_more_than_fifteen_minutes_apart_do_not_add_up(self, client, investigator):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            _fail(client, investigator, 3)
        with time_machine.travel(start + timedelta(minutes=10), tick=False):
            _fail(client, investigator, 1)
        # The first three are now older than 15 minutes: 1 + 2 recent failures, not 6.
        with time_machine.travel(start + timedelta(minutes=16), tick=False):
            _fail(client, investigator, 2)
            assert post_password(client, investigator.email).status_code == 302

    def test_five_failures_within_fifteen_minutes_lock_even_when_spread_out(self, client, investigator):
        start = timezone.now()
        for minute in [0, 3, 6, 9, 14]:
            with time_machine.travel(start + timedelta(minutes=minute), tick=False):
                _fail(client, investigator, 1)
        with time_machine.travel(start + timedelta(minutes=14, seconds=30), tick=False):
            assert post_password(client, investigator.email).status_code == 403

    def test_an_unknown_address_is_audited_as_a_failure(self, client, db):
        post_password(client, "nobody@nowhere.example", WRONG)
        event = AuditEvent.objects.get(action="auth.login.failed")
        assert event.actor is None
        assert event.actor_email == "nobody@nowhere.example"
        assert event.outcome == AuditEvent.Outcome.FAILURE

    def test_five_wrong_codes_lock_the_account_whatever_address_they_come_from(self, client, investigator):
        post_password(client, investigator.email)
        wrong = _wrong_code(investigator)
        for attempt in range(4):
            response = client.post(reverse("mfa_authenticate"), {"code": wrong}, REMOTE_ADDR=f"198.51.100.{attempt}")
            assert response.status_code == 200
        fifth = client.post(reverse("mfa_authenticate"), {"code": wrong}, REMOTE_ADDR="198.51.100.9")
        assert fifth.status_code == 403
        assert "This account is locked" in fifth.content.decode()
        # The right code no longer finishes the sign-in, and neither does starting over.
        assert client.post(reverse("mfa_authenticate"), {"code": totp_code(investigator)}).status_code != 302
        assert post_password(type(client)(), investigator.email).status_code == 403
        assert AuditEvent.objects.filter(action="auth.account.locked", actor_email=investigator.email).exists()

    def test_a_lock_that_happens_between_password_and_code_keeps_the_person_out(self, client, investigator):
        post_password(client, investigator.email)
        _fail(type(client)(), investigator, 5)  # someone else guesses the password meanwhile
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(investigator)})
        assert "This account is locked" in response.content.decode()
        assert client.get(reverse("home")).status_code == 302
        refused = AuditEvent.objects.get(action="auth.mfa.failed", details__account_locked=True)
        assert refused.outcome == AuditEvent.Outcome.DENIED

    def test_a_completed_sign_in_clears_the_earlier_failures(self, client, investigator):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            _fail(client, investigator, 4)
            assert sign_in(client, investigator)["Location"] == reverse("home")
            client.post(reverse("account_logout"))
        with time_machine.travel(start + timedelta(minutes=2), tick=False):  # a fresh code: each signs in once
            _fail(client, investigator, 4)
            assert sign_in(client, investigator)["Location"] == reverse("home")

    def test_a_lock_on_one_account_leaves_others_alone(self, client, investigator, colleague):
        _fail(client, investigator, 5)
        assert sign_in(client, colleague)["Location"] == reverse("home")


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("short-pass1", False),  # 11 characters
        ("password1234", False),  # common
        ("twelve chars", True),  # 12, no composition rules
        ("a long passphrase with spaces", True),
    ],
)
def test_the_password_policy(password, accepted):
    try:
        validate_password(password)
    except ValidationError:
        assert not accepted
    else:
        assert accepted


def test_a_person_of_a_deactivated_agency_cannot_sign_in(client, investigator, lead_agency):
    lead_agency.is_active = False
    lead_agency.save()
    post_password(client, investigator.email)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(investigator)})
    assert response.status_code == 403
    assert "inactive" in response.content.decode().lower()
    assert client.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(action="auth.login.failed", details__agency_inactive=True).exists()


def test_deactivating_an_agency_signs_its_people_out_at_their_next_request(client_as, investigator, lead_agency):
    client = client_as(investigator)
    assert client.get(reverse("home")).status_code == 200
    lead_agency.is_active = False
    lead_agency.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_changing_the_password_is_audited(client, investigator):
    sign_in(client, investigator)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.password.changed", actor=investigator).count() == 1


@pytest.mark.postgres_only
def test_failures_arriving_at_the_same_moment_are_all_counted(transactional_db, investigator):
    """Eight wrong passwords for one account at once: no request fails with an error, and the account locks."""

    def attempt(number: int) -> int:
        try:
            return post_password(Client(), investigator.email, f"wrong-password-{number}").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(attempt, range(8)))
    assert set(statuses) <= {200, 403}, statuses
    assert lockout.is_locked(investigator.email)


def test_guessing_codes_at_reauthentication_locks_and_then_gives_no_answer(client, investigator):
    sign_in(client, investigator)
    wrong = _wrong_code(investigator, offset_range=(-1, 0, 1, 2, 3))
    for _ in range(5):
        client.post(reverse("mfa_reauthenticate"), {"code": wrong})
    assert lockout.is_locked(investigator.email)
    right = client.post(reverse("mfa_reauthenticate"), {"code": totp_code(investigator, 1)})
    assert right.status_code == 200  # not the redirect a right code would give
    assert "This account is locked" in right.content.decode()


def test_a_wrong_current_password_counts_toward_the_lockout(client, investigator):
    new = {"password1": "new-long-passphrase", "password2": "new-long-passphrase"}
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, investigator)
        for number in range(5):
            client.post(reverse("account_change_password"), {"oldpassword": f"wrong-{number}-password", **new})
    assert lockout.is_locked(investigator.email)
    with time_machine.travel(start + timedelta(minutes=2), tick=False):  # past allauth's own rate limit
        refused = client.post(reverse("account_change_password"), {"oldpassword": PASSWORD, **new})
    assert "This account is locked" in refused.content.decode()
    investigator.refresh_from_db()
    assert investigator.check_password(PASSWORD)
