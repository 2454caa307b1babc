"""Every write to agencies, memberships, invitations and accounts. Each one checks the actor's right, changes the
rows in one transaction with its audit event, and sends mail only once the transaction has committed."""

import secrets
import uuid
from datetime import datetime
from functools import partial

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import enrolment, lockout, selectors
from agencies.models import Agency, Invitation, Membership, Role, User
from agencies.roles import role_fits, role_group
from portal.audit import Outcome, audit_record
from portal.notices import mail_reader


def _require_manager(actor: User, agency: Agency) -> None:
    if not selectors.can_manage_people(actor, agency):
        raise PermissionDenied(_("You cannot manage the people of this agency."))


def _require_account_manager(actor: User, user: User) -> None:
    """People without an agency, and superusers, are managed by superusers only."""
    if user.agency is None or user.is_superuser:
        if not (actor.is_active and actor.is_superuser):
            raise PermissionDenied(_("You cannot manage this account."))
    else:
        _require_manager(actor, user.agency)


def _require_role_fits(role: str, agency: Agency) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if not role_fits(role, agency):
        raise ValidationError(
            {
                "role": _("This role belongs to the task force's coordination office, not to %(agency)s.")
                % {"agency": agency.name}
            }
        )


def _other_active_admins(membership: Membership) -> QuerySet[Membership]:
    return (
        Membership.objects.select_for_update()
        .filter(agency=membership.agency, role=Role.AGENCY_ADMIN, user__is_active=True)
        .exclude(pk=membership.pk)
    )


@transaction.atomic
def agency_create(*, name: str, kind: str, **fields: str | bool) -> Agency:
    """Create an agency with its own group of members (object permissions shared with it go to that group)."""
    group = Group.objects.create(name=f"agency:new:{uuid.uuid4()}")
    agency = Agency.objects.create(name=name, kind=kind, group=group, **fields)
    group.name = f"agency:{agency.pk}"
    group.save(update_fields=["name"])
    return agency


@transaction.atomic
def membership_create(*, user: User, agency: Agency, role: str, title: str = "") -> Membership:
    membership = Membership.objects.create(user=user, agency=agency, role=role, title=title)
    user.groups.add(agency.group, role_group(role))
    user.__dict__.pop("membership", None)
    return membership


def membership_change_role(
    *, membership: Membership, role: str, actor: User, request: HttpRequest | None = None
) -> Membership:
    _require_manager(actor, membership.agency)
    _require_role_fits(role, membership.agency)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        previous = membership.role
        if previous == role:
            return membership
        if previous == Role.AGENCY_ADMIN and not _other_active_admins(membership).exists():
            raise ValidationError(
                {"role": _("The agency needs an administrator: make someone else its administrator first.")}
            )
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
        user = membership.user
        user.groups.remove(*Group.objects.filter(name__startswith="role:"))
        user.groups.add(role_group(role))
        audit_record(
            action="agencies.membership.role_changed",
            actor=actor,
            request=request,
            target=user,
            agency=membership.agency,
            details={"from": previous, "to": role},
        )
    return membership


def invitation_create(
    *,
    agency: Agency,
    email: str,
    full_name: str,
    role: str,
    actor: User,
    request: HttpRequest | None = None,
) -> tuple[Invitation, str]:
    """Invite a person by e-mail. Returns the invitation and the one-time token (only ever in the e-mail)."""
    _require_manager(actor, agency)
    _require_role_fits(role, agency)
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An account with this e-mail address already exists.")})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        # A new invitation replaces this agency's pending one to the same address; another agency's invitation
        # is theirs to withdraw (whichever is accepted first wins: a person belongs to one agency).
        superseded = list(
            Invitation.objects.select_for_update().filter(
                agency=agency, email__iexact=email, status=Invitation.Status.PENDING
            )
        )
        for earlier in superseded:
            earlier.revoke()
            earlier.save(update_fields=["status", "revoked_at", "updated_at"])
            audit_record(
                action="agencies.invitation.revoked",
                actor=actor,
                request=request,
                target=earlier,
                agency=agency,
                details={"reason": "superseded"},
            )
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    email=email,
                    full_name=full_name,
                    agency=agency,
                    role=role,
                    invited_by=actor,
                    token_hash=Invitation.hash_token(token),
                    expires_at=timezone.now() + settings.PORTAL_INVITATION_VALID_FOR,
                )
        except IntegrityError:  # someone else invited the same address at the same moment
            raise ValidationError(
                {"email": _("An invitation to this address was sent a moment ago. Reload the page.")}
            ) from None
        audit_record(
            action="agencies.invitation.sent",
            actor=actor,
            request=request,
            target=invitation,
            agency=agency,
            details={"role": role, "agency_id": agency.pk},
        )
        url = reverse("invitation_accept", kwargs={"token": token})
        link = request.build_absolute_uri(url) if request is not None else url
        # Sent in the request, not through the task queue: a queued task would store the one-time link (the token)
        # in the database, where only its hash may be.
        transaction.on_commit(lambda: _send_invitation(invitation, link))
    return invitation, token


