"""Agency administration in the portal: people, roles, invitations, deactivation and unlocking."""

import csv
import json
from collections.abc import Iterator
from datetime import UTC
from typing import Protocol

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from agencies import enrolment, selectors, services
from agencies.filters import AuditEventFilter, MemberFilter
from agencies.forms import InvitationAcceptForm, InvitationForm, RoleForm
from agencies.models import Agency, User
from portal.audit import action_label, audit_record, object_labels
from portal.forms import add_errors
from portal.http import AuthenticatedHttpRequest
from portal.pagination import paginate


def _managed_agencies_or_404(request: AuthenticatedHttpRequest) -> QuerySet[Agency]:
    if not selectors.can_manage_people(request.user):
        raise Http404
    return selectors.managed_agencies(request.user)


def people(request: AuthenticatedHttpRequest) -> HttpResponse:
    agencies = _managed_agencies_or_404(request)
    member_filter = MemberFilter(
        request.GET or None,
        queryset=selectors.member_list_managed_by(request.user),
        agency_choices=[(agency.pk, agency.name) for agency in agencies],
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "agencies/people.html",
        {
            "filter": member_filter,
            "page": paginate(request, member_filter.qs, per_page=50),
            "query": query.urlencode(),
            "invitations": selectors.invitation_list_managed_by(request.user),
        },
    )


