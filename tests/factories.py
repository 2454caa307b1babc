"""factory_boy factories for the whole suite. Agencies come through ``agency_create`` (their group with them) and
people through ``membership_create`` (their role group with them), exactly as in the portal; consents and referrals
through their services (``given_consent``, ``sent_referral``, ``sent_join_request``), audited as in the portal."""

import base64
import secrets
import time
from collections.abc import Iterable
from datetime import timedelta

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.utils import timezone

from agencies.models import Agency, Role, TaskForce, TaskForceMember, User
from agencies.services import agency_create, membership_create
from cases.models import Case, CaseShare, Consent, Need, Person
from cases.services import consent_record
from referrals.models import Referral
from referrals.services import referral_send
from services_directory.models import Service

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


def given_consent(
    person: Person,
    recipient: Agency,
    categories: Iterable[str] = (Consent.Category.IDENTITY,),
    *,
    by: User,
    days: int = 30,
    signed_days_ago: int = 0,
    purpose: str = "Joint investigation",
) -> Consent:
    """``person``'s written consent to release ``categories`` to ``recipient``, recorded by ``by`` (someone of the
    provider holding the person's information): signed today (or ``signed_days_ago``), ending ``days`` from today."""
    today = timezone.localdate()
    return consent_record(
        person=person,
        recipient_agency=recipient,
        categories=list(categories),
        purpose=purpose,
        signed_on=today - timedelta(days=signed_days_ago),
        expires_on=today + timedelta(days=days),
        actor=by,
    )


def sent_referral(
    case: Case,
    person: Person,
    to: Service,
    *,
    by: User,
    needs: Iterable[Need] = (),
    urgency: str = Referral.Urgency.ROUTINE,
    delivery: str = "",
    request_note: str = "",
    safety_notes: str = "",
) -> Referral:
    """``by`` refers ``person`` of ``case`` to the directory's service ``to`` for ``needs``: a service referral, sent
    in the portal to a provider that is in it, else by ``delivery`` (``"email"`` or ``"phone"``)."""
    return referral_send(
        kind=Referral.Kind.SERVICE,
        case=case,
        actor=by,
        urgency=urgency,
        recipient_service=to,
        person=person,
        needs=needs,
        delivery=delivery,
        request_note=request_note,
        safety_notes=safety_notes,
    )


def sent_join_request(
    case: Case,
    agency: Agency,
    level: str = CaseShare.Level.SUMMARY,
    *,
    by: User,
    urgency: str = Referral.Urgency.ROUTINE,
    request_note: str = "",
) -> Referral:
    """``by`` (of the lead agency) asks ``agency`` to join ``case`` at the share ``level``: an interagency referral."""
    return referral_send(
        kind=Referral.Kind.INTERAGENCY,
        case=case,
        actor=by,
        urgency=urgency,
        recipient_agency=agency,
        share_level=level,
        request_note=request_note,
    )
