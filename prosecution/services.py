"""Every write of the prosecution records: one transaction and one audit event each (decision 0034).

Who may is ``prosecution.selectors``; each service asks it again for the actor, so a view that forgot cannot
write. Arrests and charges carry a ``version``: an edit made on an older one is refused, never overwritten. The
audit events are on the suspect's participation, with the case and the person in their details: the case's activity
(``cases.selectors.case_activity``, which lists events on the case) never shows them, so a reader of it without
law-enforcement access cannot learn of an arrest; the actor's agency's auditors find them in its trail. Never the
charge's words.

Which charges are trafficking charges depends on the case's task force and its list of statutes; the writers that
read or change either take the task force's row lock first (``_locked_statute_keys``, the statute services), so a
charge recorded while a statute is listed or removed, or while the case moves, is marked against the list that
commits.
"""

import uuid
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, TaskForce, User
from cases.models import Case, CaseParticipant
from portal.audit import audit_record
from portal.idempotency import create_once
from prosecution import selectors
from prosecution.models import Arrest, Charge, TraffickingStatute
from prosecution.statutes import citation_key, falls_under, is_trafficking

CHARGE_FIELDS = ("statute", "description", "level")


class StaleProsecutionEdit(ValidationError):
    """Someone saved the record since the form was opened: nothing is overwritten."""

    def __init__(self) -> None:
        super().__init__(
            _("Someone changed this record while you were editing it. Nothing was saved: check it, then try again."),
            code="stale",
        )


def _not_in_future(day: date | None, field: str, errors: dict[str, list[str]]) -> None:
    if day is not None and day > timezone.localdate():
        errors.setdefault(field, []).append(_("The date cannot be in the future."))


def _details(participant: CaseParticipant, **more: Any) -> dict[str, Any]:
    return {"case_id": participant.case_id, "person_id": participant.person_id, **more}


def _locked_statute_keys(case_pk: int) -> list[str]:
    """Inside a transaction: lock the case's row, then its task force's, and read the task force's statute keys.

    The case's row first, as ``cases.services.case_update`` does when it moves the case (whose receiver,
    ``case_task_force_saved``, marks the case's charges again), so a charge recorded during a move is marked against
    the task force the case ends in; the task force's row, as the statute services do before they change the list
    and scan its charges, so a charge recorded while a statute is listed or removed is not missed by both."""
    task_force_id = Case.objects.select_for_update().filter(pk=case_pk).values_list("task_force_id", flat=True).get()
    if task_force_id is None:
        return []
    TaskForce.objects.select_for_update().filter(pk=task_force_id).first()
    return list(TraffickingStatute.objects.filter(task_force_id=task_force_id).values_list("citation_key", flat=True))


def _charge(
    arrest: Arrest, actor: User, keys: list[str], statute: str, description: str = "", level: str = ""
) -> Charge:
    key = citation_key(statute)
    if not key:
        raise ValidationError({"statute": _("Give the statute of the charge.")})
    charge = Charge(
        arrest=arrest,
        statute=statute.strip(),
        citation_key=key,
        description=description.strip(),
        level=level or Charge.Level.FELONY,
        is_trafficking=is_trafficking(key, keys),
        recorded_by=actor,
    )
    charge.full_clean(exclude=["arrest"])
    return charge


def _check_arrest(case: Case, participant: CaseParticipant, arrested_on: date, agency: Agency) -> None:
    errors: dict[str, list[str]] = {}
    if participant.case_id != case.pk or participant.role != CaseParticipant.Role.SUSPECT:
        errors["participant"] = [_("Only a suspect in this case is arrested here.")]
    _not_in_future(arrested_on, "arrested_on", errors)
    if not selectors.arresting_agencies_for(case).filter(pk=agency.pk).exists():
        errors["arresting_agency"] = [_("Choose a law-enforcement agency of the case's task force.")]
    if errors:
        raise ValidationError(errors)


