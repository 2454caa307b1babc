from typing import Any

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.categories import NeedCategory
from referrals.models import Referral, ReferralQuerySet


class _ReferralFilters(django_filters.FilterSet):
    """The filters of the referral lists (``agency`` searches the other side's name: no dropdown of agencies)."""

    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Referral.Status.choices, widget=forms.CheckboxSelectMultiple
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Referral.Kind.choices, empty_label=_("Any kind"))
    urgency = django_filters.ChoiceFilter(
        label=_("Urgency"), choices=Referral.Urgency.choices, empty_label=_("Any urgency")
    )
    category = django_filters.ChoiceFilter(
        label=_("Need"), choices=NeedCategory.choices, empty_label=_("Any need"), method="filter_category"
    )
    agency = django_filters.CharFilter(label=_("Agency or service"), method="filter_agency")
    overdue = django_filters.BooleanFilter(
        label=_("Overdue: unanswered past the deadline"), method="filter_overdue", widget=forms.CheckboxInput
    )

    class Meta:
        model = Referral
        fields: list[str] = []

    def filter_category(self, queryset: ReferralQuerySet, name: str, value: str) -> ReferralQuerySet:
        return queryset.filter(needs__category=value).distinct() if value else queryset

    def filter_agency(self, queryset: ReferralQuerySet, name: str, value: str) -> ReferralQuerySet:
        if not value:
            return queryset
        return queryset.filter(
            Q(sender_agency__name__icontains=value)
            | Q(recipient_agency__name__icontains=value)
            | Q(recipient_service__name__icontains=value)
            | Q(recipient_service__organization__name__icontains=value)
        )

    def filter_overdue(self, queryset: ReferralQuerySet, name: str, value: bool | None) -> ReferralQuerySet:
        return queryset.overdue(timezone.now()) if value else queryset


class ReferralFilter(_ReferralFilters):
    """The outbox's filters. Its statuses offer the draft, named for what it is (a coordinator's proposal), only
    where the list holds one (``offers_drafts``): a referral is sent as it is made."""

    open_only = django_filters.BooleanFilter(label=_("Open only"), method="filter_open", widget=forms.CheckboxInput)

    def __init__(self, *args: Any, offers_drafts: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["status"].extra["choices"] = [
            (status, _("Proposed by a coordinator") if status == Referral.Status.DRAFT else label)
            for status, label in Referral.Status.choices
            if offers_drafts or status != Referral.Status.DRAFT
        ]

    def filter_open(self, queryset: ReferralQuerySet, name: str, value: bool | None) -> ReferralQuerySet:
        return queryset.filter(status__in=Referral.OPEN) if value else queryset


class InboxFilter(_ReferralFilters):
    """The inbox's filters: which of its two lists (``show``: the open referrals unless the history is asked for,
    ``shows_history``), and the statuses of that list to choose from. The view reads ``show`` first to pick the
    list (``selectors.referral_inbox_for``), since each list has its own order and index; the filter itself
    leaves the list as it is."""

    OPEN, HISTORY = "open", "history"

    show = django_filters.ChoiceFilter(
        label=_("Show"),
        choices=[
            (OPEN, _("Open: awaiting an answer or in progress")),
            (HISTORY, _("History: declined, completed, cancelled or expired")),
        ],
        empty_label=None,
        method="filter_show",
        widget=forms.RadioSelect,
    )

    def __init__(self, data: QueryDict | None = None, *args: Any, **kwargs: Any) -> None:
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.get("show"):
            data["show"] = self.OPEN
        super().__init__(data, *args, **kwargs)
        statuses = Referral.CLOSED if self.shows_history(data) else Referral.OPEN
        self.filters["status"].extra["choices"] = [(status, Referral.Status(status).label) for status in statuses]

    @classmethod
    def shows_history(cls, data: QueryDict | None) -> bool:
        """Whether the request asks for the history (anything else, or nothing, is the open referrals)."""
        return data is not None and data.get("show") == cls.HISTORY

    def filter_show(self, queryset: ReferralQuerySet, name: str, value: str) -> ReferralQuerySet:
        return queryset  # the view picked the list by it (``shows_history``)


class ReferralHistoryFilter(django_filters.FilterSet):
    """The board's history: closed referrals by how they closed, the agencies on either side, and when."""

    status = django_filters.MultipleChoiceFilter(
        label=_("How it closed"),
        choices=[(status, Referral.Status(status).label) for status in Referral.CLOSED],
        widget=forms.CheckboxSelectMultiple,
    )
    outcome = django_filters.ChoiceFilter(
        label=_("Outcome"), choices=Referral.Outcome.choices, empty_label=_("Any outcome")
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Referral.Kind.choices, empty_label=_("Any kind"))
    agency = django_filters.CharFilter(label=_("Agency or service"), method="filter_agency")
    closed_from = django_filters.DateFilter(
        label=_("Closed on or after"),
        field_name="closed_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    closed_to = django_filters.DateFilter(
        label=_("Closed on or before"),
        field_name="closed_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Referral
        fields: list[str] = []

    filter_agency = ReferralFilter.filter_agency
