"""Who sees and records a case's prosecution (decision 0034): the one place that decides.

Arrests, charges, decisions and dispositions are law-enforcement-sensitive: they exist only for readers who hold
``view_le_sensitive`` on the case (``cases.selectors.VIEW_LE``). Outside the case: 404 (``case_access_for_user``);
a reader of the case without it: 403. Arrests and charges are recorded by who may change the case and sees its
law-enforcement-sensitive part; charging decisions and dispositions also by a prosecutor's people whose agency
holds that part of the case (a law-enforcement share), who do not otherwise change the case.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from agencies.models import Agency, TaskForce, User
from cases import selectors as case_selectors
from cases.models import Case, CaseParticipant
from cases.presenters import person_label
from cases.selectors import CHANGE, VIEW_LE, CaseAccess, PersonView
from prosecution.models import Arrest, Charge, TraffickingStatute

ARRESTING_KINDS = (Agency.Kind.FEDERAL_LE, Agency.Kind.STATE_LE, Agency.Kind.LOCAL_LE)
EDIT_STATUTES = "prosecution.change_traffickingstatute"


def may_see_prosecution(access: CaseAccess) -> bool:
    """Whether the reader sees the case's arrests, charges and dispositions at all."""
    return VIEW_LE in access.permissions


def may_record_arrests(access: CaseAccess) -> bool:
    """Whether the reader records arrests and their charges: they change the case and see its LE-sensitive part."""
    return {CHANGE, VIEW_LE} <= access.permissions


def is_prosecutor(user: User) -> bool:
    agency = user.agency
    return agency is not None and agency.kind == Agency.Kind.PROSECUTOR


def may_record_decisions(user: User, access: CaseAccess) -> bool:
    """Whether the reader records charging decisions and dispositions: who records arrests, and a prosecutor's
    people whose role works cases and who see the case's LE-sensitive part."""
    if may_record_arrests(access):
        return True
    return VIEW_LE in access.permissions and is_prosecutor(user) and case_selectors.can_work_cases(user)


def acts_as_prosecutor(user: User, access: CaseAccess) -> bool:
    """Whether ``user`` records decisions only as a prosecutor's people (they do not record arrests): then only in
    their own office's name, and only on a charge no other office has decided."""
    return not may_record_arrests(access) and may_record_decisions(user, access)


def may_decide_charge(user: User, access: CaseAccess, charge: Charge) -> bool:
    """Whether ``user`` records (or corrects) the charging decision or the disposition of ``charge``: who records
    arrests, any; a prosecutor acting as such, one still undecided (a decision) or decided by their own office."""
    if not may_record_decisions(user, access):
        return False
    if not acts_as_prosecutor(user, access):
        return True
    own = user.agency.pk if user.agency is not None else None
    return charge.prosecuting_agency_id == own or (
        charge.decision == Charge.Decision.PENDING and charge.prosecuting_agency_id is None
    )


def prosecution_access(user: User, case_pk: int) -> CaseAccess:
    """``user``'s access to the case, if they see its prosecution: 404 outside it, 403 without LE access."""
    access = case_selectors.case_access_for_user(user, case_pk)
    if not may_see_prosecution(access):
        raise PermissionDenied
    return access


def arrest_for_user(user: User, pk: int) -> tuple[CaseAccess, Arrest]:
    """The arrest and ``user``'s access to its case (404 for an arrest that does not exist or a case outside their
    audience, 403 for a reader of the case without LE access)."""
    arrest = Arrest.objects.select_related("participant", "arresting_agency").filter(pk=pk).first()
    if arrest is None:
        raise Http404
    return prosecution_access(user, arrest.case_id), arrest


def charge_for_user(user: User, pk: int) -> tuple[CaseAccess, Charge]:
    """The charge and ``user``'s access to its case, as ``arrest_for_user``."""
    charge = Charge.objects.select_related("arrest__participant", "prosecuting_agency").filter(pk=pk).first()
    if charge is None:
        raise Http404
    return prosecution_access(user, charge.arrest.case_id), charge


