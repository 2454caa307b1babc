"""The prosecution pages: record an arrest (with its first charge), correct it, add a charge, record a charging
decision and a disposition, and the task force's list of trafficking statutes. Who may is
``prosecution.selectors``: 404 outside the case, 403 for a reader of it without law-enforcement access or without
the right to record; a stale edit is refused and the form shown again with the record as it is now."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import TaskForce
from cases import selectors as case_selectors
from cases.selectors import CaseAccess
from portal.audit import audit_records
from portal.forms import add_errors
from portal.http import AuthenticatedHttpRequest
from prosecution import selectors, services
from prosecution.forms import (
    ArrestEditForm,
    ArrestForm,
    ChargeForm,
    DecisionForm,
    DispositionForm,
    StatuteForm,
)
from prosecution.models import Charge


def _back_to_case(case_pk: int) -> str:
    return reverse("case_detail", args=[case_pk]) + "#prosecution"


def arrest_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record an arrest of one of the case's suspects, with its first charge. Showing the suspects by name is a
    read of their information: audited as the case page audits it."""
    user = request.user
    access = selectors.prosecution_access(user, pk)
    if not selectors.may_record_arrests(access):
        raise PermissionDenied
    case = access.case
    suspects = selectors.suspects_of(user, access)
    if not suspects:
        raise Http404
    initial = {"arrested_on": timezone.localdate(), "participant": request.GET.get("suspect")}
    form = ArrestForm(
        request.POST or None,
        initial=initial,
        suspects=[(participant, view.label) for participant, view in suspects],
        agencies=selectors.arresting_agencies_for(case),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.arrest_record(
                case=case,
                participant=form.suspect(),
                arrested_on=form.cleaned_data["arrested_on"],
                arresting_agency=form.cleaned_data["arresting_agency"],
                charges=[form.charge_fields()],
                actor=user,
                submission_key=form.cleaned_data.get("submission_key"),
                request=request,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The arrest is recorded."))
            return redirect(_back_to_case(case.pk))
    audit_records(case_selectors.person_read_events(user, case, suspects, via="prosecution"), request=request)
    return render(request, "prosecution/arrest_form.html", {"form": form, "case": case, "is_new": True})


def arrest_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct an arrest's date or agency."""
    access, arrest = selectors.arrest_for_user(request.user, pk)
    if not selectors.may_record_arrests(access):
        raise PermissionDenied
    case = access.case
    initial = {
        "arrested_on": arrest.arrested_on,
        "arresting_agency": arrest.arresting_agency,
        "version": arrest.version,
    }
    form = ArrestEditForm(request.POST or None, initial=initial, agencies=selectors.arresting_agencies_for(case))
    if request.method == "POST" and form.is_valid():
        try:
            services.arrest_update(
                arrest=arrest,
                version=form.cleaned_data["version"],
                arrested_on=form.cleaned_data["arrested_on"],
                arresting_agency=form.cleaned_data["arresting_agency"],
                actor=request.user,
                request=request,
            )
        except services.StaleProsecutionEdit as stale:
            messages.error(request, stale.messages[0])
            return redirect("arrest_edit", pk=arrest.pk)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The arrest is saved."))
            return redirect(_back_to_case(case.pk))
    return render(request, "prosecution/arrest_form.html", {"form": form, "case": case, "arrest": arrest})


def charge_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add a charge to an arrest."""
    access, arrest = selectors.arrest_for_user(request.user, pk)
    if not selectors.may_record_arrests(access):
        raise PermissionDenied
    case = access.case
    form = ChargeForm(request.POST or None, initial={"version": arrest.version, "level": Charge.Level.FELONY})
    if request.method == "POST" and form.is_valid():
        try:
            services.charge_add(
                arrest=arrest,
                version=form.cleaned_data["version"],
                actor=request.user,
                request=request,
                **form.charge_fields(),
            )
        except services.StaleProsecutionEdit as stale:
            messages.error(request, stale.messages[0])
            return redirect("charge_add", pk=arrest.pk)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The charge is added."))
            return redirect(_back_to_case(case.pk))
    return render(request, "prosecution/charge_form.html", {"form": form, "case": case, "arrest": arrest})


def _charge_page(request: AuthenticatedHttpRequest, pk: int) -> tuple[Charge, CaseAccess]:
    access, charge = selectors.charge_for_user(request.user, pk)
    if not selectors.may_decide_charge(request.user, access, charge):
        raise PermissionDenied
    return charge, access


def charge_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record the prosecutor's charging decision: charged, or declined with a reason."""
    charge, access = _charge_page(request, pk)
    case = access.case
    agencies = selectors.decision_agencies_for(request.user, access)
    own = request.user.agency if selectors.is_prosecutor(request.user) else None
    initial = {
        "decision": charge.decision if charge.decision != Charge.Decision.PENDING else Charge.Decision.CHARGED,
        "decided_on": charge.decided_on or timezone.localdate(),
        "prosecuting_agency": charge.prosecuting_agency or own,
        "decline_reason": charge.decline_reason,
        "version": charge.version,
    }
    form = DecisionForm(request.POST or None, initial=initial, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            services.charge_decide(
                charge=charge,
                version=form.cleaned_data["version"],
                decision=form.cleaned_data["decision"],
                decided_on=form.cleaned_data["decided_on"],
                prosecuting_agency=form.cleaned_data["prosecuting_agency"],
                decline_reason=form.cleaned_data["decline_reason"],
                actor=request.user,
                request=request,
            )
        except services.StaleProsecutionEdit as stale:
            messages.error(request, stale.messages[0])
            return redirect("charge_decide", pk=charge.pk)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The charging decision is recorded."))
            return redirect(_back_to_case(case.pk))
    return render(
        request,
        "prosecution/charge_step_form.html",
        {"form": form, "case": case, "charge": charge, "heading": _("Charging decision")},
    )


def charge_dispose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record how a charge a prosecutor brought ended: a date, and a sentence only after a conviction or a plea."""
    charge, access = _charge_page(request, pk)
    case = access.case
    if charge.decision != Charge.Decision.CHARGED:
        raise Http404
    initial = {
        "disposition": charge.disposition,
        "disposed_on": charge.disposed_on or timezone.localdate(),
        "sentence": charge.sentence,
        "version": charge.version,
    }
    form = DispositionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.charge_dispose(
                charge=charge,
                version=form.cleaned_data["version"],
                disposition=form.cleaned_data["disposition"],
                disposed_on=form.cleaned_data["disposed_on"],
                sentence=form.cleaned_data["sentence"],
                actor=request.user,
                request=request,
            )
        except services.StaleProsecutionEdit as stale:
            messages.error(request, stale.messages[0])
            return redirect("charge_dispose", pk=charge.pk)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The disposition is recorded."))
            return redirect(_back_to_case(case.pk))
    return render(
        request,
        "prosecution/charge_step_form.html",
        {"form": form, "case": case, "charge": charge, "heading": _("Disposition")},
    )


def statute_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The state statutes each of the coordinator's task forces counts as trafficking, and a form to list one more.
    404 for anyone whose role does not keep the list."""
    task_forces = list(selectors.statute_task_forces_of(request.user).prefetch_related("trafficking_statutes"))
    if not task_forces:
        raise Http404
    forms = {task_force.pk: StatuteForm(prefix=f"tf{task_force.pk}") for task_force in task_forces}
    if request.method == "POST":
        task_force = _posted_task_force(request, task_forces)
        form = forms[task_force.pk] = StatuteForm(request.POST, prefix=f"tf{task_force.pk}")
        if form.is_valid():
            try:
                services.trafficking_statute_add(
                    task_force=task_force,
                    citation=form.cleaned_data["citation"],
                    title=form.cleaned_data["title"],
                    actor=request.user,
                    request=request,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The statute is listed."))
                return redirect("trafficking_statutes")
    rows = [(task_force, forms[task_force.pk]) for task_force in task_forces]
    return render(request, "prosecution/statutes.html", {"rows": rows})


def _posted_task_force(request: AuthenticatedHttpRequest, task_forces: list[TaskForce]) -> TaskForce:
    wanted = request.POST.get("task_force", "")
    found = next((task_force for task_force in task_forces if str(task_force.pk) == wanted), None)
    if found is None:
        raise Http404
    return found


@require_POST
def statute_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    statute = selectors.statute_for_user(request.user, pk)
    services.trafficking_statute_remove(statute=statute, actor=request.user, request=request)
    messages.success(request, _("The statute is no longer listed."))
    return redirect("trafficking_statutes")
