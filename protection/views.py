"""Immigration relief pages: record an action, open one (its lines, its correction, its steps), download its
document, the relief queue and the reminders. Reads go through ``selectors``, writes through ``services``; every
showing of relief is audited (ids, never values)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit import audit_record
from portal.forms import add_errors
from portal.http import AuthenticatedHttpRequest
from portal.uploads import document_response
from protection import presenters, selectors, services
from protection.forms import ReliefActionForm, StepForm
from protection.models import ReliefAction, ReliefNotice
from protection.rules import KINDS, STEPS


def _back_to_case(case_pk: int, person_pk: int) -> str:
    return reverse("case_detail", args=[case_pk]) + f"#relief-person-{person_pk}"


def relief_new(request: AuthenticatedHttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """Record immigration relief for a victim (404 for whoever may not see their relief, 403 for who sees it but
    may not change the case)."""
    relief = selectors.relief_access_for(request.user, pk, person_pk)
    if not relief.may_record:
        raise PermissionDenied
    form = ReliefActionForm(request.POST or None, request.FILES or None, initial={"requested_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.relief_action_record(
                case=relief.case,
                person=relief.participant.person,
                kind=form.cleaned_data["kind"],
                actor=request.user,
                uploaded_file=form.cleaned_data.get("document"),
                request=request,
                **form.action_fields(),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The relief action is recorded."))
            return redirect(_back_to_case(relief.case.pk, person_pk))
    return render(
        request,
        "protection/relief_form.html",
        {"form": form, "case": relief.case, "person_id": person_pk, "who_may": presenters.who_may()},
    )


def relief_action(request: AuthenticatedHttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """One relief action: its lines, and for who records relief its correction and the steps open to them."""
    relief, action = selectors.relief_action_for(request.user, pk, action_pk)
    person_pk = relief.participant.person_id
    form = None
    if relief.may_record:
        form = ReliefActionForm(request.POST or None, request.FILES or None, instance=action)
        if request.method == "POST" and form.is_valid():
            try:
                services.relief_action_update(
                    action=action,
                    version=form.cleaned_data.get("version") or 0,
                    actor=request.user,
                    uploaded_file=form.cleaned_data.get("document"),
                    request=request,
                    **form.action_fields(),
                )
            except services.StaleReliefEdit as stale:
                messages.error(request, stale.messages[0])
                return redirect("relief_action", pk=pk, action_pk=action_pk)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The relief action is saved."))
                return redirect(_back_to_case(pk, person_pk))
    elif request.method == "POST":
        raise PermissionDenied
    return _action_page(request, relief, action, form=form)


def _action_page(
    request: AuthenticatedHttpRequest,
    relief: selectors.ReliefAccess,
    action: ReliefAction,
    *,
    form: ReliefActionForm | None,
    step_form: StepForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """An action's page (each showing audited): its lines, its correction, the steps open to the reader; with
    ``step_form``, a step's form as it was sent, with its errors (what was typed, a reason, is not lost)."""
    person_pk = relief.participant.person_id
    steps = [step for verb, step in STEPS.items() if selectors.may_take_step(request.user, relief, action, verb)]
    audit_record(
        action="protection.relief.viewed",
        request=request,
        target=relief.participant,
        details={"case_id": relief.case.pk, "person_id": person_pk, "relief_id": action.pk, "via": "action"},
    )
    return render(
        request,
        "protection/relief_action.html",
        {
            "case": relief.case,
            "person_id": person_pk,
            "row": presenters.action_lines(action, timezone.localdate()),
            "who": KINDS[action.kind].who,
            "form": form,
            "steps": steps,
            "step_form": step_form or StepForm(initial={"version": action.version, "on": timezone.localdate()}),
        },
        status=status,
    )


@require_POST
def relief_step(request: AuthenticatedHttpRequest, pk: int, action_pk: int, verb: str) -> HttpResponse:
    relief, action = selectors.relief_action_for(request.user, pk, action_pk)
    if verb not in STEPS:
        raise Http404
    form = StepForm(request.POST)
    if not form.is_valid():
        return _step_refused(request, relief, action, form)
    try:
        services.relief_action_step(
            action=action,
            verb=verb,
            version=form.cleaned_data["version"],
            actor=request.user,
            on=form.cleaned_data.get("on"),
            reason=form.cleaned_data.get("reason") or "",
            valid_from=form.cleaned_data.get("valid_from"),
            expires_on=form.cleaned_data.get("expires_on"),
            request=request,
        )
    except services.StaleReliefEdit as stale:  # the page again, as it is now (its version)
        messages.error(request, stale.messages[0])
        return redirect("relief_action", pk=pk, action_pk=action_pk)
    except ValidationError as error:
        add_errors(form, error)
        return _step_refused(request, relief, action, form)
    messages.success(request, _("Done: %(step)s.") % {"step": STEPS[verb].label})
    return redirect(_back_to_case(pk, relief.participant.person_id))


def _step_refused(
    request: AuthenticatedHttpRequest, relief: selectors.ReliefAccess, action: ReliefAction, step_form: StepForm
) -> HttpResponse:
    """Bad input to a step: the action's page again with the step's form and its errors, nothing written (400)."""
    form = ReliefActionForm(instance=action) if relief.may_record else None
    return _action_page(request, relief, action, form=form, step_form=step_form, status=400)


def relief_document(request: AuthenticatedHttpRequest, pk: int, action_pk: int) -> FileResponse:
    """An action's document, to who sees the victim's relief; each download audited."""
    relief, action = selectors.relief_action_for(request.user, pk, action_pk)
    if not action.document:
        raise Http404
    audit_record(
        action="protection.relief.document_downloaded",
        request=request,
        target=relief.participant,
        details={"case_id": pk, "person_id": relief.participant.person_id, "relief_id": action.pk},
    )
    return document_response(action.document, filename=action.document_name, content_type=action.document_type)


def relief_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What waits on relief for the reader's agency (or an advocate's clients), deadlines first."""
    if not selectors.can_read_relief(request.user):
        raise Http404
    now = timezone.now()
    lines = [presenters.queue_line(item, now) for item in selectors.relief_queue_for(request.user, now=now)]
    if lines:
        audit_record(
            action="protection.relief.listed",
            request=request,
            details={"person_ids": sorted({line.item.person_id for line in lines})},
        )
    sections = [
        ("hhs", _("HHS notifications of foreign-national minors")),
        ("expiry", _("Continued Presence and employment authorization expiring within 90 days")),
        ("signature", _("Declarations and certifications awaiting a decision")),
        ("interim", _("Interim assistance running")),
    ]
    grouped = [(key, title, [line for line in lines if line.item.what == key]) for key, title in sections]
    return render(request, "protection/queue.html", {"groups": grouped, "any": bool(lines)})


def relief_notices(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The reader's relief reminders, newest first; opening the page marks them read."""
    notices = list(
        ReliefNotice.objects.filter(user=request.user).select_related("reminder__case").order_by("-created_at")[:100]
    )
    services.relief_notices_mark_read(user=request.user)
    return render(request, "protection/notices.html", {"notices": notices})
