"""Reads of agencies and their members that depend on who asks, and the rights to manage people and to read
the audit trail: each right is stated once here, and pages, navigation and services ask here."""

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from agencies import lockout
from agencies.models import Agency, Invitation, Role, User
from portal.models import AuditEvent

if TYPE_CHECKING:
    from agencies.lockout import UserWithLockState


def managed_agencies(user: User) -> QuerySet[Agency]:
    """The agencies whose people ``user`` manages: every agency for a superuser, else their own as its admin.

    The one statement of that rule: pages, navigation and services all ask here.
    """
    if not user.is_active:
        return Agency.objects.none()
    if user.is_superuser:
        return Agency.objects.all()
    if user.agency is not None and user.agency.is_active and user.has_perm("agencies.manage_agency_people"):
        return Agency.objects.filter(pk=user.agency.pk)
    return Agency.objects.none()


def can_manage_people(user: User, agency: Agency | None = None) -> bool:
    """Whether ``user`` manages people at all (superusers always do), or, given ``agency``, that agency's people."""
    if agency is None:
        return user.is_active and (user.is_superuser or managed_agencies(user).exists())
    return managed_agencies(user).filter(pk=agency.pk).exists()


def member_list_managed_by(user: User) -> "QuerySet[UserWithLockState]":
    """The members of the agencies ``user`` manages, each with ``is_locked`` (``agencies.lockout.with_lock_state``)."""
    members = User.objects.filter(_membership__agency__in=managed_agencies(user)).select_related("_membership__agency")
    return lockout.with_lock_state(members).order_by("_membership__agency__name", "full_name")


def member_get_managed_by(user: User, pk: int) -> "UserWithLockState":
    """A member of an agency the user manages; anyone else is a 404, never a hint that they exist."""
    member = member_list_managed_by(user).filter(pk=pk).first()
    if member is None:
        raise Http404
    return member


def invitation_list_managed_by(user: User) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        agency__in=managed_agencies(user), status=Invitation.Status.PENDING
    ).select_related("agency", "invited_by")


def invitation_get_managed_by(user: User, pk: int) -> Invitation:
    invitation = invitation_list_managed_by(user).filter(pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation


def audit_agencies_visible_to(user: User) -> QuerySet[Agency] | None:
    """The agencies whose audit events ``user`` may read; ``None`` means every event (superusers).

    Auditors read their own agency's events; an auditor of a task force's coordination office reads those of every
    agency in its task forces. Nobody else reads the trail.
    """
    if user.is_superuser:
        return None
    agency = user.agency
    if agency is None or not user.has_perm("portal.view_auditevent"):
        return Agency.objects.none()
    if agency.kind == Agency.Kind.COORDINATION:
        return Agency.objects.filter(Q(pk=agency.pk) | Q(task_forces__agencies=agency)).distinct()
    return Agency.objects.filter(pk=agency.pk)


def audit_event_list_visible_to(user: User) -> QuerySet[AuditEvent]:
    agencies = audit_agencies_visible_to(user)
    events = AuditEvent.objects.order_by("-occurred_at", "-id")
    if agencies is None:
        return events
    return events.filter(agency_id__in=agencies.values("pk"))


def can_read_audit_trail(user: User) -> bool:
    agencies = audit_agencies_visible_to(user)
    return agencies is None or agencies.exists()


def lock_notice_recipients(user: User) -> QuerySet[User]:
    """Who is told that ``user``'s account locked: those who can release it in the portal. The active admins of
    their agency (not the person themselves); the superusers for a superuser, a person without an agency, or an
    agency without another active admin."""
    agency = user.agency
    admins = User.objects.none()
    if agency is not None and agency.is_active and not user.is_superuser:
        admins = User.objects.filter(
            is_active=True, _membership__agency=agency, _membership__role=Role.AGENCY_ADMIN
        ).exclude(pk=user.pk)
    if not admins.exists():
        admins = User.objects.filter(is_active=True, is_superuser=True).exclude(pk=user.pk)
    return admins.order_by("email")
