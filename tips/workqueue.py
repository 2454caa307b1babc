"""The tips' part of a person's home (``portal.workqueue``): the tips waiting for their assessment, overdue first
(what the queue shows first), and the tips assigned to them. Each list is the queue's own read, capped."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import User
from portal.workqueue import ACTION, URGENT, WorkItem, WorkSection, capped
from tips import presenters, selectors
from tips.models import Tip


def _item(tip: Tip, now: datetime) -> WorkItem:
    tags = presenters.tags(tip)
    return WorkItem(
        label=_("Tip #%(number)s") % {"number": tip.pk},
        url=reverse("tip_detail", args=[tip.pk]),
        detail=presenters.countdown(tip, now) or tip.get_channel_display(),
        when=tip.assess_by,
        when_label=_("Assess by"),
        due=True,
        overdue=tip.is_overdue,
        tag=tags[0] if tags else tip.get_channel_display(),
    )


def to_assess(user: User) -> list[WorkSection]:
    """The queue's tips still awaiting assessment, overdue first (``tip_queue_for``), for those who triage or
    oversee them."""
    if not selectors.can_triage_tips(user):
        return []
    now = timezone.now()
    waiting, more = capped(selectors.tip_queue_for(user).filter(status=Tip.Status.RECEIVED))
    items = [_item(tip, now) for tip in waiting]
    return [
        WorkSection(
            "tips-to-assess",
            _("Tips to assess"),
            URGENT if any(item.overdue for item in items) else ACTION,
            items,
            more_url=reverse("tip_queue"),
            more_label=_("See all tips"),
            more=more,
        )
    ]


def assigned_to_me(user: User) -> list[WorkSection]:
    """The open tips assigned to ``user``, soonest due first."""
    if getattr(user, "agency", None) is None:
        return []
    mine = (
        selectors.tip_list_visible_to(user).filter(owner=user.pk, status=Tip.Status.ASSIGNED).order_by("due_on", "id")
    )
    tips, more = capped(mine)
    return [
        WorkSection(
            "tips-assigned",
            _("Tips assigned to you"),
            ACTION,
            [
                WorkItem(
                    label=_("Tip #%(number)s") % {"number": tip.pk},
                    url=reverse("tip_detail", args=[tip.pk]),
                    detail=tip.get_channel_display(),
                    when=tip.due_on,
                    when_label=_("Due"),
                    due=True,
                )
                for tip in tips
            ],
            more_url=reverse("tip_queue"),
            more_label=_("See all tips"),
            more=more,
        )
    ]


def sections(user: User) -> list[WorkSection]:
    return [*to_assess(user), *assigned_to_me(user)]