def _send_invitation(invitation: Invitation, link: str) -> None:
    valid_hours = int(settings.PORTAL_INVITATION_VALID_FOR.total_seconds() // 3600)
    context = {"invitation": invitation, "link": link, "valid_hours": valid_hours}
    send_mail(
        subject=render_to_string("agencies/email/invitation_subject.txt", context).strip(),
        message=render_to_string("agencies/email/invitation_message.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


def invitation_get_usable(token: str) -> Invitation | None:
    invitation = Invitation.objects.select_related("agency").filter(token_hash=Invitation.hash_token(token)).first()
    return invitation if invitation is not None and invitation.is_usable else None


def invitation_accept(*, token: str, password: str, request: HttpRequest | None = None) -> User:
    """Create the account an invitation offers. The link works once; the password meets the policy."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("agency")
            .filter(token_hash=Invitation.hash_token(token))
            .first()
        )
        if invitation is None or not invitation.is_usable:
            raise ValidationError(_("This invitation link is not valid any more. Ask your agency administrator."))
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(
                _("An account with this e-mail address already exists. Sign in, or ask your agency administrator.")
            )
        user = User(email=invitation.email, full_name=invitation.full_name)
        validate_password(password, user)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # another invitation to the same address was accepted at the same moment
            raise ValidationError(
                _("An account with this e-mail address already exists. Sign in, or ask your agency administrator.")
            ) from None
        membership_create(user=user, agency=invitation.agency, role=invitation.role)
        invitation.accept()
        invitation.save(update_fields=["status", "accepted_at", "updated_at"])
        audit_record(
            action="agencies.invitation.accepted",
            actor=user,
            request=request,
            target=invitation,
            agency=invitation.agency,
        )
    return user


def invitation_revoke(*, invitation: Invitation, actor: User, request: HttpRequest | None = None) -> None:
    _require_manager(actor, invitation.agency)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != Invitation.Status.PENDING:
            return
        invitation.revoke()
        invitation.save(update_fields=["status", "revoked_at", "updated_at"])
        audit_record(
            action="agencies.invitation.revoked",
            actor=actor,
            request=request,
            target=invitation,
            agency=invitation.agency,
        )


def user_end_sessions(user: User) -> int:
    """End every session of a person on the server, wherever they are signed in."""
    sessions = list(UserSession.objects.filter(user=user))
    for user_session in sessions:
        user_session.end()
    return len(sessions)


def user_deactivate(*, user: User, actor: User, request: HttpRequest | None = None) -> None:
    """Deactivate an account: it cannot sign in, and its sessions end at once."""
    _require_account_manager(actor, user)
    if user == actor:
        raise ValidationError(_("You cannot deactivate your own account."))
    with transaction.atomic():
        locked_user = User.objects.select_for_update().get(pk=user.pk)
        locked_user.is_active = False
        locked_user.save(update_fields=["is_active"])
        ended = user_end_sessions(user)
        audit_record(
            action="agencies.user.deactivated",
            actor=actor,
            request=request,
            target=user,
            agency=user.agency,
            details={"sessions_ended": ended},
        )
    user.is_active = False


def user_reactivate(*, user: User, actor: User, request: HttpRequest | None = None) -> None:
    _require_account_manager(actor, user)
    with transaction.atomic():
        locked_user = User.objects.select_for_update().get(pk=user.pk)
        locked_user.is_active = True
        locked_user.save(update_fields=["is_active"])
        audit_record(action="agencies.user.reactivated", actor=actor, request=request, target=user, agency=user.agency)
    user.is_active = True


def user_unlock(*, user: User, actor: User | None, request: HttpRequest | None = None) -> bool:
    """Release an account locked after repeated failed sign-ins. Returns whether it was locked.

    ``actor=None`` is an operator at the server's command line (``manage.py unlock_account``), who may release any
    account, the superuser's included; in the portal, whoever manages the account does."""
    if actor is not None:
        _require_account_manager(actor, user)
    with transaction.atomic():
        was_locked = lockout.is_locked(user.email)
        lockout.clear_failures(user.email)
        audit_record(
            action="auth.account.unlocked",
            actor=actor,
            request=request,
            target=user,
            agency=user.agency,
            details={"was_locked": was_locked, **({"via": "command"} if actor is None else {})},
        )
    return was_locked


def user_lock_announce(*, user: User | None, email: str, failures: int, request: HttpRequest | None = None) -> None:
    """An account has just locked (``agencies.signals``, once per lock): audit it and tell the people who can
    release it, once the failure that locked it is saved. ``user`` is None for an address without an account."""
    audit_record(
        action="auth.account.locked",
        request=request,
        actor_email=email,
        target=user,
        agency=user.agency if user is not None else None,
        outcome=Outcome.DENIED,
        details={"failures": failures},
    )
    if user is None:
        return
    recipients = list(selectors.lock_notice_recipients(user))
    if not recipients:
        return
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    locked_at = timezone.now()
    transaction.on_commit(lambda: _send_lock_notice(user, recipients, locked_at, address))


def _send_lock_notice(user: User, recipients: list[User], locked_at: datetime, address: str) -> None:
    people_url = f"{settings.PORTAL_BASE_URL}{reverse('people')}"
    window = int(settings.PORTAL_LOCKOUT_WINDOW.total_seconds() // 60)

    def context(recipient: User) -> dict[str, object]:
        return {
            "locked_user": user,
            "agency": user.agency,
            "recipient": recipient,
            "locked_at": timezone.localtime(locked_at),
            "address": address or _("unknown"),  # in the recipient's language: built inside ``mail_reader``
            "failures": settings.AXES_FAILURE_LIMIT,
            "minutes": window,
            "people_url": people_url,
            "in_portal": not (user.agency is None or user.is_superuser),
        }

    for recipient in recipients:
        mail_reader(
            recipient,
            "agencies/email/account_locked_subject.txt",
            "agencies/email/account_locked_message.txt",
            partial(context, recipient),
        )


def user_reset_second_factors(*, user: User, actor: User, request: HttpRequest | None = None) -> int:
    """For a person who lost their phone or key: remove their authenticators and recovery codes, end their
    sessions, and e-mail them a one-time link to enrol a new one (``agencies.enrolment``): their password alone no
    longer lets anyone enrol for them. Resetting again sends a new link, and the earlier one stops working."""
    _require_account_manager(actor, user)
    if user == actor:
        raise ValidationError(_("Reset your own sign-in factors on the Security page."))
    with transaction.atomic():
        locked_user = User.objects.select_for_update().get(pk=user.pk)
        removed, _by_model = Authenticator.objects.filter(user=locked_user).delete()
        locked_user.second_factors_reset_at = timezone.now()
        locked_user.save(update_fields=["second_factors_reset_at"])
        ended = user_end_sessions(locked_user)
        audit_record(
            action="auth.mfa.reset_by_admin",
            actor=actor,
            request=request,
            target=user,
            agency=user.agency,
            details={"authenticators_removed": removed, "sessions_ended": ended},
        )
        path = enrolment.link_path(locked_user)
        link = request.build_absolute_uri(path) if request is not None else f"{settings.PORTAL_BASE_URL}{path}"
        valid_hours = max(1, round(settings.PORTAL_MFA_ENROLMENT_LINK_VALID_FOR.total_seconds() / 3600))
        audit_record(
            action="auth.mfa.enrolment_link.sent",
            actor=actor,
            request=request,
            target=user,
            agency=user.agency,
            details={"valid_hours": valid_hours},
        )
        # Sent in the request, not through the task queue: the link must not be stored anywhere.
        transaction.on_commit(lambda: _send_enrolment_link(locked_user, link, valid_hours))
    user.second_factors_reset_at = locked_user.second_factors_reset_at
    return removed


def _send_enrolment_link(user: User, link: str, valid_hours: int) -> None:
    mail_reader(
        user,
        "agencies/email/enrolment_link_subject.txt",
        "agencies/email/enrolment_link_message.txt",
        {"user": user, "link": link, "valid_hours": valid_hours},
    )


def enrolment_link_record_refusal(*, user: User | None, reason: str, request: HttpRequest | None = None) -> None:
    """Someone opened an enrolment link that is expired, used, superseded or made up."""
    audit_record(
        action="auth.mfa.enrolment_link.refused",
        request=request,
        actor_email=user.email if user is not None else "",
        target=user,
        agency=user.agency if user is not None else None,
        outcome=Outcome.DENIED,
        details={"reason": reason},
    )


def enrolment_link_record_use(*, user: User, request: HttpRequest | None = None) -> None:
    """The person enrolled through their link (the new authenticator already made the link stop working)."""
    audit_record(action="auth.mfa.enrolment_link.used", actor=user, request=request, target=user)
