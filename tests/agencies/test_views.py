"""The people pages under ``/agency/``: who may open them, and what an agency admin does there."""

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies import lockout
from agencies.models import Invitation, Membership, Role, User
from agencies.services import invitation_create, user_deactivate
from portal.models import AuditEvent
from tests.factories import PASSWORD, UserFactory, totp_code
from tests.helpers import post_password, sign_in

PEOPLE_ADMIN_ACTIONS = [
    "agencies.invitation.sent",
    "agencies.invitation.accepted",
    "agencies.invitation.revoked",
    "agencies.membership.role_changed",
    "agencies.user.deactivated",
    "agencies.user.reactivated",
    "auth.account.unlocked",
]
GOOD_PASSWORD = "amber-lantern-rides-the-tide"


def people_admin_events():
    return AuditEvent.objects.filter(action__in=PEOPLE_ADMIN_ACTIONS)


def invitation_path_in(message) -> str:
    """The path of the one-time link in an invitation e-mail."""
    found = re.search(r"https?://testserver(/agency/invitations/accept/[A-Za-z0-9_-]+/)", message.body)
    assert found is not None, message.body
    return found.group(1)


def invite(admin_client, django_capture_on_commit_callbacks, **data):
    fields = {"full_name": "Nia Newcomer", "email": "newcomer@ffo.example", "role": Role.SUPERVISOR} | data
    with django_capture_on_commit_callbacks(execute=True):
        return admin_client.post(reverse("member_invite"), fields)


def signed_in_user_id(session: Session) -> str | None:
    return session.get_decoded().get("_auth_user_id")


# --- Who may open the people pages ------------------------------------------------------------------------------

MANAGERS = ["agency_admin", "superuser"]
EVERYONE_ELSE = [
    "investigator",
    "colleague",
    "supervisor",
    "partner_investigator",
    "advocate",
    "provider_staff",
    "coordinator",
    "auditor",
    "outsider",
]
PAGES = ["people", "member_invite", "member_change_role"]
ACTIONS = [
    "member_change_role",
    "member_deactivate",
    "member_reactivate",
    "member_unlock",
    "invitation_revoke",
]


def page_url(url_name: str, person: User) -> str:
    if url_name == "member_change_role":
        return reverse(url_name, kwargs={"pk": person.pk})
    return reverse(url_name)


@pytest.mark.parametrize(
    ("who", "url_name", "expected_status"),
    [(who, url_name, 200) for who in MANAGERS for url_name in PAGES]
    + [(who, url_name, 404) for who in EVERYONE_ELSE for url_name in PAGES]
    # Another agency's admin has people pages of their own, but the lead agency's trainee is not on them.
    + [
        ("other_agency_admin", "people", 200),
        ("other_agency_admin", "member_invite", 200),
        ("other_agency_admin", "member_change_role", 404),
    ],
)
def test_only_the_lead_agencys_admin_and_the_superuser_open_the_people_pages(
    request, client_as, trainee, who, url_name, expected_status
):
    client = client_as(request.getfixturevalue(who))

    response = client.get(page_url(url_name, trainee))

    assert response.status_code == expected_status
    content = response.content.decode()
    if expected_status == 404:
        assert trainee.email not in content
        assert trainee.full_name not in content
    elif url_name == "people":
        assert (trainee.email in content) == (who in MANAGERS)
    elif url_name == "member_change_role":
        assert f"Change the role of {trainee.full_name}" in content
    else:
        assert "Send the invitation" in content
        assert ('name="agency"' in content) == (who == "superuser")


def snapshot(person: User, invitation: Invitation) -> dict:
    """Everything a people-administration POST could change."""
    person = User.objects.get(pk=person.pk)
    return {
        "active": person.is_active,
        "role": Membership.objects.get(user=person).role,
        "groups": set(person.groups.values_list("name", flat=True)),
        "locked": lockout.is_locked(person.email),
        "invitation": Invitation.objects.get(pk=invitation.pk).status,
        "audit": list(people_admin_events().values_list("action", flat=True)),
    }


