"""Referral pages: inbox, outbox, the coordinators' board, a referral with its timeline, packet, thread and steps,
the services found for a person's need, and the two ways to refer (a person to a service, an agency to a case).
Every step is a POST form that works without JavaScript; reads go through ``selectors``, writes through
``services``."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import can_proceed

from cases import selectors as case_selectors
from cases.models import Person
from portal.audit import audit_record
from portal.forms import add_errors
from portal.http import AuthenticatedHttpRequest
from portal.pagination import paginate
from referrals import selectors, services
from referrals.filters import ReferralFilter, ReferralHistoryFilter
from referrals.forms import AgencyReferralForm, MessageForm, ServiceReferralForm, StepForm
from referrals.letters import render_referral_letter
from referrals.models import Referral
from services_directory import selectors as directory
from services_directory.filters import DISTANCES, PlaceField
from services_directory.geo import UnknownPlace, resolve
from services_directory.models import Service

STEP_ORDER = [
    "send",
    "accept",
    "reject",
    "start",
    "hold",
    "resume",
    "complete",
    "fail",
    "cancel",
    "mark_entered_in_error",
]
STEP_LABELS = {
    "send": _("Send it: this agency joins the case if it accepts"),
    "accept": _("Accept"),
    "reject": _("Decline"),
    "start": _("Start work"),
    "hold": _("Put on hold"),
    "resume": _("Resume"),
    "complete": _("Record the outcome: completed"),
    "fail": _("Record the outcome: could not be completed"),
    "cancel": _("Cancel the referral"),
    "mark_entered_in_error": _("Mark as entered in error"),
}
STEP_FIELDS = {
    "reject": ["reason"],
    "hold": ["reason"],
    "complete": ["outcome", "outcome_note"],
    "fail": ["reason", "outcome", "outcome_note"],
    "cancel": ["cancel_reason", "reason"],
    "mark_entered_in_error": ["reason"],
}
URL_VERBS = {"entered-in-error": "mark_entered_in_error"}
STEP_SERVICES: dict[str, Callable[..., Referral]] = {
    "send": services.referral_send_proposal,
    "accept": services.referral_accept,
    "reject": services.referral_reject,
    "start": services.referral_start,
    "hold": services.referral_hold,
    "resume": services.referral_resume,
    "complete": services.referral_complete,
    "fail": services.referral_fail,
    "cancel": services.referral_cancel,
    "mark_entered_in_error": services.referral_mark_entered_in_error,
}


def _list(request: AuthenticatedHttpRequest, queryset, *, title: str, side: str) -> HttpResponse:
    referrals = queryset.annotate(
        overdue_first=Case(
            When(status__in=Referral.AWAITING_ANSWER, respond_by__lt=timezone.now(), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        closed_last=Case(
            When(status__in=Referral.CLOSED, then=Value(1)), default=Value(0), output_field=IntegerField()
        ),
    ).order_by("overdue_first", "closed_last", "respond_by", "-id")
    filter_ = ReferralFilter(request.GET or None, queryset=referrals, request=request)
    query = request.GET.copy()
    query.pop("page", None)
    template = "referrals/referral_list.html#results" if request.htmx else "referrals/referral_list.html"
    return render(
        request,
        template,
        {
            "filter": filter_,
            "page": paginate(request, filter_.qs, per_page=25),
            "title": title,
            "side": side,
            "query": query.urlencode(),
            "now": timezone.now(),
        },
    )


def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    agency = request.user.agency
    if agency is None or not request.user.has_perm(selectors.RESPOND):
        raise Http404
    received = selectors.referral_list_visible_to(request.user).filter(
        recipient_agency=agency, delivery=Referral.Delivery.PORTAL
    )
    return _list(request, received, title=_("Referrals to us"), side="inbox")


def outbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    agency = request.user.agency
    if agency is None or not request.user.has_perm(selectors.SEND):
        raise Http404
    sent = selectors.referral_list_visible_to(request.user).filter(sender_agency=agency)
    return _list(request, sent, title=_("Referrals we sent"), side="outbox")


def board(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The task force's open referrals by status, overdue ones first in each column."""
    task_forces = selectors.coordinated_task_force_ids(request.user)
    if not task_forces:
        raise Http404
    now = timezone.now()
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
        referrals.sort(key=lambda r: (not _overdue(r, now), r.respond_by))
    expired = (
        selectors.referral_list_visible_to(request.user)
        .filter(
            case__task_force_id__in=task_forces,
            status=Referral.Status.CANCELLED,
            cancel_reason=Referral.CancelReason.EXPIRED,
            reroutes__isnull=True,
        )
        .order_by("-respond_by")[:50]
    )
    labels: dict[str, str] = {Referral.Status.DRAFT: _("Proposed, awaiting the lead agency")}
    return render(
        request,
        "referrals/board.html",
        {
            "columns": [
                (labels.get(status, Referral.Status(status).label), items) for status, items in columns.items()
            ],
            "expired": expired,
            "now": now,
        },
    )


