"""When an account locks, the people who can release it are told, once per lock; ``manage.py unlock_account``
releases any account, the superuser's included (issue 11, point 7)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies import lockout
from agencies.services import user_unlock
from portal.models import AuditEvent
from tests.agencies.conftest import WRONG_PASSWORD
from tests.factories import UserFactory
from tests.helpers import post_password, sign_in

ATTACKER = "198.51.100.66"


@pytest.fixture
def second_superuser(db):
    return UserFactory(email="root2@portal.example", full_name="Second Root", is_superuser=True, is_staff=True)


@pytest.fixture
def lock_with_mail(django_capture_on_commit_callbacks):
    """``lock_with_mail(user, failures=5)``: wrong passwords from one address, running the mail sent on commit."""

    def lock(user, failures: int = 5) -> None:
        attacker = Client()
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(failures):
                post_password(attacker, user.email, WRONG_PASSWORD, REMOTE_ADDR=ATTACKER)

    return lock


@pytest.mark.parametrize(
    ("locked", "told"),
    [
        ("investigator", {"admin@ffo.example"}),  # their agency's admin, not another agency's, not the superusers
        ("outsider", {"admin@faraway.example"}),
        ("partner_investigator", {"root@portal.example", "root2@portal.example"}),  # an agency without an admin
        ("agency_admin", {"root@portal.example", "root2@portal.example"}),  # the only admin is the one locked
        ("superuser", {"root2@portal.example"}),  # superusers are released by superusers (or on the server)
    ],
)
def test_the_lock_notice_goes_to_those_who_can_release_the_account(
    request, lock_with_mail, agency_admin, other_agency_admin, superuser, second_superuser, locked, told
):
    lock_with_mail(request.getfixturevalue(locked))

    assert {address for message in mail.outbox for address in message.to} == told
    assert all(len(message.to) == 1 for message in mail.outbox)


def test_an_inactive_admin_is_not_told_and_the_superusers_are_instead(
    lock_with_mail, lead_agency, agency_admin, investigator, superuser
):
    agency_admin.is_active = False
    agency_admin.save()

    lock_with_mail(investigator)

    assert [message.to for message in mail.outbox] == [["root@portal.example"]]


def test_the_notice_says_who_was_locked_when_from_where_and_how_to_release_it(
    lock_with_mail, agency_admin, investigator
):
    locked_at = timezone.now()
    with time_machine.travel(locked_at, tick=False):
        lock_with_mail(investigator)

    [message] = mail.outbox
    assert message.subject == "Account locked: Ivy Investigator"
    assert "investigator@ffo.example" in message.body
    assert "Federal Field Office" in message.body
    assert timezone.localtime(locked_at).strftime("%Y-%m-%d %H:%M") in message.body
    assert ATTACKER in message.body
    assert f"http://127.0.0.1:8000{reverse('people')}" in message.body


def test_the_superusers_notice_names_the_command_that_releases_it(lock_with_mail, superuser, second_superuser):
    lock_with_mail(superuser)

    [message] = mail.outbox
    assert "manage.py unlock_account root@portal.example" in message.body


def test_the_lock_is_announced_and_audited_once_not_at_every_later_failure(lock_with_mail, agency_admin, investigator):
    lock_with_mail(investigator, failures=8)

    assert len(mail.outbox) == 1
    event = AuditEvent.objects.get(action="auth.account.locked")
    assert event.object_id == str(investigator.pk)
    assert event.ip_address == ATTACKER
    assert event.details == {"failures": 5}


def test_a_lock_after_a_release_is_announced_again(lock_with_mail, agency_admin, investigator):
    lock_with_mail(investigator)
    user_unlock(user=investigator, actor=agency_admin)
    lock_with_mail(investigator)

    assert len(mail.outbox) == 2
    assert AuditEvent.objects.filter(action="auth.account.locked").count() == 2


def test_wrong_codes_that_lock_the_account_are_announced_once(
    client, django_capture_on_commit_callbacks, agency_admin, investigator
):
    post_password(client, investigator.email)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(7):
            client.post(reverse("mfa_authenticate"), {"code": "000000"})

    assert lockout.is_locked(investigator.email)
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="auth.account.locked").count() == 1


# --- manage.py unlock_account -----------------------------------------------------------------------------------


def test_the_command_releases_the_superuser_and_audits_it(lock_out, superuser, capsys):
    lock_out(superuser)
    assert lockout.is_locked(superuser.email)

    call_command("unlock_account", "Root@Portal.example")

    assert not lockout.is_locked(superuser.email)
    assert "Unlocked root@portal.example" in capsys.readouterr().out
    event = AuditEvent.objects.get(action="auth.account.unlocked")
    assert event.actor is None
    assert event.object_id == str(superuser.pk)
    assert event.details == {"was_locked": True, "via": "command"}
    assert event.outcome == AuditEvent.Outcome.SUCCESS


def test_after_the_command_the_superuser_signs_in(client, lock_out, superuser):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        lock_out(superuser)
        call_command("unlock_account", superuser.email)
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert sign_in(client, superuser)["Location"] == reverse("home")


def test_the_command_releases_a_person_of_an_agency_in_their_agencys_trail(lock_out, investigator, lead_agency):
    lock_out(investigator)

    call_command("unlock_account", investigator.email)

    assert not lockout.is_locked(investigator.email)
    assert AuditEvent.objects.get(action="auth.account.unlocked").agency_id == lead_agency.pk


def test_the_command_says_when_the_account_was_not_locked(investigator, capsys):
    call_command("unlock_account", investigator.email)

    assert "was not locked" in capsys.readouterr().out
    assert AuditEvent.objects.get(action="auth.account.unlocked").details == {"was_locked": False, "via": "command"}


def test_the_command_refuses_an_unknown_address(db):
    with pytest.raises(CommandError, match=r"No account has the e-mail address 'nobody@nowhere\.example'"):
        call_command("unlock_account", "nobody@nowhere.example")

    assert not AuditEvent.objects.exists()


def test_an_agency_admin_still_cannot_release_a_superuser_in_the_portal(lock_out, agency_admin, superuser):
    lock_out(superuser)

    with pytest.raises(PermissionDenied):
        user_unlock(user=superuser, actor=agency_admin)

    assert lockout.is_locked(superuser.email)
