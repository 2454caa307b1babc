"""``manage.py seed_demo`` and ``manage.py demo_totp``: the demo a newcomer signs in to.

Seeding takes seconds, so the tests of ``TestTheSeededDemo`` share one seeded demo (``demo``, once for the class);
the others need an empty database and seed it themselves, if at all.
"""

from collections.abc import Iterator
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from agencies.demo import DEMO_PASSWORD, PEOPLE, demo_totp_secret
from agencies.models import Agency, Membership, Role, TaskForce, User
from tests.helpers import kept_for_the_tests


def _seed():
    call_command("seed_demo", stdout=StringIO())


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo, seeded once for the class's tests; each test's changes are undone after it."""
    yield from kept_for_the_tests(django_db_blocker, override_settings(DEBUG=True)(_seed))


@pytest.mark.usefixtures("demo")
class TestTheSeededDemo:
    @override_settings(DEBUG=True)
    def test_seed_demo_loads_the_task_force_with_a_person_in_every_role(self, db):
        task_force = TaskForce.objects.get(name="Gulf Coast Human Trafficking Task Force")
        assert task_force.agencies.count() == Agency.objects.count() == 12
        assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
        assert set(Agency.objects.values_list("kind", flat=True)) == set(Agency.Kind.values)
        assert Agency.objects.filter(kind=Agency.Kind.VICTIM_SERVICES).count() >= 3
        assert User.objects.filter(is_superuser=True).count() == 1
        # Every demo account can sign in with MFA on.
        assert Authenticator.objects.filter(type=Authenticator.Type.TOTP).count() == User.objects.count()

    @override_settings(DEBUG=True)
    def test_seed_demo_run_twice_changes_nothing(self, db):
        counts = [model.objects.count() for model in (Agency, User, Membership, TaskForce, Authenticator)]
        _seed()
        assert [model.objects.count() for model in (Agency, User, Membership, TaskForce, Authenticator)] == counts

    @override_settings(DEBUG=True)
    def test_a_demo_user_signs_in_with_the_code_that_demo_totp_prints(self, client, db):
        email = "dana.reyes@fbi.example"
        out = StringIO()
        call_command("demo_totp", email, stdout=out, stderr=StringIO())
        code = out.getvalue().strip()
        assert len(code) == 6
        assert code.isdigit()
        client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD, "acknowledge": "on"})
        assert client.post(reverse("mfa_authenticate"), {"code": code})["Location"] == reverse("home")
        assert "Federal Bureau of Investigation, Bayport Field Office" in client.get(reverse("home")).content.decode()


def test_seed_demo_refuses_to_run_with_debug_off(db):
    with pytest.raises(CommandError, match="refuses to run with DJANGO_DEBUG off"):
        _seed()
    assert not User.objects.exists()


def test_seed_demo_runs_with_debug_off_when_forced(db):
    call_command("seed_demo", "--force", stdout=StringIO())
    assert User.objects.count() == len(PEOPLE) + 1


@override_settings(DEBUG=True)
def test_demo_totp_prints_codes_only_for_demo_accounts(db):
    with pytest.raises(CommandError, match="not a demo account"):
        call_command("demo_totp", "someone@real-agency.gov", stdout=StringIO())


def test_demo_totp_refuses_with_debug_off(db):
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("demo_totp", "dana.reyes@fbi.example", stdout=StringIO())


def test_demo_secrets_differ_between_accounts():
    secrets = {demo_totp_secret(email) for email, *_ in PEOPLE}
    assert len(secrets) == len(PEOPLE)