def board_history(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The task force's closed referrals with their outcomes, most recently closed first."""
    if not selectors.coordinated_task_force_ids(request.user):
        raise Http404
    filter_ = ReferralHistoryFilter(request.GET or None, queryset=selectors.referral_history_for(request.user))
    template = "referrals/history.html#results" if request.htmx else "referrals/history.html"
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, template, {"filter": filter_, "page": paginate(request, filter_.qs), "query": query.urlencode()}
    )


def _overdue(referral: Referral, now) -> bool:
    return referral.status in Referral.AWAITING_ANSWER and referral.respond_by < now


def _steps(user, referral: Referral, sides: frozenset[str]) -> list[dict[str, Any]]:
    steps = []
    for verb in STEP_ORDER:
        if selectors.may(user, referral, verb, sides) and can_proceed(getattr(referral, verb)):
            form = StepForm(auto_id=f"id_{verb}_%s")
            steps.append(
                {
                    "verb": verb,
                    "url_verb": verb.replace("mark_entered_in_error", "entered-in-error"),
                    "label": STEP_LABELS[verb],
                    "fields": [form[name] for name in STEP_FIELDS.get(verb, [])],
                }
            )
    return steps


def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_get_for_user(request.user, pk)
    services.referral_receive(referral=referral, actor=request.user, request=request)
    services.notifications_mark_read(user=request.user, referral=referral)
    referral = selectors.referral_get_for_user(request.user, pk)
    sides = referral.viewer_sides  # type: ignore[attr-defined]
    routing_only = selectors.routing_only(sides)
    packet = selectors.packet_for(request.user, referral, sides)
    if packet.released and selectors.SENDER not in sides and packet.person is not None:
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
            "sides": sides,
            "is_sender": selectors.SENDER in sides,
            "routing_only": routing_only,
            "packet": packet,
            "events": referral.events.select_related("actor", "actor_agency"),
            "thread": None if routing_only else referral.messages.select_related("author", "author_agency"),
            "steps": _steps(request.user, referral, sides),
            "reroute": _reroute_choices(request.user, referral, sides),
            "message_form": MessageForm() if selectors.may(request.user, referral, "message", sides) else None,
            "overdue": _overdue(referral, timezone.now()),
        },
    )


def _reroute_choices(user, referral: Referral, sides) -> list[tuple[str, str]] | None:
    """Other recipients for a referral that nobody answered (or that expired)."""
    expired = referral.status == Referral.Status.CANCELLED and referral.cancel_reason == Referral.CancelReason.EXPIRED
    if not selectors.may(user, referral, "reroute", sides) or not (
        expired or referral.status in Referral.AWAITING_ANSWER
    ):
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
    verb = URL_VERBS.get(verb, verb)
    if verb not in STEP_ORDER:
        raise Http404
    referral = selectors.referral_get_for_user(request.user, pk)
    form = StepForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    arguments: dict[str, Any] = {"referral": referral, "actor": request.user, "request": request}
    if verb in {"reject", "hold", "fail", "cancel", "mark_entered_in_error"}:
        arguments["reason"] = data.get("reason", "")
    if verb in {"complete", "fail"}:
        arguments["outcome"] = data.get("outcome", "")
        arguments["outcome_note"] = data.get("outcome_note", "")
    if verb == "cancel":
        arguments["cancel_reason"] = data.get("cancel_reason", "")
    try:
        STEP_SERVICES[verb](**arguments)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        messages.error(request, _("You may not do this to this referral."))
    else:
        messages.success(request, _("Done: the referral is %(status)s.") % {"status": _status(request, pk)})
    return redirect("referral_detail", pk=pk)


def _status(request: AuthenticatedHttpRequest, pk: int) -> str:
    return str(selectors.referral_get_for_user(request.user, pk).get_status_display()).lower()


@require_POST
def referral_reroute(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_get_for_user(request.user, pk)
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
    referral = selectors.referral_get_for_user(request.user, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.referral_message_add(
                referral=referral, actor=request.user, body=form.cleaned_data["body"], request=request
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [_("You may not write here.")])))
    else:
        messages.error(request, _("Write a message."))
    return redirect(reverse("referral_detail", args=[pk]) + "#thread")


