"""Who may see and act on a tip, and what of it: the one place these are decided (docs/decisions/0026-tips.md).

A person stands on a tip's sides (``steps``) through their agency and role:
- **receiver**: the receiving agency's people who triage tips (intake staff and supervisors, ``tips.triage_tip``):
  a received tip is in their agency's holding bin, and nobody else's;
- **decider**: the receiving agency's supervisors (``tips.assign_tip``): they assign and reopen;
- **assignee**: once assigned, the assigned agency's owner of the tip and its supervisors;
- **coordinator**: coordinators (``tips.oversee_tip``) of a task force the receiving agency belongs to. They are told
  of overdue tips and follow deadlines: they see a tip's channel, flags, deadline and status, never its content
  (the reporter, the subjects, the narrative, where, the reasons given);
- **provider**: a victim service provider the tip was referred to (its intake staff and supervisors): the referral
  and what was passed on with it (``referred_content``), nothing else.
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
from cases.models import Consent
from tips.models import Tip, TipQuerySet, TipReferral, TipSubject
from tips.steps import ASSIGNEE, CONTENT_SIDES, COORDINATOR, DECIDER, PROVIDER, RECEIVER, STEPS

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
    if agency.is_victim_service_provider and (can_receive_tips(user) or can_assign_tips(user)):
        # A semi-join on the referrals (decision 0021): a tip referred twice to the provider is one row.
        rules[PROVIDER] = Q(pk__in=TipReferral.objects.filter(agency=agency.pk).values("tip_id"))
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
    """The triage queue: the open tips ``user`` triages or follows, overdue first, then by deadline (one query,
    whatever the number of tips). Not those they stand on only as the provider a tip was referred to: the provider
    reads its referral, never the tip's state after it (a tip reopened since would show its flags and deadline);
    its tips come through "Tips referred to your agency" and the tip's page."""
    from django.utils import timezone

    rules = {side: rule for side, rule in _side_rules(user).items() if side != PROVIDER}
    if not rules:
        return Tip.objects.none()
    return tip_list_visible_to(user).filter(reduce(operator.or_, rules.values())).open().by_deadline(timezone.now())


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
        return not self.may_read_content and not self.referral_only

    @property
    def referral_only(self) -> bool:
        """A provider the tip was referred to, on no other side: it reads what was passed on, nothing else."""
        return PROVIDER in self.sides and not self.may_read_content

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


def attachments_shown(access: TipAccess) -> list[Any]:
    """A tip's attachments as its page lists them: to a reader of its content only (a file is content)."""
    if not access.may_read_content:
        return []
    return list(access.tip.attachments.select_related("uploaded_by", "uploaded_by_agency"))


def may_attach(access: TipAccess) -> bool:
    """Whether the reader may add a file to the tip now: the ``attach`` step's sides (the holding bin's keepers),
    on an open tip (``services.tip_attach`` checks both again)."""
    return access.may("attach") and access.tip.is_open


def tip_attachment_for_user(user: User, pk: int, attachment_pk: int) -> tuple[TipAccess, Any]:
    """An attachment of a tip whose content ``user`` reads, and their access: 404 for anyone else (a coordinator
    follows the tip's deadline, not its files), as if it did not exist."""
    access = tip_access_for_user(user, pk)
    attachment = access.tip.attachments.filter(pk=attachment_pk).first() if access.may_read_content else None
    if attachment is None:
        raise Http404
    return access, attachment


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


# Referral to a victim service provider (docs/decisions/0026-tips.md) ---------------------------------------------

RECORD_CONSENT = "cases.record_consent"
Content = TipReferral.Content


def referral_agencies(tip: Tip) -> QuerySet[Agency]:
    """Where a tip may be referred for services: the active victim service providers of the task forces of its
    receiving and assigned agencies (as ``assignable_agencies``), other than those two."""
    ours = [pk for pk in (tip.receiving_agency_id, tip.assigned_agency_id) if pk is not None]
    task_forces = TaskForceMember.objects.filter(agency__in=ours).values("task_force_id")
    members = TaskForceMember.objects.filter(task_force__in=task_forces).values("agency_id")
    return (
        Agency.objects.filter(pk__in=members, is_active=True, kind=Agency.Kind.VICTIM_SERVICES)
        .exclude(pk__in=ours)
        .order_by("name")
    )