@pytest.mark.parametrize(
    ("who", "url_name", "expected_status"),
    [(who, url_name, 302) for who in MANAGERS for url_name in ACTIONS]
    + [(who, url_name, 404) for who in [*EVERYONE_ELSE, "other_agency_admin"] for url_name in ACTIONS],
)
def test_only_the_lead_agencys_admin_and_the_superuser_act_on_its_people(
    request, client_as, trainee, pending_invitation, lock_out, who, url_name, expected_status
):
    """Each action starts from a state it would change; a refused POST leaves every row as it was."""
    if url_name == "member_reactivate":
        User.objects.filter(pk=trainee.pk).update(is_active=False)
    if url_name == "member_unlock":
        lock_out(trainee)
    if url_name == "invitation_revoke":
        url = reverse(url_name, kwargs={"pk": pending_invitation.pk})
    else:
        url = reverse(url_name, kwargs={"pk": trainee.pk})
    client = client_as(request.getfixturevalue(who))
    before = snapshot(trainee, pending_invitation)

    response = client.post(url, {"role": Role.SUPERVISOR})

    assert response.status_code == expected_status
    after = snapshot(trainee, pending_invitation)
    if expected_status == 404:
        assert after == before
        assert trainee.full_name not in response.content.decode()
    else:
        assert response["Location"] == reverse("people")
        assert after != before
        assert len(after["audit"]) == len(before["audit"]) + 1


@pytest.mark.parametrize(("method", "url_name"), [("get", "member_change_role")] + [("post", a) for a in ACTIONS])
def test_an_admin_of_another_agency_cannot_tell_a_real_person_or_invitation_from_a_missing_one(
    client_as, other_agency_admin, trainee, pending_invitation, method, url_name
):
    client = client_as(other_agency_admin)
    real_pk = pending_invitation.pk if url_name == "invitation_revoke" else trainee.pk
    real = getattr(client, method)(reverse(url_name, kwargs={"pk": real_pk}))
    missing = getattr(client, method)(reverse(url_name, kwargs={"pk": 987654}))

    assert real.status_code == missing.status_code == 404
    assert real.templates[0].name == missing.templates[0].name


@pytest.mark.parametrize("url_name", PAGES + ACTIONS)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, trainee, pending_invitation, url_name):
    pk = pending_invitation.pk if url_name == "invitation_revoke" else trainee.pk
    url = reverse(url_name, kwargs={"pk": pk}) if url_name in ACTIONS else page_url(url_name, trainee)

    response = client.post(url) if url_name in ACTIONS else client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not people_admin_events().exclude(action="agencies.invitation.sent").exists()


def test_another_agencys_admin_sees_only_their_own_people(client_as, other_agency_admin, outsider, investigator):
    response = client_as(other_agency_admin).get(reverse("people"))

    content = response.content.decode()
    assert response.status_code == 200
    assert outsider.email in content
    assert investigator.email not in content


def test_the_lead_agencys_admin_sees_neither_other_agencies_people_nor_their_invitations(
    client_as, agency_admin, investigator, outsider, other_agency_admin, pending_invitation
):
    invitation_create(
        agency=outsider.agency,
        email="far@faraway.example",
        full_name="Far Away",
        role=Role.CASEWORKER,
        actor=other_agency_admin,
    )

    content = client_as(agency_admin).get(reverse("people")).content.decode()

    assert investigator.email in content
    assert pending_invitation.email in content
    assert outsider.email not in content
    assert "far@faraway.example" not in content


# --- Invitations ------------------------------------------------------------------------------------------------