def refer_service(request: AuthenticatedHttpRequest, need_pk: int, service_pk) -> HttpResponse:
    """Refer the person of a need to a directory service (from the ranked matches)."""
    case, shown, view = case_selectors.need_get_for_user(request.user, need_pk)
    if case_selectors.CHANGE not in case.viewer_permissions or not request.user.has_perm(selectors.SEND):  # type: ignore[attr-defined]
        raise Http404
    if not case_selectors.is_victim_in(case, view.person):
        raise Http404  # services are for victims; a witness's need is recorded, not referred
    service = directory.service_get_for_user(request.user, service_pk)
    in_portal = service.organization.agency is not None and service.organization.agency.is_active
    needs = case_selectors.needs_visible_to(request.user, case).filter(person_id=view.pk, status="unmet")
    form = ServiceReferralForm(
        request.POST or None,
        needs=needs,
        in_portal=in_portal,
        initial={"needs": [shown.need.pk], "urgency": shown.need.urgency},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_send(
                kind=Referral.Kind.SERVICE,
                case=case,
                actor=request.user,
                urgency=data["urgency"],
                recipient_service=service,
                person=view.person,
                needs=data["needs"],
                delivery=data.get("delivery", ""),
                request_note=data["request_note"],
                safety_notes=data["safety_notes"],
                submission_key=data["submission_key"],
                request=request,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The referral is sent."))
            return redirect("referral_detail", pk=referral.pk)
    return render(
        request,
        "referrals/refer_form.html",
        {"form": form, "case": case, "service": service, "in_portal": in_portal, "need": shown.need},
    )


def refer_agency(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    """Ask another agency to join a case (the lead agency only)."""
    case = case_selectors.case_get_for_user(request.user, case_pk, case_selectors.VIEW)
    if case_selectors.MANAGE not in case.viewer_permissions or not request.user.has_perm(selectors.SEND):  # type: ignore[attr-defined]
        raise Http404
    form = AgencyReferralForm(request.POST or None, agencies=case_selectors.share_candidates(case))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_send(
                kind=Referral.Kind.INTERAGENCY,
                case=case,
                actor=request.user,
                urgency=data["urgency"],
                recipient_agency=data["recipient_agency"],
                share_level=data["share_level"],
                request_note=data["request_note"],
                submission_key=data["submission_key"],
                request=request,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The referral is sent."))
            return redirect("referral_detail", pk=referral.pk)
    return render(request, "referrals/refer_form.html", {"form": form, "case": case})


def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        return redirect("notifications")
    return render(request, "referrals/notifications.html", {"items": selectors.notifications_of(request.user)})


def referral_letter(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The one-page letter for the person referred, in their language (only the sender's side prints it)."""
    referral = selectors.referral_get_for_user(request.user, pk)
    pdf = render_referral_letter(referral, request.user, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="referral-{referral.pk}-letter.pdf"'
    return response


# Finding services for a person: the directory's ranked matches for one of a victim's needs, read from the case as
# the viewer may see it (``cases.selectors``), never more.

SEX_TO_GENDER: dict[str, str] = {
    Person.Sex.FEMALE: Service.Gender.FEMALE,
    Person.Sex.MALE: Service.Gender.MALE,
    Person.Sex.OTHER: Service.Gender.OTHER,
}


WITHIN_CHOICES = {value for value, _label in DISTANCES}


def _age(born, today) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def need_services(request: AuthenticatedHttpRequest, need_pk: int) -> HttpResponse:
    """The directory's services for a need, ranked for the person: their category, languages, age (only if the
    viewer may see the date of birth; else whether they are a minor) and gender."""
    if not request.user.has_perm(directory.VIEW_PERMISSION):
        raise Http404
    case, shown, view = case_selectors.need_get_for_user(request.user, need_pk)
    label = _("Person #%(id)s") % {"id": view.pk}
    today = timezone.localdate()
    born = view.date_of_birth
    age = _age(born, today) if born not in (None, case_selectors.WITHHELD) else None
    languages = [code for code in [view.preferred_language, *(view.languages or [])] if code]
    place_text = request.GET.get("near", "").strip()
    place, place_error = None, ""
    if place_text:
        try:
            place = resolve(place_text)
        except UnknownPlace as error:
            place_error = str(error)
    criteria = directory.SearchCriteria(
        categories=[shown.need.category],
        languages=list(dict.fromkeys(languages)),
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
        target=case,
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
            "case": case,
            "need": shown.need,
            "refer_need": shown.need
            if case_selectors.CHANGE in case.viewer_permissions  # type: ignore[attr-defined]
            and request.user.has_perm("referrals.add_referral")
            and case_selectors.is_victim_in(case, view.person)
            else None,
            "person_label": label,
            "criteria": criteria,
            "page": page,
            "results": directory.results_for_page(list(page.object_list), criteria, request.user, circle=circle),
            "place_text": place_text,
            "place_error": place_error,
            "place_field_help": PlaceField().help_text,
            "query": f"near={place_text}" if place_text else "",
        },
    )
