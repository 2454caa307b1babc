"""The tips' part of a person's home (``portal.workqueue``): the tips waiting for their assessment, overdue first
(what the queue shows first), the tips assigned to them, and the tips referred to their agency that they have not
opened yet. Each list is the queue's own read, capped."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import User
from portal.workqueue import ACTION, URGENT, WorkItem, WorkSection, capped
from tips import presenters, selectors
from tips.models import Tip, TipNotice


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


def referred_to_us(user: User) -> list[WorkSection]:
    """The tips referred to ``user``'s agency for services that they were told of and have not opened (a victim
    service provider's supervisors; ``services.tip_refer``). Opening the tip marks its notice read."""
    if getattr(user, "agency", None) is None:
        return []
    unread = TipNotice.objects.filter(user=user, verb="refer", read_at__isnull=True, tip__isnull=False).order_by(
        "-created_at", "-id"
    )
    notices, more = capped(unread)
    return [
        WorkSection(
            "tips-referred",
            _("Tips referred to your agency"),
            ACTION,
            [
                WorkItem(
                    label=_("Tip #%(number)s") % {"number": notice.tip_id},
                    url=reverse("tip_detail", args=[notice.tip_id]),
                    detail=_("Services asked"),
                    when=notice.created_at,
                    when_label=_("Referred"),
                    tag=_("New"),
                )
                for notice in notices
            ],
            more=more,
        )
    ]


def sections(user: User) -> list[WorkSection]:
    return [*to_assess(user), *assigned_to_me(user), *referred_to_us(user)]
