"""The agency admins' part of a home (``portal.workqueue``): locked accounts to release and invitations not yet
accepted, read as the People page reads them (``agencies.selectors``)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies import selectors
from agencies.filters import MemberFilter
from agencies.models import User
from portal.workqueue import ACTION, NEWS, WorkItem, WorkSection, capped


def locked_accounts(user: User) -> list[WorkSection]:
    locked_page = reverse("people") + f"?status={MemberFilter.Status.LOCKED}"
    locked = selectors.member_list_managed_by(user).filter(is_active=True, is_locked=True)
    members, more = capped(locked)
    items = [
        WorkItem(
            label=member.get_full_name() or member.email,
            url=locked_page,
            detail=_("%(agency)s: %(count)s failed sign-ins")
            % {"agency": member.agency.name if member.agency else "", "count": member.failed_sign_ins},
        )
        for member in members
    ]
    return [
        WorkSection(
            "locked", _("Locked accounts"), ACTION, items, more_url=locked_page, more_label=_("See all"), more=more
        )
    ]


def pending_invitations(user: User) -> list[WorkSection]:
    invitations, more = capped(selectors.invitation_list_managed_by(user).order_by("expires_at", "id"))
    people = reverse("people")
    items = [
        WorkItem(
            label=invitation.full_name,
            url=people,
            detail=_("%(email)s, %(role)s") % {"email": invitation.email, "role": invitation.get_role_display()},
            when=invitation.expires_at,
            when_label=_("Expires on"),
            due=True,
        )
        for invitation in invitations
    ]
    return [
        WorkSection(
            "invitations",
            _("Invitations not yet accepted"),
            NEWS,
            items,
            more_url=people,
            more_label=_("See the People page"),
            more=more,
        )
    ]


def sections(user: User) -> list[WorkSection]:
    if not selectors.can_manage_people(user):
        return []
    return [*locked_accounts(user), *pending_invitations(user)]
