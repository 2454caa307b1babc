from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import User
from deconfliction.operations import geometry, selectors
from deconfliction.operations.models import Operation, OperationConflict
from portal.idempotency import SubmissionKeyField

_WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class OperationForm(forms.Form):
    """What a planner enters; ``services`` checks it all again (the window, the place, the case, the phone)."""

    kind = forms.ChoiceField(label=_("Kind of operation"), choices=Operation.Kind.choices)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=_WHEN)
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=_WHEN, help_text=_("At most 72 hours after it starts. Times are local.")
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=300,
        required=False,
        help_text=_("For your agency only. It is not used to place the operation: give its ZIP code or a point."),
    )
    zip_code = forms.CharField(
        label=_("ZIP code"),
        max_length=10,
        required=False,
        help_text=_(
            "Required unless you give the latitude and longitude. A ZIP code places the operation at the ZIP's "
            "centre, which is coarse: it is compared with a radius of at least 2 km."
        ),
    )
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        help_text=_("e.g. 29.7604 and -95.3698: the exact point, compared with the radius below."),
    )
    radius_m = forms.IntegerField(
        label=_("Radius in metres"),
        initial=geometry.RADIUS_DEFAULT_M,
        min_value=geometry.RADIUS_MIN_M,
        max_value=geometry.RADIUS_MAX_M,
        help_text=_("How far around the point the operation reaches: 50 to 5,000 metres (300 unless you change it)."),
    )
    case_agent = forms.ModelChoiceField(label=_("Case agent"), queryset=User.objects.none())
    phone_24h = forms.CharField(
        label=_("24-hour phone"),
        max_length=40,
        help_text=_("A number that answers at any hour: it is given to the other agency when operations overlap."),
    )
    case_number = forms.CharField(
        label=_("Case number (optional)"),
        max_length=20,
        required=False,
        help_text=_("A case you work, e.g. HT-2026-00042. Never shown outside your agency."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For your agency only."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    submission_key = SubmissionKeyField()

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_agent"].queryset = selectors.case_agents_for(user)  # type: ignore[attr-defined]
        if not self.is_bound and "case_agent" not in self.initial:
            self.initial["case_agent"] = user.pk

    @staticmethod
    def initial_of(operation: Operation) -> dict[str, Any]:
        from django.utils import timezone

        return {
            "kind": operation.kind,
            "starts_at": timezone.localtime(operation.starts_at),
            "ends_at": timezone.localtime(operation.ends_at),
            "address": operation.address,
            "zip_code": operation.zip_code,
            "latitude": operation.latitude if operation.located_by == Operation.Located.POINT else None,
            "longitude": operation.longitude if operation.located_by == Operation.Located.POINT else None,
            "radius_m": operation.radius_m,
            "case_agent": operation.case_agent_id,
            "phone_24h": operation.phone_24h,
            "case_number": operation.case.number if operation.case else "",
            "notes": operation.notes,
            "version": operation.version,
        }


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=_("How it was settled"), choices=OperationConflict.Resolution.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)