def reported_by_provider(tip: Tip) -> bool:
    """A tip an NGO received (as ``reporter_visible`` reads it): its victims are that NGO's clients."""
    return tip.receiving_agency.is_victim_service_provider


def may_state_consent(user: User, tip: Tip) -> bool:
    """Who may say what a victim of an NGO's tip consented to release: that NGO's own people who record its clients'
    consents (as for any client, ``cases.record_consent``). Nobody else knows it."""
    agency = getattr(user, "agency", None)
    return (
        reported_by_provider(tip)
        and agency is not None
        and agency.pk == tip.receiving_agency_id
        and user.has_perm(RECORD_CONSENT)
    )


def content_allowed(tip: Tip, consent: Any = ()) -> frozenset[str]:
    """The rule, once: what of ``tip`` may go to a victim service provider, with a victim's ``consent`` (``Consent``
    categories). Only the narrative and the victims (never a suspect or a witness: ``referred_subjects``); the
    reporter's identity only with their permission; for a tip an NGO received, its client's details (their account
    of events, identity, contact) only as far as their consent goes, and without one nothing but that a referral is
    asked."""
    allowed = {Content.NARRATIVE, Content.VICTIM_IDENTITY, Content.VICTIM_CONTACT}
    if reported_by_provider(tip):
        given = set(consent or ())
        by_category = {
            Consent.Category.NARRATIVE: Content.NARRATIVE,
            Consent.Category.IDENTITY: Content.VICTIM_IDENTITY,
            Consent.Category.CONTACT: Content.VICTIM_CONTACT,
        }
        allowed = {content for category, content in by_category.items() if category in given}
    if tip.reporter_may_be_identified:
        allowed.add(Content.REPORTER)
    return frozenset(str(content) for content in allowed)


def referable_content(user: User, tip: Tip, consent: Any = ()) -> frozenset[str]:
    """What ``user`` may pass on when referring ``tip``: ``content_allowed``, with the ``consent`` they state
    counted only when they may state it (``may_state_consent``)."""
    return content_allowed(tip, consent if may_state_consent(user, tip) else ())


def referral_consent_choices(user: User, tip: Tip) -> list[tuple[str, Any]]:
    """The consent categories ``user`` may state when referring ``tip`` (none but for the NGO that received it)."""
    if not may_state_consent(user, tip):
        return []
    return [
        (category, Consent.Category(category).label)
        for category in (Consent.Category.IDENTITY, Consent.Category.CONTACT, Consent.Category.NARRATIVE)
    ]


def referred_subjects(tip: Tip) -> QuerySet[TipSubject]:
    """The subjects a referral may describe: the victims only."""
    return tip.subjects.filter(role=TipSubject.Role.VICTIM)


@dataclass(frozen=True)
class ReferredContent:
    """What a provider reads of a tip referred to it: the referral, and of the tip only what was passed on and is
    still allowed (``content_allowed`` read again: a reporter's permission withdrawn is honoured)."""

    referral: TipReferral
    shown: frozenset[str]
    victims: list[TipSubject]

    @property
    def narrative(self) -> bool:
        return Content.NARRATIVE in self.shown

    @property
    def victim_identity(self) -> bool:
        return Content.VICTIM_IDENTITY in self.shown

    @property
    def victim_contact(self) -> bool:
        return Content.VICTIM_CONTACT in self.shown

    @property
    def reporter(self) -> bool:
        return Content.REPORTER in self.shown


def referred_content(user: User, access: TipAccess) -> ReferredContent:
    """The referral to ``user``'s agency and what of the tip it passed on (404 for an agency it was not referred
    to). Referred twice (reopened, referred again): the latest."""
    tip = access.tip
    agency = getattr(user, "agency", None)
    referral = (
        tip.referrals.filter(agency=getattr(agency, "pk", None)).select_related("referred_by", "referred_by_agency")
    ).first()
    if PROVIDER not in access.sides or referral is None:
        raise Http404
    shown = frozenset(referral.passed_on) & content_allowed(tip, referral.consent)
    victims = list(referred_subjects(tip)) if shown & {Content.VICTIM_IDENTITY, Content.VICTIM_CONTACT} else []
    return ReferredContent(referral=referral, shown=shown, victims=victims)


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
