"""Cross-cutting request rules: session limits, MFA enrolment before anything else, and no caching of pages
that carry a signed-in person's data."""

import ipaddress
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from agencies import enrolment
from portal.audit import Outcome, audit_record

if TYPE_CHECKING:
    from agencies.models import User

logger = logging.getLogger(__name__)

GetResponse = Callable[[HttpRequest], HttpResponseBase]

_FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


class ClientAddressMiddleware:
    """Make ``REMOTE_ADDR`` the client's address, once, for everything downstream (audit, axes, allauth,
    auditlog), and remove the forwarding headers so that nothing trusts what a client wrote in them.

    Behind ``PORTAL_TRUSTED_PROXY_COUNT`` proxies, the client is the address that many entries from the right of
    ``X-Forwarded-For`` (each proxy appends the address it received from). With fewer entries than proxies, or an
    entry that is not an address, ``REMOTE_ADDR`` is kept: a header that does not fit the deployment is not trusted.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        proxies = settings.PORTAL_TRUSTED_PROXY_COUNT
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if proxies and forwarded:
            hops = [hop.strip() for hop in forwarded.split(",")]
            client = _address(hops[-proxies]) if len(hops) >= proxies else None
            if client is None:
                logger.warning(
                    "X-Forwarded-For %r does not fit %d trusted proxies; kept REMOTE_ADDR", forwarded, proxies
                )
            else:
                request.META["REMOTE_ADDR"] = client
        for header in _FORWARDING_HEADERS:
            request.META.pop(header, None)
        return self.get_response(request)


def _address(hop: str) -> str | None:
    """An IP address from a forwarded entry, without a port or brackets (``[2001:db8::1]:443``, ``1.2.3.4:80``)."""
    candidate = hop
    if candidate.startswith("["):
        candidate = candidate[1:].partition("]")[0]
    elif candidate.count(":") == 1:
        candidate = candidate.partition(":")[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


SESSION_AUTH_AT = "portal_authenticated_at"
SESSION_LAST_SEEN = "portal_last_seen"
SESSION_ADDRESS = "portal_address"
ACTIVITY_DUE_ATTR = "portal_activity_due"
LOGOUT_REASON_ATTR = "portal_logout_reason"


def _read_time(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


class SessionLimitsMiddleware:
    """End a session after 30 minutes without a request or 12 hours after sign-in, whichever comes first.

    The session store keeps rows for the absolute limit (``SESSION_COOKIE_AGE``); the idle limit is enforced here so
    that its expiry is an audit event (``auth.session.expired``) and the person is told why they must sign in.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            now = timezone.now()
            session = request.session
            authenticated_at = _read_time(session.get(SESSION_AUTH_AT))
            last_seen = _read_time(session.get(SESSION_LAST_SEEN))
            reason = None
            if authenticated_at and now - authenticated_at > settings.PORTAL_SESSION_ABSOLUTE_TIMEOUT:
                reason = "absolute"
            elif last_seen and now - last_seen > settings.PORTAL_SESSION_IDLE_TIMEOUT:
                reason = "idle"
            if reason:
                setattr(request, LOGOUT_REASON_ATTR, reason)
                logout(request)
                messages.info(request, _("Your session ended. Please sign in again."))
                return redirect_to_login(request.get_full_path())
            if authenticated_at is None:  # the first request after signing in
                session[SESSION_AUTH_AT] = now.isoformat()
            if last_seen is None or now - last_seen >= settings.PORTAL_SESSION_ACTIVITY_INTERVAL:
                session[SESSION_LAST_SEEN] = now.isoformat()
                setattr(request, ACTIVITY_DUE_ATTR, True)
        return self.get_response(request)


class SessionActivityMiddleware:
    """allauth's record of where a person is signed in (``UserSession``: last seen, address, browser), brought up
    to date when ``SessionLimitsMiddleware`` renews the session's own stamp (at most once a
    ``PORTAL_SESSION_ACTIVITY_INTERVAL``) or when the request comes from another address, not on every request:
    allauth's own middleware wrote it in a transaction of five queries on each page. The idle limit is read from the
    stamp, so a session ends up to one interval early, never late."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated and request.session.session_key:
            address = request.META.get("REMOTE_ADDR")
            if getattr(request, ACTIVITY_DUE_ATTR, False) or request.session.get(SESSION_ADDRESS) != address:
                request.session[SESSION_ADDRESS] = address
                UserSession.objects.create_from_request(request, user=request.user, session=request.session)
        return self.get_response(request)


# The pages that add a second factor: after an administrator's reset they need the e-mailed link
# (agencies.enrolment).
MFA_ADDING_URL_NAMES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_generate_recovery_codes",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
    }
)
# Pages a signed-in person without a second factor may still open: enrolment itself, and signing out.
MFA_ENROLMENT_URL_NAMES = MFA_ADDING_URL_NAMES | {
    "account_logout",
    "account_reauthenticate",
    "set_language",
    "mfa_enrolment_link",
    "mfa_enrolment_link_needed",
}


# What counts as a second factor; recovery codes are a way back in, not a factor of their own.
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_second_factor(user: "User | AnonymousUser") -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).exists()


class MFARequiredMiddleware:
    """A signed-in person without a TOTP app or security key can do nothing but enrol one, or sign out. After an
    administrator reset their authenticators, enrolling needs the one-time link e-mailed to them: without it they
    are sent to a page that says so (docs/decisions/0006)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if not request.user.is_authenticated:
            return None
        match = request.resolver_match
        url_name = match.url_name if match is not None else None
        if url_name in MFA_ENROLMENT_URL_NAMES and url_name not in MFA_ADDING_URL_NAMES:
            return None
        if has_second_factor(request.user):
            return None
        if enrolment.may_enrol(request):
            if url_name in MFA_ADDING_URL_NAMES:
                return None
            messages.warning(
                request,
                _("Set up an authenticator app before you continue: every account needs a second factor."),
            )
            return redirect("mfa_activate_totp")
        if url_name in MFA_ADDING_URL_NAMES:
            audit_record(
                action="auth.mfa.enrolment_refused",
                request=request,
                target=request.user,
                outcome=Outcome.DENIED,
                details={"reason": "no_link", "page": url_name, "method": request.method},
            )
        return redirect("mfa_enrolment_link_needed")


class NoStoreMiddleware:
    """No browser or proxy keeps a copy of a page shown to a signed-in person."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
            response.headers["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response
