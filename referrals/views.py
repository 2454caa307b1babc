"""Referral pages: inbox, outbox, the coordinators' board, a referral with its timeline, packet, thread and steps,
the services found for a person's need, and the two ways to refer (a person to a service, an agency to a case).
Every step is a POST form that works without JavaScript; reads go through ``selectors``, writes through
``services``."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import can_proceed

from agencies.models import User
from cases import selectors as case_selectors
from cases.models import CaseParticipant, Need, Person
from cases.presenters import person_choice_label
from cases.services.notices import case_notices_mark_read
from portal.audit import audit_record
from portal.forms import add_errors
from portal.http import AuthenticatedHttpRequest
from portal.languages import language_name
from portal.lists import render_filtered_page
from portal.pagination import paginate
from referrals import selectors, services
from referrals.filters import InboxFilter, ReferralFilter, ReferralHistoryFilter
from referrals.forms import AgencyReferralForm, MessageForm, ServiceReferralForm, StepForm
from referrals.letters import render_referral_letter
from referrals.matching import SEX_TO_GENDER, matching_languages, visible_age
from referrals.models import Referral, ReferralQuerySet
from referrals.presenters import notice_line
from referrals.steps import BUTTONS
from services_directory import selectors as directory
from services_directory.filters import DISTANCES, PlaceField
from services_directory.geo import UnknownPlace, resolve

# The service function of each step with a button (``steps.Step.service``), looked up once, here.
STEP_SERVICES: dict[str, Callable[..., Referral]] = {
    step.verb: getattr(services, step.service) for step in BUTTONS.values()
}


def _tabs(user: User, side: str) -> dict[str, object]:
    """What the tabs of the referral pages show (``referrals/_tabs.html``): the inbox to those who answer, the
    outbox to those who send."""
    return {
        "side": side,
        "may_answer": selectors.can_answer_referrals(user),
        "may_send": selectors.can_send_referrals(user),
    }


def _list(request: AuthenticatedHttpRequest, referrals: ReferralQuerySet, *, title: str, side: str) -> HttpResponse:
    return render_filtered_page(
        request,
        "referrals/referral_list.html",
        ReferralFilter,
        referrals.overdue_first(timezone.now()),
        per_page=25,
        extra_context={"title": title, **_tabs(request.user, side)},
        filter_kwargs={"offers_drafts": selectors.holds_proposals(referrals)},
    )


def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The referrals sent to the viewer's agency that they answer: the open ones, most urgent first, or the history
    on demand (``InboxFilter.show``). Each is one index walk that stops after a page (``referral_inbox_for``)."""
    if request.user.agency is None or not selectors.can_answer_referrals(request.user):
        raise Http404
    history = InboxFilter.shows_history(request.POST if request.method == "POST" else request.GET)
    return render_filtered_page(
        request,
        "referrals/referral_list.html",
        InboxFilter,
        selectors.referral_inbox_for(request.user, closed=history),
        per_page=25,
        extra_context={"title": _("Referrals to us"), "history": history, **_tabs(request.user, "inbox")},
    )


def outbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    agency = request.user.agency
    if agency is None or not selectors.can_send_referrals(request.user):
        raise Http404
    sent = selectors.referral_outbox_for(request.user)
    return _list(request, sent, title=_("Referrals we sent"), side="outbox")


# How far back the board looks for expired referrals to re-route: older ones are in its history (``board_history``,
# filtered by how they closed). Bounded so that the board's cost is its recent weeks, not every referral that ever
# expired (issue 13: 4.2 million rows walked at 500,000 cases), read through ``referral_expired_idx``.
EXPIRED_SHOWN_WEEKS = 8


