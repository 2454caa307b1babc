from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deconfliction.subjects import normalise
from deconfliction.subjects.models import SubjectConflict


class CheckForm(forms.Form):
    """What a person knows of a subject. Nothing typed here is kept: only its digests are compared."""

    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    alias = forms.CharField(label=_("Alias or other name"), max_length=200, required=False)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False, min_value=1900)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email_or_handle = forms.CharField(label=_("E-mail or online handle"), max_length=200, required=False)
    vehicle_plate = forms.CharField(label=_("Vehicle plate"), max_length=20, required=False)
    vehicle_state = forms.CharField(label=_("Plate state"), max_length=2, required=False)
    business = forms.CharField(label=_("Business"), max_length=200, required=False)
    address = forms.CharField(label=_("Street address"), max_length=300, required=False)

    def clean_birth_year(self) -> int | None:
        year = self.cleaned_data.get("birth_year")
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError(_("A year of birth cannot be in the future."))
        return year

    def clean_date_of_birth(self) -> date | None:
        born = self.cleaned_data.get("date_of_birth")
        if born is not None and born > timezone.localdate():
            raise forms.ValidationError(_("A date of birth cannot be in the future."))
        return born

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        self.identifiers = normalise.of_subject(
            name=data.get("name", ""),
            alias=data.get("alias", ""),
            date_of_birth=data.get("date_of_birth"),
            birth_year=data.get("birth_year"),
            phone_number=data.get("phone", ""),
            email_or_handle_text=data.get("email_or_handle", ""),
            vehicle_plate=data.get("vehicle_plate", ""),
            vehicle_state=data.get("vehicle_state", ""),
            business_name=data.get("business", ""),
            street_address=data.get("address", ""),
        )
        if not self.identifiers:
            raise forms.ValidationError(
                _(
                    "Give at least one identifier that can match: a phone, an e-mail or handle, a plate, a business, "
                    "a street address with its number, or a full name with a date or year of birth (a name alone "
                    "never matches)."
                )
            )
        return data


class ContextForm(forms.Form):
    """The case or tip a check is made from (only those the person may open)."""

    context = forms.ChoiceField(label=_("Check from"))

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["context"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Choose a case or a tip")), *choices]


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=_("Resolution"), choices=SubjectConflict.Resolution.choices)
    note = forms.CharField(
        label=_("Note (no case details)"),
        max_length=300,
        required=False,
        help_text=_("Who agreed to what, e.g. the field office leads and the police department supports."),
    )
