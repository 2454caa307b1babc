"""A signed quarterly report as a CSV in the portal's grant order and as a PDF with the packets' conventions
(decision 0037). Both are made from the frozen snapshot alone, so they say exactly what was signed, whenever they
are made; each is a disclosure, audited by the view (``reports.quarterly.exported``)."""

import csv
import io
from datetime import UTC
from typing import Any

from django.template.loader import render_to_string
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from agencies.models import User
from cases.packets import Handling, print_context
from portal.pdf import html_to_pdf
from reports.models import QuarterlyReport
from reports.quarterly.measures import Kind, shown_tables, values_of

CSV_HEADER = ("code", "question", "value")


def report_csv(report: QuarterlyReport) -> str:
    """The snapshot's measures, one a line, in the order they were signed (the portal's grant order): code, the
    question in English as signed, the value. Nothing else: the grant system reads the rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for measure in report.snapshot["measures"]:
        writer.writerow((measure["code"], measure["question"], measure["value"]))
    return out.getvalue()


def export_filename(report: QuarterlyReport, extension: str) -> str:
    return f"quarterly-report-{report.quarter_code}-agency-{report.agency_id}.{extension}"


def handling_of(report: QuarterlyReport) -> Handling:
    """The mark every page carries: a law-enforcement report counts arrests and charges, law-enforcement-sensitive
    records (decision 0034), though as totals; a provider's report is totals only, no one named."""
    return Handling.LAW_ENFORCEMENT if report.kind == Kind.LAW_ENFORCEMENT else Handling.RESTRICTED


def signed_at(report: QuarterlyReport) -> str:
    """When it was signed, in UTC as the pages' "Prepared for" line writes times, as the snapshot says (the column
    holds the same instant)."""
    instant = parse_datetime(report.snapshot["signed_at"]) or report.signed_at
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def report_pdf(report: QuarterlyReport, viewer: User) -> bytes:
    """The signed report typeset as the case packets are: the handling mark in every page's header and footer,
    "Prepared for" the viewer, page X of Y, a tagged PDF."""
    title = _("Quarterly report %(quarter)s") % {"quarter": report.quarter_code}
    context: dict[str, Any] = print_context(
        viewer,
        handling_of(report),
        title=title,
        report=report,
        snapshot=report.snapshot,
        signed_at=signed_at(report),
        kind_label=QuarterlyReport.Kind(report.kind).label,
        tables=shown_tables(report.kind, values_of(report.snapshot)),
    )
    return html_to_pdf(render_to_string("reports/print/quarterly_report.html", context))
