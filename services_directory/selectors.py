"""Reads of the directory that depend on who asks: who may edit a listing, who may see a confidential location,
and the ranked search (docs/architecture.md §6).

The ranking is one SQL ordering, so that paging stays in the database: eligibility for the person (eligible, not
stated, not eligible), capacity today (available, waitlist, stale report, not reported, full), language (speaks
one of the person's languages or not), distance (nearest location first), then name. ``ServiceResult`` gives each
rank's reason, in the words of ``presenters.py``.
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Floor
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from agencies.models import Agency, User
from portal.categories import NeedCategory
from services_directory import languages
from services_directory.geo import Point, bounding_box, distance_miles
from services_directory.models import (
    ApiToken,
    Attribute,
    Language,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
)
from services_directory.presenters import Reason, service_reasons

CONFIDENTIAL_CELL_DEGREES = 0.1  # a confidential location counts from its cell's centre (0.1°: about 7 by 6 miles)


# Who may do what -----------------------------------------------------------------------------------------------


def can_read_directory(user: User) -> bool:
    """Every role reads the directory: its search, its services' pages and the HSDS API."""
    return user.has_perm("services_directory.view_service")


def can_edit_listings(user: User) -> bool:
    """Provider staff keep their agency's listings and today's capacity (which listings: ``can_edit_service``)."""
    return user.has_perm("services_directory.change_service")


def can_edit_service(user: User, service: Service) -> bool:
    """Provider staff of the agency linked to the service's organization keep its listing."""
    agency_id = service.organization.agency_id
    return agency_id is not None and can_edit_listings(user) and user.agency is not None and user.agency.pk == agency_id


def can_read_api_tokens(user: User) -> bool:
    """Agency administrators see the keys partner directories use to read the HSDS API."""
    return user.has_perm("services_directory.view_apitoken")


def can_issue_api_tokens(user: User, agency: Agency) -> bool:
    """Agency administrators issue and revoke keys for their own agency only."""
    return user.has_perm("services_directory.add_apitoken") and user.agency == agency


def agencies_seeing_confidential_locations_of(user: User | AnonymousUser | None) -> frozenset[int]:
    """The provider agencies whose confidential addresses ``user`` may see: their own agency's, and those of every
    agency in a task force their agency belongs to. Superusers see none by this rule (they have the admin)."""
    agency = getattr(user, "agency", None)
    if agency is None:
        return frozenset()
    ids = Agency.objects.filter(Q(pk=agency.pk) | Q(task_forces__agencies=agency)).values_list("pk", flat=True)
    return frozenset(ids)


def location_is_revealed(location: Location, service: Service, circle: frozenset[int]) -> bool:
    return not location.is_confidential or service.organization.agency_id in circle


def services_editable_by(user: User) -> QuerySet[Service]:
    agency = user.agency
    if agency is None or not can_edit_listings(user):
        return Service.objects.none()
    return Service.objects.filter(organization__agency=agency).select_related("organization")


def service_get_for_user(user: User, pk: uuid.UUID | str) -> Service:
    """A service for its detail page; any signed-in member of an agency may read the directory."""
    if not can_read_directory(user):
        raise Http404
    try:
        return (
            Service.objects.select_related("organization", "organization__agency", "capacity_updated_by")
            .prefetch_related(*_RESULT_PREFETCHES, "schedules", "service_areas", "phones")
            .get(pk=pk)
        )
    except (Service.DoesNotExist, ValueError) as error:
        raise Http404 from error


def weekly_hours_of(service: Service) -> QuerySet[Schedule]:
    """The service's own weekly opening hours: what the hours form edits. Hours of its locations, and monthly or
    dated schedules from an import, are left as they are."""
    return Schedule.objects.filter(
        service=service,
        service_at_location__isnull=True,
        location__isnull=True,
        freq__in=["", Schedule.Frequency.WEEKLY],
        valid_from__isnull=True,
        valid_to__isnull=True,
    )


def api_tokens_of(agency: Agency) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(agency=agency).select_related("created_by")


def service_categories(service: Service) -> list[str]:
    """The need categories a service offers, through its attributes' terms."""
    codes = Attribute.objects.filter(link_id=service.pk).exclude(taxonomy_term__category="")
    return sorted(set(codes.values_list("taxonomy_term__category", flat=True)))


