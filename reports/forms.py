from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as __
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, TaskForce, User
from reports import selectors
from reports.fiscal import FiscalQuarter, parse_quarter, quarter_of, recent_quarters
from reports.models import OutreachEvent


class OutreachEventForm(forms.ModelForm):
    class Meta:
        model = OutreachEvent
        fields = ["held_on", "title", "kind", "audience", "people_reached"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"})}


class DashboardFilter(forms.Form):
    """The dashboard's question: a fiscal quarter, or a range of whole months (which wins when given), an agency
    among those in the viewer's view, a task force of theirs. Unbound or empty: the current quarter, everything
    seen. A range runs from a month's first day to a month's last: counting 1 October to 9 and then to 10 would
    tell one victim apart by differencing, so the finest step between two questions is a month (decision 0036)."""

    quarter = forms.ChoiceField(label=_("Fiscal quarter"), required=False)
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Or a range of whole months: from a month's first day to a month's last day"),
    )
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none(), required=False)
    task_force = forms.ModelChoiceField(label=_("Task force"), queryset=TaskForce.objects.none(), required=False)

    MAX_DAYS = 3 * 366  # a trend of more than three years would not fit its chart

    def __init__(self, *args: Any, user: User, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        cast(forms.ChoiceField, self.fields["quarter"]).choices = [
            (q.code, q.code) for q in recent_quarters(self.today)
        ]
        agency = cast(forms.ModelChoiceField, self.fields["agency"])
        agency.queryset = selectors.agencies_in_view(user)
        agency.empty_label = _("All agencies you see")
        task_force = cast(forms.ModelChoiceField, self.fields["task_force"])
        task_force.queryset = selectors.task_forces_of(user)
        task_force.empty_label = _("All your task forces")

    def clean_quarter(self) -> FiscalQuarter | None:
        code = self.cleaned_data.get("quarter")
        return parse_quarter(code) if code else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None):
            raise forms.ValidationError(_("Give both days of the range, or neither."))
        if start is not None and end is not None:
            if end < start:
                self.add_error("end", _("The range ends before it starts."))
            elif (end - start).days > self.MAX_DAYS:
                self.add_error("end", _("Choose a range of three years at most."))
            if start.day != 1:
                self.add_error("start", _("Start the range on the first day of a month."))
            if (end + timedelta(days=1)).day != 1:
                self.add_error("end", _("End the range on the last day of a month."))
        return data

    def period(self) -> tuple[date, date, str]:
        """The first and last days asked for, and how to name them (after ``is_valid``)."""
        data = self.cleaned_data if self.is_bound else {}
        if data.get("start") and data.get("end"):
            return (
                data["start"],
                data["end"],
                __("%(start)s to %(end)s") % {"start": data["start"].isoformat(), "end": data["end"].isoformat()},
            )
        quarter = data.get("quarter") or quarter_of(self.today)
        return quarter.start, quarter.end, quarter.code


class QuarterlySignForm(forms.Form):
    """The sign-off of a quarterly report: the digest of the draft as the supervisor read it (a signature of
    measures that changed since is refused), and their confirmation."""

    digest = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("I have read these measures and sign them for my agency. Once signed, they never change."),
        required=True,
    )
