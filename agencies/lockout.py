"""Account lockout with django-axes: 5 failed sign-ins within 15 minutes lock the account until an agency admin
or a superuser unlocks it (``agencies.services.user_unlock``).

Axes alone either forgets failures after a cool-off (which would also end the lock) or counts failures forever.
``WindowedDatabaseHandler`` keeps the lock permanent (``AXES_COOLOFF_TIME = None``) but, while an account is not
locked, counts only the failures of the last ``PORTAL_LOCKOUT_WINDOW`` (from axes' per-failure log).
"""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from agencies.models import User


class LockState(TypedDict):
    failed_sign_ins: int
    is_locked: bool


if TYPE_CHECKING:  # a type only: ``WithAnnotations`` cannot be subscripted at run time
    from django_stubs_ext import WithAnnotations

    UserWithLockState = WithAnnotations[User, LockState]  # a person as ``with_lock_state`` gives them


class AxesHttpRequest(HttpRequest):
    """A request that axes has marked with what it records of a sign-in attempt."""

    axes_ip_address: str | None
    axes_user_agent: str
    axes_http_accept: str
    axes_path_info: str
    axes_attempt_time: datetime


def username_from_credentials(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """allauth authenticates with ``email=``; without this axes sees no username and records nothing."""
    if credentials:
        value = credentials.get("email") or credentials.get("username")
    else:
        value = request.POST.get("login") or request.POST.get("email") or request.POST.get("username")
    return value.strip().lower() if value else None


class WindowedDatabaseHandler(AxesDatabaseHandler):
    def user_login_failed(
        self, sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
    ) -> None:
        """Failures of one account are counted one at a time: the window's recount below rewrites the account's
        rows, and two requests doing that at once would lose failures (or collide on axes' unique key)."""
        username = get_client_username(request, credentials) if request is not None else None
        with transaction.atomic():
            if username:
                _serialise_on(f"axes:{username}")
            super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
        """A completed sign-in starts the count afresh: earlier failures no longer add up to a lock."""
        super().user_logged_in(sender, request, user, **kwargs)
        AccessFailureLog.objects.filter(username=user.email.lower()).delete()

    def clean_expired_user_attempts(
        self, request: AxesHttpRequest | None = None, credentials: dict[str, Any] | None = None
    ) -> int:
        """Before a new failure is counted: if the account is not locked, keep only the recent failures."""
        if request is None:
            return 0
        username = get_client_username(request, credentials)
        if not username:
            return 0
        attempts = AccessAttempt.objects.filter(username=username)
        counted = sum(attempts.values_list("failures_since_start", flat=True))
        if counted >= get_failure_limit(request, credentials):
            return 0  # locked: only an unlock ends it
        window: timedelta = settings.PORTAL_LOCKOUT_WINDOW
        recent = AccessFailureLog.objects.filter(
            username=username, attempt_time__gte=timezone.now() - window, locked_out=False
        ).count()
        if counted == recent:
            return 0
        deleted, _ = attempts.delete()
        if recent:
            AccessAttempt.objects.create(
                username=username,
                ip_address=request.axes_ip_address,
                user_agent=request.axes_user_agent,
                http_accept=request.axes_http_accept,
                path_info=request.axes_path_info,
                get_data="",
                post_data="",
                failures_since_start=recent,
                attempt_time=request.axes_attempt_time,
            )
        return deleted


def _serialise_on(key: str) -> None:
    """Hold a lock on ``key`` until the transaction ends. PostgreSQL: an advisory lock. SQLite: every write
    transaction already holds the database's one write lock (``transaction_mode = IMMEDIATE`` in settings)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def is_locked(email: str) -> bool:
    """An account is locked when its counted failures reach the limit (the same rule as ``with_lock_state``)."""
    counted = sum(AccessAttempt.objects.filter(username=email.lower()).values_list("failures_since_start", flat=True))
    return counted >= settings.AXES_FAILURE_LIMIT


def with_lock_state(users: QuerySet[User]) -> "QuerySet[UserWithLockState]":
    """Annotate people with ``failed_sign_ins`` and ``is_locked`` in the same query (no query per person)."""
    failures = (
        AccessAttempt.objects.filter(username=Lower(OuterRef("email")))
        .order_by()
        .values("username")
        .annotate(total=Sum("failures_since_start"))
        .values("total")
    )
    return users.annotate(failed_sign_ins=Coalesce(Subquery(failures), Value(0))).annotate(
        is_locked=ExpressionWrapper(Q(failed_sign_ins__gte=settings.AXES_FAILURE_LIMIT), output_field=BooleanField())
    )


def clear_failures(email: str) -> None:
    AccessAttempt.objects.filter(username=email.lower()).delete()
    AccessFailureLog.objects.filter(username=email.lower()).delete()


def second_factor_failed(request: HttpRequest, user: User) -> None:
    """A wrong authenticator code counts as a failed sign-in: guessing codes locks the account like guessing
    passwords. On the fifth failure axes marks the request locked and its middleware answers with the lock page."""
    AxesProxyHandler.user_login_failed(sender=None, credentials={"email": user.email}, request=request)


# A wrong current password (changing the password) counts the same way.
password_check_failed = second_factor_failed


def address_refused_until(address: str | None) -> datetime | None:
    """Until when sign-in from ``address`` is refused, or None. One address failing across many accounts is refused
    for a while, longer the more it fails (``PORTAL_SIGN_IN_ADDRESS_LIMITS``; docs/decisions/0013): each limit
    holds until the failure that reached it is older than its window. Counted from axes' per-failure log, which
    records every wrong password or code with the client address; refused attempts are not failures, so they
    neither extend the refusal nor count against the account they aimed at."""
    if not address:
        return None
    limits: list[tuple[int, timedelta]] = settings.PORTAL_SIGN_IN_ADDRESS_LIMITS
    now = timezone.now()
    longest = max(window for _count, window in limits)
    most = max(count for count, _window in limits)
    recent = list(
        AccessFailureLog.objects.filter(ip_address=address, attempt_time__gte=now - longest)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)[:most]
    )
    until = None
    for count, window in limits:
        if len(recent) >= count and recent[count - 1] >= now - window:
            ends = recent[count - 1] + window
            until = ends if until is None else max(until, ends)
    return until


def address_refused_response(request: HttpRequest, until: datetime) -> HttpResponse:
    """429, saying when to try again; the account aimed at is not touched."""
    seconds = max(1, int((until - timezone.now()).total_seconds()))
    response = render(
        request,
        "account/address_refused.html",
        {"retry_at": timezone.localtime(until), "minutes": -(-seconds // 60)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def lockout_response(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: object, **kwargs: object
) -> HttpResponse:
    """The sign-in page, saying the account is locked and who can unlock it."""
    return render(request, "account/locked.html", status=403)
