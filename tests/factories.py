"""factory_boy factories for the whole suite. Agencies come through ``agency_create`` (their group with them) and
people through ``membership_create`` (their role group with them), exactly as in the portal."""

import base64
import secrets
import time

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from agencies.models import Agency, Role, TaskForce, TaskForceMember, User
from agencies.services import agency_create, membership_create

PASSWORD = "correct-horse-battery-staple"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    short_name = factory.Sequence(lambda n: f"AG{n}")
    kind = Agency.Kind.LOCAL_LE
    jurisdiction = "Marlin County"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return agency_create(**kwargs)


class TaskForceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskForce
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Task Force {n}")

    @factory.post_generation
    def member_agencies(self, create, extracted, **kwargs):
        for agency in extracted or []:
            TaskForceMember.objects.create(task_force=self, agency=agency)


class UserFactory(factory.django.DjangoModelFactory):
    """A person; pass ``agency=`` and ``role=`` for a membership, ``mfa=True`` (default) for a TOTP app."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@agency.example")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    # Not fields of User: taken out in _create.
    agency = None
    role = Role.CASEWORKER
    mfa = True

    @classmethod
    def _create(cls, model_class, *args, agency=None, role=Role.CASEWORKER, mfa=True, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        if agency is not None:
            membership_create(user=user, agency=agency, role=role)
        if mfa:
            give_totp(user)
        return user


def give_totp(user: User) -> str:
    """Enrol a TOTP authenticator with a fresh secret; returns the secret (see ``totp_code``)."""
    secret = base64.b32encode(secrets.token_bytes(20)).decode()
    TOTP.activate(user, secret)
    return secret


def totp_secret(user: User) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return authenticator.data["secret"]


def totp_code(user: User, offset: int = 0) -> str:
    """The code the person's app shows now (``offset`` periods away)."""
    return format_hotp_value(hotp_value(totp_secret(user), int(time.time()) // 30 + offset))
