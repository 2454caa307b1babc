"""Subject deconfliction's pages: the agency's conflicts, the check form and the coordinator's watch. Thin: reads
through ``selectors``, writes through ``services`` (decision 0030)."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.models import Case
from deconfliction.subjects import ratelimit, selectors, services
from deconfliction.subjects.forms import CheckForm, ContextForm, ResolveForm
from deconfliction.subjects.models import SubjectConflict
from deconfliction.watch import watch_tabs
from portal.http import AuthenticatedHttpRequest

LIST_LIMIT = 200


def _row(user_agency_id: int | None, conflict: SubjectConflict) -> dict[str, Any]:
    """One conflict as a side sees it: the other side's contact, the kinds, when, the status. Nothing else."""
    mine_is_a = conflict.a_agency_id == user_agency_id and not conflict.one_sided
    other = (
        selectors.contact_view(conflict.b_agency, conflict.b_contact)
        if mine_is_a
        else selectors.contact_view(conflict.a_agency, conflict.a_contact)
    )
    return {"conflict": conflict, "other": other}


def conflicts(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.can_check(user):
        raise Http404
    found = list(selectors.conflicts_for(user)[:LIST_LIMIT])
    agency_id = getattr(user.agency, "pk", None)
    services.notices_mark_read(user=user)
    return render(
        request,
        "deconfliction/subjects/conflicts.html",
        {"rows": [_row(agency_id, conflict) for conflict in found]},
    )


def _context_choices(user: Any) -> list[tuple[str, str]]:
    cases = selectors.check_cases_for(user).order_by("-opened_on", "-id")[: selectors.CONTEXT_CHOICES_LIMIT]
    tips = selectors.check_tips_for(user).order_by("-received_at", "-id")[: selectors.CONTEXT_CHOICES_LIMIT]
    return [(f"case:{case.pk}", f"{case.number} {case.title}") for case in cases] + [
        (f"tip:{tip.pk}", _("Tip #%(number)s") % {"number": tip.pk}) for tip in tips
    ]


def check_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Choose the case or tip a check is made from (a person asks only for work they may open)."""
    if not selectors.can_check(request.user):
        raise Http404
    form = ContextForm(request.GET or None, choices=_context_choices(request.user))
    if form.is_bound and form.is_valid():
        kind, _sep, pk = form.cleaned_data["context"].partition(":")
        return redirect(f"deconfliction_check_{kind}", pk=int(pk))
    return render(request, "deconfliction/subjects/check_start.html", {"form": form})


def _emptied(form: CheckForm) -> CheckForm:
    """An empty check form carrying ``form``'s errors: a re-rendered page never shows back what was typed."""
    empty = CheckForm()
    empty._errors = form.errors  # type: ignore[attr-defined]  # (Form._errors: not in django-stubs)
    return empty


def _check(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    context = selectors.check_context_for(request.user, kind, pk)
    form = CheckForm(request.POST or None)
    result = None
    status = 200
    if request.method == "POST" and form.is_valid():
        wait = ratelimit.take(request.user.pk, getattr(request.user.agency, "pk", None))
        if wait is not None:
            services.check_refused(user=request.user, context=context, request=request)
            form.add_error(
                None,
                _("You have made too many checks: try again in %(minutes)s minutes.")
                % {"minutes": max(1, (wait + 59) // 60)},
            )
            status = 429
        else:
            result = services.check_subject(
                user=request.user, context=context, identifiers=form.identifiers, request=request
            )
            form = CheckForm()  # nothing typed stays on the page
    if form.is_bound:
        form = _emptied(form)  # a refusal or an error: the errors, never what was typed
    agency_id = getattr(request.user.agency, "pk", None)
    return render(
        request,
        "deconfliction/subjects/check.html",
        {
            "form": form,
            "kind": kind,
            "context_object": context,
            "context_label": context.number
            if isinstance(context, Case)
            else _("Tip #%(number)s") % {"number": context.pk},
            "result": result,
            "rows": [_row(agency_id, conflict) for conflict in result.conflicts] if result else [],
            "provider": request.user.agency.is_victim_service_provider,  # type: ignore[union-attr]
        },
        status=status,
    )


def check_case(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _check(request, "case", pk)


def check_tip(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _check(request, "tip", pk)


def watch(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.can_watch(request.user):
        raise Http404
    rows = list(selectors.watch_for(request.user).order_by("found_at", "id")[:LIST_LIMIT])
    return render(
        request,
        "deconfliction/subjects/watch.html",
        {"rows": rows, "form": ResolveForm(), "watch_tabs": watch_tabs(request.user, "subjects")},
    )


@require_POST
def watch_resolve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conflict = selectors.watch_conflict_for(request.user, pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect("deconfliction_watch")
    services.conflict_resolve(
        conflict=conflict,
        resolution=form.cleaned_data["resolution"],
        note=form.cleaned_data["note"],
        actor=request.user,
        request=request,
    )
    messages.success(request, _("The resolution is recorded."))
    return redirect("deconfliction_watch")
