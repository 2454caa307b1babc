from django.utils.translation import gettext_lazy as _

from agencies.models import User
from portal.navigation import NavItem
from tips import selectors


def items(user: User) -> list[NavItem]:
    """ "Tips" for those who triage, assign or oversee them: the queue, by deadline. Their agency's reviews for
    those who keep its tips (28 CFR Part 23), and the dissemination log for its auditors and supervisors."""
    found = []
    if selectors.can_triage_tips(user):
        found.append(NavItem(_("Tips"), "tip_queue", _("Enter tips and assess them before their deadline")))
    if selectors.can_review_tips(user):
        found.append(
            NavItem(_("Tip reviews"), "tip_review_queue", _("Validate or purge tips kept five years since validation"))
        )
    if selectors.can_read_dissemination_log(user):
        found.append(
            NavItem(_("Tip dissemination log"), "tip_dissemination_log", _("See where your agency's tips were sent"))
        )
    return found
