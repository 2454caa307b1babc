import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import AuditEvent


class DateInput(forms.DateInput):
    input_type = "date"


class AuditEventFilter(django_filters.FilterSet):
    """Filters of the audit trail. ``agency`` choices are the agencies whose events the viewer may read."""

    action = django_filters.CharFilter(
        label=_("Action starts with"), lookup_expr="startswith", help_text=_("e.g. auth.login or agencies.")
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

    def __init__(self, *args, agency_choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["agency"].extra["choices"] = agency_choices
