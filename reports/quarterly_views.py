"""The quarterly report pages (decision 0037): the agency's reports by quarter, a report (its measures in tables,
before sign-off the records missing a field and the sign-off form, once signed the exports and what changed since),
the sign-off, and the CSV and PDF of a signed report. Who may is ``reports.quarterly.access``: 404 for anyone else.
Every page read (the list too), every export and every refused sign-off is an audit event; a name in the
missing-field list is a read of personal information, audited as the case page audits it."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit import audit_record, audit_records
from portal.forms import add_errors
from portal.http import AuthenticatedHttpRequest
from reports import services
from reports.forms import QuarterlySignForm
from reports.models import QuarterlyReport
from reports.quarterly import access as quarterly_access
from reports.quarterly import exports, measures, missing
from reports.quarterly.access import QuarterlyAccess


def quarterly_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not quarterly_access.can_read_quarterly_reports(request.user):
        raise Http404
    agency = request.user.agency
    kind = measures.report_kind_of(agency)
    if agency is None or kind is None:  # can_read_quarterly_reports says otherwise; for the type checker
        raise Http404
    quarters = quarterly_access.quarters_listed_for(request.user)
    audit_record(
        request=request,
        action="reports.quarterly.listed",
        details={"kind": kind, "agency_id": agency.pk, "signed": sum(1 for q in quarters if q.signed is not None)},
    )
    return render(
        request,
        "reports/quarterly_list.html",
        {
            "agency": agency,
            "kind_label": QuarterlyReport.Kind(kind).label,
            "quarters": quarters,
            "may_read_drafts": quarterly_access.can_read_drafts(request.user),
        },
    )


def _asked(access: QuarterlyAccess) -> dict[str, Any]:
    """What the audit trail keeps of a report read: the quarter, the kind, whether signed; never a count."""
    return {
        "quarter": access.quarter.code,
        "kind": access.kind,
        "signed": access.signed is not None,
        "agency_id": access.agency.pk,
    }


def quarterly_report(request: AuthenticatedHttpRequest, quarter: str) -> HttpResponse:
    access = quarterly_access.quarterly_access_for(request.user, quarter)
    return _report_page(request, access, QuarterlySignForm(), status=200)


def _report_page(
    request: AuthenticatedHttpRequest, access: QuarterlyAccess, form: QuarterlySignForm, *, status: int
) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "access": access,
        "kind_label": QuarterlyReport.Kind(access.kind).label,
        "form": form,
    }
    reads: list[dict[str, Any]] = []
    if access.signed is not None:
        report = access.signed
        context |= {
            "report": report,
            "signed_at": exports.signed_at(report),
            "tables": measures.shown_tables(access.kind, measures.values_of(report.snapshot)),
            "intact": report.digest_matches(),
        }
        if access.may_read_draft:
            # Re-run: the same quarter computed now, beside the signed values; the snapshot is only read.
            now = measures.compute(access.agency, access.quarter)
            context["changes"] = measures.changes_since(access.kind, report.snapshot, now)
    else:
        draft = measures.compute(access.agency, access.quarter)
        found = missing.missing_for(user, access.agency, access.quarter, access.kind)
        reads = found.reads
        # The form carries the digest of the measures this page shows: those computed now (after a refused
        # sign-off too, since the page shows them again).
        if form.is_bound:
            form = QuarterlySignForm({"confirm": form.data.get("confirm", ""), "digest": draft.digest})
            form.is_valid()
        else:
            form = QuarterlySignForm(initial={"digest": draft.digest})
        context |= {
            "draft": draft,
            "tables": measures.shown_tables(access.kind, draft.values),
            "missing": found,
            "form": form,
        }
    audit_records(
        [{"action": "reports.quarterly.viewed", "actor": user, "details": _asked(access)}, *reads], request=request
    )
    return render(request, "reports/quarterly_report.html", context, status=status)


def _report_url(access: QuarterlyAccess) -> str:
    return reverse("quarterly_report", args=[access.quarter.code])


def _sign_refused(request: AuthenticatedHttpRequest, access: QuarterlyAccess, reason: str) -> None:
    """Audit a refused sign-off: who, which report, and the reason's code (``not_signer``, ``unconfirmed``,
    ``already_signed``, ``stale``, ``not_ended``, ``invalid``); never a count."""
    audit_record(
        request=request,
        action="reports.quarterly.sign_refused",
        details={"quarter": access.quarter.code, "kind": access.kind, "agency_id": access.agency.pk, "reason": reason},
    )


@require_POST
def quarterly_sign(request: AuthenticatedHttpRequest, quarter: str) -> HttpResponse:
    """Sign the report as read. A second signature, a stale one (the records changed since the page was read) or
    one before the quarter's end is refused with its reason, and nothing is written but the refusal's audit
    event."""
    access = quarterly_access.quarterly_access_for(request.user, quarter)
    if not quarterly_access.can_sign_quarterly_reports(request.user):
        _sign_refused(request, access, "not_signer")
        raise PermissionDenied
    form = QuarterlySignForm(request.POST)
    if not form.is_valid():
        _sign_refused(request, access, "unconfirmed")
        return _report_page(request, access, form, status=400)
    try:
        services.quarterly_report_sign(
            actor=request.user, quarter_code=access.quarter.code, digest=form.cleaned_data["digest"], request=request
        )
    except services.AlreadySigned as signed:
        _sign_refused(request, access, "already_signed")
        by = signed.report.signed_by.full_name if signed.report is not None else "—"
        messages.error(
            request,
            _("This report was signed already, by %(name)s: the signed report is below, and yours was not recorded.")
            % {"name": by},
        )
        return redirect(_report_url(access))
    except services.StaleSignOff:
        _sign_refused(request, access, "stale")
        messages.error(
            request,
            _(
                "The records changed since you opened this report, so its measures are not those you read. Read "
                "them again below, then sign."
            ),
        )
        return redirect(_report_url(access))
    except ValidationError as error:
        _sign_refused(request, access, "invalid" if access.ended else "not_ended")
        add_errors(form, error)
        return _report_page(request, access, form, status=400)
    messages.success(request, _("The report is signed. It is frozen as you read it."))
    return redirect(_report_url(access))


class AlteredReport(Exception):
    """The stored snapshot no longer matches the digest signed: it is not exported."""


def _signed(request: AuthenticatedHttpRequest, quarter: str) -> tuple[QuarterlyAccess, QuarterlyReport]:
    """Exports are of a signed report only (what is sent is what was signed): 404 for a draft; ``AlteredReport``
    for one whose snapshot no longer matches its digest."""
    access = quarterly_access.quarterly_access_for(request.user, quarter)
    if access.signed is None:
        raise Http404
    if not access.signed.digest_matches():
        raise AlteredReport
    return access, access.signed


def _altered(request: AuthenticatedHttpRequest) -> HttpResponse:
    """409: the page says the report was altered after signing and nothing was exported."""
    return render(request, "reports/quarterly/altered.html", status=409)


def _exported(request: AuthenticatedHttpRequest, access: QuarterlyAccess, report: QuarterlyReport, fmt: str) -> None:
    audit_record(
        request=request,
        action="reports.quarterly.exported",
        target=report,
        details={**_asked(access), "format": fmt, "digest": report.digest},
    )


def quarterly_csv(request: AuthenticatedHttpRequest, quarter: str) -> HttpResponse:
    try:
        access, report = _signed(request, quarter)
    except AlteredReport:
        return _altered(request)
    body = exports.report_csv(report)
    _exported(request, access, report, "csv")
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(report, "csv")}"'
    return response


def quarterly_pdf(request: AuthenticatedHttpRequest, quarter: str) -> HttpResponse:
    try:
        access, report = _signed(request, quarter)
    except AlteredReport:
        return _altered(request)
    pdf = exports.report_pdf(report, request.user)
    _exported(request, access, report, "pdf")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(report, "pdf")}"'
    return response