def test_an_invitation_sends_one_email_with_a_one_time_link_only_once_the_transaction_commits(
    client_as, agency_admin, django_capture_on_commit_callbacks
):
    admin_client = client_as(agency_admin)

    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            reverse("member_invite"),
            {"full_name": "Nia Newcomer", "email": "Newcomer@FFO.example", "role": Role.SUPERVISOR},
        )
        assert mail.outbox == []
    for callback in callbacks:
        callback()

    assert response.status_code == 302
    assert response["Location"] == reverse("people")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newcomer@ffo.example"]
    assert "Federal Field Office" in message.subject
    assert "Ada Admin invited you to join Federal Field Office" in message.body
    assert "expires in 72 hours" in message.body
    path = invitation_path_in(message)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    invitation = Invitation.objects.get()
    assert invitation.email == "newcomer@ffo.example"
    assert invitation.role == Role.SUPERVISOR
    assert invitation.agency == agency_admin.agency
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = " ".join(str(value) for value in Invitation.objects.values().get().values())
    assert token not in stored
    event = AuditEvent.objects.get(action="agencies.invitation.sent")
    assert event.actor == agency_admin
    assert event.object_id == str(invitation.pk)
    assert token not in str(event.details)


def test_an_invited_person_chooses_a_password_and_joins_the_agency_in_the_role_given(
    client_as, agency_admin, lead_agency, django_capture_on_commit_callbacks
):
    invite(client_as(agency_admin), django_capture_on_commit_callbacks)
    path = invitation_path_in(mail.outbox[0])
    newcomer = Client()

    page = newcomer.get(path)
    assert page.status_code == 200
    assert "Nia Newcomer, you are invited to join Federal Field Office as Supervisor." in page.content.decode()

    response = newcomer.post(path, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    user = User.objects.get(email="newcomer@ffo.example")
    assert user.full_name == "Nia Newcomer"
    assert user.check_password(GOOD_PASSWORD)
    assert user.agency == lead_agency
    assert user.role == Role.SUPERVISOR
    assert set(user.groups.values_list("name", flat=True)) == {f"agency:{lead_agency.pk}", "role:supervisor"}
    invitation = Invitation.objects.get()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.accepted_at is not None
    accepted = AuditEvent.objects.get(action="agencies.invitation.accepted")
    assert accepted.actor == user
    assert accepted.agency_id == lead_agency.pk
    assert accepted.object_id == str(invitation.pk)


def test_an_invitation_link_works_only_once(client_as, agency_admin, django_capture_on_commit_callbacks):
    invite(client_as(agency_admin), django_capture_on_commit_callbacks)
    path = invitation_path_in(mail.outbox[0])
    Client().post(path, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})

    again = Client().get(path)
    second_use = Client().post(path, {"password1": "another-long-passphrase", "password2": "another-long-passphrase"})

    assert again.status_code == 404
    assert "This invitation cannot be used" in again.content.decode()
    assert second_use.status_code == 404
    assert User.objects.get(email="newcomer@ffo.example").check_password(GOOD_PASSWORD)
    assert AuditEvent.objects.filter(action="agencies.invitation.accepted").count() == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pass1", "This password is too short. It must contain at least 12 characters."),
        ("qwerty123456", "This password is too common."),
    ],
)
def test_a_weak_password_is_refused_and_creates_nothing(
    client_as, agency_admin, django_capture_on_commit_callbacks, password, message
):
    invite(client_as(agency_admin), django_capture_on_commit_callbacks)
    path = invitation_path_in(mail.outbox[0])

    response = Client().post(path, {"password1": password, "password2": password})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email="newcomer@ffo.example").exists()
    assert Invitation.objects.get().status == Invitation.Status.PENDING
    assert not AuditEvent.objects.filter(action="agencies.invitation.accepted").exists()
    assert Client().get(path).status_code == 200