def suspects_of(user: User, access: CaseAccess) -> list[tuple[CaseParticipant, PersonView]]:
    """The case's suspects as ``user`` sees them, each view with its ``label`` (a name, or "Suspect #N" when
    withheld)."""
    people = case_selectors.people_of_case_for(user, access.case, access.permissions)
    suspects = [(participant, view) for participant, view in people if participant.role == CaseParticipant.Role.SUSPECT]
    for participant, view in suspects:
        view.label = person_label(participant, view)
    return suspects


def arrests_of(case: Case) -> QuerySet[Arrest]:
    """The case's arrests with their charges and agencies: two queries, whatever their number."""
    charges = Charge.objects.select_related("prosecuting_agency").order_by("id")
    return (
        Arrest.objects.filter(case=case)
        .select_related("arresting_agency")
        .prefetch_related(Prefetch("charges", queryset=charges))
        .order_by("arrested_on", "id")
    )


def _task_force_agencies(case: Case, kinds: tuple[str, ...]) -> QuerySet[Agency]:
    agencies = Agency.objects.filter(is_active=True, kind__in=kinds)
    if case.task_force_id is not None:
        agencies = agencies.filter(Q(task_forces=case.task_force_id) | Q(pk=case.lead_agency_id))
    return agencies.distinct().order_by("name")


def arresting_agencies_for(case: Case) -> QuerySet[Agency]:
    """The agencies an arrest in ``case`` may name: law enforcement of the case's task force (or any, without one)."""
    return _task_force_agencies(case, ARRESTING_KINDS)


def prosecuting_agencies_for(case: Case) -> QuerySet[Agency]:
    """The prosecutors a charging decision in ``case`` may name: those of the case's task force (or any)."""
    return _task_force_agencies(case, (Agency.Kind.PROSECUTOR,))


def decision_agencies_for(user: User, access: CaseAccess) -> QuerySet[Agency]:
    """The prosecutors ``user`` may name on a charging decision: those of the case's task force, or only their own
    office when they act as a prosecutor (``acts_as_prosecutor``)."""
    agencies = prosecuting_agencies_for(access.case)
    if acts_as_prosecutor(user, access):
        return agencies.filter(pk=user.agency.pk) if user.agency is not None else agencies.none()
    return agencies


def statute_keys_for(case: Case) -> list[str]:
    """The normal forms of the state statutes ``case``'s task force counts as trafficking."""
    if case.task_force_id is None:
        return []
    return list(
        TraffickingStatute.objects.filter(task_force_id=case.task_force_id).values_list("citation_key", flat=True)
    )


def can_edit_statutes(user: User) -> bool:
    """Whether ``user``'s role lists their task forces' trafficking statutes (the coordinator's)."""
    return user.is_active and user.agency is not None and user.has_perm(EDIT_STATUTES)


def statute_task_forces_of(user: User) -> QuerySet[TaskForce]:
    """The task forces whose statute list ``user`` edits: those their agency belongs to, if their role may."""
    if not can_edit_statutes(user):
        return TaskForce.objects.none()
    return TaskForce.objects.filter(agencies=user.agency).order_by("name")


def statute_for_user(user: User, pk: int) -> TraffickingStatute:
    statute = TraffickingStatute.objects.filter(pk=pk, task_force__in=statute_task_forces_of(user)).first()
    if statute is None:
        raise Http404
    return statute


# --- Many cases at once, for the reports ----------------------------------------------------------------------------


def _le_cases(user: User, case_ref: str) -> Q:
    """Rows whose case (``case_ref``) ``user`` opens and whose law-enforcement-sensitive part they read: the rule of
    ``may_see_prosecution`` for many cases, as semi-joins on their grants (``cases_held``)."""
    return case_selectors.cases_held(user, case_selectors.VIEW, case_ref) & case_selectors.cases_held(
        user, VIEW_LE, case_ref
    )


def arrests_visible_to(user: User) -> QuerySet[Arrest]:
    """The arrests ``user`` sees, as one queryset (for counting over many cases: the dashboard): those of the cases
    whose prosecution they see (``may_see_prosecution``); none for a reader without law-enforcement access."""
    return Arrest.objects.filter(_le_cases(user, "case_id"))


def charges_visible_to(user: User) -> QuerySet[Charge]:
    """The charges ``user`` sees, with their decisions and dispositions, as ``arrests_visible_to`` reads arrests."""
    return Charge.objects.filter(_le_cases(user, "arrest__case_id"))
