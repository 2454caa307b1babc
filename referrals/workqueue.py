"""The referrals' part of a person's home (``portal.workqueue``): the referrals their agency must answer, with their
deadlines; their referrals that changed (unread notices); for coordinators, the task force's overdue referrals and
those that expired unanswered. Each list is the one its own page reads (inbox, notices, board), capped."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agencies.models import User
from portal.workqueue import ACTION, NEWS, SHOWN, URGENT, WorkItem, WorkSection, capped
from referrals import selectors
from referrals.models import Referral
from referrals.views import EXPIRED_SHOWN_WEEKS


def _recipient(referral: Referral) -> str:
    if referral.recipient_service is not None:
        return referral.recipient_service.name
    return referral.recipient_agency.name if referral.recipient_agency is not None else ""


def _title(referral: Referral) -> str:
    return _("Referral #%(number)s to %(recipient)s") % {"number": referral.pk, "recipient": _recipient(referral)}


def _deadline_item(referral: Referral) -> WorkItem:
    return WorkItem(
        label=_title(referral),
        url=reverse("referral_detail", args=[referral.pk]),
        detail=referral.get_kind_display(),
        when=referral.respond_by,
        when_label=_("Answer by"),
        due=True,
        overdue=referral.is_overdue,
        tag=referral.get_urgency_display(),
    )


def to_answer(user: User) -> list[WorkSection]:
    """The inbox's referrals still awaiting an answer, the soonest deadline first (``referral_inbox_for``)."""
    awaiting = selectors.referral_inbox_for(user).filter(status__in=Referral.AWAITING_ANSWER)
    referrals, more = capped(awaiting)
    items = [_deadline_item(referral) for referral in referrals]
    return [
        WorkSection(
            "to-answer",
            _("Referrals to answer"),
            URGENT if any(item.overdue for item in items) else ACTION,
            items,
            more_url=reverse("referral_inbox"),
            more_label=_("See all referrals to your agency"),
            more=more,
        )
    ]


def changed(user: User) -> list[WorkSection]:
    """The referrals whose steps ``user`` has not read about yet (the unread notices of the notices page)."""
    changes, more = capped(selectors.referrals_changed_for(user, SHOWN + 1))
    items = [
        WorkItem(
            label=_title(change.referral),
            url=reverse("referral_detail", args=[change.referral.pk]),
            detail=ngettext("%(steps)d new step", "%(steps)d new steps", change.steps) % {"steps": change.steps},
            when=change.last_at,
            when_label=_("Last on"),
            tag=change.referral.status_label,
        )
        for change in changes
    ]
    return [
        WorkSection(
            "referrals-changed",
            _("Referrals that changed"),
            NEWS,
            items,
            more_url=reverse("notifications"),
            more_label=_("See all notices"),
            more=more,
        )
    ]


def overdue_and_expired(user: User) -> list[WorkSection]:
    """The board's overdue referrals and its expired ones to re-route, for the task forces ``user`` coordinates."""
    task_forces = selectors.coordinated_task_force_ids(user)
    if not task_forces:
        return []
    now = timezone.now()
    overdue = (
        selectors.referral_list_visible_to(user)
        .filter(case__task_force_id__in=task_forces)
        .overdue(now)
        .order_by("respond_by", "id")
    )
    late, more_late = capped(overdue)
    since = now - timedelta(weeks=EXPIRED_SHOWN_WEEKS)
    expired, more_expired = capped(selectors.expired_to_reroute_for(user, since=since))
    board = reverse("referral_board")
    return [
        WorkSection(
            "overdue",
            _("Overdue referrals"),
            URGENT,
            [_deadline_item(referral) for referral in late],
            more_url=board,
            more_label=_("See the referral board"),
            more=more_late,
        ),
        WorkSection(
            "expired",
            _("Expired referrals to re-route"),
            ACTION,
            [
                WorkItem(
                    label=_title(referral),
                    url=reverse("referral_detail", args=[referral.pk]),
                    detail=_("Nobody answered in time"),
                    when=referral.respond_by,
                    when_label=_("Was due"),
                    due=True,
                    tag=_("Expired"),
                )
                for referral in expired
            ],
            more_url=board,
            more_label=_("See the referral board"),
            more=more_expired,
        ),
    ]


def sections(user: User) -> list[WorkSection]:
    return [*to_answer(user), *overdue_and_expired(user), *changed(user)]