def member_invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    agencies = _managed_agencies_or_404(request)
    fixed_agency = None if request.user.is_superuser else request.user.agency
    form = InvitationForm(request.POST or None, agencies=agencies, fixed_agency=fixed_agency)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                agency=fixed_agency or form.cleaned_data["agency"],
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                role=form.cleaned_data["role"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("people")
    return render(request, "agencies/member_invite.html", {"form": form})


def member_change_role(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_get_managed_by(request.user, pk)
    membership = member.membership
    assert membership is not None  # member_list_managed_by lists members only
    form = RoleForm(request.POST or None, initial={"role": membership.role}, agency=membership.agency)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change_role(
                membership=membership, role=form.cleaned_data["role"], actor=request.user, request=request
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The role of %(name)s was changed.") % {"name": member.full_name})
            return redirect("people")
    return render(request, "agencies/member_role.html", {"form": form, "member": member})


class _AccountService(Protocol):
    def __call__(self, *, user: User, actor: User, request: HttpRequest | None = None) -> object: ...


def _act_on_member(request: AuthenticatedHttpRequest, pk: int, service: _AccountService, done: str) -> HttpResponse:
    """A button on the People page: ``service`` acts on a member of an agency the user manages, and the page then
    says what was done (``done``, naming them) or why the service refused."""
    member = selectors.member_get_managed_by(request.user, pk)
    try:
        service(user=member, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, done % {"name": member.full_name})
    return redirect("people")


@require_POST
def member_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act_on_member(
        request, pk, services.user_deactivate, _("%(name)s was deactivated and signed out everywhere.")
    )


@require_POST
def member_reactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act_on_member(request, pk, services.user_reactivate, _("%(name)s can sign in again."))


@require_POST
def member_reset_second_factors(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act_on_member(
        request,
        pk,
        services.user_reset_second_factors,
        _("%(name)s was signed out and e-mailed a one-time link to set up a new authenticator."),
    )


@require_POST
def member_unlock(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act_on_member(request, pk, services.user_unlock, _("The account of %(name)s is unlocked."))


@require_POST
def invitation_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_get_managed_by(request.user, pk)
    services.invitation_revoke(invitation=invitation, actor=request.user, request=request)
    messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect("people")


@never_cache  # the page names the invitee and their agency
@login_not_required
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the one-time link from the invitation e-mail, where the person chooses a password."""
    if request.user.is_authenticated:
        raise PermissionDenied(_("Sign out before you accept an invitation."))
    invitation = services.invitation_get_usable(token)
    if invitation is None:
        return render(request, "agencies/invitation_invalid.html", status=404)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(token=token, password=form.cleaned_data["password1"], request=request)
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            messages.success(
                request,
                _("Your account is ready. Sign in, then set up your authenticator app."),
            )
            return redirect("account_login")
    return render(request, "agencies/invitation_accept.html", {"form": form, "invitation": invitation})


@never_cache
@login_not_required
def mfa_enrolment_link(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Public: the one-time link e-mailed with an authenticator reset. A valid link is kept in the session and the
    person, once signed in with their password, sets up a new authenticator (``agencies.enrolment``)."""
    owner = enrolment.link_user(uidb64)
    if owner is not None and request.user.is_authenticated and request.user.pk != owner.pk:
        raise PermissionDenied(_("This link is for another account. Sign out first."))
    refusal = enrolment.link_tokens.refusal(owner, token) if owner is not None else "invalid"
    if refusal is not None:
        services.enrolment_link_record_refusal(user=owner, reason=refusal, request=request)
        return render(request, "agencies/enrolment_link_invalid.html", {"reason": refusal}, status=404)
    assert owner is not None
    enrolment.remember_link(request, owner, token)
    if request.user.is_authenticated:
        return redirect("mfa_activate_totp")
    messages.info(request, _("Sign in with your password, then set up your new authenticator."))
    return redirect(f"{reverse('account_login')}?next={reverse('mfa_activate_totp')}")


def mfa_enrolment_link_needed(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where a person whose authenticator was reset lands without a valid link: only the e-mailed link helps."""
    return render(request, "agencies/enrolment_link_needed.html", status=403)


AUDIT_EXPORT_LIMIT = 100_000
AUDIT_EXPORT_COLUMNS = [
    "occurred_at",
    "action",
    "outcome",
    "actor_email",
    "agency_name",
    "object_type",
    "object_id",
    "ip_address",
    "user_agent",
    "details",
]


def _audit_filter(request: AuthenticatedHttpRequest) -> AuditEventFilter:
    if not selectors.can_read_audit_trail(request.user):
        raise Http404
    agencies = selectors.audit_agencies_visible_to(request.user)
    choices = [(agency.pk, agency.name) for agency in (agencies if agencies is not None else Agency.objects.all())]
    return AuditEventFilter(
        request.GET or None, queryset=selectors.audit_event_list_visible_to(request.user), agency_choices=choices
    )


def audit_trail(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Who did what, newest first, for auditors (docs/architecture.md §8): actions in words, objects by their
    number or name (resolved for the whole page at once), times in the task force's time zone. Filters that
    contradict each other are shown as errors, with no list."""
    event_filter = _audit_filter(request)
    page, rows = None, []
    if not event_filter.is_bound or event_filter.is_valid():
        page = paginate(request, event_filter.qs, per_page=50)
        events = list(page.object_list)
        labels = object_labels(events)
        rows = [
            (event, action_label(event.action), labels.get((event.object_type, event.object_id), ""))
            for event in events
        ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "agencies/audit_trail.html",
        {
            "filter": event_filter,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "time_zone": settings.TIME_ZONE,
        },
    )


def audit_trail_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The filtered trail as CSV. The export is itself a disclosure, so it is audited before it is sent."""
    event_filter = _audit_filter(request)
    if event_filter.is_bound and not event_filter.is_valid():
        return redirect(f"{reverse('audit_trail')}?{request.GET.urlencode()}")
    events = event_filter.qs[:AUDIT_EXPORT_LIMIT]
    # The filters say how the export was chosen; a person's address searched for is recorded as "given" only.
    filters = {
        key: ("(given)" if key == "actor" else value)
        for key, value in request.GET.items()
        if value and key in AuditEventFilter.base_filters
    }
    audit_record(
        action="portal.audit.exported",
        request=request,
        details={"filters": filters, "rows": events.count(), "limit": AUDIT_EXPORT_LIMIT},
    )

    def rows() -> Iterator[list[str]]:
        yield AUDIT_EXPORT_COLUMNS
        for event in events.values_list(*AUDIT_EXPORT_COLUMNS).iterator(chunk_size=2000):
            occurred_at, *rest = event
            cells = [occurred_at.astimezone(UTC).isoformat(), *rest[:-1], json.dumps(rest[-1], sort_keys=True)]
            yield [_spreadsheet_safe(cell) for cell in cells]

    pseudo_buffer = _Echo()
    writer = csv.writer(pseudo_buffer)
    response = StreamingHttpResponse((writer.writerow(row) for row in rows()), content_type="text/csv")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    return response


def _spreadsheet_safe(value: object) -> str:
    """Text a spreadsheet will not run as a formula: a user agent or address typed by anyone ends up in here."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


class _Echo:
    """A file-like object whose ``write`` hands the line back, for streaming CSV."""

    def write(self, value: str) -> str:
        return value
