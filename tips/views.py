"""Tip pages: the triage queue, the tip form, a tip with its timeline and the steps its reader may take. Every step
is a POST form that works without JavaScript; reads go through ``selectors``, writes through ``services``."""

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import can_proceed

from cases import selectors as case_selectors
from portal.audit import audit_records
from portal.forms import add_errors
from portal.http import AuthenticatedHttpRequest
from portal.pagination import paginate
from portal.uploads import document_response
from tips import matching, presenters, selectors, services
from tips.forms import AttachmentForm, StepForm, SubjectCorrectionForm, SubjectFormSet, TipForm, step_form_kwargs
from tips.intelligence_forms import DisseminationFilter, PurgeForm, ValidateForm
from tips.models import Tip
from tips.steps import FORMS, Step

LOG_EXPORT_LIMIT = 50_000
STEP_SERVICES: dict[str, Callable[..., Tip]] = {step.verb: getattr(services, step.service) for step in FORMS.values()}


@dataclass(frozen=True)
class QueueRow:
    tip: Tip
    countdown: str
    tags: list[str]
    content: bool  # the reader sees its content (where); a coordinator alone does not


def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The open tips the reader sees, overdue first, then by deadline, each with its countdown."""
    if request.user.agency is None:
        raise Http404
    now = timezone.now()
    page = paginate(request, selectors.tip_queue_for(request.user), per_page=50)
    rows = [
        QueueRow(
            tip=tip,
            countdown=presenters.countdown(tip, now),
            tags=presenters.tags(tip),
            content=bool(selectors.sides_read(request.user, tip) & selectors.CONTENT_SIDES),
        )
        for tip in page.object_list
    ]
    # Where each tip happened is its content (decision 0026): shown to a content reader, it is a read, recorded.
    audit_records(
        [
            {"action": "tips.tip.viewed", "target": row.tip, "details": {"via": "queue", "fields": ["where"]}}
            for row in rows
            if row.content and (row.tip.where_text or row.tip.where_airport or row.tip.where_zip)
        ],
        request=request,
    )
    return render(
        request,
        "tips/queue.html",
        {
            "page": page,
            "rows": rows,
            "may_receive": selectors.can_receive_tips(request.user),
            "may_review": selectors.can_review_tips(request.user),
            "may_read_log": selectors.can_read_dissemination_log(request.user),
        },
    )


def tip_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.can_receive_tips(request.user):
        raise Http404
    if request.method == "POST":
        form = TipForm(request.POST)
        subjects = SubjectFormSet(request.POST, prefix="subjects")
        if form.is_valid() and subjects.is_valid():
            described = [
                {name: value for name, value in subject.cleaned_data.items() if value not in (None, "")}
                for subject in subjects
                if not subject.is_blank
            ]
            try:
                tip = services.tip_receive(
                    actor=request.user,
                    subjects=described,
                    submission_key=form.cleaned_data.get("submission_key"),
                    request=request,
                    **form.service_fields(),
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Tip #%(number)s is in your agency's holding bin.") % {"number": tip.pk})
                return redirect("tip_detail", pk=tip.pk)
    else:
        form = TipForm()
        subjects = SubjectFormSet(prefix="subjects")
    return render(request, "tips/tip_form.html", {"form": form, "subjects": subjects})


@dataclass(frozen=True)
class StepOffer:
    step: Step
    form: StepForm


def _offers(request: AuthenticatedHttpRequest, access: selectors.TipAccess) -> list[StepOffer]:
    """The steps this reader may take now: their side allows it and the tip's state does (decision 0024: a step
    offered is a step allowed)."""
    tip = access.tip
    offers = []
    for step in FORMS.values():
        if not access.may(step.verb) or not can_proceed(getattr(tip, step.verb)):
            continue
        choices = step_form_kwargs(step, request.user, tip)
        form = StepForm(step=step, prefix=step.url, initial={"version": tip.version}, **choices)
        if form.has_choices:
            offers.append(StepOffer(step, form))
    return offers


@dataclass(frozen=True)
class MatchRow:
    match: matching.Match
    link_form: StepForm | None  # the link step's form, filled in with the case, where the reader may link the tip


def _matches_shown(
    request: AuthenticatedHttpRequest, access: selectors.TipAccess, subjects: list, offers: list[StepOffer]
) -> list[MatchRow]:
    """The tip's possible matches with the cases its reader may open (decision 0029), recorded in the audit trail
    as the person search records what it finds (one INSERT)."""
    if not access.may_read_content:
        return []
    tip = access.tip
    matches = matching.possible_matches(request.user, tip, subjects)
    audit_records(matching.match_read_events(tip, matches), request=request)
    link = next((offer.step for offer in offers if offer.step.verb == "link"), None)
    return [
        MatchRow(
            match,
            StepForm(
                step=link,
                prefix=link.url,
                auto_id=False,  # one form per match: no repeated ids
                initial={"case_number": match.case.number, "version": tip.version},
            )
            if link is not None
            else None,
        )
        for match in matches
    ]


def tip_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = selectors.tip_access_for_user(request.user, pk)
    tip = access.tip
    services.tip_notices_mark_read(user=request.user, tip=tip)
    if access.referral_only:
        return _tip_referred(request, access)
    subjects = list(tip.subjects.all()) if access.may_read_content else []
    if access.may_read_content:
        services.tip_viewed(tip=tip, actor=request.user, reporter_shown=access.may_read_reporter, request=request)
    # The case the tip went to, only for a reader who may open it: another agency's case, linked by the tip's
    # assignee, would tell the receiving agency that a case exists (what deconfliction must not tell).
    case_shown = (
        tip.case
        if tip.case_id is not None
        and access.may_read_content
        and case_selectors.case_list_visible_to(request.user).filter(pk=tip.case_id).exists()
        else None
    )
    offers = _offers(request, access)
    return render(
        request,
        "tips/tip_detail.html",
        {
            "tip": tip,
            "case_shown": case_shown,
            "access": access,
            "subjects": subjects,
            "countdown": presenters.countdown(tip, timezone.now()),
            "tags": presenters.tags(tip),
            "timeline": presenters.timeline(tip.events.select_related("actor", "actor_agency")),
            "offers": offers,
            "matches": _matches_shown(request, access, subjects, offers),
            # The receiving agency's own record of the tip (28 CFR Part 23): its log and its review.
            "own_agency": tip.receiving_agency_id == request.user.agency.pk if request.user.agency else False,
            "may_read_log": selectors.can_read_dissemination_log(request.user),
            "may_review": selectors.can_review_tips(request.user),
            "may_correct_subjects": access.may("correct_subject"),
            "referrals": tip.referrals.select_related("agency") if access.may_read_content else [],
            "attachments": selectors.attachments_shown(access),
            "attachment_form": AttachmentForm() if selectors.may_attach(access) else None,
        },
    )


def _tip_referred(request: AuthenticatedHttpRequest, access: selectors.TipAccess) -> HttpResponse:
    """A tip as the victim service provider it was referred to reads it: the referral and what was passed on."""
    referred = selectors.referred_content(request.user, access)
    services.tip_referral_viewed(referred=referred, actor=request.user, request=request)
    return render(request, "tips/tip_referred.html", {"tip": access.tip, "referred": referred})


@require_POST
def tip_step(request: AuthenticatedHttpRequest, pk: int, verb: str) -> HttpResponse:
    """Take the step whose form posts to ``verb`` (its URL segment), with that form's fields."""
    step = FORMS.get(verb)
    if step is None:
        raise Http404
    access = selectors.tip_access_for_user(request.user, pk)
    form = StepForm(request.POST, step=step, prefix=step.url, **step_form_kwargs(step, request.user, access.tip))
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect("tip_detail", pk=pk)
    fields: dict[str, Any] = {name: form.cleaned_data.get(name) for name in step.fields}
    if "owner" in fields:
        fields["agency"] = fields["owner"].agency if fields["owner"] is not None else None
    for name in ("reason", "close_reason", "case_number", "title"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    try:
        tip = STEP_SERVICES[step.verb](
            tip=access.tip,
            actor=request.user,
            request=request,
            seen_version=form.cleaned_data.get("version"),
            **fields,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        messages.error(request, _("You may not do this to this tip."))
    else:
        messages.success(request, _("Done: the tip is %(status)s.") % {"status": tip.get_status_display().lower()})
        if step.verb == "open_case" and tip.case_id is not None:
            return redirect("case_detail", pk=tip.case_id)
    return redirect("tip_detail", pk=pk)


def tip_subject_edit(request: AuthenticatedHttpRequest, pk: int, subject_pk: int) -> HttpResponse:
    """Correct a subject's identifiers: the receiving agency's intake staff and supervisors (the step's sides), on a
    tip they hold. A reader who sees the tip but may not correct it is refused (403); anyone else finds nothing."""
    access = selectors.tip_access_for_user(request.user, pk)
    if not access.may("correct_subject"):
        raise PermissionDenied
    tip = access.tip
    subject = get_object_or_404(tip.subjects, pk=subject_pk)
    form = SubjectCorrectionForm(request.POST or None, instance=subject, initial={"version": tip.version})
    stale: list[str] = []
    if request.method == "POST" and form.is_valid():
        if not set(form.changed_data) - {"version"}:
            messages.info(request, _("Nothing was changed."))
            return redirect("tip_detail", pk=tip.pk)
        try:
            services.tip_subject_correct(
                tip=tip,
                subject=subject,
                actor=request.user,
                request=request,
                seen_version=form.cleaned_data["version"],
                **form.changes,
            )
        except services.TipChanged as error:
            # Someone changed the tip meanwhile: the form again as it stands now, to be corrected on what is there.
            current = selectors.tip_access_for_user(request.user, pk).tip
            subject = get_object_or_404(current.subjects, pk=subject_pk)
            form = SubjectCorrectionForm(instance=subject, initial={"version": current.version})
            stale = error.messages
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The subject's identifiers are corrected."))
            return redirect("tip_detail", pk=tip.pk)
    services.tip_viewed(tip=tip, actor=request.user, reporter_shown=False, request=request)
    return render(request, "tips/subject_form.html", {"tip": tip, "subject": subject, "form": form, "stale": stale})


# 28 CFR Part 23: print, export, the dissemination log, the review queue (docs/decisions/0028) -------------------


def _spreadsheet_safe(value: object) -> str:
    """Text a spreadsheet will not run as a formula (a tip's words are anyone's)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def _csv_response(rows: list[list[object]], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([_spreadsheet_safe(cell) for cell in row])
    return response


def _content_access(request: AuthenticatedHttpRequest, pk: int) -> selectors.TipAccess:
    access = selectors.tip_access_for_user(request.user, pk)
    if not access.may_read_content:  # a coordinator follows deadlines; nothing of the tip to print
        raise Http404
    return access


def tip_print(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The tip on paper: what its reader may read (the reporter only as on its page), logged as a dissemination."""
    access = _content_access(request, pk)
    services.tip_printed(access=access, actor=request.user, request=request)
    return render(
        request,
        "tips/tip_print.html",
        {"tip": access.tip, "access": access, "subjects": list(access.tip.subjects.all()), "now": timezone.now()},
    )


def tip_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The tip as CSV (field, value), logged as a dissemination. The reporter's identity only as on its page."""
    access = _content_access(request, pk)
    tip = access.tip
    services.tip_exported(access=access, actor=request.user, request=request)
    rows: list[list[object]] = [
        [_("Field"), _("Value")],
        [_("Tip"), tip.pk],
        [_("Came in through"), tip.get_channel_display()],
        [_("Received"), timezone.localtime(tip.received_at).isoformat()],
        [_("Received by"), tip.receiving_agency.name],
        [_("Status"), tip.get_status_display()],
        [_("What was reported"), tip.narrative],
        [_("Where"), " ".join(part for part in (tip.where_text, tip.where_zip, tip.where_airport) if part)],
        [_("Trafficking indicators"), "; ".join(tip.indicator_labels)],
        [_("Reporter's role"), tip.reporter_role],
    ]
    if access.may_read_reporter:
        rows += [
            [_("Reporter's name"), tip.reporter_name],
            [_("Reporter's phone"), tip.reporter_phone],
            [_("Reporter's e-mail"), tip.reporter_email],
        ]
    else:
        rows.append([_("Reporter's identity"), _("Withheld")])
    for subject in tip.subjects.all():
        described = [
            subject.label,
            subject.get_role_display(),
            subject.date_of_birth.isoformat() if subject.date_of_birth else subject.approximate_age or "",
            subject.phone,
            subject.email_or_handle,
            f"{subject.vehicle_plate} {subject.vehicle_state}".strip(),
            subject.business,
        ]
        rows.append([_("Subject"), "; ".join(str(part) for part in described if part)])
    return _csv_response(rows, f"tip-{tip.pk}.csv")


def _log_rows(request: AuthenticatedHttpRequest) -> tuple[DisseminationFilter, Any]:
    if not selectors.can_read_dissemination_log(request.user):
        raise Http404
    log_filter = DisseminationFilter(request.GET or None)
    rows = selectors.dissemination_log_for(request.user)
    return log_filter, (log_filter.filter(rows) if log_filter.is_bound else rows)


def dissemination_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where the agency's tips went: who sent them, to whom, how, why and when; filtered by tip and dates."""
    log_filter, rows = _log_rows(request)
    page = paginate(request, rows, per_page=50)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "tips/dissemination_log.html", {"filter": log_filter, "page": page, "query": query.urlencode()}
    )


def dissemination_log_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered log as CSV; the export is audited before it is sent."""
    log_filter, rows = _log_rows(request)
    rows = list(rows[:LOG_EXPORT_LIMIT])
    filters = log_filter.cleaned_data if log_filter.is_bound and log_filter.is_valid() else {}
    services.dissemination_log_exported(actor=request.user, rows=len(rows), filters=filters, request=request)
    table: list[list[object]] = [
        ["occurred_at", "tip", "purged", "path", "sent_by", "sent_by_agency", "recipient_agency", "recipient", "reason"]
    ]
    for row in rows:
        table.append(
            [
                row.occurred_at.astimezone(UTC).isoformat(),
                row.tip_number,
                row.tombstone_id or "",
                row.path,
                row.sent_by.full_name if row.sent_by else "",
                row.sent_by_agency.name if row.sent_by_agency else "",
                row.recipient_agency.name,
                row.recipient.full_name if row.recipient else "",
                row.reason,
            ]
        )
    return _csv_response(table, f"tip-dissemination-log-{timezone.now():%Y%m%dT%H%M%SZ}.csv")


@dataclass(frozen=True)
class ReviewRow:
    tip: Tip
    overdue: bool
    no_predicate: bool


def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The agency's tips due for review within 30 days (overdue ones first), with the forms to validate or purge
    them for those who may."""
    if not selectors.can_review_tips(request.user):
        raise Http404
    today = timezone.localdate()
    page = paginate(request, selectors.review_queue_for(request.user, today), per_page=50)
    rows = [
        ReviewRow(
            tip=tip,
            overdue=bool(tip.review_due and tip.review_due < today),
            no_predicate=tip.close_reason == Tip.CloseReason.NO_CRIMINAL_PREDICATE,
        )
        for tip in page.object_list
    ]
    return render(
        request,
        "tips/review_queue.html",
        {
            "page": page,
            "rows": rows,
            "validate_form": ValidateForm(),
            "purge_form": PurgeForm(),
            "may_purge": selectors.can_purge_tips(request.user),
        },
    )


@require_POST
def tip_validate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tip = selectors.review_tip_for(request.user, pk)
    form = ValidateForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect("tip_review_queue")
    try:
        tip = services.tip_validate(tip=tip, actor=request.user, reason=form.cleaned_data["reason"], request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Tip #%(number)s is validated: next review by %(when)s.")
            % {"number": tip.pk, "when": f"{tip.review_due:%Y-%m-%d}"},
        )
    return redirect("tip_review_queue")


@require_POST
def tip_purge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tip = selectors.review_tip_for(request.user, pk)
    if not selectors.can_purge_tips(request.user):
        raise Http404
    form = PurgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect("tip_review_queue")
    services.tip_purge(tip=tip, actor=request.user, reason_code=form.cleaned_data["reason_code"], request=request)
    messages.success(
        request,
        _("Tip #%(number)s is purged; the agencies it was shared with are told.") % {"number": pk},
    )
    return redirect("tip_review_queue")


# Attachments: kept under the document rules of cases, read through the tip's access (docs/decisions/0028) --------


@require_POST
def tip_attachment_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add a file to a tip: its holding bin's keepers, while it is open. What is wrong with a file is said on the
    tip's page, and nothing is stored (the upload limit middleware refuses an oversized body first, the same way)."""
    access = selectors.tip_access_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect("tip_detail", pk=pk)
    try:
        attachment = services.tip_attach(
            tip=access.tip,
            actor=request.user,
            uploaded_file=form.cleaned_data["file"],
            submission_key=form.cleaned_data["submission_key"],
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        messages.error(request, _("You may not do this to this tip."))
    else:
        messages.success(request, _("%(name)s is attached to the tip.") % {"name": attachment.original_name})
    return redirect("tip_detail", pk=pk)


def tip_attachment_download(request: AuthenticatedHttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A tip's file, to a reader of its content (404 for anyone else): audited and logged as a dissemination, as a
    print is (decision 0028). The file is opened first: a file missing from storage is a 404, not a download the
    log records that never happened."""
    access, attachment = selectors.tip_attachment_for_user(request.user, pk, attachment_pk)
    try:
        response = document_response(
            attachment.file, filename=attachment.original_name, content_type=attachment.content_type
        )
    except FileNotFoundError:
        raise Http404 from None
    services.tip_attachment_downloaded(access=access, attachment=attachment, actor=request.user, request=request)
    return response
