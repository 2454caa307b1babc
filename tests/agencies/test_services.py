"""The rules the people-administration services keep, whichever page or command calls them."""

import hashlib

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from agencies import lockout
from agencies.models import Agency, Invitation, Membership, Role, User
from agencies.services import (
    agency_create,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    membership_change_role,
    membership_create,
    user_deactivate,
    user_reactivate,
    user_reset_second_factors,
    user_unlock,
)
from portal.models import AuditEvent
from tests.factories import UserFactory
from tests.helpers import post_password

GOOD_PASSWORD = "amber-lantern-rides-the-tide"


def group_names(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def invite_newcomer(agency, actor, **fields) -> tuple[Invitation, str]:
    values = {"email": "newcomer@ffo.example", "full_name": "Nia Newcomer", "role": Role.CASEWORKER} | fields
    return invitation_create(agency=agency, actor=actor, **values)


# --- Agencies and memberships -----------------------------------------------------------------------------------


def test_a_new_agency_gets_its_own_group_named_after_it(db):
    agency = agency_create(name="Port Authority Police", kind=Agency.Kind.LOCAL_LE)

    assert agency.group.name == f"agency:{agency.pk}"
    assert Group.objects.get(name=f"agency:{agency.pk}").agency == agency


def test_two_agencies_never_share_a_group(db):
    first = agency_create(name="Port Authority Police", kind=Agency.Kind.LOCAL_LE)
    second = agency_create(name="State Labor Department", kind=Agency.Kind.OTHER_GOVERNMENT)

    assert first.group != second.group


def test_a_membership_puts_the_person_in_the_agency_group_and_the_role_group(lead_agency):
    user = UserFactory(email="new@ffo.example")
    assert user.agency is None

    membership_create(user=user, agency=lead_agency, role=Role.INTAKE)

    assert user.agency == lead_agency
    assert user.role == Role.INTAKE
    assert group_names(user) == {f"agency:{lead_agency.pk}", "role:intake"}


# --- Invitations ------------------------------------------------------------------------------------------------


def test_an_invitation_stores_only_the_sha256_of_its_token(lead_agency, agency_admin):
    invitation, token = invite_newcomer(lead_agency, agency_admin)

    invitation.refresh_from_db()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert len(token) >= 40


def test_each_invitation_gets_a_different_token(lead_agency, agency_admin):
    _first, first_token = invite_newcomer(lead_agency, agency_admin, email="one@ffo.example")
    _second, second_token = invite_newcomer(lead_agency, agency_admin, email="two@ffo.example")

    assert first_token != second_token


def test_no_email_leaves_before_the_invitation_is_committed(
    lead_agency, agency_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        invite_newcomer(lead_agency, agency_admin)

    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert [message.to for message in mail.outbox] == [["newcomer@ffo.example"]]


@pytest.mark.parametrize("who", ["investigator", "supervisor", "coordinator", "other_agency_admin"])
def test_only_an_admin_of_the_agency_may_invite_into_it(request, lead_agency, who):
    with pytest.raises(PermissionDenied):
        invite_newcomer(lead_agency, request.getfixturevalue(who))

    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(action="agencies.invitation.sent").exists()


def test_an_invitation_with_an_unknown_role_is_refused(lead_agency, agency_admin):
    with pytest.raises(ValidationError):
        invite_newcomer(lead_agency, agency_admin, role="janitor")

    assert not Invitation.objects.exists()


def test_an_address_with_an_account_cannot_be_invited_in_any_letter_case(lead_agency, agency_admin, investigator):
    with pytest.raises(ValidationError) as refused:
        invite_newcomer(lead_agency, agency_admin, email="INVESTIGATOR@ffo.example")

    assert refused.value.message_dict == {"email": ["An account with this e-mail address already exists."]}
    assert not Invitation.objects.exists()


def test_re_inviting_an_address_withdraws_the_pending_invitation_and_records_it(lead_agency, agency_admin):
    first, first_token = invite_newcomer(lead_agency, agency_admin)

    second, _token = invite_newcomer(lead_agency, agency_admin, email="Newcomer@FFO.example")

    first.refresh_from_db()
    assert first.status == Invitation.Status.REVOKED
    assert first.revoked_at is not None
    assert second.status == Invitation.Status.PENDING
    revoked = AuditEvent.objects.get(action="agencies.invitation.revoked")
    assert revoked.object_id == str(first.pk)
    assert revoked.actor == agency_admin
    with pytest.raises(ValidationError):
        invitation_accept(token=first_token, password=GOOD_PASSWORD)


def test_another_agencys_invitation_to_the_same_address_does_not_withdraw_ours(
    lead_agency, agency_admin, other_agency, other_agency_admin
):
    ours, _token = invite_newcomer(lead_agency, agency_admin)

    invite_newcomer(other_agency, other_agency_admin)

    ours.refresh_from_db()
    assert ours.status == Invitation.Status.PENDING
    assert not AuditEvent.objects.filter(action="agencies.invitation.revoked").exists()


def test_only_the_first_of_two_agencies_invitations_to_one_address_can_be_accepted(
    lead_agency, agency_admin, other_agency, other_agency_admin
):
    _ours, our_token = invite_newcomer(lead_agency, agency_admin)
    _theirs, their_token = invite_newcomer(other_agency, other_agency_admin)
    invitation_accept(token=their_token, password=GOOD_PASSWORD)

    with pytest.raises(ValidationError):
        invitation_accept(token=our_token, password=GOOD_PASSWORD)

    user = User.objects.get(email="newcomer@ffo.example")
    assert user.agency == other_agency
    assert AuditEvent.objects.filter(action="agencies.invitation.accepted").count() == 1


def test_an_invitation_to_an_address_that_got_an_account_meanwhile_cannot_be_accepted(
    client, lead_agency, agency_admin
):
    _invitation, token = invite_newcomer(lead_agency, agency_admin)
    User.objects.create_user(email="newcomer@ffo.example", full_name="Created In The Admin", password="x" * 20)

    response = client.post(
        reverse("invitation_accept", kwargs={"token": token}),
        {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
    )

    assert response.status_code == 200
    assert "An account with this e-mail address already exists." in response.content.decode()
    assert User.objects.get(email="newcomer@ffo.example").full_name == "Created In The Admin"
    assert not Membership.objects.filter(user__email="newcomer@ffo.example").exists()
    assert not AuditEvent.objects.filter(action="agencies.invitation.accepted").exists()


def test_accepting_creates_the_account_with_the_chosen_password(lead_agency, agency_admin):
    _invitation, token = invite_newcomer(lead_agency, agency_admin, role=Role.PROVIDER_STAFF)

    user = invitation_accept(token=token, password=GOOD_PASSWORD)

    assert user.email == "newcomer@ffo.example"
    assert user.check_password(GOOD_PASSWORD)
    assert user.is_active
    assert not user.is_staff
    assert not user.is_superuser
    assert user.role == Role.PROVIDER_STAFF
    assert group_names(user) == {f"agency:{lead_agency.pk}", "role:provider_staff"}


@pytest.mark.parametrize("password", ["short-pass1", "qwerty123456", "newcomer@ffo.example"])
def test_accepting_with_a_password_against_the_policy_creates_nothing(lead_agency, agency_admin, password):
    invitation, token = invite_newcomer(lead_agency, agency_admin)

    with pytest.raises(ValidationError):
        invitation_accept(token=token, password=password)

    assert not User.objects.filter(email="newcomer@ffo.example").exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_an_unknown_token_is_refused(db):
    with pytest.raises(ValidationError):
        invitation_accept(token="not-a-token", password=GOOD_PASSWORD)

    assert not User.objects.exists()


def test_withdrawing_an_accepted_invitation_changes_nothing(lead_agency, agency_admin):
    invitation, token = invite_newcomer(lead_agency, agency_admin)
    invitation_accept(token=token, password=GOOD_PASSWORD)

    invitation_revoke(invitation=invitation, actor=agency_admin)

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert not AuditEvent.objects.filter(action="agencies.invitation.revoked").exists()


def test_only_an_admin_of_the_agency_may_withdraw_its_invitation(pending_invitation, other_agency_admin):
    with pytest.raises(PermissionDenied):
        invitation_revoke(invitation=pending_invitation, actor=other_agency_admin)

    pending_invitation.refresh_from_db()
    assert pending_invitation.status == Invitation.Status.PENDING


# --- Roles ------------------------------------------------------------------------------------------------------


def test_a_role_change_moves_the_person_to_the_new_role_group_only(lead_agency, agency_admin, trainee):
    membership_change_role(membership=trainee.membership, role=Role.AUDITOR, actor=agency_admin)

    assert Membership.objects.get(user=trainee).role == Role.AUDITOR
    assert group_names(trainee) == {f"agency:{lead_agency.pk}", "role:auditor"}
    assert User.objects.get(pk=trainee.pk).has_perm("portal.view_auditevent")
    event = AuditEvent.objects.get(action="agencies.membership.role_changed")
    assert event.details == {"from": "caseworker", "to": "auditor"}


def test_a_role_change_to_the_same_role_records_nothing(agency_admin, trainee):
    membership_change_role(membership=trainee.membership, role=Role.CASEWORKER, actor=agency_admin)

    assert not AuditEvent.objects.filter(action="agencies.membership.role_changed").exists()


def test_an_unknown_role_is_refused(lead_agency, agency_admin, trainee):
    with pytest.raises(ValidationError):
        membership_change_role(membership=trainee.membership, role="janitor", actor=agency_admin)

    assert Membership.objects.get(user=trainee).role == Role.CASEWORKER
    assert group_names(trainee) == {f"agency:{lead_agency.pk}", "role:caseworker"}
    assert not AuditEvent.objects.filter(action="agencies.membership.role_changed").exists()


@pytest.mark.parametrize("who", ["supervisor", "other_agency_admin", "coordinator"])
def test_only_an_admin_of_the_agency_may_change_a_role(request, trainee, who):
    with pytest.raises(PermissionDenied):
        membership_change_role(
            membership=trainee.membership, role=Role.AGENCY_ADMIN, actor=request.getfixturevalue(who)
        )

    assert Membership.objects.get(user=trainee).role == Role.CASEWORKER


def test_a_deactivated_admin_manages_nobody(agency_admin, trainee):
    User.objects.filter(pk=agency_admin.pk).update(is_active=False)
    agency_admin.refresh_from_db()

    with pytest.raises(PermissionDenied):
        membership_change_role(membership=trainee.membership, role=Role.SUPERVISOR, actor=agency_admin)


# --- Deactivation and unlocking ---------------------------------------------------------------------------------


def test_deactivation_ends_every_session_of_the_person(client_as, agency_admin, trainee):
    for _ in range(3):
        client_as(trainee).get(reverse("home"))
    assert UserSession.objects.filter(user=trainee).count() == 3

    user_deactivate(user=trainee, actor=agency_admin)

    assert not UserSession.objects.filter(user=trainee).exists()
    assert not User.objects.get(pk=trainee.pk).is_active
    assert AuditEvent.objects.get(action="agencies.user.deactivated").details == {"sessions_ended": 3}


def test_deactivation_leaves_other_peoples_sessions_alone(client_as, agency_admin, trainee, colleague):
    client_as(trainee).get(reverse("home"))
    colleague_client = client_as(colleague)
    colleague_client.get(reverse("home"))

    user_deactivate(user=trainee, actor=agency_admin)

    assert UserSession.objects.filter(user=colleague).count() == 1
    assert colleague_client.get(reverse("home")).status_code == 200


def test_nobody_deactivates_themselves(agency_admin):
    with pytest.raises(ValidationError):
        user_deactivate(user=agency_admin, actor=agency_admin)

    assert User.objects.get(pk=agency_admin.pk).is_active


def test_an_agency_admin_cannot_deactivate_a_person_without_an_agency(agency_admin, superuser):
    with pytest.raises(PermissionDenied):
        user_deactivate(user=superuser, actor=agency_admin)

    assert User.objects.get(pk=superuser.pk).is_active


def test_an_agency_admin_cannot_reactivate_another_agencys_person(agency_admin, outsider):
    User.objects.filter(pk=outsider.pk).update(is_active=False)
    outsider.refresh_from_db()

    with pytest.raises(PermissionDenied):
        user_reactivate(user=outsider, actor=agency_admin)

    assert not User.objects.get(pk=outsider.pk).is_active


def test_unlocking_clears_the_failed_sign_ins_and_records_whether_the_account_was_locked(
    agency_admin, trainee, lock_out
):
    lock_out(trainee)
    assert lockout.is_locked(trainee.email)

    user_unlock(user=trainee, actor=agency_admin)

    assert not lockout.is_locked(trainee.email)
    event = AuditEvent.objects.get(action="auth.account.unlocked")
    assert event.details == {"was_locked": True}
    assert event.object_id == str(trainee.pk)


def test_after_an_unlock_the_count_of_failures_starts_again_from_zero(agency_admin, trainee, lock_out):
    lock_out(trainee)
    user_unlock(user=trainee, actor=agency_admin)

    for _ in range(4):
        Client().post(
            reverse("account_login"), {"login": trainee.email, "password": "nope-nope-nope", "acknowledge": "on"}
        )

    assert not lockout.is_locked(trainee.email)


def test_only_an_admin_of_the_agency_may_unlock(other_agency_admin, trainee, lock_out):
    lock_out(trainee)

    with pytest.raises(PermissionDenied):
        user_unlock(user=trainee, actor=other_agency_admin)

    assert lockout.is_locked(trainee.email)
    assert not AuditEvent.objects.filter(action="auth.account.unlocked").exists()


@pytest.mark.parametrize(
    ("agency_fixture", "role", "fits"),
    [
        ("lead_agency", Role.COORDINATOR, False),
        ("ngo", Role.COORDINATOR, False),
        ("coordination_office", Role.COORDINATOR, True),
        ("lead_agency", Role.AUDITOR, True),
        ("ngo", Role.PROVIDER_STAFF, True),
    ],
)
def test_a_role_must_fit_the_kind_of_agency(request, superuser, agency_fixture, role, fits):
    agency = request.getfixturevalue(agency_fixture)
    if fits:
        invitation, _token = invitation_create(
            agency=agency, email="new@agency.example", full_name="New Person", role=role, actor=superuser
        )
        assert invitation.role == role
    else:
        with pytest.raises(ValidationError, match="coordination office"):
            invitation_create(
                agency=agency, email="new@agency.example", full_name="New Person", role=role, actor=superuser
            )
        assert not Invitation.objects.exists()


def test_a_caseworker_cannot_be_made_coordinator_outside_the_coordination_office(agency_admin, trainee):
    with pytest.raises(ValidationError, match="coordination office"):
        membership_change_role(membership=trainee.membership, role=Role.COORDINATOR, actor=agency_admin)
    trainee.refresh_from_db()
    assert Membership.objects.get(user=trainee).role == Role.CASEWORKER


def test_the_last_administrator_of_an_agency_keeps_the_role(agency_admin):
    with pytest.raises(ValidationError, match="needs an administrator"):
        membership_change_role(membership=agency_admin.membership, role=Role.CASEWORKER, actor=agency_admin)
    assert Membership.objects.get(user=agency_admin).role == Role.AGENCY_ADMIN
    assert not AuditEvent.objects.filter(action="agencies.membership.role_changed").exists()


def test_an_administrator_may_step_down_once_there_is_another(lead_agency, agency_admin):
    UserFactory(agency=lead_agency, role=Role.AGENCY_ADMIN)
    membership_change_role(membership=agency_admin.membership, role=Role.SUPERVISOR, actor=agency_admin)
    assert Membership.objects.get(user=agency_admin).role == Role.SUPERVISOR


def test_an_agency_admin_cannot_deactivate_a_superuser_of_their_agency(lead_agency, agency_admin):
    chief: User = UserFactory(agency=lead_agency, is_superuser=True, is_staff=True)
    with pytest.raises(PermissionDenied):
        user_deactivate(user=chief, actor=agency_admin)
    chief.refresh_from_db()
    assert chief.is_active


def test_resetting_second_factors_signs_the_person_out_and_sends_them_to_the_emailed_link(
    client, client_as, agency_admin, colleague
):
    signed_in = client_as(colleague)
    assert signed_in.get(reverse("home")).status_code == 200
    removed = user_reset_second_factors(user=colleague, actor=agency_admin)
    assert removed == 1
    assert not Authenticator.objects.filter(user=colleague).exists()
    assert signed_in.get(reverse("home"))["Location"].startswith(reverse("account_login"))  # sessions ended
    assert post_password(client, colleague.email).status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("mfa_enrolment_link_needed")
    event = AuditEvent.objects.get(action="auth.mfa.reset_by_admin")
    assert event.details == {"authenticators_removed": 1, "sessions_ended": 1}


@pytest.mark.parametrize("who", ["investigator", "other_agency_admin", "coordinator"])
def test_only_the_agencys_admin_resets_second_factors(request, colleague, who):
    with pytest.raises(PermissionDenied):
        user_reset_second_factors(user=colleague, actor=request.getfixturevalue(who))
    assert Authenticator.objects.filter(user=colleague).exists()
