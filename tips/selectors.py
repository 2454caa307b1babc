"""Who may see and act on a tip, and what of it: the one place these are decided (docs/decisions/0026-tips.md).

A person stands on a tip's sides (``steps``) through their agency and role:
- **receiver**: the receiving agency's people who triage tips (intake staff and supervisors, ``tips.triage_tip``):
  a received tip is in their agency's holding bin, and nobody else's;
- **decider**: the receiving agency's supervisors (``tips.assign_tip``): they assign and reopen;
- **assignee**: once assigned, the assigned agency's owner of the tip and its supervisors;
- **coordinator**: coordinators (``tips.oversee_tip``) of a task force the receiving agency belongs to. They are told
  of overdue tips and follow deadlines: they see a tip's channel, flags, deadline and status, never its content
  (the reporter, the subjects, the narrative, where, the reasons given).
Anyone else gets a 404. No guardian rows: a tip has two agencies, and the rule is simpler written once.
"""

import operator
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404

from agencies.models import Agency, TaskForceMember, User
from agencies.roles import roles_with
from tips.models import Tip, TipQuerySet
from tips.steps import ASSIGNEE, CONTENT_SIDES, COORDINATOR, DECIDER, RECEIVER, STEPS

TRIAGE = "tips.triage_tip"
ASSIGN = "tips.assign_tip"
OVERSEE = "tips.oversee_tip"


def can_receive_tips(user: User) -> bool:
    """Whether ``user`` enters tips and triages their agency's holding bin (intake staff, supervisors)."""
    return getattr(user, "agency", None) is not None and user.has_perm(TRIAGE)


def can_assign_tips(user: User) -> bool:
    """Whether ``user`` assigns and reopens their agency's tips, and works the tips assigned to their agency."""
    return getattr(user, "agency", None) is not None and user.has_perm(ASSIGN)


def can_oversee_tips(user: User) -> bool:
    """Whether ``user`` follows their task forces' tips to their deadlines (coordinators)."""
    return getattr(user, "agency", None) is not None and user.has_perm(OVERSEE)


def can_triage_tips(user: User) -> bool:
    """Whether the tips' queue is in ``user``'s navigation: one who triages, assigns or oversees tips. (Anyone who
    owns a tip opens it from their home and sees it in the queue, which lists every tip its reader may open.)"""
    return can_receive_tips(user) or can_assign_tips(user) or can_oversee_tips(user)


def overseen_agency_ids(user: User) -> QuerySet[Any]:
    """The agencies whose tips a coordinator follows: the members of the task forces their office belongs to."""
    agency = getattr(user, "agency", None)
    if agency is None or not can_oversee_tips(user):
        return TaskForceMember.objects.none().values("agency_id")
    return TaskForceMember.objects.filter(
        task_force__in=TaskForceMember.objects.filter(agency=agency.pk).values("task_force_id")
    ).values("agency_id")


def _side_rules(user: User) -> dict[str, Q]:
    """The one statement of who stands on which side of a tip, as a condition on tips per side: the lists filter by
    it and a tip's page reads it, so a list never shows a tip its page would refuse."""
    agency = getattr(user, "agency", None)
    if agency is None or not user.is_active:
        return {}
    rules: dict[str, Q] = {}
    if can_receive_tips(user):
        rules[RECEIVER] = Q(receiving_agency=agency.pk)
    if can_assign_tips(user):
        rules[DECIDER] = Q(receiving_agency=agency.pk)
        rules[ASSIGNEE] = Q(assigned_agency=agency.pk)
    else:
        rules[ASSIGNEE] = Q(assigned_agency=agency.pk, owner=user.pk)
    if can_oversee_tips(user):
        rules[COORDINATOR] = Q(receiving_agency__in=overseen_agency_ids(user))
    return rules


def _with_sides(tips: QuerySet[Tip], rules: dict[str, Q]) -> QuerySet[Tip]:
    return tips.annotate(
        **{f"side_{side}": ExpressionWrapper(rule, output_field=BooleanField()) for side, rule in rules.items()}
    )


def _sides_read(tip: Tip, rules: dict[str, Q]) -> frozenset[str]:
    return frozenset(side for side in rules if getattr(tip, f"side_{side}", False))


