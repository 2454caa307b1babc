"""The directory search form. Filtering and ranking are one selector (``selectors.service_search``); this
FilterSet reads the request into ``SearchCriteria`` and validates it (an unknown place is a form error)."""

from functools import cached_property
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from portal.categories import NeedCategory
from services_directory import languages, selectors
from services_directory.geo import Point, UnknownPlace, resolve
from services_directory.models import Service

DISTANCES = [
    ("5", _("5 miles")),
    ("10", _("10 miles")),
    ("25", _("25 miles")),
    ("50", _("50 miles")),
    ("100", _("100 miles")),
]


class PlaceField(forms.CharField):
    def clean(self, value: str | None) -> Point | None:
        value = super().clean(value)
        if not value:
            return None
        try:
            return resolve(value)
        except UnknownPlace as error:
            raise ValidationError(str(error), code="unknown_place") from error


class PlaceFilter(django_filters.Filter):
    field_class = PlaceField


class ServiceSearchFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Words"), method="noop")
    category = django_filters.MultipleChoiceFilter(
        label=_("Category"), choices=NeedCategory.choices, method="noop", widget=forms.CheckboxSelectMultiple
    )
    language = django_filters.ChoiceFilter(
        label=_("Person's language"), choices=languages.choices, empty_label=_("Any language"), method="noop"
    )
    language_required = django_filters.BooleanFilter(
        label=_("Only services in this language"), method="noop", widget=forms.CheckboxInput
    )
    near = PlaceFilter(
        label=_("Near"),
        method="noop",
        help_text=_("A ZIP code, a city and state (Houston, TX) or a point (29.76, -95.36)"),
    )
    within = django_filters.ChoiceFilter(
        label=_("Within"), choices=DISTANCES, empty_label=_("Any distance"), method="noop"
    )
    age = django_filters.NumberFilter(
        label=_("Person's age"),
        method="noop",
        min_value=0,
        max_value=120,
        widget=forms.NumberInput(attrs={"min": 0, "max": 120}),
    )
    gender = django_filters.ChoiceFilter(
        label=_("Person's gender"), choices=Service.Gender.choices, empty_label=_("Not given"), method="noop"
    )
    without_status = django_filters.BooleanFilter(
        label=_("Person has no immigration status"), method="noop", widget=forms.CheckboxInput
    )
    minors = django_filters.BooleanFilter(label=_("Accepts minors"), method="noop", widget=forms.CheckboxInput)
    eligible_only = django_filters.BooleanFilter(
        label=_("Hide services the person is not eligible for"), method="noop", widget=forms.CheckboxInput
    )
    open_now = django_filters.BooleanFilter(label=_("Open now"), method="noop", widget=forms.CheckboxInput)
    available = django_filters.BooleanFilter(label=_("Capacity available"), method="noop", widget=forms.CheckboxInput)

    class Meta:
        model = Service
        fields: list[str] = []

    def noop(self, queryset: QuerySet[Service], name: str, value: Any) -> QuerySet[Service]:
        return queryset  # every field is read together by ``criteria`` below

    def criteria(self) -> selectors.SearchCriteria:
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        within = data.get("within")
        language = data.get("language") or ""
        age = data.get("age")
        return selectors.SearchCriteria(
            text=data.get("q") or "",
            categories=list(data.get("category") or []),
            languages=[language] if language else [],
            language_required=bool(data.get("language_required")),
            near=data.get("near"),
            within_miles=float(within) if within and data.get("near") else None,
            open_now=bool(data.get("open_now")),
            available_only=bool(data.get("available")),
            accepts_minors=bool(data.get("minors")),
            age=int(age) if age is not None else None,
            gender=data.get("gender") or "",
            without_status=bool(data.get("without_status")),
            eligible_only=bool(data.get("eligible_only")),
        )

    def filter_queryset(self, queryset: QuerySet[Service]) -> QuerySet[Service]:
        if self.is_bound and not self.form.is_valid():
            return queryset.none()
        return selectors.service_search(self.criteria(), circle=self.circle)

    @cached_property
    def circle(self) -> frozenset[int]:
        """The viewer's ``agencies_seeing_confidential_locations_of``, asked once for the search and its page."""
        user = getattr(self.request, "user", None)
        return selectors.agencies_seeing_confidential_locations_of(user) if user is not None else frozenset()
