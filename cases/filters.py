import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from cases import selectors
from cases.models import Case, CaseShare


class DateInput(forms.DateInput):
    input_type = "date"


class CaseFilter(django_filters.FilterSet):
    """The case list's filters. ``request.user`` decides which names the text search may match."""

    # Filters whose text can be a person's name: read from a POST body only, never from a URL (portal/search.py).
    NAME_FIELDS = ("q",)

    q = django_filters.CharFilter(
        label=_("Number, title or name"),
        method="filter_text",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),  # the browser keeps no list of names typed here
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Case.Status.choices, empty_label=_("Any status"))
    case_type = django_filters.ChoiceFilter(label=_("Type"), choices=Case.Type.choices, empty_label=_("Any type"))
    lead_agency = django_filters.ModelChoiceFilter(
        label=_("Lead agency"), queryset=Agency.objects.filter(is_active=True), empty_label=_("Any agency")
    )
    opened_after = django_filters.DateFilter(
        label=_("Opened from"), field_name="opened_on", lookup_expr="gte", widget=DateInput
    )
    opened_before = django_filters.DateFilter(
        label=_("Opened until"), field_name="opened_on", lookup_expr="lte", widget=DateInput
    )
    shared_with_me = django_filters.BooleanFilter(
        label=_("Shared with my agency"), method="filter_shared", widget=forms.CheckboxInput
    )
    assigned_to_me = django_filters.BooleanFilter(
        label=_("Assigned to me"), method="filter_assigned", widget=forms.CheckboxInput
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("opened_on", "opened_on"), ("number", "number"), ("title", "title"), ("status", "status")),
        field_labels={"opened_on": _("Date opened"), "number": _("Number"), "title": _("Title"), "status": _("Status")},
        empty_label=_("Newest first"),
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        user = self.request.user
        return queryset.filter(
            Q(number__icontains=value) | Q(title__icontains=value) | selectors.name_search_q(user, value)
        )

    def filter_shared(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        if not value:
            return queryset
        agency = self.request.user.agency
        shares = CaseShare.objects.filter(case=OuterRef("pk"), agency=agency, status=CaseShare.Status.ACTIVE)
        return queryset.filter(Exists(shares))

    def filter_assigned(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        return queryset.filter(assigned_to=self.request.user) if value else queryset