def test_two_different_passwords_are_refused(client_as, agency_admin, django_capture_on_commit_callbacks):
    invite(client_as(agency_admin), django_capture_on_commit_callbacks)
    path = invitation_path_in(mail.outbox[0])

    response = Client().post(path, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD + "!"})

    assert response.status_code == 200
    assert "The two passwords differ." in response.content.decode()
    assert not User.objects.filter(email="newcomer@ffo.example").exists()


def test_an_invitation_link_expires_after_72_hours(client_as, agency_admin, django_capture_on_commit_callbacks):
    valid_for = settings.PORTAL_INVITATION_VALID_FOR
    assert valid_for == timedelta(hours=72)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        invite(client_as(agency_admin), django_capture_on_commit_callbacks)
        path = invitation_path_in(mail.outbox[0])

        traveller.shift(timedelta(hours=71, minutes=59))
        assert Client().get(path).status_code == 200

        traveller.shift(timedelta(minutes=2))
        page = Client().get(path)
        response = Client().post(path, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})

    assert page.status_code == 404
    assert "This invitation cannot be used" in page.content.decode()
    assert response.status_code == 404
    assert not User.objects.filter(email="newcomer@ffo.example").exists()


def test_an_expired_invitation_is_marked_expired_on_the_people_page(client_as, agency_admin, pending_invitation):
    with time_machine.travel(timezone.now() + timedelta(hours=73)):
        content = client_as(agency_admin).get(reverse("people")).content.decode()

    assert pending_invitation.email in content
    assert "Expired" in content


def test_a_withdrawn_invitation_link_no_longer_works(client_as, agency_admin, django_capture_on_commit_callbacks):
    admin_client = client_as(agency_admin)
    invite(admin_client, django_capture_on_commit_callbacks)
    path = invitation_path_in(mail.outbox[0])
    invitation = Invitation.objects.get()

    response = admin_client.post(reverse("invitation_revoke", kwargs={"pk": invitation.pk}))

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    assert invitation.revoked_at is not None
    assert Client().get(path).status_code == 404
    assert Client().post(path, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}).status_code == 404
    assert not User.objects.filter(email="newcomer@ffo.example").exists()
    event = AuditEvent.objects.get(action="agencies.invitation.revoked")
    assert event.actor == agency_admin
    assert event.object_id == str(invitation.pk)
    assert "newcomer@ffo.example" not in client_as(agency_admin).get(reverse("people")).content.decode()


def test_inviting_an_address_that_already_has_an_account_is_refused(
    client_as, agency_admin, investigator, django_capture_on_commit_callbacks
):
    response = invite(client_as(agency_admin), django_capture_on_commit_callbacks, email="Investigator@FFO.example")

    assert response.status_code == 200
    assert "An account with this e-mail address already exists." in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="agencies.invitation.sent").exists()


def test_inviting_the_same_address_again_withdraws_the_earlier_invitation(
    client_as, agency_admin, django_capture_on_commit_callbacks
):
    admin_client = client_as(agency_admin)
    invite(admin_client, django_capture_on_commit_callbacks, role=Role.CASEWORKER)
    invite(admin_client, django_capture_on_commit_callbacks, email="NEWCOMER@ffo.example", role=Role.SUPERVISOR)

    first, second = Invitation.objects.order_by("created_at", "pk")
    assert first.status == Invitation.Status.REVOKED
    assert second.status == Invitation.Status.PENDING
    assert len(mail.outbox) == 2
    assert Client().get(invitation_path_in(mail.outbox[0])).status_code == 404
    path = invitation_path_in(mail.outbox[1])
    assert Client().post(path, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}).status_code == 302
    assert User.objects.get(email="newcomer@ffo.example").role == Role.SUPERVISOR
    revoked = AuditEvent.objects.get(action="agencies.invitation.revoked")
    assert revoked.object_id == str(first.pk)


def test_an_agency_admin_invites_only_into_their_own_agency(
    client_as, agency_admin, lead_agency, other_agency, django_capture_on_commit_callbacks
):
    response = invite(client_as(agency_admin), django_capture_on_commit_callbacks, agency=other_agency.pk)

    assert response.status_code == 302
    assert Invitation.objects.get().agency == lead_agency


