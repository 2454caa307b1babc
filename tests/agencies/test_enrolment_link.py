"""After an administrator resets someone's authenticator, only the one-time link e-mailed to them lets a new one be
enrolled; the password alone does not (issue 11, point 9; docs/decisions/0006)."""

import re
import time
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from tests.factories import PASSWORD, UserFactory
from tests.helpers import post_password

LINK = re.compile(r"https?://testserver(/agency/authenticator/link/[A-Za-z0-9_-]+/[0-9a-z]+-[0-9a-f]+/)")


@pytest.fixture
def reset(client_as, agency_admin, django_capture_on_commit_callbacks):
    """``reset(person)``: their admin presses Reset authenticator on the People page; returns the e-mailed link."""

    def press(person) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            response = client_as(agency_admin).post(reverse("member_reset_second_factors", args=[person.pk]))
        assert response.status_code == 302
        found = LINK.search(mail.outbox[-1].body)
        assert found is not None, mail.outbox[-1].body
        return found.group(1)

    return press


def activate_totp(client, django_capture_on_commit_callbacks):
    """Open the authenticator page and answer with the right code, as a person with the app would."""
    page = client.get(reverse("mfa_activate_totp"))
    secret = client.session.get(SECRET_SESSION_KEY)
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30)) if secret else "000000"
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("mfa_activate_totp"), {"code": code})
    return page, answer


def has_totp(person) -> bool:
    return Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()


def test_a_reset_emails_the_person_exactly_one_link(reset, colleague):
    link = reset(colleague)

    [message] = mail.outbox
    assert message.to == [colleague.email]
    assert link in message.body
    assert "expires in 24 hours" in message.body
    sent = AuditEvent.objects.get(action="auth.mfa.enrolment_link.sent")
    assert sent.object_id == str(colleague.pk)
    assert sent.details == {"valid_hours": 24}


