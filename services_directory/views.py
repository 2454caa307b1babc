"""Directory pages: search, a service's page, a provider's listings with one-click capacity, and API tokens."""

from datetime import time
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
from services_directory.forms import ApiTokenForm, CapacityForm, HoursForm, LocationForm, ServiceForm
from services_directory.models import Address, ApiToken, Location, Service


def service_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.can_read_directory(request.user):
        raise Http404
    search = ServiceSearchFilter(request.GET or None, queryset=Service.objects.none(), request=request)
    page = paginate(request, search.qs, per_page=20)
    criteria = search.criteria()
    query = request.GET.copy()
    query.pop("page", None)
    template = "services_directory/search.html#search" if request.htmx else "services_directory/search.html"
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


def _editable(request: AuthenticatedHttpRequest, pk: UUID) -> Service:
    """A listing its reader keeps (``can_edit_service``); anyone else is told it has nothing to edit here (404)."""
    service = selectors.service_get_for_user(request.user, pk)
    if not selectors.can_edit_service(request.user, service):
        raise Http404
    return service


def _current_hours(service: Service) -> dict[str, tuple[time, time]]:
    hours: dict[str, tuple[time, time]] = {}
    for schedule in selectors.weekly_hours_of(service):
        if schedule.opens_at is None or schedule.closes_at is None:
            continue
        days = [day.strip() for day in schedule.byday.split(",") if day.strip()] or list(services.WEEKDAYS)
        hours.update({day: (schedule.opens_at, schedule.closes_at) for day in days if day in services.WEEKDAYS})
    return hours


def service_hours(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """A provider's weekly opening hours ("open now" in searches reads them)."""
    service = _editable(request, pk)
    form = HoursForm(request.POST or None, hours=_current_hours(service), version=service.version)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_hours_set(
                service=service,
                actor=request.user,
                version=form.cleaned_data["version"],
                hours=form.hours(),
                request=request,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The opening hours of %(service)s are saved.") % {"service": service.name})
            return redirect("service_detail", pk=service.pk)
    return render(request, "services_directory/service_hours.html", {"service": service, "form": form})


def service_locations(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """A provider's locations of one service, each to correct or remove, and a new one to add."""
    service = _editable(request, pk)
    return render(
        request,
        "services_directory/service_locations.html",
        {
            "service": service,
            "links": service.service_at_locations.select_related("location").prefetch_related("location__addresses"),
        },
    )


def _location_initial(service: Service, location: Location | None) -> dict[str, object]:
    initial: dict[str, object] = {"version": service.version}
    if location is None:
        return initial
    address = location.addresses.filter(address_type=Address.Type.PHYSICAL).first()
    initial.update(name=location.name, is_confidential=location.is_confidential, transportation=location.transportation)
    if address is not None:
        initial.update(
            address_1=address.address_1,
            address_2=address.address_2,
            city=address.city,
            state_province=address.state_province,
            postal_code=address.postal_code,
        )
    return initial


def service_location(request: AuthenticatedHttpRequest, pk: UUID, location_pk: UUID | None = None) -> HttpResponse:
    """Add a location to a provider's service, or correct one of its locations."""
    service = _editable(request, pk)
    location = None
    if location_pk is not None:
        location = get_object_or_404(Location, pk=location_pk, service_at_locations__service=service)
    form = LocationForm(request.POST or None, initial=_location_initial(service, location))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.service_location_save(
                service=service,
                actor=request.user,
                location=location,
                request=request,
                **{name: data[name] for name in form.fields},
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The location %(name)s is saved.") % {"name": data["name"]})
            return redirect("service_locations", pk=service.pk)
    return render(
        request,
        "services_directory/service_location_form.html",
        {"service": service, "form": form, "location": location},
    )


@require_POST
def service_location_remove(request: AuthenticatedHttpRequest, pk: UUID, location_pk: UUID) -> HttpResponse:
    service = _editable(request, pk)
    location = get_object_or_404(Location, pk=location_pk, service_at_locations__service=service)
    try:
        version = int(request.POST.get("version", ""))
        services.service_location_remove(
            service=service, actor=request.user, version=version, location=location, request=request
        )
    except ValueError:
        messages.error(request, _("Reload the page and try again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The location %(name)s is no longer listed for this service.") % {"name": location})
    return redirect("service_locations", pk=service.pk)


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
            "saved": "" if form.errors else presenters.capacity_saved_text(service, timezone.now()),
        }
        return render(request, "services_directory/capacity.html", context)
    if form.errors:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        messages.success(request, presenters.capacity_saved_text(service, timezone.now()))
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
            agency=agency,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            actor=request.user,
            request=request,
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
