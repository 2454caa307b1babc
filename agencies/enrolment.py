"""Enrolling a new authenticator after an administrator's reset needs the one-time link e-mailed with the reset
(docs/decisions/0006): the password alone, which whoever reset-phished or shoulder-surfed may know, is not enough.

The link carries a stateless token in the style of Django's password-reset tokens: an HMAC over the account's
reset time, its authenticators and its password hash. It stops working when any of them changes: when the person
enrols (a new authenticator), when an administrator resets again (a new reset time), when the password changes,
and after ``PORTAL_MFA_ENROLMENT_LINK_VALID_FOR``. Opening the link puts it in the session; every enrolment page
checks it again, so a link that stopped working meanwhile no longer opens them.
"""

from typing import Literal

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.http import HttpRequest
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from agencies.models import User

SESSION_KEY = "portal_mfa_enrolment_link"

Refusal = Literal["invalid", "expired"]


class EnrolmentLinkTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "agencies.enrolment.EnrolmentLinkTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        """Not ``last_login`` (Django's choice): the person signs in with their password before they enrol."""
        reset_at = user.second_factors_reset_at.isoformat() if user.second_factors_reset_at else ""
        authenticators = ",".join(
            str(pk) for pk in Authenticator.objects.filter(user=user).order_by("pk").values_list("pk", flat=True)
        )
        return f"{user.pk}|{user.email}|{user.password}|{reset_at}|{authenticators}|{timestamp}"

    def refusal(self, user: User, token: str) -> Refusal | None:
        """Why ``token`` does not let ``user`` enrol, or None when it does."""
        if user.second_factors_reset_at is None or not user.is_active:
            return "invalid"
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return "invalid"
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                break
        else:
            return "invalid"
        valid_for = int(settings.PORTAL_MFA_ENROLMENT_LINK_VALID_FOR.total_seconds())
        if self._num_seconds(self._now()) - ts > valid_for:
            return "expired"
        return None


link_tokens = EnrolmentLinkTokenGenerator()


def link_path(user: User) -> str:
    """The path of a fresh enrolment link for ``user`` (after their reset, inside its transaction)."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("mfa_enrolment_link", kwargs={"uidb64": uidb64, "token": link_tokens.make_token(user)})


def link_user(uidb64: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    return User.objects.select_related("_membership__agency").filter(pk=pk).first()


def needs_link(user: User) -> bool:
    """Whether a new authenticator needs the e-mailed link: after a reset. The first enrolment of an invited
    account does not: the invitation link proved the mailbox minutes before, and the person chose the password."""
    return user.second_factors_reset_at is not None


def remember_link(request: HttpRequest, user: User, token: str) -> None:
    request.session[SESSION_KEY] = {"user": user.pk, "token": token}


def session_link_token(request: HttpRequest) -> str | None:
    """The token of the link opened in this session, if it was opened for the person signed in."""
    grant = request.session.get(SESSION_KEY)
    if not isinstance(grant, dict) or grant.get("user") != request.user.pk:
        return None
    token = grant.get("token")
    return token if isinstance(token, str) else None


def may_enrol(request: HttpRequest) -> bool:
    """Whether the signed-in person without a second factor may open the enrolment pages now."""
    user = request.user
    assert isinstance(user, User)
    if not needs_link(user):
        return True
    token = session_link_token(request)
    return token is not None and link_tokens.refusal(user, token) is None


def forget_link(request: HttpRequest) -> dict | None:
    return request.session.pop(SESSION_KEY, None)