def services_for_api(
    *,
    search: str = "",
    taxonomy_term_id: str | None = None,
    taxonomy_id: str | None = None,
    organization_id: str | None = None,
    modified_after: str | None = None,
) -> QuerySet[Service]:
    """The HSDS API's service list and its filters (``openapi.json``); ``ValueError`` names a malformed one."""
    services = Service.objects.select_related("organization").order_by("name", "pk")
    if search.strip():
        services = services.filter(
            Q(name__icontains=search) | Q(description__icontains=search) | Q(organization__name__icontains=search)
        )
    for name, value, column in (
        ("taxonomy_term_id", taxonomy_term_id, "taxonomy_term_id"),
        ("taxonomy_id", taxonomy_id, "taxonomy_term__taxonomy_id"),
    ):
        if value:
            attributes = Attribute.objects.filter(link_id=OuterRef("pk"), **{column: _uuid(name, value)})
            services = services.filter(Exists(attributes))
    if organization_id:
        services = services.filter(organization_id=_uuid("organization_id", organization_id))
    if modified_after:
        moment = parse_datetime(modified_after)
        if moment is None:
            day = parse_date(modified_after)
            if day is None:
                raise ValueError("modified_after must be a date or a date and time (ISO 8601).")
            moment = datetime.combine(day, datetime.min.time())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        services = services.filter(Q(last_modified__gte=moment) | Q(last_modified__isnull=True, updated_at__gte=moment))
    return services


def _uuid(name: str, value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise ValueError(f"{name} must be a UUID.") from error


# Search --------------------------------------------------------------------------------------------------------


@dataclass
class SearchCriteria:
    text: str = ""
    categories: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)  # the person's languages (two-letter codes)
    language_required: bool = False  # only services that speak one of them
    near: Point | None = None
    within_miles: float | None = None
    open_now: bool = False
    available_only: bool = False
    accepts_minors: bool = False
    age: int | None = None  # the person's age, for eligibility
    is_minor: bool = False  # known to be under 18 when the age itself is not (ranks, does not filter)
    gender: str = ""  # a letter of Service.Gender
    without_status: bool = False  # the person has no immigration status
    eligible_only: bool = False
    include_inactive: bool = False

    @property
    def asks_eligibility(self) -> bool:
        return self.age is not None or bool(self.gender) or self.without_status or self.minor

    @property
    def minor(self) -> bool:
        return self.is_minor or self.accepts_minors or (self.age is not None and self.age < 18)


@dataclass
class ServiceResult:
    service: Service
    categories: list[str]
    locations: list[tuple[Location, bool]]  # (location, address revealed to this viewer)
    reasons: list[Reason]
    distance: float | None
    is_open: bool | None

    @property
    def category_labels(self) -> list[str]:
        return [str(NeedCategory(c).label) for c in self.categories if c in NeedCategory.values]


_RESULT_PREFETCHES = (
    Prefetch(
        "service_at_locations",
        queryset=ServiceAtLocation.objects.select_related("location").prefetch_related("location__addresses"),
    ),
    Prefetch("languages", queryset=Language.objects.order_by("name", "code")),
)


def _language_variants(codes: list[str]) -> Q:
    q = Q(pk__in=[])
    for code in {languages.normalise(c) for c in codes if c}:
        variants = {code} | {three for three, two in languages.THREE_LETTER.items() if two == code}
        q |= Q(code__in=variants | {v.upper() for v in variants}) | Q(code__istartswith=f"{code}-")
    return q


def _speaks(codes: list[str]) -> Exists:
    return Exists(Language.objects.filter(_language_variants(codes), service=OuterRef("pk")))


def _offers(categories: list[str]) -> Exists:
    return Exists(Attribute.objects.filter(link_id=OuterRef("pk"), taxonomy_term__category__in=categories))


WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _runs_on(day: date) -> Q:
    """Weekly schedules that apply on ``day``: its weekday listed (or none listed), inside their validity."""
    return (
        Q(freq__in=["", Schedule.Frequency.WEEKLY])
        & (Q(byday="") | Q(byday__contains=WEEKDAYS[day.weekday()]))
        & (Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        & (Q(dtstart__isnull=True) | Q(dtstart__lte=day))
        & (Q(until__isnull=True) | Q(until__gte=day))
    )


def _open_now_q(now: datetime) -> Q:
    """Weekly schedules open at ``now``, in the portal's time zone or at a schedule's own UTC offset. Overnight
    hours (22:00-06:00) belong to the day they open: at 02:00 on Saturday, Friday's night is open."""
    offsets = [None, *Schedule.objects.exclude(timezone=None).order_by().values_list("timezone", flat=True).distinct()]
    q = Q(pk__in=[])
    for offset in offsets:
        local = (
            timezone.localtime(now) if offset is None else now.astimezone(timezone.get_fixed_timezone(int(offset * 60)))
        )
        moment, today = local.time().replace(microsecond=0), local.date()
        yesterday = today - timedelta(days=1)
        in_zone = Q(timezone__isnull=True) if offset is None else Q(timezone=offset)
        overnight = Q(opens_at__gt=F("closes_at"))
        q |= (
            in_zone
            & Q(opens_at__isnull=False, closes_at__isnull=False)
            & (
                (_runs_on(today) & Q(opens_at=F("closes_at")))  # all day
                | (_runs_on(today) & Q(opens_at__lt=F("closes_at"), opens_at__lte=moment, closes_at__gt=moment))
                | (_runs_on(today) & overnight & Q(opens_at__lte=moment))  # tonight, before midnight
                | (_runs_on(yesterday) & overnight & Q(closes_at__gt=moment))  # last night, after midnight
            )
        )
    return q


def _open_now(now: datetime) -> Q:
    """Three ``EXISTS`` (hours of the service, of the service at one of its locations, of one of its locations),
    not one over an ``OR`` of the links: an ``OR`` across joins defeats the indexes (measured by ``make bench``:
    1.4 s against 26 ms for the same search over 5,000 services on SQLite)."""
    open_q = _open_now_q(now)
    own = Schedule.objects.filter(open_q, service=OuterRef("pk"))
    at_locations = Schedule.objects.filter(open_q, service_at_location__service=OuterRef("pk"))
    of_locations = Schedule.objects.filter(open_q, location__service_at_locations__service=OuterRef("pk"))
    return Q(Exists(own)) | Q(Exists(at_locations)) | Q(Exists(of_locations))


def _eligibility_rank(criteria: SearchCriteria) -> Case | Value:
    if not criteria.asks_eligibility:
        return Value(0)
    not_eligible = Q(pk__in=[])
    unknown = Q(pk__in=[])
    minor = criteria.minor
    if criteria.age is not None:
        not_eligible |= Q(minimum_age__gt=criteria.age) | Q(maximum_age__lt=criteria.age)
    if minor:
        not_eligible |= Q(accepts_minors=False)
        if criteria.age is None:  # a minor of unknown age is still under any minimum of 18 or more
            not_eligible |= Q(minimum_age__gte=18)
        unknown |= Q(accepts_minors__isnull=True)
    if criteria.without_status:
        not_eligible |= Q(accepts_without_status=False)
        unknown |= Q(accepts_without_status__isnull=True)
    if criteria.gender:
        not_eligible |= ~Q(genders_served="") & ~Q(genders_served__contains=criteria.gender)
    return Case(When(not_eligible, then=Value(2)), When(unknown, then=Value(1)), default=Value(0))


def _capacity_rank(now: datetime) -> Case:
    fresh = Q(capacity_updated_at__gte=now - settings.PORTAL_CAPACITY_STALE_AFTER)
    C = Service.Capacity
    return Case(
        When(fresh & Q(capacity=C.AVAILABLE), then=Value(0)),
        When(fresh & Q(capacity=C.WAITLIST), then=Value(1)),
        When(Q(capacity__in=[C.AVAILABLE, C.WAITLIST]), then=Value(2)),  # a stale report
        When(Q(capacity=C.UNKNOWN), then=Value(3)),
        When(~fresh & Q(capacity=C.FULL), then=Value(3)),
        default=Value(4),  # full, and said so this week
        output_field=IntegerField(),
    )


def _text_q(queryset: QuerySet[Service], text: str) -> QuerySet[Service]:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        return queryset.annotate(search=SearchVector("name", "description", config="english")).filter(
            search=SearchQuery(text, search_type="websearch", config="english")
        )
    q = Q()
    for word in text.split()[:8]:
        q &= Q(name__icontains=word) | Q(description__icontains=word)  # what PostgreSQL's vector holds
    return queryset.filter(q)


def service_search(
    criteria: SearchCriteria, *, circle: frozenset[int] = frozenset(), now: datetime | None = None
) -> QuerySet[Service]:
    """The services matching ``criteria``, ranked, with the annotations ``results_for_page`` explains. ``circle`` is
    the viewer's ``agencies_seeing_confidential_locations_of``: the confidential locations of other agencies are
    placed at their cell's centre for the distance, its filter and its order (decision 0010)."""
    now = now or timezone.now()
    services = Service.objects.select_related("organization")
    if not criteria.include_inactive:
        services = services.filter(status=Service.Status.ACTIVE)
    if criteria.text.strip():
        services = _text_q(services, criteria.text.strip())
    if criteria.categories:
        services = services.filter(_offers(criteria.categories))
    if criteria.available_only:  # and said so within the week: a stale "available" is not a bed tonight
        services = services.filter(
            capacity=Service.Capacity.AVAILABLE,
            capacity_updated_at__gte=now - settings.PORTAL_CAPACITY_STALE_AFTER,
        )
    if criteria.accepts_minors:
        services = services.filter(accepts_minors=True)
    services = services.annotate(
        eligibility_rank=_eligibility_rank(criteria),
        capacity_rank=_capacity_rank(now),
        language_rank=Case(When(_speaks(criteria.languages), then=Value(0)), default=Value(1))
        if criteria.languages
        else Value(0),
        is_open=ExpressionWrapper(_open_now(now), output_field=BooleanField()),
    )
    if criteria.languages and criteria.language_required:
        services = services.filter(language_rank=0)
    if criteria.eligible_only:
        services = services.filter(eligibility_rank__lt=2)
    if criteria.open_now:
        services = services.filter(is_open=True)
    if criteria.near is not None:
        services = services.annotate(distance=_nearest_distance(criteria, circle))
        if criteria.within_miles:
            services = services.filter(distance__lte=criteria.within_miles)
        distance_order: Any = F("distance").asc(nulls_last=True)
    else:
        services = services.annotate(distance=Value(None, output_field=FloatField()))
        distance_order = "name"
    return services.order_by("eligibility_rank", "capacity_rank", "language_rank", distance_order, "name", "pk")


def _coarse_or_true(field: str, hidden: Q) -> Case:
    cell = CONFIDENTIAL_CELL_DEGREES
    coarse = Floor(F(field) / Value(cell)) * Value(cell) + Value(cell / 2)
    return Case(When(hidden, then=coarse), default=F(field), output_field=FloatField())


def _nearest_distance(criteria: SearchCriteria, circle: frozenset[int]) -> Subquery:
    """Miles from ``criteria.near`` to the service's nearest location, as this viewer may know it: a confidential
    location they may not see counts from the centre of its grid cell, so that no distance, filter or order (however
    many searches from however many places) tells more than the cell."""
    assert criteria.near is not None
    agency = "service__organization__agency_id"
    hidden = Q(location__is_confidential=True) & (Q(**{f"{agency}__isnull": True}) | ~Q(**{f"{agency}__in": circle}))
    located = ServiceAtLocation.objects.filter(
        service=OuterRef("pk"), location__latitude__isnull=False, location__longitude__isnull=False
    ).annotate(lat=_coarse_or_true("location__latitude", hidden), lon=_coarse_or_true("location__longitude", hidden))
    if criteria.within_miles:
        south, north, west, east = bounding_box(criteria.near, criteria.within_miles)
        margin = CONFIDENTIAL_CELL_DEGREES  # the stored point is within a cell of the one that counts
        located = located.filter(
            location__latitude__range=(south - margin, north + margin),
            location__longitude__range=(west - margin, east + margin),
            lat__range=(south, north),
            lon__range=(west, east),
        )
    nearest = located.annotate(d=distance_miles(criteria.near, "lat", "lon")).order_by("d").values("d")[:1]
    return Subquery(nearest, output_field=FloatField())


def results_for_page(
    services: list[Service],
    criteria: SearchCriteria,
    viewer: User | None,
    *,
    circle: frozenset[int] | None = None,
    now: datetime | None = None,
) -> list[ServiceResult]:
    """One page of ranked services, with their locations (confidential ones hidden from this viewer), categories
    and reasons. Constant queries: the page's prefetches, one for categories, one for the viewer's circle."""
    now = now or timezone.now()
    prefetch_related_objects(services, *_RESULT_PREFETCHES)
    categories: dict[Any, list[str]] = {}
    for link_id, category in (
        Attribute.objects.filter(link_id__in=[s.pk for s in services])
        .exclude(taxonomy_term__category="")
        .values_list("link_id", "taxonomy_term__category")
        .distinct()
        .order_by("taxonomy_term__category")
    ):
        categories.setdefault(link_id, []).append(category)
    if circle is None:  # the caller's, when it asked already for the search
        circle = agencies_seeing_confidential_locations_of(viewer) if services else frozenset()
    results = []
    for service in services:
        locations = [
            (sal.location, location_is_revealed(sal.location, service, circle))
            for sal in service.service_at_locations.all()
        ]
        hidden = any(not revealed for _location, revealed in locations)
        results.append(
            ServiceResult(
                service=service,
                categories=categories.get(service.pk, []),
                locations=locations,
                reasons=service_reasons(service, criteria, now, hidden),
                distance=getattr(service, "distance", None),
                is_open=getattr(service, "is_open", None),
            )
        )
    return results