def test_the_superuser_invites_into_the_agency_they_choose(
    client_as, superuser, partner_agency, django_capture_on_commit_callbacks
):
    response = invite(
        client_as(superuser), django_capture_on_commit_callbacks, email="new@bpd.example", agency=partner_agency.pk
    )

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.agency == partner_agency
    assert invitation.invited_by == superuser
    assert mail.outbox[0].to == ["new@bpd.example"]


def test_a_signed_in_person_cannot_accept_an_invitation(
    client_as, agency_admin, investigator, django_capture_on_commit_callbacks
):
    invite(client_as(agency_admin), django_capture_on_commit_callbacks)
    path = invitation_path_in(mail.outbox[0])

    response = client_as(investigator).post(path, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})

    assert response.status_code == 403
    assert not User.objects.filter(email="newcomer@ffo.example").exists()


def test_a_newly_joined_person_signs_in_and_must_set_up_an_authenticator_first(
    client_as, agency_admin, django_capture_on_commit_callbacks
):
    invite(client_as(agency_admin), django_capture_on_commit_callbacks)
    Client().post(invitation_path_in(mail.outbox[0]), {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    newcomer = Client()

    post_password(newcomer, "newcomer@ffo.example", GOOD_PASSWORD)
    response = newcomer.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


# --- Roles ------------------------------------------------------------------------------------------------------


def test_changing_a_role_swaps_the_role_group_and_is_audited(client_as, agency_admin, investigator, lead_agency):
    response = client_as(agency_admin).post(
        reverse("member_change_role", kwargs={"pk": investigator.pk}), {"role": Role.SUPERVISOR}
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=investigator).role == Role.SUPERVISOR
    assert set(investigator.groups.values_list("name", flat=True)) == {f"agency:{lead_agency.pk}", "role:supervisor"}
    event = AuditEvent.objects.get(action="agencies.membership.role_changed")
    assert event.actor == agency_admin
    assert event.object_id == str(investigator.pk)
    assert event.details == {"from": Role.CASEWORKER, "to": Role.SUPERVISOR}


def test_a_person_made_agency_admin_can_then_manage_the_agencys_people(client_as, agency_admin, investigator):
    assert client_as(investigator).get(reverse("people")).status_code == 404

    client_as(agency_admin).post(
        reverse("member_change_role", kwargs={"pk": investigator.pk}), {"role": Role.AGENCY_ADMIN}
    )

    assert client_as(User.objects.get(pk=investigator.pk)).get(reverse("people")).status_code == 200


def test_an_unknown_role_is_refused_on_the_form(client_as, agency_admin, investigator, lead_agency):
    response = client_as(agency_admin).post(
        reverse("member_change_role", kwargs={"pk": investigator.pk}), {"role": "janitor"}
    )

    assert response.status_code == 200
    assert "Select a valid choice. janitor is not one of the available choices." in response.content.decode()
    assert Membership.objects.get(user=investigator).role == Role.CASEWORKER
    assert set(investigator.groups.values_list("name", flat=True)) == {f"agency:{lead_agency.pk}", "role:caseworker"}
    assert not AuditEvent.objects.filter(action="agencies.membership.role_changed").exists()


# --- Deactivation -----------------------------------------------------------------------------------------------


def test_deactivating_a_person_ends_their_sessions_at_once(client, client_as, agency_admin, investigator):
    sign_in(client, investigator)
    on_another_device = client_as(investigator)
    assert client.get(reverse("home")).status_code == 200
    assert on_another_device.get(reverse("home")).status_code == 200
    assert UserSession.objects.filter(user=investigator).count() == 2

    response = client_as(agency_admin).post(reverse("member_deactivate", kwargs={"pk": investigator.pk}))

    assert response.status_code == 302
    assert not User.objects.get(pk=investigator.pk).is_active
    assert not UserSession.objects.filter(user=investigator).exists()
    assert not [s for s in Session.objects.all() if signed_in_user_id(s) == str(investigator.pk)]
    for device in (client, on_another_device):
        next_request = device.get(reverse("people"))
        assert next_request.status_code == 302
        assert next_request["Location"].startswith(reverse("account_login"))
    assert not [s for s in Session.objects.all() if signed_in_user_id(s) == str(investigator.pk)]
    event = AuditEvent.objects.get(action="agencies.user.deactivated")
    assert event.actor == agency_admin
    assert event.object_id == str(investigator.pk)
    assert event.details == {"sessions_ended": 2}


def test_a_deactivated_person_cannot_sign_in_with_the_right_password_and_code(
    client, client_as, agency_admin, investigator
):
    client_as(agency_admin).post(reverse("member_deactivate", kwargs={"pk": investigator.pk}))

    response = post_password(client, investigator.email, PASSWORD)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(investigator)})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_inactive")
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("account_login"))
    assert not AuditEvent.objects.filter(action="auth.login.succeeded", actor=investigator).exists()


