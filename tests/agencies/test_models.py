"""Model rules the database and the sign-in depend on."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from agencies.models import Invitation, Role, User
from tests.factories import PASSWORD, UserFactory
from tests.helpers import post_password


def test_the_portal_uses_the_custom_user_who_signs_in_by_email():
    assert get_user_model() is User
    assert User.USERNAME_FIELD == "email"
    assert User.EMAIL_FIELD == "email"
    assert not hasattr(User, "username")


def test_a_person_signs_in_with_their_email_in_any_letter_case(client, investigator):
    response = post_password(client, "Investigator@FFO.Example", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")


def test_two_accounts_cannot_share_an_email_that_differs_only_in_case(db):
    UserFactory(email="sam.case@ffo.example")

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="Sam.Case@FFO.example")

    assert User.objects.filter(email__iexact="sam.case@ffo.example").count() == 1


def test_create_user_stores_the_email_in_lower_case(db):
    user = User.objects.create_user(email="Mixed.Case@FFO.Example", full_name="Mia Mixed", password=PASSWORD)

    assert user.email == "mixed.case@ffo.example"
    assert user.check_password(PASSWORD)
    assert not user.is_staff
    assert not user.is_superuser


def test_create_superuser_makes_staff_superusers(db):
    user = User.objects.create_superuser(email="root2@portal.example", full_name="Rita Root", password=PASSWORD)

    assert user.is_staff
    assert user.is_superuser


def test_an_account_needs_an_email(db):
    with pytest.raises(ValueError, match="e-mail address is required"):
        User.objects.create_user(email="", full_name="No Mail")


def test_a_member_has_the_agency_and_role_of_their_membership(supervisor, lead_agency):
    assert supervisor.agency == lead_agency
    assert supervisor.role == Role.SUPERVISOR


def test_a_person_without_membership_has_no_agency_and_no_role(superuser):
    assert superuser.agency is None
    assert superuser.role is None


def test_agency_and_role_are_read_from_the_database_for_a_freshly_loaded_person(advocate, ngo):
    fresh = User.objects.get(pk=advocate.pk)

    assert fresh.agency == ngo
    assert fresh.role == Role.CASEWORKER


def test_a_person_is_shown_by_full_name(investigator):
    assert str(investigator) == "Ivy Investigator"
    assert investigator.get_short_name() == "Ivy"


def test_an_invitation_is_usable_only_while_pending_and_unexpired(pending_invitation):
    assert pending_invitation.is_usable

    with time_machine.travel(pending_invitation.expires_at + timedelta(seconds=1)):
        assert not pending_invitation.is_usable

    pending_invitation.accept()
    assert not pending_invitation.is_usable


def test_a_revoked_invitation_is_not_usable(pending_invitation):
    pending_invitation.revoke()
    assert pending_invitation.revoked_at is not None
    assert not pending_invitation.is_usable


def test_an_invitation_status_changes_only_through_its_transitions(pending_invitation):
    with pytest.raises(AttributeError):
        pending_invitation.status = Invitation.Status.ACCEPTED
    pending_invitation.accept()
    with pytest.raises(TransitionNotAllowed):
        pending_invitation.revoke()


def test_an_invitation_expires_72_hours_after_it_was_sent(pending_invitation):
    valid_for = pending_invitation.expires_at - pending_invitation.created_at
    assert abs(valid_for - timedelta(hours=72)) < timedelta(seconds=5)
    assert pending_invitation.expires_at > timezone.now() + timedelta(hours=71)


def test_an_agency_has_at_most_one_pending_invitation_per_address(pending_invitation, agency_admin):
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(
            email="NEWCOMER@ffo.example",
            full_name="Nia Again",
            agency=pending_invitation.agency,
            role=Role.CASEWORKER,
            invited_by=agency_admin,
            token_hash="0" * 64,
            expires_at=pending_invitation.expires_at,
        )
