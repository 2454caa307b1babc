"""The cases' part of a person's home (``portal.workqueue``): shares and requests for more access to decide,
requests to record a consent, decisions on the shares and access they asked for, unmet urgent needs in the cases
they work, consents about to expire, and how many open cases they have. Each item leads to the page that shows it,
read by that page's rules (``cases.selectors.work``, ``cases.selectors.requests``)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.models import User
from cases import selectors
from cases.models import CaseNotice
from cases.selectors import work
from portal.workqueue import ACTION, FIGURES, NEWS, URGENT, WorkCount, WorkItem, WorkSection, capped, count_capped


def _case_url(case_id: int, anchor: str) -> str:
    return reverse("case_detail", args=[case_id]) + f"#{anchor}"


def shares_to_decide(user: User) -> list[WorkSection]:
    shares, more = capped(work.shares_awaiting_decision_by(user))
    items = [
        WorkItem(
            label=_("%(number)s: share with %(agency)s") % {"number": share.case.number, "agency": share.agency.name},
            url=_case_url(share.case_id, "shares-heading"),
            detail=_("%(level)s, asked for by %(person)s")
            % {"level": share.get_level_display(), "person": share.granted_by.get_full_name()},
            when=share.created_at,
            when_label=_("Asked on"),
        )
        for share in shares
    ]
    return [WorkSection("shares", _("Shares awaiting your approval"), ACTION, items, more=more)]


def share_decisions(user: User) -> list[WorkSection]:
    """The unread notices of the shares ``user`` asked for that a supervisor approved or declined."""
    decided = work.case_notices_of(user).filter(
        read_at__isnull=True, verb__in=[CaseNotice.Verb.SHARE_APPROVED, CaseNotice.Verb.SHARE_DECLINED]
    )
    notices, more = capped(decided)
    items = [
        WorkItem(
            label=_("%(number)s: share with %(agency)s") % {"number": notice.case.number, "agency": notice.agency},
            url=_case_url(notice.case_id, "shares-heading"),
            detail=_("%(step)s by %(person)s") % {"step": notice.get_verb_display(), "person": notice.actor},
            when=notice.created_at,
            when_label=_("On"),
            tag=_("New"),
        )
        for notice in notices
    ]
    return [
        WorkSection(
            "share-decisions",
            _("Decisions on the shares you asked for"),
            NEWS,
            items,
            more_url=reverse("notifications"),
            more_label=_("See all notices"),
            more=more,
        )
    ]


def access_to_decide(user: User) -> list[WorkSection]:
    """The requests for more access that ``user`` decides (a supervisor of the lead agency)."""
    asked, more = capped(selectors.access_requests_awaiting_decision_by(user))
    items = [
        WorkItem(
            label=_("%(number)s: %(agency)s asks for more access")
            % {"number": access_request.case.number, "agency": access_request.agency.name},
            url=_case_url(access_request.case_id, "access-requests-heading"),
            detail=_("%(level)s, asked for by %(person)s")
            % {"level": access_request.get_level_display(), "person": access_request.asked_by.get_full_name()},
            when=access_request.created_at,
            when_label=_("Asked on"),
        )
        for access_request in asked
    ]
    return [WorkSection("access", _("Requests for more access"), ACTION, items, more=more)]


def consents_asked(user: User) -> list[WorkSection]:
    """The requests to record a consent of a client of ``user``'s agency (its people who record consents). The
    home names no one: the client by their number, the case not at all."""
    asked, more = capped(selectors.consent_requests_for(user))
    items = [
        WorkItem(
            label=_("Consent to release to %(agency)s asked for") % {"agency": consent_request.agency.name},
            url=reverse("consent_requests") + f"#consent-request-{consent_request.pk}",
            detail=_("Person #%(person)s") % {"person": consent_request.person_id},
            when=consent_request.created_at,
            when_label=_("Asked on"),
        )
        for consent_request in asked
    ]
    return [
        WorkSection(
            "consent-requests",
            _("Requests to record a consent"),
            ACTION,
            items,
            more_url=reverse("consent_requests"),
            more_label=_("See all requests"),
            more=more,
        )
    ]


# The answers to a person's requests to see more of a case (decision 0025).
ANSWERS = [
    CaseNotice.Verb.ACCESS_APPROVED,
    CaseNotice.Verb.ACCESS_DECLINED,
    CaseNotice.Verb.CONSENT_RECORDED,
    CaseNotice.Verb.CONSENT_DECLINED,
]


def access_answers(user: User) -> list[WorkSection]:
    """The unread notices of the answers to what ``user`` asked: more access approved or declined, a consent
    recorded or declined by the client."""
    notices, more = capped(work.case_notices_of(user).filter(read_at__isnull=True, verb__in=ANSWERS))
    items = [
        WorkItem(
            label=_("%(number)s: %(step)s") % {"number": notice.case.number, "step": notice.get_verb_display()},
            url=notice.get_absolute_url(),
            detail=_("by %(agency)s") % {"agency": notice.agency.name},
            when=notice.created_at,
            when_label=_("On"),
            tag=_("New"),
        )
        for notice in notices
    ]
    return [
        WorkSection(
            "access-answers",
            _("Answers to your requests for access"),
            NEWS,
            items,
            more_url=reverse("notifications"),
            more_label=_("See all notices"),
            more=more,
        )
    ]


def urgent_needs(user: User) -> list[WorkSection]:
    needs, more = capped(work.urgent_needs_for(user))
    items = [
        WorkItem(
            label=_("%(category)s for a person in %(number)s")
            % {"category": need.get_category_display(), "number": need.case.number},
            url=_case_url(need.case_id, "needs-heading"),
            detail=need.case.title,
            when=need.created_at,
            when_label=_("Recorded on"),
            tag=need.get_urgency_display(),
        )
        for need in needs
    ]
    return [
        WorkSection(
            "needs",
            _("Unmet urgent needs in your cases"),
            URGENT,
            items,
            more_url=reverse("case_list"),
            more_label=_("See your cases"),
            more=more,
        )
    ]


def expiring_consents(user: User) -> list[WorkSection]:
    consents, more = capped(work.consents_expiring_for(user))
    items = [
        WorkItem(
            label=_("Consent to release to %(agency)s") % {"agency": consent.recipient_agency.name},
            url=_case_url(consent.case_id, "consents-heading"),
            detail=_("Person #%(person)s") % {"person": consent.person_id},
            when=consent.expires_on,
            when_label=_("Expires on"),
            due=True,
        )
        for consent in consents
    ]
    return [WorkSection("consents", _("Consents expiring within 14 days"), ACTION, items, more=more)]


def open_cases(user: User) -> list[WorkSection]:
    if not selectors.can_read_cases(user):
        return []
    cases = work.open_cases_of(user)
    counts = [WorkCount(_("Open cases you may see"), count_capped(cases), reverse("case_list"))]
    assigned = count_capped(cases.filter(assigned_to=user)) if selectors.can_work_cases(user) else 0
    if assigned:
        counts.append(WorkCount(_("Assigned to you"), assigned, reverse("case_list") + "?assigned_to_me=on"))
    return [WorkSection("cases", _("Your cases"), FIGURES, counts=counts)]


def sections(user: User) -> list[WorkSection]:
    return [
        *urgent_needs(user),
        *shares_to_decide(user),
        *access_to_decide(user),
        *consents_asked(user),
        *expiring_consents(user),
        *share_decisions(user),
        *access_answers(user),
        *open_cases(user),
    ]
