"""The prosecution forms. The services check again what the forms check (dates, who may, the agencies offered),
and their ``ValidationError``\\s come back onto the form (``portal.forms.add_errors``)."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from cases.forms import DateInput
from cases.models import CaseParticipant
from portal.idempotency import SubmissionKeyField
from prosecution.models import Charge, TraffickingStatute


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


def _agencies_of(form: forms.Form, name: str, agencies: QuerySet[Agency]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = agencies


class ChargeFieldsMixin(forms.Form):
    statute = forms.CharField(
        label=_("Statute"),
        max_length=120,
        help_text=_(
            "As cited, e.g. 18 U.S.C. § 1591(a). Charges under 18 U.S.C. 1581-1597 and the task force's listed "
            "statutes are marked as trafficking charges."
        ),
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=Charge.Level.choices, initial=Charge.Level.FELONY)

    def charge_fields(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in ("statute", "description", "level")}


class ArrestForm(ChargeFieldsMixin):
    """An arrest of one of the case's suspects (``suspects``: the participations with their labels), with its first
    charge; more charges are added to the arrest afterwards."""

    participant = forms.TypedChoiceField(label=_("Suspect"), coerce=int)
    arrested_on = forms.DateField(label=_("Arrested on"), widget=DateInput)
    arresting_agency = AgencyChoiceField(label=_("Arresting agency"), queryset=Agency.objects.none())
    submission_key = SubmissionKeyField()

    field_order = ["participant", "arrested_on", "arresting_agency", "statute", "description", "level"]

    def __init__(
        self,
        *args: Any,
        suspects: list[tuple[CaseParticipant, str]],
        agencies: QuerySet[Agency],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.suspects = {participant.pk: participant for participant, _label in suspects}
        participant = self.fields["participant"]
        assert isinstance(participant, forms.TypedChoiceField)
        participant.choices = [(suspect.pk, label) for suspect, label in suspects]
        _agencies_of(self, "arresting_agency", agencies)

    def suspect(self) -> CaseParticipant:
        return self.suspects[self.cleaned_data["participant"]]


class ArrestEditForm(forms.Form):
    arrested_on = forms.DateField(label=_("Arrested on"), widget=DateInput)
    arresting_agency = AgencyChoiceField(label=_("Arresting agency"), queryset=Agency.objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _agencies_of(self, "arresting_agency", agencies)


class ChargeForm(ChargeFieldsMixin):
    version = forms.IntegerField(widget=forms.HiddenInput)  # the arrest's


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Charging decision"),
        choices=[
            (Charge.Decision.CHARGED, Charge.Decision.CHARGED.label),
            (Charge.Decision.DECLINED, Charge.Decision.DECLINED.label),
        ],
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput)
    prosecuting_agency = AgencyChoiceField(label=_("Prosecutor"), queryset=Agency.objects.none())
    decline_reason = forms.CharField(
        label=_("Reason for declining"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when the charge is declined."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _agencies_of(self, "prosecuting_agency", agencies)


class DispositionForm(forms.Form):
    disposition = forms.ChoiceField(label=_("Disposition"), choices=Charge.Disposition.choices)
    disposed_on = forms.DateField(
        label=_("Disposition date"), widget=DateInput, required=False, help_text=_("Not for a pending charge.")
    )
    sentence = forms.CharField(
        label=_("Sentence"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Only after a conviction at trial or a guilty plea."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class StatuteForm(forms.ModelForm):
    class Meta:
        model = TraffickingStatute
        fields = ["citation", "title"]
