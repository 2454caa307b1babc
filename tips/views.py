"""Tip pages: the triage queue, the tip form, a tip with its timeline and the steps its reader may take. Every step
is a POST form that works without JavaScript; reads go through ``selectors``, writes through ``services``."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import can_proceed

from cases import selectors as case_selectors
from portal.audit import audit_records
from portal.forms import add_errors
from portal.http import AuthenticatedHttpRequest
from portal.pagination import paginate
from tips import presenters, selectors, services
from tips.forms import StepForm, SubjectFormSet, TipForm
from tips.models import Tip
from tips.steps import FORMS, Step

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
        {"page": page, "rows": rows, "may_receive": selectors.can_receive_tips(request.user)},
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
        owners = selectors.assignable_owners_for(tip) if "owner" in step.fields else None
        form = StepForm(step=step, owners=owners, prefix=step.url, initial={"version": tip.version})
        offers.append(StepOffer(step, form))
    return offers


def tip_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = selectors.tip_access_for_user(request.user, pk)
    tip = access.tip
    services.tip_notices_mark_read(user=request.user, tip=tip)
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
            "events": tip.events.select_related("actor", "actor_agency"),
            "offers": _offers(request, access),
        },
    )


@require_POST
def tip_step(request: AuthenticatedHttpRequest, pk: int, verb: str) -> HttpResponse:
    """Take the step whose form posts to ``verb`` (its URL segment), with that form's fields."""
    step = FORMS.get(verb)
    if step is None:
        raise Http404
    access = selectors.tip_access_for_user(request.user, pk)
    owners = selectors.assignable_owners_for(access.tip) if "owner" in step.fields else None
    form = StepForm(request.POST, step=step, owners=owners, prefix=step.url)
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
