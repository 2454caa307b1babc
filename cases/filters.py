from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, TaskForceMember, User
from cases import selectors
from cases.models import Case, CaseShare


class DateInput(forms.DateInput):
    input_type = "date"


def lead_agency_choices(user: User) -> list[tuple[str, str]]:
    """The lead agencies the case list offers to filter by: the viewer's own agency and the agencies of the task
    forces it belongs to, active ones, by name.

    Not every active agency: a statewide deployment has hundreds, and the list drew a 520-option menu on every
    page (46 ms at 500,000 cases), most of them agencies whose cases the viewer can never see. Not "the agencies
    that lead a case the viewer sees" either: exact, but it costs a pass over every case the viewer sees on every
    page (11,000 for a dense user), and it would say which agencies lead cases shared with the viewer before they
    asked. The task forces are what a case is shared within (``share_candidates``: a task force's case only with
    its members), so these cover the cases a viewer sees but those of an agency outside their task forces shared
    with them directly, which the text search and the other filters still find. A value outside these choices
    is the form's error ("Select a valid choice") and filters nothing (the other filters still apply): the page
    never names, or tells apart, an agency the viewer was not offered.

    As plain choices (id, name), read in one query: a model choice field counts its queryset and then reads it
    through a server-side cursor, four round trips on every page for a menu nobody opened."""
    agency = user.agency
    if agency is None:
        return []
    partners = TaskForceMember.objects.filter(task_force__members__agency=agency).values("agency_id")
    agencies = Agency.objects.filter(Q(pk=agency.pk) | Q(pk__in=partners), is_active=True).order_by("name", "pk")
    return [(str(agency.pk), str(agency)) for agency in agencies.only("pk", "name", "short_name")]


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
    lead_agency = django_filters.ChoiceFilter(label=_("Lead agency"), empty_label=_("Any agency"))  # choices: __init__
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["lead_agency"].extra["choices"] = lead_agency_choices(self.request.user)

    def active_count(self) -> int:
        """How many filters narrow the list now (the small screen's "Filters (2)" button): those with a value the
        form accepts. The sort only orders the list, and a value refused is an error that filters nothing."""
        if not self.is_bound:
            return 0
        self.form.is_valid()
        cleaned = getattr(self.form, "cleaned_data", {})
        return sum(1 for name, value in cleaned.items() if name != "sort" and value not in (None, "", False))

    def filter_text(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        """Cases whose number or title holds ``value``, or with a person of that name the reader may see: one set of
        ids (a UNION), not an OR with a subquery, which PostgreSQL cannot turn into a join and computes whole
        (907 ms against 207 for a reader of ten cases among 500,000; make bench)."""
        user = self.request.user
        by_label = queryset.filter(Q(number__icontains=value) | Q(title__icontains=value)).order_by().values("pk")
        return queryset.filter(pk__in=by_label.union(selectors.case_ids_named(user, value), all=True))

    def filter_shared(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        if not value:
            return queryset
        agency = self.request.user.agency
        shares = CaseShare.objects.filter(case=OuterRef("pk"), agency=agency, status=CaseShare.Status.ACTIVE)
        return queryset.filter(Exists(shares))

    def filter_assigned(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        return queryset.filter(assigned_to=self.request.user) if value else queryset
