from typing import TYPE_CHECKING, Any

import django_filters
from django import forms
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import Role, User
from portal.audit import action_codes_described_by
from portal.models import AuditEvent

if TYPE_CHECKING:
    from agencies.lockout import UserWithLockState


class DateInput(forms.DateInput):
    input_type = "date"


class AuditEventFilterForm(forms.Form):
    """A date range whose end comes before its start is an error to correct, not a search that finds nothing."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date comes before the start date: swap them or change one."))
        return cleaned


class AuditEventFilter(django_filters.FilterSet):
    """Filters of the audit trail. ``agency`` choices are the agencies whose events the viewer may read. Dates are
    days in the task force's time zone (``settings.TIME_ZONE``), the one the trail shows times in."""

    action = django_filters.CharFilter(
        label=_("Action"),
        method="filter_action",
        help_text=_("Words of the action (e.g. signed in) or the start of its code (e.g. auth.login)."),
    )
    actor = django_filters.CharFilter(label=_("Person (e-mail)"), field_name="actor_email", lookup_expr="icontains")
    outcome = django_filters.ChoiceFilter(
        label=_("Outcome"), choices=AuditEvent.Outcome.choices, empty_label=_("Any outcome")
    )
    agency = django_filters.ChoiceFilter(
        label=_("Agency"), field_name="agency_id", choices=[], empty_label=_("Any agency")
    )
    since = django_filters.DateFilter(
        label=_("From (date)"), field_name="occurred_at", lookup_expr="date__gte", widget=DateInput
    )
    until = django_filters.DateFilter(
        label=_("To (date)"), field_name="occurred_at", lookup_expr="date__lte", widget=DateInput
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "outcome", "agency", "since", "until"]
        form = AuditEventFilterForm

    def __init__(self, *args: Any, agency_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["agency"].extra["choices"] = agency_choices

    def filter_action(self, queryset: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        """The events whose code starts with ``value`` (as stored: "auth.login"), or whose words, as the trail shows
        them in the reader's language, hold it ("signed in", "revocó")."""
        value = value.strip()
        return queryset.filter(Q(action__startswith=value) | Q(action__in=action_codes_described_by(value)))


class MemberFilter(django_filters.FilterSet):
    """Filters of the people page. ``agency`` choices are the agencies the viewer manages (a few, not a table)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LOCKED = "locked", _("Locked")
        DEACTIVATED = "deactivated", _("Deactivated")

    q = django_filters.CharFilter(label=_("Name or e-mail"), method="filter_text")
    role = django_filters.ChoiceFilter(
        label=_("Role"), field_name="_membership__role", choices=Role.choices, empty_label=_("Any role")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, method="filter_status", empty_label=_("Any status")
    )
    agency = django_filters.ChoiceFilter(
        label=_("Agency"), field_name="_membership__agency", choices=[], empty_label=_("Any agency")
    )

    class Meta:
        model = User
        fields = ["q", "role", "status", "agency"]

    def __init__(self, *args: Any, agency_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if len(agency_choices) > 1:
            self.filters["agency"].extra["choices"] = agency_choices
        else:
            del self.filters["agency"]

    def filter_text(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return queryset.filter(Q(full_name__icontains=value) | Q(email__icontains=value))

    def filter_status(
        self, queryset: "QuerySet[UserWithLockState]", name: str, value: str
    ) -> "QuerySet[UserWithLockState]":
        if value == self.Status.DEACTIVATED:
            return queryset.filter(is_active=False)
        return queryset.filter(is_active=True, is_locked=value == self.Status.LOCKED)
