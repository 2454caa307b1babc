"""Directory pages: search, a service's page, a provider's listings with one-click capacity, and API tokens."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.categories import NeedCategory
from portal.forms import add_errors
from portal.http import AuthenticatedHttpRequest
from portal.pagination import paginate
from services_directory import languages as language_codes
from services_directory import presenters, selectors, services
from services_directory.filters import ServiceSearchFilter
from services_directory.forms import ApiTokenForm, CapacityForm, ServiceForm
from services_directory.models import ApiToken, Service


def service_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.can_read_directory(request.user):
        raise Http404
    search = ServiceSearchFilter(request.GET or None, queryset=Service.objects.none(), request=request)
    page = paginate(request, search.qs, per_page=20)
    criteria = search.criteria()
    query = request.GET.copy()
    query.pop("page", None)
    template = "services_directory/search.html#results" if request.htmx else "services_directory/search.html"
    return render(
        request,
        template,
        {
            "filter": search,
            "page": page,
            "results": selectors.results_for_page(list(page.object_list), criteria, request.user, circle=search.circle),
            "criteria": criteria,
            "query": query.urlencode(),
        },
    )


def _capacity_form(service: Service, data: QueryDict | None = None) -> CapacityForm:
    """Ids carry the service, so that a page of listings has one form per service without clashing ids."""
    return CapacityForm(
        data,
        initial={"capacity": service.capacity, "count": service.capacity_count},
        auto_id=f"id_%s_{service.pk}",
    )


def _service_context(request: AuthenticatedHttpRequest, service: Service) -> dict[str, object]:
    circle = selectors.agencies_seeing_confidential_locations_of(request.user)
    return {
        "service": service,
        "locations": [
            (sal, selectors.location_is_revealed(sal.location, service, circle))
            for sal in service.service_at_locations.all()
        ],
        "categories": [NeedCategory(code).label for code in selectors.service_categories(service)],
        "documents": services.service_required_documents(service),
        "can_edit": selectors.can_edit_service(request.user, service),
        "capacity_form": _capacity_form(service),
        "capacity_reason": presenters.capacity_reason(service, timezone.now()),
        "age_range": presenters.age_range(service),
        "hours": [presenters.hours_text(schedule) for schedule in service.schedules.all()],
        "language_names": [language_codes.language_name(language.code) for language in service.languages.all()],
        "genders": presenters.genders_text(service),
    }


def service_detail(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    service = selectors.service_get_for_user(request.user, pk)
    return render(request, "services_directory/service_detail.html", _service_context(request, service))


def service_edit(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    service = selectors.service_get_for_user(request.user, pk)
    if not selectors.can_edit_service(request.user, service):
        raise Http404
    initial = {
        "categories": selectors.service_categories(service),
        "language_codes": [language.code for language in service.languages.all()],
        "documents": services.service_required_documents(service),
    }
    form = ServiceForm(request.POST or None, instance=service, **initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(
                service=service,
                actor=request.user,
                version=form.cleaned_data["version"],
                categories=form.cleaned_data["categories"],
                languages=form.cleaned_data["languages"],
                documents=form.cleaned_data["documents"].splitlines(),
                request=request,
                **form.changes(),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The listing is saved."))
            return redirect("service_detail", pk=service.pk)
    return render(request, "services_directory/service_form.html", {"service": service, "form": form})


@require_POST
def service_capacity(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """One click from the listing (htmx swaps the capacity box; without JavaScript the page reloads)."""
    service = selectors.service_get_for_user(request.user, pk)
    if not selectors.can_edit_service(request.user, service):
        raise Http404
    form = _capacity_form(service, request.POST)
    if form.is_valid():
        try:
            service = services.service_capacity_update(
                service=service,
                actor=request.user,
                capacity=form.cleaned_data["capacity"],
                count=form.cleaned_data["count"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, ValidationError):
                add_errors(form, error)
            else:
                form.add_error(None, _("You may not change this listing."))
    if request.htmx:
        context = {
            "service": service,
            "can_edit": True,
            "capacity_form": form if form.errors else _capacity_form(service),
            "next": request.POST.get("next", ""),
            "capacity_reason": presenters.capacity_reason(service, timezone.now()),
            "updated": not form.errors,
        }
        return render(request, "services_directory/capacity.html", context)
    if form.errors:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        messages.success(
            request,
            _("Capacity of %(service)s: %(capacity)s.")
            % {"service": service.name, "capacity": service.get_capacity_display()},
        )
    next_url = request.POST.get("next")
    if next_url == "mine":
        return redirect("my_services")
    return redirect("service_detail", pk=service.pk)


def my_services(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.can_edit_listings(request.user):
        raise Http404
    listings = selectors.services_editable_by(request.user).order_by("name")
    now = timezone.now()
    rows = [(service, presenters.capacity_reason(service, now), _capacity_form(service)) for service in listings]
    return render(request, "services_directory/my_services.html", {"rows": rows})


# API tokens ----------------------------------------------------------------------------------------------------


def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    agency = request.user.agency
    if agency is None or not selectors.can_read_api_tokens(request.user):
        raise Http404
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.api_token_issue(
            agency=agency, name=form.cleaned_data["name"], actor=request.user, request=request
        )
        form = ApiTokenForm()
    tokens = selectors.api_tokens_of(agency)
    return render(request, "services_directory/api_tokens.html", {"form": form, "tokens": tokens, "new_key": new_key})


@require_POST
def api_token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agency = request.user.agency
    if agency is None or not selectors.can_issue_api_tokens(request.user, agency):
        raise Http404
    token = get_object_or_404(ApiToken, pk=pk, agency=agency)
    services.api_token_revoke(token=token, actor=request.user, request=request)
    messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("api_tokens")
