"""Reads of people and agencies that depend on who asks."""

from django.db.models import QuerySet
from django.http import Http404

from agencies import lockout
from agencies.models import Agency, Invitation, User
from agencies.services import MANAGE_PEOPLE


def managed_agencies(user: User) -> QuerySet[Agency]:
    """The agencies whose people ``user`` manages: every agency for a superuser, else their own as its admin."""
    if user.is_superuser:
        return Agency.objects.all()
    if user.agency is not None and user.has_perm(MANAGE_PEOPLE):
        return Agency.objects.filter(pk=user.agency.pk)
    return Agency.objects.none()


def people_list_managed_by(user: User) -> QuerySet[User]:
    """The people ``user`` manages, each with ``is_locked`` (see ``agencies.lockout.with_lock_state``)."""
    people = User.objects.filter(_membership__agency__in=managed_agencies(user)).select_related("_membership__agency")
    return lockout.with_lock_state(people).order_by("_membership__agency__name", "full_name")


def person_get_managed_by(user: User, pk: int) -> User:
    """A person the user manages; anyone else is a 404, never a hint that they exist."""
    person = people_list_managed_by(user).filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def invitation_list_managed_by(user: User) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        agency__in=managed_agencies(user), status=Invitation.Status.PENDING
    ).select_related("agency", "invited_by")


def invitation_get_managed_by(user: User, pk: int) -> Invitation:
    invitation = invitation_list_managed_by(user).filter(pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation
