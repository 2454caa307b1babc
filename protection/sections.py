"""The immigration relief section of the case page and packet (``cases.sections``, setting ``CASE_SECTIONS``):
shown only to who may see a victim's relief, and absent (not even announced) for everyone else."""

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from cases.sections import CaseSection
from protection import presenters, selectors

if TYPE_CHECKING:
    from agencies.models import User
    from cases.selectors.cases import CaseAccess
    from cases.selectors.dossier import CaseDossier


def relief_section(user: "User", access: "CaseAccess", dossier: "CaseDossier") -> CaseSection | None:
    """The victims whose relief ``user`` sees, each with their actions and their HHS notice; None when there are
    none. Reading it is an audit event per victim shown (their id and how many actions, never what they are), on
    the victim's participation rather than the case, so that the case's activity, which its managers read, does
    not tell of relief they may not see. One
    query, whatever the number of victims and actions: the people are the dossier's."""
    victims = selectors.relief_of_case(user, access, dossier.people)
    if not victims:
        return None
    now = timezone.now()
    today = timezone.localdate(now)
    shown = [
        {
            "victim": victim,
            "label": victim.view.label,
            "person_id": victim.view.pk,
            "actions": [presenters.action_lines(action, today) for action in victim.actions],
            "hhs": presenters.hhs_text(victim.hhs, now) if victim.hhs else "",
            "hhs_overdue": bool(victim.hhs and victim.hhs.is_overdue(now)),
        }
        for victim in victims
    ]
    return CaseSection(
        key="relief",
        title=_("Immigration relief"),
        page_template="protection/section.html",
        print_template="protection/section_print.html",
        context={"victims": shown, "who_may": presenters.who_may()},
        reads=[
            {
                "action": "protection.relief.viewed",
                "target": victim.participant,
                "details": {
                    "case_id": access.case.pk,
                    "person_id": victim.view.pk,
                    "relief_actions": len(victim.actions),
                },
            }
            for victim in victims
        ],
        shows_pii=True,
    )