_LIST_RELATED = ("receiving_agency", "assigned_agency", "owner")


def tip_list_visible_to(user: User) -> TipQuerySet:
    """The tips ``user`` stands on a side of: those whose page they may open, with their sides annotated."""
    rules = _side_rules(user)
    if not rules:
        return Tip.objects.none()
    visible = _with_sides(Tip.objects.filter(reduce(operator.or_, rules.values())), rules)
    return visible.select_related(*_LIST_RELATED)  # type: ignore[return-value]  # annotate keeps the class


def tip_list_readable_by(user: User) -> QuerySet[Tip]:
    """The tips whose content ``user`` reads: those they stand on a content side of (receiver, decider, assignee),
    not those a coordinator follows. Another tip's possible matches look through these (``tips.matching``)."""
    rules = [rule for side, rule in _side_rules(user).items() if side in CONTENT_SIDES]
    if not rules:
        return Tip.objects.none()
    return Tip.objects.filter(reduce(operator.or_, rules))


def tip_queue_for(user: User) -> TipQuerySet:
    """The triage queue: the open tips ``user`` sees, overdue first, then by deadline (one query, whatever the
    number of tips)."""
    from django.utils import timezone

    return tip_list_visible_to(user).open().by_deadline(timezone.now())


def sides_read(user: User, tip: Tip) -> frozenset[str]:
    """The sides of a tip read from ``tip_list_visible_to``'s annotations."""
    return _sides_read(tip, _side_rules(user))


@dataclass(frozen=True)
class TipAccess:
    """A tip and what its reader may do with it (one answer, computed once per page)."""

    tip: Tip
    sides: frozenset[str]
    may_read_reporter: bool

    @property
    def may_read_content(self) -> bool:
        """The narrative, the subjects, where, the flight's details and the reasons given: not a coordinator's."""
        return bool(self.sides & CONTENT_SIDES)

    @property
    def oversight_only(self) -> bool:
        return not self.may_read_content

    def may(self, verb: str) -> bool:
        """Whether the reader's sides allow step ``verb`` (a right, not the state: the transition checks that)."""
        return bool(self.sides & STEPS[verb].sides)


def reporter_visible(user: User, tip: Tip, sides: frozenset[str]) -> bool:
    """Whether ``user`` may read who reported ``tip`` (name, phone, e-mail): with the reporter's permission, anyone
    who reads the tip's content; without it, nobody in law enforcement but the person who entered it (they took
    the report). A victim service provider that receives tips (an NGO's hotline) keeps its caller's details; any
    other agency (a labor department's investigators, a coordination office) is not trusted with them."""
    if not sides & CONTENT_SIDES:
        return False
    if tip.reporter_may_be_identified or tip.received_by_id == user.pk:
        return True
    return RECEIVER in sides and tip.receiving_agency.is_victim_service_provider


def tip_access_for_user(user: User, pk: int) -> TipAccess:
    """The tip and ``user``'s access to it: 404 outside its audience."""
    tip = tip_list_visible_to(user).filter(pk=pk).select_related("received_by", "case").first()
    if tip is None:
        raise Http404
    sides = sides_read(user, tip)
    return TipAccess(tip=tip, sides=sides, may_read_reporter=reporter_visible(user, tip, sides))


def tip_get_for_user(user: User, pk: int) -> Tip:
    return tip_access_for_user(user, pk).tip


def assignable_agencies(tip: Tip) -> QuerySet[Agency]:
    """Where a tip may be assigned: active law-enforcement agencies (investigators and prosecutors) of the
    receiving agency's task forces, and the receiving agency itself."""
    task_forces = TaskForceMember.objects.filter(agency=tip.receiving_agency_id).values("task_force_id")
    members = TaskForceMember.objects.filter(task_force__in=task_forces).values("agency_id")
    law_enforcement = [
        Agency.Kind.FEDERAL_LE,
        Agency.Kind.STATE_LE,
        Agency.Kind.LOCAL_LE,
        Agency.Kind.PROSECUTOR,
    ]
    return Agency.objects.filter(
        Q(pk__in=members) | Q(pk=tip.receiving_agency_id), is_active=True, kind__in=law_enforcement
    ).order_by("name")


def assignable_owners(agency: Agency) -> QuerySet[User]:
    """Who may own a tip in ``agency``: its active people who work cases (caseworkers, supervisors)."""
    return User.objects.filter(
        is_active=True, _membership__agency=agency.pk, _membership__role__in=roles_with("cases.change_case")
    ).order_by("full_name")


def assignable_owners_for(tip: Tip) -> QuerySet[User]:
    """Everyone a tip may be assigned to, in all its assignable agencies (the owner's agency is the one assigned)."""
    return (
        User.objects.filter(
            is_active=True,
            _membership__agency__in=assignable_agencies(tip).values("pk"),
            _membership__role__in=roles_with("cases.change_case"),
        )
        .select_related("_membership__agency")
        .order_by("_membership__agency__name", "full_name")
    )


def supervisors_and_coordinators_of(tip: Tip) -> QuerySet[User]:
    """Who is told when a tip is overdue: the receiving agency's supervisors and the coordinators who oversee it
    (``overseen_agency_ids`` read the other way)."""
    task_forces = TaskForceMember.objects.filter(agency=tip.receiving_agency_id).values("task_force_id")
    coordination = TaskForceMember.objects.filter(task_force__in=task_forces).values("agency_id")
    return User.objects.filter(
        Q(_membership__agency=tip.receiving_agency_id, _membership__role__in=roles_with(ASSIGN))
        | Q(_membership__agency__in=coordination, _membership__role__in=roles_with(OVERSEE)),
        is_active=True,
    ).order_by("pk")


# 28 CFR Part 23: the dissemination log and the review queue (docs/decisions/0028-tips-intelligence-rules.md) ----

AUDIT = "portal.view_auditevent"
REVIEW_WINDOW_DAYS = 30


def can_read_dissemination_log(user: User) -> bool:
    """The receiving agency's record of where its tips went: its auditors and its supervisors."""
    if getattr(user, "agency", None) is None or not user.is_active:
        return False
    return user.has_perm(AUDIT) or can_assign_tips(user)


def dissemination_log_for(user: User) -> QuerySet[Any]:
    """The log rows of the tips ``user``'s agency received (purged tips' rows too, without content)."""
    from tips.models import TipDissemination

    if not can_read_dissemination_log(user):
        return TipDissemination.objects.none()
    return TipDissemination.objects.filter(receiving_agency=getattr(user.agency, "pk", None)).select_related(
        "sent_by", "sent_by_agency", "recipient_agency", "recipient"
    )


def can_review_tips(user: User) -> bool:
    """Whether ``user`` sees their agency's review queue and validates its tips: its intake staff and supervisors
    (the holding bin's keepers keep the file)."""
    return can_receive_tips(user) or can_assign_tips(user)


def can_purge_tips(user: User) -> bool:
    """Purging is a supervisor's (the receiving agency's)."""
    return can_assign_tips(user)


def review_queue_for(user: User, today: Any = None) -> QuerySet[Tip]:
    """The tips of ``user``'s agency due for review within ``REVIEW_WINDOW_DAYS`` days, overdue ones included,
    soonest first (one query)."""
    from datetime import timedelta

    from django.utils import timezone

    if not can_review_tips(user):
        return Tip.objects.none()
    today = today or timezone.localdate()
    return (
        Tip.objects.filter(
            receiving_agency=getattr(user.agency, "pk", None),
            review_due__isnull=False,
            review_due__lte=today + timedelta(days=REVIEW_WINDOW_DAYS),
        )
        .select_related("receiving_agency", "validated_by")
        .order_by("review_due", "id")
    )


def review_tip_for(user: User, pk: int) -> Tip:
    """A tip of the review queue's agency, for validating or purging: 404 for anyone who does not review it."""
    if not can_review_tips(user):
        raise Http404
    tip = Tip.objects.filter(receiving_agency=getattr(user.agency, "pk", None), pk=pk, review_due__isnull=False).first()
    if tip is None:
        raise Http404
    return tip


def supervisors_of(agency_ids: Any) -> QuerySet[User]:
    """The active supervisors (who assign tips) of the agencies ``agency_ids``."""
    return User.objects.filter(
        _membership__agency__in=agency_ids, _membership__role__in=roles_with(ASSIGN), is_active=True
    ).order_by("pk")