@pytest.mark.parametrize("url_name", ["mfa_activate_totp", "mfa_add_webauthn", "mfa_index", "home", "people"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_after_a_reset_the_password_alone_cannot_enrol(client, reset, colleague, url_name, method):
    reset(colleague)
    assert post_password(client, colleague.email).status_code == 302

    response = getattr(client, method)(reverse(url_name), {"code": "123456"} if method == "post" else None)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_enrolment_link_needed")
    assert not Authenticator.objects.filter(user=colleague).exists()


def test_the_enrolment_page_refused_without_the_link_is_audited(
    client, reset, colleague, django_capture_on_commit_callbacks
):
    reset(colleague)
    post_password(client, colleague.email)

    page, answer = activate_totp(client, django_capture_on_commit_callbacks)

    assert page["Location"] == answer["Location"] == reverse("mfa_enrolment_link_needed")
    refused = AuditEvent.objects.filter(action="auth.mfa.enrolment_refused", object_id=str(colleague.pk))
    assert [event.details["method"] for event in refused.order_by("pk")] == ["GET", "POST"]
    assert not has_totp(colleague)


def test_the_page_without_the_link_says_what_to_do(client, reset, colleague):
    reset(colleague)
    post_password(client, colleague.email)

    response = client.get(reverse("mfa_enrolment_link_needed"))

    assert response.status_code == 403
    assert "open the one-time link we e-mailed you" in response.content.decode()


def test_the_link_then_the_password_lets_the_person_enrol_once(
    client, reset, colleague, django_capture_on_commit_callbacks
):
    link = reset(colleague)

    opened = client.get(link)
    assert opened["Location"] == f"{reverse('account_login')}?next={reverse('mfa_activate_totp')}"
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(reverse("account_login"))  # not yet
    signed_in = client.post(opened["Location"], {"login": colleague.email, "password": PASSWORD, "acknowledge": "on"})
    assert signed_in["Location"] == reverse("mfa_activate_totp")
    page, answer = activate_totp(client, django_capture_on_commit_callbacks)

    assert page.status_code == 200
    assert answer.status_code == 302
    assert has_totp(colleague)
    assert client.get(reverse("home")).status_code == 200
    used = AuditEvent.objects.get(action="auth.mfa.enrolment_link.used")
    assert used.actor == colleague

    again = Client().get(link)
    assert again.status_code == 404
    refused = AuditEvent.objects.get(action="auth.mfa.enrolment_link.refused")
    assert refused.details == {"reason": "invalid"}
    assert refused.object_id == str(colleague.pk)


def test_the_link_opened_after_signing_in_works_too(client, reset, colleague, django_capture_on_commit_callbacks):
    link = reset(colleague)
    post_password(client, colleague.email)

    assert client.get(link)["Location"] == reverse("mfa_activate_totp")
    _page, answer = activate_totp(client, django_capture_on_commit_callbacks)

    assert answer.status_code == 302
    assert has_totp(colleague)


def test_the_link_alone_does_not_enrol_without_the_password(reset, colleague):
    link = reset(colleague)
    stranger = Client()

    stranger.get(link)
    response = stranger.get(reverse("mfa_activate_totp"))

    assert response["Location"].startswith(reverse("account_login"))
    assert not has_totp(colleague)


def test_an_expired_link_is_refused_and_audited(client, reset, colleague):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        link = reset(colleague)
    with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
        response = client.get(link)
        post_password(client, colleague.email)
        enrol = client.get(reverse("mfa_activate_totp"))

    assert response.status_code == 404
    assert "The link has expired." in response.content.decode()
    assert enrol["Location"] == reverse("mfa_enrolment_link_needed")
    assert AuditEvent.objects.get(action="auth.mfa.enrolment_link.refused").details == {"reason": "expired"}


def test_a_link_opened_in_time_stops_working_when_it_expires(client, reset, colleague, settings):
    """Every enrolment page checks the link again: one opened in time does not outlive its expiry in the session
    (shortened here, so that the session itself, 30 minutes idle at most, is still open)."""
    settings.PORTAL_MFA_ENROLMENT_LINK_VALID_FOR = timedelta(minutes=10)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        link = reset(colleague)
        client.get(link)
        post_password(client, colleague.email)
        assert client.get(reverse("mfa_activate_totp")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=11), tick=False):
        enrol = client.get(reverse("mfa_activate_totp"))

    assert enrol["Location"] == reverse("mfa_enrolment_link_needed")
    assert not has_totp(colleague)


def test_a_newer_reset_supersedes_the_earlier_link(client, reset, colleague, django_capture_on_commit_callbacks):
    first = reset(colleague)
    second = reset(colleague)

    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 302
    post_password(client, colleague.email)
    _page, answer = activate_totp(client, django_capture_on_commit_callbacks)
    assert answer.status_code == 302
    assert has_totp(colleague)


def test_a_made_up_link_is_refused_and_audited(client, colleague):
    response = client.get(reverse("mfa_enrolment_link", kwargs={"uidb64": "MQ", "token": "abc-123"}))

    assert response.status_code == 404
    assert AuditEvent.objects.get(action="auth.mfa.enrolment_link.refused").details == {"reason": "invalid"}


def test_a_link_opened_while_signed_in_as_someone_else_is_refused(client_as, reset, colleague, investigator):
    link = reset(colleague)

    assert client_as(investigator).get(link).status_code == 403


def test_another_persons_link_in_the_session_does_not_let_one_enrol(
    client, reset, colleague, supervisor, django_capture_on_commit_callbacks
):
    colleague_link = reset(colleague)
    reset(supervisor)

    client.get(colleague_link)
    post_password(client, supervisor.email)  # the same browser, someone else's password
    _page, answer = activate_totp(client, django_capture_on_commit_callbacks)

    assert answer["Location"] == reverse("mfa_enrolment_link_needed")
    assert not has_totp(supervisor)


def test_a_newly_invited_person_still_enrols_after_the_password(
    client, lead_agency, django_capture_on_commit_callbacks
):
    """Never reset: their invitation link proved the mailbox (tests/agencies/test_views.py walks the invitation)."""
    newcomer = UserFactory(agency=lead_agency, mfa=False)
    post_password(client, newcomer.email)

    _page, answer = activate_totp(client, django_capture_on_commit_callbacks)

    assert answer.status_code == 302
    assert has_totp(newcomer)
