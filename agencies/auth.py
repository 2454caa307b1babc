"""allauth adapters: accounts come only from invitations, and nobody removes their last second factor."""

from collections.abc import Hashable
from datetime import timedelta
from typing import Any, NoReturn

from allauth.account import auth_backends as allauth_backends
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from asgiref.sync import sync_to_async
from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from agencies import lockout
from agencies.models import User
from portal.audit import Outcome, audit_record, client_ip
from portal.middleware import SECOND_FACTOR_TYPES


class AuthenticationBackend(allauth_backends.AuthenticationBackend):
    """allauth's backend, loading the person with their membership and agency (every page shows and checks them:
    two queries fewer a request). A person whose agency was deactivated is signed out on their next request."""

    def get_user(self, user_id: int | str) -> User | None:
        user = User.objects.select_related("_membership__agency").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    async def aget_user(self, user_id: int | str) -> User | None:
        return await sync_to_async(self.get_user)(user_id)

    def user_can_authenticate(self, user: User) -> bool:
        agency = user.agency
        return super().user_can_authenticate(user) and (agency is None or agency.is_active)

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        """Django's reading of the person's permissions, in one query where Django takes two (their own, their
        groups'), and keeping each one's id on the person (``permission_ids``): the selectors then name a grant's
        permission by its id, with no lookup in every query (docs/decisions/0021). Kept as long as Django keeps the
        names (the person object: one request), so the two never disagree."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                held = Permission.objects.all()
            else:
                own = User.user_permissions.through.objects.filter(user_id=user_obj.pk).values("permission_id")
                groups = User.groups.through.objects.filter(user_id=user_obj.pk).values("group_id")
                of_groups = Group.permissions.through.objects.filter(group_id__in=groups).values("permission_id")
                held = Permission.objects.filter(Q(pk__in=own) | Q(pk__in=of_groups))
            rows = held.values_list("content_type__app_label", "codename", "pk").order_by()
            ids = {f"{app_label}.{codename}": pk for app_label, codename, pk in rows}
            user_obj._permission_ids = ids
            user_obj._perm_cache = set(ids)
        return user_obj._perm_cache


def permission_ids(user: User) -> dict[str, int]:
    """The ids of the permissions ``user``'s role (or the person themselves) holds, by ``app_label.codename``, as
    read by ``user.has_perm`` (empty before it is first asked)."""
    ids: dict[str, int] = getattr(user, "_permission_ids", {})
    return ids


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def login(self, request: HttpRequest, user: User) -> None:
        """The last step of every sign-in (after the password and the second factor): a lock that happened
        meanwhile, from wrong codes or from someone else's wrong passwords, still keeps the person out, and so
        does an agency that was deactivated (allauth's own check looks at the person's ``is_active`` only)."""
        if user.agency is not None and not user.agency.is_active:
            inactive = render(request, "account/account_inactive.html", status=403)
            _refuse(request, user, {"agency_inactive": True}, inactive)
        if lockout.is_locked(user.email):
            _refuse(request, user, {"account_locked": True}, lockout.lockout_response(request))
        super().login(request, user)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Before any password is checked: a client address that failed too often, across any accounts, is refused
        for a while (docs/decisions/0013), and the refusal counts against no account."""
        address = client_ip(request)
        until = lockout.address_refused_until(address)
        if until is not None:
            email = str(credentials.get("email") or credentials.get("username") or "")[:254]
            audit_record(
                action="auth.login.address_refused",
                request=request,
                actor_email=email,
                outcome=Outcome.DENIED,
                details={"until": until.isoformat()},
            )
            raise ImmediateHttpResponse(lockout.address_refused_response(request, until))
        super().pre_authenticate(request, **credentials)

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Changing authenticators asks for the password again, except during the first enrolment that follows
        the password sign-in (activating the app, then seeing the recovery codes it comes with): a person who had
        no second factor minutes ago has nothing more to prove, and asking twice in a row only teaches people to
        type their password without thinking."""
        user = getattr(context.request, "user", None)
        if app == "allauth.mfa" and user is not None and user.is_authenticated and _is_enrolling(user):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)


def _refuse(request: HttpRequest, user: User, details: dict[str, bool], response: HttpResponse) -> NoReturn:
    audit_record(
        action="auth.login.failed",
        request=request,
        actor_email=user.email,
        target=user,
        agency=user.agency,
        outcome=Outcome.DENIED,
        details={**details, "step": "completion"},
    )
    raise ImmediateHttpResponse(response)


FIRST_ENROLMENT_WINDOW = timedelta(minutes=5)


def _is_enrolling(user: User) -> bool:
    """No second factor yet, or the first one was added within the last few minutes."""
    added = Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).values_list("created_at", flat=True)
    return all(created_at > timezone.now() - FIRST_ENROLMENT_WINDOW for created_at in added)


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """MFA is required (portal.middleware.MFARequiredMiddleware): keep at least one TOTP or security key."""
        second_factors = Authenticator.objects.filter(
            user_id=authenticator.user_id, type__in=SECOND_FACTOR_TYPES
        ).exclude(pk=authenticator.pk)
        if authenticator.type == Authenticator.Type.RECOVERY_CODES:
            return False
        return second_factors.exists()


def viewer_key(user: User) -> tuple[Hashable, ...]:
    """Everything the visibility selectors read of ``user``: who they are and whether they may sign in, their agency
    and its group, the permissions their role holds with each one's id (read as ``user.has_perm`` reads them, one
    query a request), and the day (a share expires at its end)."""
    user.get_all_permissions()  # fills permission_ids, as the first has_perm would
    agency = user.agency
    return (
        user.pk,
        user.is_active,
        user.is_superuser,
        None if agency is None else (agency.pk, agency.group_id, agency.kind, agency.is_active),
        frozenset(permission_ids(user).items()),
        timezone.localdate(),
    )