def board(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The task force's open referrals by status, overdue ones first in each column; above them, the referrals
    that expired in the last ``EXPIRED_SHOWN_WEEKS`` weeks and were not re-routed."""
    task_forces = selectors.coordinated_task_force_ids(request.user)
    if not task_forces:
        raise Http404
    shown = (Referral.Status.DRAFT, *Referral.OPEN)  # drafts are coordinators' proposals awaiting the lead agency
    open_referrals = (
        selectors.referral_list_visible_to(request.user)
        .filter(case__task_force_id__in=task_forces, status__in=shown)
        .order_by("respond_by")[:500]
    )
    columns: dict[str, list[Referral]] = {status: [] for status in shown}
    for referral in open_referrals:
        columns[referral.status].append(referral)
    for referrals in columns.values():
        referrals.sort(key=lambda r: (not r.is_overdue, r.respond_by))
    since = timezone.now() - timedelta(weeks=EXPIRED_SHOWN_WEEKS)
    expired = selectors.expired_to_reroute_for(request.user, since=since)[:50]
    labels: dict[str, str] = {Referral.Status.DRAFT: _("Proposed, awaiting the lead agency")}
    return render(
        request,
        "referrals/board.html",
        {
            "columns": [
                (labels.get(status, Referral.Status(status).label), items) for status, items in columns.items()
            ],
            "expired": expired,
            "expired_weeks": EXPIRED_SHOWN_WEEKS,
        },
    )


def board_history(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The task force's closed referrals with their outcomes, most recently closed first."""
    if not selectors.coordinated_task_force_ids(request.user):
        raise Http404
    return render_filtered_page(
        request, "referrals/history.html", ReferralHistoryFilter, selectors.referral_history_for(request.user)
    )


def _steps(access: selectors.ReferralAccess) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The buttons of the steps the viewer may take now, each with its form's fields: the work's next steps, and
    apart from them the steps that take the referral back (cancel, entered in error)."""
    referral = access.referral
    next_steps: list[dict[str, Any]] = []
    withdrawals: list[dict[str, Any]] = []
    for step in BUTTONS.values():
        if access.may(step.verb) and can_proceed(getattr(referral, step.verb)):
            form = StepForm(step=step, kind=referral.kind, auto_id=f"id_{step.verb}_%s")
            shown = {"step": step, "fields": [form[name] for name in step.fields]}
            (withdrawals if step.withdraws else next_steps).append(shown)
    return next_steps, withdrawals


def _next_hint(access: selectors.ReferralAccess, has_steps: bool) -> str:
    """One sentence above the next steps: what the viewer does now, or, with nothing to do, whom it waits for."""
    referral = access.referral
    when = f"{timezone.localtime(referral.respond_by):%Y-%m-%d %H:%M}"
    if access.is_sender and not referral.recipient_works_in_portal:
        return ""  # the page's notice says the sender records the provider's answers
    if has_steps:
        hints = {
            Referral.Status.REQUESTED: _("Accept or decline it by %(when)s.") % {"when": when},
            Referral.Status.RECEIVED: _("Accept or decline it by %(when)s.") % {"when": when},
            Referral.Status.ACCEPTED: _("Start the work when it begins, or record the outcome."),
            Referral.Status.IN_PROGRESS: _("Record the outcome when the work ends, or put it on hold."),
            Referral.Status.ON_HOLD: _("Resume the work, or record the outcome."),
        }
        return hints.get(referral.status, "")
    if referral.awaiting_answer:
        return _("Nothing to do now: the recipient answers by %(when)s.") % {"when": when}
    if referral.is_open:
        return _("Nothing to do now: the recipient records the outcome here.")
    return ""


def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    first = selectors.referral_access_for_user(request.user, pk)
    services.referral_receive(referral=first.referral, actor=request.user, request=request)
    services.notifications_mark_read(user=request.user, referral=first.referral)
    access = selectors.referral_access_for_user(request.user, pk)
    referral = access.referral
    packet = selectors.packet_for(request.user, referral, access.sides)
    next_steps, withdrawals = _steps(access)
    if packet.released and not access.is_sender and packet.person is not None:
        audit_record(
            action="cases.pii.viewed",
            request=request,
            target=referral.case,
            details={
                "person_id": packet.person.pk,
                "categories": sorted(packet.released),
                "via": "referral",
                "referral_id": referral.pk,
            },
        )
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "access": access,
            "packet": packet,
            "events": referral.events.select_related("actor", "actor_agency"),
            "thread": None if access.routing_only else referral.messages.select_related("author", "author_agency"),
            "steps": next_steps,
            "withdrawals": withdrawals,
            "next_hint": _next_hint(access, bool(next_steps)),
            "reroutes": selectors.reroutes_of(request.user, referral),
            "reroute": _reroute_choices(access),
            "message_form": MessageForm() if access.may("message") else None,
        },
    )


def _reroute_choices(access: selectors.ReferralAccess) -> list[tuple[str, str]] | None:
    """Other recipients for a referral that nobody answered (or that expired)."""
    referral = access.referral
    if not access.may("reroute") or not (referral.is_expired or referral.awaiting_answer):
        return None
    if referral.reroutes.exists():
        return None
    if referral.kind == Referral.Kind.INTERAGENCY:
        agencies = case_selectors.share_candidates(referral.case).exclude(pk__in=[referral.recipient_agency_id])
        return [(f"agency:{a.pk}", a.name) for a in agencies[:50]]
    categories = sorted({need.category for need in referral.needs.all()})
    found = directory.service_search(directory.SearchCriteria(categories=categories))
    others = [s for s in found[:21] if s.pk != referral.recipient_service_id][:20]
    return [(f"service:{s.pk}", f"{s.name} ({s.organization.name})") for s in others]


@require_POST
def referral_step(request: AuthenticatedHttpRequest, pk: int, verb: str) -> HttpResponse:
    """Take the step whose button posts to ``verb`` (its URL segment), with the fields of its form."""
    step = BUTTONS.get(verb)
    if step is None:
        raise Http404
    referral = selectors.referral_access_for_user(request.user, pk).referral
    form = StepForm(request.POST, step=step, kind=referral.kind)
    form.is_valid()
    fields = {name: form.cleaned_data.get(name, "") for name in step.fields}
    try:
        STEP_SERVICES[step.verb](referral=referral, actor=request.user, request=request, **fields)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        messages.error(request, _("You may not do this to this referral."))
    else:
        messages.success(request, _("Done: the referral is %(status)s.") % {"status": _status(request, pk)})
    return redirect("referral_detail", pk=pk)


def _status(request: AuthenticatedHttpRequest, pk: int) -> str:
    return str(selectors.referral_access_for_user(request.user, pk).referral.status_label).lower()


@require_POST
def referral_reroute(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_access_for_user(request.user, pk).referral
    target = request.POST.get("recipient", "")
    kind, _sep, value = target.partition(":")
    try:
        if kind == "agency":
            recipient: dict[str, Any] = {
                "recipient_agency": get_object_or_404(case_selectors.share_candidates(referral.case), pk=int(value))
            }
        elif kind == "service":
            recipient = {"recipient_service": directory.service_get_for_user(request.user, value)}
        else:
            raise ValidationError(_("Choose where to send it instead."))
        new = services.referral_reroute(
            referral=referral,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            delivery=request.POST.get("delivery", ""),
            request=request,
            **recipient,
        )
    except (ValidationError, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("referral_detail", pk=pk)
    except PermissionDenied:
        messages.error(request, _("You may not re-route this referral."))
        return redirect("referral_detail", pk=pk)
    if new.is_proposal:
        messages.success(request, _("Proposed: the lead agency decides whether to send this new referral."))
    else:
        messages.success(request, _("Re-routed: this is the new referral."))
    return redirect("referral_detail", pk=new.pk)


@require_POST
def referral_message(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_access_for_user(request.user, pk).referral
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.referral_message_add(
                referral=referral,
                actor=request.user,
                body=form.cleaned_data["body"],
                submission_key=form.cleaned_data["submission_key"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [_("You may not write here.")])))
    else:
        messages.error(request, _("Write a message."))
    return redirect(reverse("referral_detail", args=[pk]) + "#thread")


def refer_choose(request: AuthenticatedHttpRequest, service_pk: str) -> HttpResponse:
    """ "Refer someone" from the directory: choose the case (one the viewer may refer from), then the person and
    the need; the refer form (``refer_service``) does the rest."""
    if not selectors.can_send_referrals(request.user):
        raise Http404
    service = directory.service_get_for_user(request.user, service_pk)
    cases = selectors.cases_to_refer_from(request.user)
    case_pk = request.GET.get("case", "")
    access, people = None, []
    if case_pk.isdigit():
        case = cases.filter(pk=int(case_pk)).first()
        if case is None:
            raise Http404
        access = case_selectors.case_access_for_user(request.user, case.pk, case_selectors.CHANGE)
        people = selectors.people_to_refer(request.user, access, directory.service_categories(service))
        shown = [person.view for person in people if person.view.shows_pii]
        if shown:
            audit_record(
                action="cases.pii.viewed",
                request=request,
                target=access.case,
                details={"person_ids": [view.pk for view in shown], "via": "refer_choice", "service": str(service.pk)},
            )
    return render(
        request,
        "referrals/refer_choose.html",
        {
            "service": service,
            "cases": cases[: selectors.REFER_FROM_SHOWN],
            "case": access.case if access else None,
            "people": people,
            "offers": set(directory.service_categories(service)),
        },
    )


def refer_service(request: AuthenticatedHttpRequest, need_pk: int, service_pk: str) -> HttpResponse:
    """Refer the person of a need to a directory service (from the ranked matches)."""
    access, shown, view = case_selectors.need_get_for_user(request.user, need_pk)
    case = access.case
    if not _may_refer(request.user, access, view.person):
        raise Http404
    service = directory.service_get_for_user(request.user, service_pk)
    in_portal = service.organization.agency is not None and service.organization.agency.is_active
    needs = case_selectors.needs_visible_to(request.user, case, access.permissions).filter(
        person_id=view.pk, status=Need.Status.UNMET
    )
    participant = case.participants.filter(person_id=view.pk, role=CaseParticipant.Role.VICTIM).first()
    form = ServiceReferralForm(
        request.POST or None,
        needs=needs,
        in_portal=in_portal,
        person_label=person_choice_label(participant, view) if participant else "",
        initial={"needs": [shown.need.pk], "urgency": shown.need.urgency},
    )
    if request.method == "POST" and form.is_valid():
        sent = _send(
            request,
            form,
            kind=Referral.Kind.SERVICE,
            case=case,
            recipient_service=service,
            person=view.person,
            needs=form.cleaned_data["needs"],
            delivery=form.cleaned_data.get("delivery", ""),
            safety_notes=form.cleaned_data["safety_notes"],
        )
        if sent is not None:
            return sent
    return render(
        request,
        "referrals/refer_form.html",
        {"form": form, "case": case, "service": service, "in_portal": in_portal, "need": shown.need},
    )


def refer_agency(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    """Ask another agency to join a case (the lead agency only)."""
    access = case_selectors.case_access_for_user(request.user, case_pk, case_selectors.VIEW)
    case = access.case
    if not access.manages or not selectors.can_send_referrals(request.user):
        raise Http404
    form = AgencyReferralForm(request.POST or None, agencies=case_selectors.share_candidates(case))
    if request.method == "POST" and form.is_valid():
        sent = _send(
            request,
            form,
            kind=Referral.Kind.INTERAGENCY,
            case=case,
            recipient_agency=form.cleaned_data["recipient_agency"],
            share_level=form.cleaned_data["share_level"],
        )
        if sent is not None:
            return sent
    return render(request, "referrals/refer_form.html", {"form": form, "case": case})


def _send(request: AuthenticatedHttpRequest, form: forms.Form, **fields: Any) -> HttpResponse | None:
    """Send the referral a valid refer form describes (with ``fields``, its kind's own) and go to its page; or, if
    the service refuses it, None, the form carrying the errors."""
    data = form.cleaned_data
    try:
        referral = services.referral_send(
            actor=request.user,
            urgency=data["urgency"],
            request_note=data["request_note"],
            submission_key=data["submission_key"],
            request=request,
            **fields,
        )
    except ValidationError as error:
        add_errors(form, error)
        return None
    messages.success(request, _("The referral is sent."))
    return redirect("referral_detail", pk=referral.pk)


def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's notices of referrals and of their cases' shares, newest first (decision 0023)."""
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        case_notices_mark_read(user=request.user)
        return redirect("notifications")
    return render(
        request,
        "referrals/notifications.html",
        {
            "items": [notice_line(notice) for notice in selectors.notices_of(request.user)],
            **_tabs(request.user, "notifications"),
        },
    )


def referral_letter(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The one-page letter for the person referred, in their language (only the sender's side prints it)."""
    referral = selectors.referral_access_for_user(request.user, pk).referral
    pdf = render_referral_letter(referral, request.user, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="referral-{referral.pk}-letter.pdf"'
    return response


# Finding services for a person: the directory's ranked matches for one of a victim's needs, read from the case as
# the viewer may see it (``cases.selectors``), never more.

WITHIN_CHOICES = {value for value, _label in DISTANCES}


def _may_refer(user: User, access: case_selectors.CaseAccess, person: Person) -> bool:
    """Whether ``user`` may refer ``person`` to a service: they work the case and send referrals, and the person is
    a victim in the case (services are for victims; a witness's need is recorded, not referred)."""
    return access.may_change and selectors.can_send_referrals(user) and case_selectors.is_victim_in(access.case, person)


def need_services(request: AuthenticatedHttpRequest, need_pk: int) -> HttpResponse:
    """The directory's services for a need, ranked for the person: their category, languages, age (only if the
    viewer may see the date of birth; else whether they are a minor) and gender."""
    if not directory.can_read_directory(request.user):
        raise Http404
    access, shown, view = case_selectors.need_get_for_user(request.user, need_pk)
    label = _("Person #%(id)s") % {"id": view.pk}
    age = visible_age(view, timezone.localdate())
    languages = matching_languages(view)
    place_text = request.GET.get("near", "").strip()
    place, place_error = None, ""
    if place_text:
        try:
            place = resolve(place_text)
        except UnknownPlace as error:
            place_error = str(error)
    criteria = directory.SearchCriteria(
        categories=[shown.need.category],
        languages=languages,
        near=place,
        within_miles=float(request.GET["within"]) if place and request.GET.get("within") in WITHIN_CHOICES else None,
        age=age,
        is_minor=bool(view.is_minor),
        gender=SEX_TO_GENDER.get(view.person.sex, ""),
    )
    circle = directory.agencies_seeing_confidential_locations_of(request.user)
    page = paginate(request, directory.service_search(criteria, circle=circle), per_page=20)
    audit_record(
        action="cases.pii.viewed",
        request=request,
        target=access.case,
        details={
            "person_id": view.pk,
            "need_id": shown.need.pk,
            "via": "service_match",
            "fields": sorted(f for f, v in (("date_of_birth", age), ("languages", languages or None)) if v is not None),
        },
    )
    return render(
        request,
        "referrals/need_services.html",
        {
            "case": access.case,
            "need": shown.need,
            "refer_need": shown.need if _may_refer(request.user, access, view.person) else None,
            "person_label": label,
            "language_names": [language_name(code) for code in languages],
            "criteria": criteria,
            "page": page,
            "results": directory.results_for_page(list(page.object_list), criteria, request.user, circle=circle),
            "place_text": place_text,
            "place_error": place_error,
            "place_field_help": PlaceField().help_text,
            "query": f"near={place_text}" if place_text else "",
        },
    )
