from datetime import time
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from portal.categories import NeedCategory
from services_directory import languages
from services_directory.models import ApiToken, Schedule, Service

# Listings travel as CSV to other directories, where a spreadsheet may open them (decision 0009).
FORMULA_STARTS = ("=", "@")
TRI_STATE = [("", _("Not stated")), ("yes", _("Yes")), ("no", _("No"))]


class TriStateField(forms.TypedChoiceField):
    """Yes / no / not stated, for eligibility a provider may leave open."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=TRI_STATE,
            coerce=lambda v: {"yes": True, "no": False}.get(v),
            empty_value=None,
            required=False,
            **kwargs,
        )

    def prepare_value(self, value: object) -> str:
        """The option to select: from the listing (``True``/``False``) or, when a form with errors comes back, from
        what was posted (``"yes"``/``"no"``)."""
        shown: dict[object, str] = {True: "yes", False: "no", "yes": "yes", "no": "no"}
        return shown.get(value, "")


class ServiceForm(forms.ModelForm):
    """A provider's listing: what it offers, to whom, in which languages."""

    categories = forms.MultipleChoiceField(
        label=_("What the service offers"), choices=NeedCategory.choices, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages staff work in"),
        choices=languages.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    genders_served = forms.MultipleChoiceField(
        label=_("Genders served"),
        choices=Service.Gender.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave all unticked if the service is open to everyone."),
    )
    accepts_minors = TriStateField(label=_("Accepts minors (under 18)"))
    accepts_without_status = TriStateField(label=_("Accepts people without immigration status"))
    documents = forms.CharField(
        label=_("Documents a person must bring"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One per line. Leave empty if none are needed."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Service
        fields = [
            "name",
            "description",
            "status",
            "alert",
            "url",
            "email",
            "application_process",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "interpretation_services",
            "fees_description",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "alert": forms.Textarea(attrs={"rows": 2}),
            "application_process": forms.Textarea(attrs={"rows": 3}),
            "eligibility_description": forms.Textarea(attrs={"rows": 3}),
            "interpretation_services": forms.Textarea(attrs={"rows": 2}),
            "fees_description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self, *args: Any, categories: list[str], language_codes: list[str], documents: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].initial = categories
        self.fields["languages"].initial = [languages.normalise(c) for c in language_codes]
        self.fields["documents"].initial = "\n".join(documents)
        self.fields["genders_served"].initial = list(self.instance.genders_served)
        self.fields["accepts_minors"].initial = self.instance.accepts_minors
        self.fields["accepts_without_status"].initial = self.instance.accepts_without_status
        self.fields["version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, value in list(data.items()):
            if isinstance(value, str) and value.lstrip().startswith(FORMULA_STARTS):
                self.add_error(name, _("Start with a letter or a digit: a spreadsheet reads = or @ as a formula."))
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error("maximum_age", _("The maximum age is below the minimum age."))
        return data

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        changes = {name: data[name] for name in self.Meta.fields}
        changes["genders_served"] = "".join(sorted(data["genders_served"]))
        changes["accepts_minors"] = data["accepts_minors"]
        changes["accepts_without_status"] = data["accepts_without_status"]
        return changes


class CapacityForm(forms.Form):
    capacity = forms.ChoiceField(
        label=_("Capacity today"),
        choices=[(v, label) for v, label in Service.Capacity.choices if v != Service.Capacity.UNKNOWN],
    )
    count = forms.IntegerField(label=_("Places or slots open"), min_value=0, max_value=100000, required=False)


class HoursForm(forms.Form):
    """A service's weekly opening hours, a day at a time: both times, or neither (closed that day)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, hours: dict[str, tuple[time, time]], version: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = version
        self.days = []
        for code, label in Schedule.Weekday.choices:
            opens, closes = hours.get(code, (None, None))
            for part, text, initial in (("opens", _("Opens"), opens), ("closes", _("Closes"), closes)):
                self.fields[f"{code}_{part}"] = forms.TimeField(
                    label=text,
                    required=False,
                    initial=initial,
                    widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                )
            self.days.append((label, self[f"{code}_opens"], self[f"{code}_closes"]))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for code, _label in Schedule.Weekday.choices:
            opens, closes = data.get(f"{code}_opens"), data.get(f"{code}_closes")
            if (opens is None) != (closes is None) and not self.errors.get(f"{code}_opens"):
                missing = f"{code}_closes" if closes is None else f"{code}_opens"
                self.add_error(missing, _("Give both times, or neither if it is closed that day."))
        return data

    def hours(self) -> dict[str, tuple[time, time]]:
        data = self.cleaned_data
        return {
            code: (data[f"{code}_opens"], data[f"{code}_closes"])
            for code, _label in Schedule.Weekday.choices
            if data.get(f"{code}_opens") is not None and data.get(f"{code}_closes") is not None
        }


class LocationForm(forms.Form):
    """Where a service is: its physical address (the ZIP code places it for distance search)."""

    name = forms.CharField(label=_("Name of the place"), max_length=300)
    address_1 = forms.CharField(label=_("Street address"), max_length=300)
    address_2 = forms.CharField(label=_("Address line 2"), max_length=300, required=False)
    city = forms.CharField(label=_("City"), max_length=200)
    state_province = forms.CharField(label=_("State"), max_length=2, min_length=2, help_text=_("Two letters, e.g. TX."))
    postal_code = forms.RegexField(
        label=_("ZIP code"), regex=r"^\d{5}(-\d{4})?$", error_messages={"invalid": _("Give a 5-digit ZIP code.")}
    )
    is_confidential = forms.BooleanField(
        label=_("Confidential location (a shelter's address)"),
        required=False,
        help_text=_("Its address is shown only to your agency and your task forces, and never exported."),
    )
    transportation = forms.CharField(
        label=_("How to get there"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, value in list(data.items()):
            if isinstance(value, str) and value.lstrip().startswith(FORMULA_STARTS):
                self.add_error(name, _("Start with a letter or a digit: a spreadsheet reads = or @ as a formula."))
        return data


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "scope"]
        widgets = {"scope": forms.RadioSelect}
        help_texts = {"scope": _("A key does one thing: issue one for each partner system and use.")}


class HsdsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("HSDS file"),
        help_text=_("A JSON file holding a list of HSDS 3.0 service documents, or a ZIP of the CSV tabular package."),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".json", ".zip")):
            raise forms.ValidationError(_("Upload a .json file or a .zip of CSV files."))
        return upload
