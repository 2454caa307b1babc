"""The forms of the dissemination log and the review queue (docs/decisions/0028-tips-intelligence-rules.md)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tips.models import PurgeReason


class DisseminationFilter(forms.Form):
    tip = forms.IntegerField(label=_("Tip number"), required=False, min_value=1)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text=_("YYYY-MM-DD")
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text=_("YYYY-MM-DD")
    )

    def filter(self, rows: Any) -> Any:
        if not self.is_valid():
            return rows.none()
        data = self.cleaned_data
        if data.get("tip"):
            rows = rows.filter(tip_number=data["tip"])
        if data.get("since"):
            rows = rows.filter(occurred_at__date__gte=data["since"])
        if data.get("until"):
            rows = rows.filter(occurred_at__date__lte=data["until"])
        return rows


class ValidateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it still meets the reasonable-suspicion standard"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class PurgeForm(forms.Form):
    reason_code = forms.ChoiceField(label=_("Why it is purged"), choices=PurgeReason.choices)
