"""Audit events for what Django, allauth and axes do on their own (sign-in, sign-out, MFA, lockout).

These libraries report through signals, so this is the one place receivers are used; every write the portal
itself makes records its events in its service functions.
"""

from collections.abc import Callable
from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver
from django.http import HttpRequest

from agencies import enrolment, lockout, services
from agencies.models import User
from portal.audit import Outcome, audit_record
from portal.middleware import LOGOUT_REASON_ATTR


@receiver(auth_signals.user_logged_in, dispatch_uid="portal_audit_login")
def on_login(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit_record(action="auth.login.succeeded", actor=user, request=request)


@receiver(auth_signals.user_login_failed, dispatch_uid="portal_audit_login_failed")
def on_login_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    email = (credentials.get("email") or credentials.get("username") or "")[:254]
    account = _account(email)
    locked = bool(getattr(request, "axes_locked_out", False))
    audit_record(
        action="auth.login.failed",
        request=request,
        actor_email=email,
        target=account,
        agency=account.agency if account else None,
        outcome=Outcome.DENIED if locked else Outcome.FAILURE,
        details={"account_locked": locked},
    )


def _account(email: str) -> User | None:
    """The account a failed sign-in aimed at, if it exists (the event is then that agency's to review)."""
    if not email:
        return None
    return User.objects.select_related("_membership__agency").filter(email=email.strip().lower()).first()


@receiver(auth_signals.user_logged_out, dispatch_uid="portal_audit_logout")
def on_logout(sender: object, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is None:
        return
    reason = getattr(request, LOGOUT_REASON_ATTR, None)
    if reason:
        audit_record(action="auth.session.expired", actor=user, request=request, details={"limit": reason})
    else:
        audit_record(action="auth.logout", actor=user, request=request)


@receiver(user_locked_out, dispatch_uid="portal_audit_lockout")
def on_locked_out(
    sender: object, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    """Axes says "locked out" on the failure that locks the account and again on every later attempt (or wrong
    code) while it is locked; the lock is audited, and its admins told, once: on the failure that reaches the limit."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures != settings.AXES_FAILURE_LIMIT:
        return
    services.user_lock_announce(user=_account(username or ""), email=username or "", failures=failures, request=request)


def _authenticator_event(action: str) -> Callable[..., None]:
    def receive(
        sender: object, request: HttpRequest | None, user: User, authenticator: Authenticator, **kwargs: Any
    ) -> None:
        audit_record(
            action=action, actor=user, request=request, target=authenticator, details={"type": authenticator.type}
        )
        if action == "auth.mfa.enrolled" and request is not None and enrolment.session_link_token(request):
            enrolment.forget_link(request)
            services.enrolment_link_record_use(user=user, request=request)

    return receive


for _signal, _action in [
    (mfa_signals.authenticator_added, "auth.mfa.enrolled"),
    (mfa_signals.authenticator_removed, "auth.mfa.removed"),
    (mfa_signals.authenticator_reset, "auth.mfa.reset"),
]:
    _signal.connect(_authenticator_event(_action), weak=False, dispatch_uid=f"portal_audit_{_action}")


@receiver(mfa_signals.authentication_failed, dispatch_uid="portal_audit_mfa_failed")
def on_mfa_failed(
    sender: object, request: HttpRequest, user: User, authenticator: Authenticator | None = None, **kwargs: Any
) -> None:
    lockout.second_factor_failed(request, user)
    audit_record(
        action="auth.mfa.failed",
        actor=user,
        request=request,
        outcome=Outcome.FAILURE,
        details={
            "type": authenticator.type if authenticator is not None else "",
            **({"reauthentication": True} if kwargs.get("reauthentication") else {}),
        },
    )


@receiver(account_signals.password_changed, dispatch_uid="portal_audit_password_changed")
def on_password_changed(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit_record(action="auth.password.changed", actor=user, request=request)


@receiver(account_signals.password_reset, dispatch_uid="portal_audit_password_reset")
def on_password_reset(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit_record(action="auth.password.reset", actor=user, request=request)