def arrest_record(
    *,
    case: Case,
    participant: CaseParticipant,
    arrested_on: date,
    arresting_agency: Agency,
    charges: list[dict[str, str]],
    actor: User,
    submission_key: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> Arrest:
    """Record an arrest of ``participant``, a suspect in ``case``, with its charges (at least one: an arrest is on
    a charge). Who may: ``selectors.may_record_arrests``. The same ``submission_key`` again (the form sent twice)
    gives the first arrest back."""
    access = selectors.prosecution_access(actor, case.pk)
    if not selectors.may_record_arrests(access):
        raise PermissionDenied
    _check_arrest(case, participant, arrested_on, arresting_agency)
    if not charges:
        raise ValidationError({"statute": _("An arrest is recorded with at least one charge.")})

    def create(key: uuid.UUID | None) -> Arrest:
        with transaction.atomic():
            keys = _locked_statute_keys(case.pk)
            arrest = Arrest.objects.create(
                case=case,
                participant=participant,
                arrested_on=arrested_on,
                arresting_agency=arresting_agency,
                recorded_by=actor,
                submission_key=key,
            )
            made = [_charge(arrest, actor, keys, **fields) for fields in charges]
            Charge.objects.bulk_create(made)
            audit_record(
                action="prosecution.arrest.recorded",
                actor=actor,
                request=request,
                target=participant,
                details=_details(participant, arrest_id=arrest.pk, charges=len(made)),
            )
        return arrest

    return create_once(Arrest, actor=actor, key=submission_key, create=create)


def arrest_update(
    *,
    arrest: Arrest,
    version: int,
    arrested_on: date,
    arresting_agency: Agency,
    actor: User,
    request: HttpRequest | None = None,
) -> Arrest:
    """Correct an arrest's date or agency, made on ``version`` of it (``StaleProsecutionEdit`` if it changed since)."""
    access = selectors.prosecution_access(actor, arrest.case_id)
    if not selectors.may_record_arrests(access):
        raise PermissionDenied
    case = access.case
    with transaction.atomic():
        current = Arrest.objects.select_for_update(of=("self",)).select_related("participant").get(pk=arrest.pk)
        if current.version != version:
            raise StaleProsecutionEdit
        _check_arrest(case, current.participant, arrested_on, arresting_agency)
        changed = [
            name
            for name, value in (("arrested_on", arrested_on), ("arresting_agency", arresting_agency.pk))
            if getattr(current, name if name != "arresting_agency" else "arresting_agency_id") != value
        ]
        if not changed:
            return current
        current.arrested_on, current.arresting_agency = arrested_on, arresting_agency
        current.version += 1
        current.save(update_fields=["arrested_on", "arresting_agency", "version", "updated_at"])
        audit_record(
            action="prosecution.arrest.updated",
            actor=actor,
            request=request,
            target=current.participant,
            details=_details(current.participant, arrest_id=current.pk, fields=changed),
        )
    return current


def charge_add(
    *,
    arrest: Arrest,
    version: int,
    statute: str,
    description: str = "",
    level: str = "",
    actor: User,
    request: HttpRequest | None = None,
) -> Charge:
    """Add a charge to ``arrest`` (made on ``version`` of it: the arrest's version counts its charges too)."""
    access = selectors.prosecution_access(actor, arrest.case_id)
    if not selectors.may_record_arrests(access):
        raise PermissionDenied
    with transaction.atomic():
        keys = _locked_statute_keys(access.case.pk)
        current = Arrest.objects.select_for_update(of=("self",)).select_related("participant").get(pk=arrest.pk)
        if current.version != version:
            raise StaleProsecutionEdit
        charge = _charge(current, actor, keys, statute, description, level)
        charge.save()
        current.version += 1
        current.save(update_fields=["version", "updated_at"])
        audit_record(
            action="prosecution.charge.added",
            actor=actor,
            request=request,
            target=current.participant,
            details=_details(current.participant, arrest_id=current.pk, charge_id=charge.pk),
        )
    return charge


def charge_decide(
    *,
    charge: Charge,
    version: int,
    decision: str,
    decided_on: date | None,
    prosecuting_agency: Agency | None,
    decline_reason: str = "",
    actor: User,
    request: HttpRequest | None = None,
) -> Charge:
    """Record the prosecutor's charging decision on ``charge``: charged, or declined with a reason (required), on a
    day, by a prosecutor of the case's task force. A charge already disposed of keeps its decision. Who may:
    ``selectors.may_record_decisions``; a prosecutor acting as such only in their own office's name and not over
    another office's decision (``selectors.may_decide_charge``)."""
    access = selectors.prosecution_access(actor, charge.arrest.case_id)
    if not selectors.may_record_decisions(actor, access):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if decision not in (Charge.Decision.CHARGED, Charge.Decision.DECLINED):
        errors["decision"] = [_("Choose charged or declined.")]
    if decided_on is None:
        errors["decided_on"] = [_("Say when it was decided.")]
    _not_in_future(decided_on, "decided_on", errors)
    if (
        prosecuting_agency is None
        or not selectors.prosecuting_agencies_for(access.case).filter(pk=prosecuting_agency.pk).exists()
    ):
        errors["prosecuting_agency"] = [_("Choose a prosecutor of the case's task force.")]
    elif selectors.acts_as_prosecutor(actor, access) and prosecuting_agency != actor.agency:
        errors["prosecuting_agency"] = [_("Record the decision in your own office's name.")]
    decline_reason = decline_reason.strip() if decision == Charge.Decision.DECLINED else ""
    if decision == Charge.Decision.DECLINED and not decline_reason:
        errors["decline_reason"] = [_("Say why the charge was declined.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = Charge.objects.select_for_update(of=("self",)).select_related("arrest__participant").get(pk=charge.pk)
        if not selectors.may_decide_charge(actor, access, current):
            raise PermissionDenied  # another prosecutor office's decision
        if current.version != version:
            raise StaleProsecutionEdit
        if current.disposition != Charge.Disposition.PENDING and decision != Charge.Decision.CHARGED:
            raise ValidationError({"decision": [_("This charge has a disposition: it was charged.")]})
        current.decision, current.decided_on = decision, decided_on
        current.prosecuting_agency, current.decline_reason = prosecuting_agency, decline_reason
        current.decided_by = actor
        current.version += 1
        current.save()
        audit_record(
            action="prosecution.charge.decided",
            actor=actor,
            request=request,
            target=current.arrest.participant,
            details=_details(current.arrest.participant, charge_id=current.pk, decision=decision),
        )
    return current


def charge_dispose(
    *,
    charge: Charge,
    version: int,
    disposition: str,
    disposed_on: date | None,
    sentence: str = "",
    actor: User,
    request: HttpRequest | None = None,
) -> Charge:
    """Record how a charge ended (or that it is pending again, a correction): a date for every end, a sentence only
    for a conviction at trial or a plea. Only a charge a prosecutor brought is disposed of."""
    access = selectors.prosecution_access(actor, charge.arrest.case_id)
    if not selectors.may_record_decisions(actor, access):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    pending = disposition == Charge.Disposition.PENDING
    if disposition not in Charge.Disposition.values:
        errors["disposition"] = [_("Choose a disposition.")]
    if pending:
        disposed_on = None
    elif disposed_on is None:
        errors["disposed_on"] = [_("Say when the charge was disposed of.")]
    _not_in_future(disposed_on, "disposed_on", errors)
    sentence = sentence.strip()
    if sentence and disposition not in Charge.CONVICTIONS:
        errors["sentence"] = [_("A sentence follows only a conviction at trial or a guilty plea.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = Charge.objects.select_for_update(of=("self",)).select_related("arrest__participant").get(pk=charge.pk)
        if not selectors.may_decide_charge(actor, access, current):
            raise PermissionDenied  # a charge another prosecutor office decided
        if current.version != version:
            raise StaleProsecutionEdit
        if not pending and current.decision != Charge.Decision.CHARGED:
            raise ValidationError({"disposition": [_("Only a charge a prosecutor brought has a disposition.")]})
        current.disposition, current.disposed_on, current.sentence = disposition, disposed_on, sentence
        current.disposition_recorded_by = None if pending else actor
        current.version += 1
        current.save()
        audit_record(
            action="prosecution.charge.disposed",
            actor=actor,
            request=request,
            target=current.arrest.participant,
            details=_details(current.arrest.participant, charge_id=current.pk, disposition=disposition),
        )
    return current


def _mark(charges: list[tuple[int, str, bool]], keys: list[str]) -> int:
    """Mark ``charges`` (pk, citation key, marked now) against the task force's statute ``keys``: two UPDATEs at
    most, whatever their number (those to mark, those to unmark). Returns how many changed."""
    marked: list[int] = []
    unmarked: list[int] = []
    for pk, key, was in charges:
        now = is_trafficking(key, keys)
        if now != was:
            (marked if now else unmarked).append(pk)
    for pks, value in ((marked, True), (unmarked, False)):
        if pks:
            Charge.objects.filter(pk__in=pks).update(is_trafficking=value)
    return len(marked) + len(unmarked)


def _reclassify(task_force: TaskForce, key: str) -> int:
    """Mark again the task force's charges under ``key`` (or its subsections) after its list changed (the caller
    holds the task force's row lock)."""
    keys = list(TraffickingStatute.objects.filter(task_force=task_force).values_list("citation_key", flat=True))
    touched = Charge.objects.filter(arrest__case__task_force=task_force, citation_key__startswith=key)
    rows = touched.values_list("pk", "citation_key", "is_trafficking")
    return _mark([row for row in rows if falls_under(row[1], key)], keys)


def case_charges_remark(*, case: Case) -> int:
    """Mark a case's charges again against its task force's list, after the case was saved (its task force may have
    been set, changed or cleared: ``prosecution.receivers``). One query for a case without arrests. Runs in the
    caller's transaction (the case's save), under the new task force's row lock as the statute services take it."""
    charges = list(Charge.objects.filter(arrest__case=case).values_list("pk", "citation_key", "is_trafficking"))
    if not charges:
        return 0
    with transaction.atomic():
        keys: list[str] = []
        if case.task_force_id is not None:
            TaskForce.objects.select_for_update().filter(pk=case.task_force_id).first()
            keys = selectors.statute_keys_for(case)
        return _mark(charges, keys)


def _lock_task_force(task_force: TaskForce) -> None:
    """The task force's row lock, taken before its statute list changes (see ``_locked_statute_keys``)."""
    TaskForce.objects.select_for_update().filter(pk=task_force.pk).first()


def trafficking_statute_add(
    *, task_force: TaskForce, citation: str, title: str, actor: User | None, request: HttpRequest | None = None
) -> TraffickingStatute:
    """List a state statute as a trafficking statute of ``task_force``; its charges already recorded are marked."""
    if actor is not None and not selectors.statute_task_forces_of(actor).filter(pk=task_force.pk).exists():
        raise PermissionDenied
    key = citation_key(citation)
    errors: dict[str, list[str]] = {}
    if not key:
        errors["citation"] = [_("Give the statute's citation.")]
    elif TraffickingStatute.objects.filter(task_force=task_force, citation_key=key).exists():
        errors["citation"] = [_("This statute is already listed.")]
    if not title.strip():
        errors["title"] = [_("Give the statute's title.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock_task_force(task_force)
        try:
            with transaction.atomic():
                statute = TraffickingStatute.objects.create(
                    task_force=task_force,
                    citation=citation.strip(),
                    citation_key=key,
                    title=title.strip(),
                    added_by=actor,
                )
        except IntegrityError:  # listed by someone else since the check above
            raise ValidationError({"citation": [_("This statute is already listed.")]}) from None
        marked = _reclassify(task_force, key)
        audit_record(
            action="prosecution.statute.added",
            actor=actor,
            request=request,
            target=statute,
            details={"task_force_id": task_force.pk, "charges_marked": marked},
        )
    return statute


def trafficking_statute_remove(
    *, statute: TraffickingStatute, actor: User | None, request: HttpRequest | None = None
) -> None:
    """Take a statute off its task force's list; its charges are marked again (a federal one stays marked)."""
    task_force = statute.task_force
    if actor is not None and not selectors.statute_task_forces_of(actor).filter(pk=task_force.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        _lock_task_force(task_force)
        key, pk = statute.citation_key, statute.pk
        statute.delete()
        changed = _reclassify(task_force, key)
        audit_record(
            action="prosecution.statute.removed",
            actor=actor,
            request=request,
            details={"task_force_id": task_force.pk, "statute_id": pk, "charges_unmarked": changed},
        )