def test_the_people_page_shows_a_deactivated_person_as_deactivated(client_as, agency_admin, investigator):
    admin_client = client_as(agency_admin)
    admin_client.post(reverse("member_deactivate", kwargs={"pk": investigator.pk}))

    content = admin_client.get(reverse("people")).content.decode()

    assert f"{investigator.full_name} was deactivated and signed out everywhere." in content
    assert "Deactivated" in content
    assert reverse("member_reactivate", kwargs={"pk": investigator.pk}) in content
    assert reverse("member_deactivate", kwargs={"pk": investigator.pk}) not in content


def test_an_admin_cannot_deactivate_themselves(client_as, agency_admin):
    admin_client = client_as(agency_admin)

    response = admin_client.post(reverse("member_deactivate", kwargs={"pk": agency_admin.pk}), follow=True)

    assert response.status_code == 200
    assert "You cannot deactivate your own account." in response.content.decode()
    assert User.objects.get(pk=agency_admin.pk).is_active
    assert UserSession.objects.filter(user=agency_admin).exists()
    assert not AuditEvent.objects.filter(action="agencies.user.deactivated").exists()
    assert admin_client.get(reverse("people")).status_code == 200


def test_a_reactivated_person_signs_in_again(client, client_as, agency_admin, investigator):
    admin_client = client_as(agency_admin)
    admin_client.post(reverse("member_deactivate", kwargs={"pk": investigator.pk}))

    response = admin_client.post(reverse("member_reactivate", kwargs={"pk": investigator.pk}))

    assert response.status_code == 302
    assert User.objects.get(pk=investigator.pk).is_active
    assert sign_in(client, investigator)["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    event = AuditEvent.objects.get(action="agencies.user.reactivated")
    assert event.actor == agency_admin
    assert event.object_id == str(investigator.pk)


# --- Unlocking --------------------------------------------------------------------------------------------------


def test_an_admin_unlocks_an_account_locked_by_five_failed_sign_ins(
    client, client_as, agency_admin, investigator, lock_out
):
    lock_out(investigator)
    refused = post_password(Client(), investigator.email, PASSWORD)
    assert refused.status_code == 403
    admin_client = client_as(agency_admin)
    assert ">Locked</span>" in admin_client.get(reverse("people")).content.decode()

    response = admin_client.post(reverse("member_unlock", kwargs={"pk": investigator.pk}))

    assert response.status_code == 302
    assert ">Locked</span>" not in admin_client.get(reverse("people")).content.decode()
    assert sign_in(client, investigator)["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    event = AuditEvent.objects.get(action="auth.account.unlocked")
    assert event.actor == agency_admin
    assert event.object_id == str(investigator.pk)
    assert event.details == {"was_locked": True}


def test_four_failed_sign_ins_do_not_lock_an_account(client, client_as, agency_admin, investigator):
    for _ in range(4):
        post_password(Client(), investigator.email, "wrong-password-xx")

    assert ">Locked</span>" not in client_as(agency_admin).get(reverse("people")).content.decode()
    assert sign_in(client, investigator)["Location"] == reverse("home")


# --- Performance ------------------------------------------------------------------------------------------------


def test_the_people_page_takes_as_many_queries_for_thirty_people_as_for_three(
    client_as, agency_admin, lead_agency, trainee, lock_out
):
    lock_out(trainee)
    admin_client = client_as(agency_admin)
    admin_client.get(reverse("people"))
    UserFactory.create_batch(2, agency=lead_agency, mfa=False)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(reverse("people"))
    UserFactory.create_batch(27, agency=lead_agency, mfa=False)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(reverse("people"))

    content = response.content.decode()
    assert len(re.findall(r'href="/agency/people/\d+/role/"', content)) == 31
    assert content.count(">Locked</span>") == 1
    assert len(many) == len(few)


def test_the_superuser_sees_the_people_of_every_agency_with_their_agency(client_as, superuser, trainee, outsider):
    content = client_as(superuser).get(reverse("people")).content.decode()

    assert trainee.email in content
    assert outsider.email in content
    assert f">{outsider.agency}<" in content


def test_the_role_page_explains_why_the_last_administrator_keeps_the_role(client_as, agency_admin):
    client = client_as(agency_admin)
    url = reverse("member_change_role", args=[agency_admin.pk])
    response = client.post(url, {"role": Role.CASEWORKER})
    assert response.status_code == 200
    assert "The agency needs an administrator" in response.content.decode()
    agency_admin.membership.refresh_from_db()
    assert agency_admin.membership.role == Role.AGENCY_ADMIN


def test_the_role_page_offers_only_roles_that_fit_the_agency(client_as, agency_admin, colleague):
    page = client_as(agency_admin).get(reverse("member_change_role", args=[colleague.pk])).content.decode()
    assert 'value="caseworker"' in page
    assert 'value="coordinator"' not in page


def _listed(response) -> set[str]:
    return {person.email for person in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "colin"}, {"colleague@ffo.example"}),
        ({"q": "SUPERVISOR@"}, {"supervisor@ffo.example"}),
        ({"role": "supervisor"}, {"supervisor@ffo.example"}),
        ({"status": "locked"}, {"investigator@ffo.example"}),
        ({"status": "deactivated"}, {"colleague@ffo.example"}),
        ({"status": "active"}, {"admin@ffo.example", "supervisor@ffo.example"}),
    ],
)
def test_the_people_page_filters(
    client_as, agency_admin, investigator, colleague, supervisor, lock_out, query, expected
):
    lock_out(investigator)
    user_deactivate(user=colleague, actor=agency_admin)
    assert _listed(client_as(agency_admin).get(reverse("people"), query)) == expected


def test_the_people_page_shows_fifty_at_a_time(client_as, agency_admin, lead_agency):
    UserFactory.create_batch(60, agency=lead_agency, mfa=False)
    client = client_as(agency_admin)
    first = client.get(reverse("people"))
    second = client.get(reverse("people"), {"page": 2})
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 11
    assert "61 people match." in first.content.decode()
    assert not _listed(first) & _listed(second)


@pytest.mark.parametrize(("who", "expected_status"), [("agency_admin", 302), ("investigator", 404), ("outsider", 404)])
def test_who_may_reset_a_persons_authenticator(request, client_as, colleague, who, expected_status):
    client = client_as(request.getfixturevalue(who))
    response = client.post(reverse("member_reset_second_factors", args=[colleague.pk]))
    assert response.status_code == expected_status
    assert colleague.authenticator_set.exists() == (expected_status != 302)
