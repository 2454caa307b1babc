"""Operation pages: the agency's operations, one operation, its conflicts, and the coordinator's board. Reads go
through ``selectors`` (404 for anyone outside), writes through ``services``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deconfliction.operations import selectors, services
from deconfliction.operations.forms import OperationForm, ResolveForm
from deconfliction.operations.models import Operation, OperationConflict
from deconfliction.watch import watch_tabs
from portal.forms import add_errors
from portal.http import AuthenticatedHttpRequest
from portal.pagination import paginate

FIELDS = services.EDITABLE_FIELDS


def _planner(request: AuthenticatedHttpRequest) -> None:
    if not selectors.can_plan_operations(request.user):
        raise Http404


def operation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The agency's operations still to come (soonest first), or those over (latest first)."""
    _planner(request)
    past = request.GET.get("when") == "past"
    operations = selectors.operations_past(request.user) if past else selectors.operations_upcoming(request.user)
    page = paginate(request, operations, per_page=50)
    return render(
        request,
        "deconfliction/operations/operation_list.html",
        {"page": page, "past": past, "unread": selectors.unread_notice_count(request.user)},
    )


def operation_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    _planner(request)
    form = OperationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            operation = services.operation_create(
                actor=request.user,
                request=request,
                submission_key=form.cleaned_data.get("submission_key"),
                **{name: form.cleaned_data.get(name) for name in FIELDS},
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The operation is planned."))
            return redirect("operation_detail", pk=operation.pk)
    return render(request, "deconfliction/operations/operation_form.html", {"form": form})


def operation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_get_for_user(request.user, pk)
    conflicts = [selectors.view_for_planner(request.user, conflict) for conflict in selectors.conflicts_of(operation)]
    return render(
        request,
        "deconfliction/operations/operation_detail.html",
        {
            "operation": operation,
            "conflicts": conflicts,
            "may_change": selectors.may_change(request.user, operation),
            "started": operation.starts_at <= timezone.now(),
        },
    )


def operation_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_get_for_user(request.user, pk)
    if not selectors.may_change(request.user, operation):
        raise PermissionDenied
    form = OperationForm(request.POST or None, user=request.user, initial=OperationForm.initial_of(operation))
    if request.method == "POST" and form.is_valid():
        try:
            services.operation_update(
                operation=operation,
                version=form.cleaned_data.get("version") or 0,
                actor=request.user,
                request=request,
                **{name: form.cleaned_data.get(name) for name in FIELDS},
            )
        except services.StaleOperationEdit as stale:
            messages.error(request, stale.messages[0])
            return redirect("operation_edit", pk=operation.pk)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The operation is saved."))
            return redirect("operation_detail", pk=operation.pk)
    return render(request, "deconfliction/operations/operation_form.html", {"form": form, "operation": operation})


@require_POST
def operation_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_get_for_user(request.user, pk)
    status = request.POST.get("status", "")
    try:
        services.operation_close(operation=operation, status=status, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if status == Operation.Status.CANCELLED:
            messages.success(request, _("The operation is cancelled."))
        else:
            messages.success(request, _("The operation is recorded as done."))
    return redirect("operation_detail", pk=operation.pk)


def conflict_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The conflicts of the agency's operations: of the other side, only whom to call. Viewing them reads the
    reader's notices."""
    _planner(request)
    page = paginate(request, selectors.conflicts_for_agency(request.user), per_page=50)
    unread = selectors.unread_conflict_ids(request.user)
    rows = [selectors.view_for_planner(request.user, conflict, unread) for conflict in page.object_list]
    services.notices_mark_read(user=request.user, conflict_ids=[row.conflict.pk for row in rows if row.unread])
    return render(request, "deconfliction/operations/conflict_list.html", {"page": page, "rows": rows})


def conflict_board(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The coordinator's open conflicts, soonest first, each with both contacts and the form to settle it."""
    if not selectors.can_resolve_conflicts(request.user):
        raise Http404
    page = paginate(request, selectors.open_conflicts_coordinated_by(request.user), per_page=50)
    rows = [selectors.view_for_coordinator(conflict) for conflict in page.object_list]
    services.notices_mark_read(user=request.user, conflict_ids=[row.conflict.pk for row in rows])
    return render(
        request,
        "deconfliction/operations/conflict_board.html",
        {
            "page": page,
            "rows": rows,
            "resolutions": OperationConflict.Resolution.choices,
            "watch_tabs": watch_tabs(request.user, "operations"),
        },
    )


@require_POST
def conflict_resolve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conflict = selectors.conflict_get_for_coordinator(request.user, pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how the conflict was settled."))
        return redirect("operation_conflict_board")
    try:
        services.conflict_resolve(
            conflict=conflict,
            resolution=form.cleaned_data["resolution"],
            version=form.cleaned_data["version"],
            actor=request.user,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The conflict is recorded as settled."))
    return redirect("operation_conflict_board")
