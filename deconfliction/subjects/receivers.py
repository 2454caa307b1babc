"""Keep the deconfliction index current from cases and tips, which never import this app (decision 0030).

Each receiver only notes what was touched; the reindex runs after the commit (``on_commit``), reading the case or
tip as it then stands through ``selectors``, in its own transaction. ``robust``: a failure here is logged and never
undoes or breaks the case worker's save (the periodic expiry run and ``reindex_deconfliction`` catch up).
"""

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from agencies.models import TaskForceMember
from cases.models import Case, CaseParticipant, Consent, Person
from deconfliction.subjects import services, tasks
from portal.tasks import register_task
from tips.models import Tip, TipSubject

logger = logging.getLogger(__name__)

# What the reaper (portal.tasks) does with a task whose worker died (this module is imported by the app's ready()).
register_task(tasks.email_subject_notices, rerun=True)  # each notice claimed before its e-mail
register_task(tasks.subject_entries_expire, rerun=True, periodic={"reschedule": True})  # twice is once
register_task(tasks.reindex_agency, rerun=True)  # a reindex writes the difference: twice is once


def _after_commit(work: Callable[[], Any]) -> None:
    transaction.on_commit(work, robust=True)


@receiver(post_save, sender=Case, dispatch_uid="deconfliction_subjects_case_saved")
def case_saved(sender: type[Case], instance: Case, created: bool, **kwargs: Any) -> None:
    if created:
        return  # no participants yet
    reason = "case_closed" if instance.status == Case.Status.CLOSED else "changed"
    _after_commit(lambda: services.reindex_cases([instance.pk], reason=reason))


@receiver(post_save, sender=CaseParticipant, dispatch_uid="deconfliction_subjects_participant_saved")
@receiver(post_delete, sender=CaseParticipant, dispatch_uid="deconfliction_subjects_participant_deleted")
def participant_changed(sender: type[CaseParticipant], instance: CaseParticipant, **kwargs: Any) -> None:
    case_id = instance.case_id
    _after_commit(lambda: services.reindex_cases([case_id]))


@receiver(post_save, sender=Person, dispatch_uid="deconfliction_subjects_person_saved")
def person_saved(sender: type[Person], instance: Person, created: bool, **kwargs: Any) -> None:
    if created:
        return  # in no case yet: its participation brings it in
    person_id = instance.pk
    _after_commit(lambda: services.reindex_person(person_id))


@receiver(post_save, sender=Consent, dispatch_uid="deconfliction_subjects_consent_saved")
def consent_saved(sender: type[Consent], instance: Consent, **kwargs: Any) -> None:
    person_id = instance.person_id
    reason = "consent_revoked" if instance.revoked_at else "consent"
    _after_commit(lambda: services.reindex_person(person_id, reason=reason))


@receiver(post_save, sender=Tip, dispatch_uid="deconfliction_subjects_tip_saved")
@receiver(post_delete, sender=Tip, dispatch_uid="deconfliction_subjects_tip_deleted")
def tip_changed(sender: type[Tip], instance: Tip, **kwargs: Any) -> None:
    tip_id = instance.pk
    reason = "tip_closed" if instance.status not in Tip.OPEN else "changed"
    _after_commit(lambda: services.reindex_tips([tip_id], reason=reason))


@receiver(post_save, sender=TipSubject, dispatch_uid="deconfliction_subjects_tip_subject_saved")
@receiver(post_delete, sender=TipSubject, dispatch_uid="deconfliction_subjects_tip_subject_deleted")
def tip_subject_changed(sender: type[TipSubject], instance: TipSubject, **kwargs: Any) -> None:
    tip_id = instance.tip_id
    _after_commit(lambda: services.reindex_tips([tip_id]))


@receiver(post_save, sender=TaskForceMember, dispatch_uid="deconfliction_subjects_member_saved")
@receiver(post_delete, sender=TaskForceMember, dispatch_uid="deconfliction_subjects_member_deleted")
def task_force_membership_changed(sender: type[TaskForceMember], instance: TaskForceMember, **kwargs: Any) -> None:
    """An agency joined or left a task force: its cases and tips are reindexed in the background (an agency may hold
    thousands of subjects; matching stops at once on leaving, by the query's own filter)."""
    agency_id = instance.agency_id
    _after_commit(lambda: tasks.reindex_agency.enqueue(agency_id))
