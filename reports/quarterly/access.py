"""Who reads and signs an agency's quarterly reports (decision 0037): the one place that decides.

A report is its agency's alone. Its supervisors read the drafts and sign; its caseworkers read the drafts and the
signed reports; its auditors read the signed reports only, and a law-enforcement report (arrests, charges, marked
law-enforcement-sensitive) only if their role holds law-enforcement-sensitive access (``cases.view_le_sensitive``,
which the auditor's role does not: agencies/roles.py). Everyone else (another agency's people, the task force's
coordinators, agency admins, provider staff, intake) gets 404, as does anyone for a quarter not yet begun, and an
auditor for a quarter not signed: nothing says whether a report exists.
"""

from dataclasses import dataclass
from datetime import date

from django.http import Http404
from django.utils import timezone

from agencies.models import Agency, Role, User
from cases.selectors.cases import VIEW_LE
from reports.fiscal import FiscalQuarter, parse_quarter, quarter_of, recent_quarters
from reports.models import QuarterlyReport
from reports.quarterly.measures import report_kind_of

SIGNERS = frozenset({Role.SUPERVISOR})
DRAFT_READERS = frozenset({Role.SUPERVISOR, Role.CASEWORKER})
SIGNED_READERS = DRAFT_READERS | {Role.AUDITOR}
LISTED = 8  # quarters the list offers as drafts: the current one and the seven before it


def _role_in(user: User, roles: frozenset[str]) -> bool:
    return user.is_active and report_kind_of(user.agency) is not None and user.role in roles


def _reads_law_enforcement_sensitive(user: User) -> bool:
    return user.has_perm(f"cases.{VIEW_LE}")


def can_read_quarterly_reports(user: User) -> bool:
    """Whether ``user`` reads any of their agency's quarterly reports (the list, the navigation's entry). A
    law-enforcement report is law-enforcement-sensitive: only a role that sees such information reads it."""
    if not _role_in(user, SIGNED_READERS):
        return False
    return report_kind_of(user.agency) != QuarterlyReport.Kind.LAW_ENFORCEMENT or _reads_law_enforcement_sensitive(user)


def can_read_drafts(user: User) -> bool:
    return _role_in(user, DRAFT_READERS) and can_read_quarterly_reports(user)


def can_sign_quarterly_reports(user: User) -> bool:
    """Whether ``user`` signs their agency's quarterly reports (which quarters: those ended, not yet signed)."""
    return _role_in(user, SIGNERS)


@dataclass(frozen=True)
class QuarterlyAccess:
    """One reader's access to their agency's report of one quarter: the signed report if there is one (else the
    page shows the draft), and what they may do."""

    agency: Agency
    quarter: FiscalQuarter
    kind: str
    signed: QuarterlyReport | None
    may_read_draft: bool
    may_sign: bool  # their role signs, and the quarter has ended and is not signed yet
    ended: bool


def quarterly_access_for(user: User, code: str, *, today: date | None = None) -> QuarterlyAccess:
    """``user``'s access to their agency's report of the quarter ``code`` (``FY2027-Q1``): 404 for anyone who reads
    none, for a quarter that is not one or has not begun, and for an auditor where nothing is signed. One query (the
    signed report)."""
    today = today or timezone.localdate()
    agency = user.agency
    kind = report_kind_of(agency)
    if agency is None or kind is None or not can_read_quarterly_reports(user):
        raise Http404
    try:
        quarter = parse_quarter(code)
    except ValueError:
        raise Http404 from None
    if quarter.start > today:
        raise Http404
    signed = signed_report_of(agency, quarter, kind)
    may_read_draft = can_read_drafts(user)
    if signed is None and not may_read_draft:
        raise Http404
    ended = quarter.end < today
    return QuarterlyAccess(
        agency=agency,
        quarter=quarter,
        kind=kind,
        signed=signed,
        may_read_draft=may_read_draft,
        may_sign=signed is None and ended and can_sign_quarterly_reports(user),
        ended=ended,
    )


def signed_report_of(agency: Agency, quarter: FiscalQuarter, kind: str) -> QuarterlyReport | None:
    return (
        QuarterlyReport.objects.filter(
            agency=agency.pk, fiscal_year=quarter.fiscal_year, quarter=quarter.quarter, kind=kind
        )
        .select_related("signed_by")
        .first()
    )


@dataclass(frozen=True)
class ListedQuarter:
    quarter: FiscalQuarter
    signed: QuarterlyReport | None
    ended: bool


def quarters_listed_for(user: User, *, today: date | None = None) -> list[ListedQuarter]:
    """The quarters of the list page, newest first: for draft readers the current quarter and the seven before it
    with every older quarter signed; for an auditor the signed ones only. One query."""
    today = today or timezone.localdate()
    agency = user.agency
    kind = report_kind_of(agency)
    if agency is None or kind is None or not can_read_quarterly_reports(user):
        return []
    signed = {
        FiscalQuarter(report.fiscal_year, report.quarter): report
        for report in QuarterlyReport.objects.filter(agency=agency.pk, kind=kind).select_related("signed_by")
    }
    quarters = set(signed)
    if can_read_drafts(user):
        quarters |= set(recent_quarters(today, LISTED))
    current = quarter_of(today)
    return [
        ListedQuarter(quarter, signed.get(quarter), quarter < current)
        for quarter in sorted(quarters, reverse=True)
        if quarter <= current
    ]
