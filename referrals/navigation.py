from django.utils.translation import gettext_lazy as _

from agencies.models import User
from portal.navigation import NavItem
from referrals import selectors


def items(user: User) -> list[NavItem]:
    """One "Referrals" entry (the inbox, or the outbox for those who only send), with the count of unread notices;
    while there are any, it leads to the notices page, which shows the notices it counts. The coordinators' board
    beside it."""
    entries = []
    if selectors.can_answer_referrals(user) or selectors.can_send_referrals(user):
        unread = selectors.unread_count(user)
        label = (
            _("Referrals (%(n)d+ new)") % {"n": selectors.UNREAD_COUNTED}
            if unread > selectors.UNREAD_COUNTED
            else _("Referrals (%(n)d new)") % {"n": unread}
            if unread
            else _("Referrals")
        )
        url = (
            "notifications"
            if unread
            else "referral_inbox"
            if selectors.can_answer_referrals(user)
            else "referral_outbox"
        )
        entries.append(NavItem(label, url, _("Answer the referrals sent to you and follow yours to their outcome")))
    if selectors.can_coordinate_referrals(user):
        entries.append(
            NavItem(_("Referral board"), "referral_board", _("The task force's open referrals, overdue first"))
        )
    return entries
