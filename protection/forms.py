"""The forms of immigration relief: an action (its kind chosen once), and a step (the reason a decline needs)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from cases.forms import AgencyChoiceField, DateInput
from protection.models import ReliefAction
from protection.rules import CERTIFYING
from protection.services import EDITABLE_FIELDS


class ReliefActionForm(forms.ModelForm):
    """A relief action: ``version`` refuses a stale edit; the service checks the kind's rules (who may request or
    sign it) and the dates. No field asks about cooperation with an investigation, by design."""

    requesting_agency = AgencyChoiceField(
        label=_("Requesting or signing agency"),
        queryset=Agency.objects.none(),
        required=False,
        help_text=_(
            "Continued Presence: the federal law-enforcement agency that requests it (your own). A declaration or "
            "certification: the agency asked to sign it."
        ),
    )
    document = forms.FileField(label=_("Document"), required=False, help_text=_("PDF, image, Word or text; 20 MB."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ReliefAction
        fields = ("kind", *EDITABLE_FIELDS)
        widgets = {
            "requested_on": DateInput,
            "submitted_on": DateInput,
            "decided_on": DateInput,
            "valid_from": DateInput,
            "expires_on": DateInput,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = self.fields["requesting_agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        agency.queryset = Agency.objects.filter(is_active=True, kind__in=CERTIFYING).order_by("name")
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0
        if self.instance.pk:
            del self.fields["kind"]

    def action_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS if name in self.cleaned_data}


class StepForm(forms.Form):
    """A step on an action: the day it happened, and a reason for a decline or a denial (required: the service
    refuses one without)."""

    on = forms.DateField(label=_("On"), widget=DateInput, required=False)
    reason = forms.CharField(
        label=_("Why (for a decline or a denial)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    valid_from = forms.DateField(label=_("Valid from (for a grant)"), widget=DateInput, required=False)
    expires_on = forms.DateField(label=_("Expires on (for a grant)"), widget=DateInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
