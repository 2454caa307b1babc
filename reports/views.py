"""The dashboard, its CSV downloads, and the outreach events' list and form. Reads through ``selectors`` and
``sections``; writes through ``services``. Anyone the dashboard is not for gets 404 (architecture §4.8)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.forms import add_errors
from portal.http import AuthenticatedHttpRequest
from portal.pagination import paginate
from reports import sections, selectors, services
from reports.forms import DashboardFilter, OutreachEventForm
from reports.quarterly.access import can_read_drafts as can_read_quarterly_drafts

FILTER_FIELDS = ("quarter", "start", "end", "agency", "task_force")


def _scope(request: AuthenticatedHttpRequest, form: DashboardFilter) -> tuple[sections.Scope, str]:
    start, end, period = form.period()
    data = form.cleaned_data if form.is_bound else {}
    scope = sections.Scope(
        user=request.user,
        start=start,
        end=end,
        now=timezone.now(),
        agency=data.get("agency"),
        task_force=data.get("task_force"),
    )
    return scope, period


def _asked(scope: sections.Scope, period: str) -> dict[str, object]:
    """What the audit trail keeps of a question: the period and the filters' ids, never a count."""
    return {
        "period": period,
        "agency_id": getattr(scope.agency, "pk", None),
        "task_force_id": getattr(scope.task_force, "pk", None),
    }


def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.can_view_dashboard(request.user):
        raise Http404
    asked = {key: str(value) for key, value in request.GET.items() if key in FILTER_FIELDS and value}
    form = DashboardFilter(asked or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return render(request, "reports/dashboard.html", {"form": form, "sections": [], "period": ""}, status=200)
    scope, period = _scope(request, form)
    if request.GET.get("format") == "csv":
        return _chart_csv(request, scope, period)
    built = sections.build(scope)
    audit_record(request=request, action="reports.dashboard.viewed", details=_asked(scope, period))
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "sections": built,
            "period": period,
            "query": _encoded(asked),
            "quarterly": can_read_quarterly_drafts(request.user),
        },
    )


def _encoded(asked: dict[str, str]) -> str:
    return urlencode(asked)


def _chart_csv(request: AuthenticatedHttpRequest, scope: sections.Scope, period: str) -> HttpResponse:
    """One chart's table as CSV: the cells the page shows, suppressed alike. A download leaves the portal: audited."""
    spec = sections.chart_spec(request.GET.get("chart", ""))
    if spec is None:
        raise Http404
    chart = sections.build_chart(spec, scope)
    if chart.unseen:
        raise Http404  # the page offers no download: none of its records are among those the viewer may see
    audit_record(
        request=request, action="reports.chart.downloaded", details={"chart": spec.key} | _asked(scope, period)
    )
    response = HttpResponse(chart.csv(), content_type="text/csv; charset=utf-8")
    filename = f"{spec.key.replace('.', '-')}-{scope.start.isoformat()}-{scope.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def outreach_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.can_read_outreach(request.user):
        raise Http404
    page = paginate(request, selectors.outreach_events_of_agency(request.user), per_page=50)
    return render(
        request,
        "reports/outreach_list.html",
        {"page": page, "may_record": selectors.can_record_outreach(request.user)},
    )


def outreach_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.can_record_outreach(request.user):
        raise Http404
    form = OutreachEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.outreach_event_record(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The event is recorded."))
            return redirect("outreach_list")
    return render(request, "reports/outreach_form.html", {"form": form})
