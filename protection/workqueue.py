"""Immigration relief on a person's home (``portal.workqueue``): its deadlines (the relief queue's own read,
overdue HHS notices first) and the reminders not read yet."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import User
from portal.audit import audit_record
from portal.workqueue import ACTION, NEWS, SHOWN, URGENT, WorkItem, WorkSection, capped
from protection import presenters, selectors
from protection.models import ReliefNotice


def deadlines(user: User) -> list[WorkSection]:
    """The relief queue's first lines (``relief_queue_for``), most pressing first; urgent while an HHS notice is
    overdue. Names no one: a case number, what is due, a person's number; the showing is audited as the queue's is
    (``protection.relief.listed``, ``via: home``, the people shown)."""
    if not selectors.can_read_relief(user):
        return []
    now = timezone.now()
    lines = [presenters.queue_line(item, now) for item in selectors.relief_queue_for(user, now=now)]
    if not lines:
        return []
    items = [
        WorkItem(
            label=f"{line.item.case.number}: {line.label}",
            url=reverse("case_detail", args=[line.item.case.pk]) + f"#relief-person-{line.item.person_id}",
            detail=line.detail,
            overdue=line.overdue,
            tag=_("Overdue") if line.overdue else "",
        )
        for line in lines[:SHOWN]
    ]
    audit_record(
        action="protection.relief.listed",
        actor=user,
        details={"person_ids": sorted({line.item.person_id for line in lines[:SHOWN]}), "via": "home"},
    )
    return [
        WorkSection(
            "relief-deadlines",
            _("Immigration relief deadlines"),
            URGENT if any(line.overdue for line in lines) else ACTION,
            items,
            more_url=reverse("relief_queue"),
            more_label=_("See the relief queue"),
            more=len(lines) > SHOWN,
        )
    ]


def reminders(user: User) -> list[WorkSection]:
    """The relief reminders ``user`` has not read (an HHS notice overdue reaches supervisors and coordinators)."""
    unread = (
        ReliefNotice.objects.filter(user=user, read_at__isnull=True)
        .select_related("reminder__case")
        .order_by("-created_at", "-id")
    )
    notices, more = capped(unread)
    if not notices:
        return []
    return [
        WorkSection(
            "relief-reminders",
            _("Immigration relief reminders"),
            URGENT if any(n.reminder.kind == n.reminder.Kind.HHS_OVERDUE for n in notices) else NEWS,
            [
                WorkItem(
                    label=f"{notice.reminder.case.number}: {notice.reminder.get_kind_display()}",
                    url=reverse("relief_notices"),
                    when=notice.created_at,
                    when_label=_("Sent"),
                    tag=_("New"),
                )
                for notice in notices
            ],
            more_url=reverse("relief_notices"),
            more_label=_("See all reminders"),
            more=more,
        )
    ]


def sections(user: User) -> list[WorkSection]:
    return [*deadlines(user), *reminders(user)]
