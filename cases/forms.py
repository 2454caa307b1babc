from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, TaskForce
from cases.models import Case, CaseParticipant, CaseShare, Consent, Need, Person, Visibility


class DateInput(forms.DateInput):
    input_type = "date"


class CaseForm(forms.ModelForm):
    indicators = forms.MultipleChoiceField(
        label=_("Trafficking indicators"),
        choices=Case.Indicator.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Case
        fields = [
            "title",
            "case_type",
            "intake_channel",
            "task_force",
            "jurisdiction",
            "summary",
            "indicators",
            "le_narrative",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5}), "le_narrative": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, user, may_see_le: bool = True, may_manage: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        task_force = self.fields["task_force"]
        assert isinstance(task_force, forms.ModelChoiceField)
        task_force.queryset = (
            TaskForce.objects.filter(agencies=user.agency) if user.agency else TaskForce.objects.none()
        )
        if not may_see_le:
            del self.fields["le_narrative"]
        if not may_manage:
            del self.fields["task_force"]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class ParticipantForm(forms.ModelForm):
    role = forms.ChoiceField(label=_("Role in the case"), choices=CaseParticipant.Role.choices)
    languages = forms.CharField(
        label=_("Languages"), required=False, help_text=_("ISO codes separated by commas, e.g. es, en")
    )

    class Meta:
        model = Person
        fields = [
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "nationality",
            "languages",
            "preferred_language",
            "phone",
            "email",
            "address",
        ]
        widgets = {"date_of_birth": DateInput, "address": forms.Textarea(attrs={"rows": 2})}

    field_order = ["role"]

    def clean_languages(self) -> list[str]:
        raw = self.cleaned_data.get("languages") or ""
        return [code.strip().lower() for code in raw.split(",") if code.strip()]


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class ShareForm(forms.Form):
    agency = AgencyChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    level = forms.ChoiceField(label=_("What they may see"), choices=CaseShare.Level.choices)
    reason = forms.CharField(label=_("Why they need it"), widget=forms.Textarea(attrs={"rows": 3}))
    expires_on = forms.DateField(
        label=_("Ends on (optional)"),
        required=False,
        widget=DateInput,
        help_text=_("The agency no longer sees the case from that day on."),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        agencies = Agency.objects.filter(is_active=True).exclude(pk=case.lead_agency_id)
        if case.task_force_id:
            agencies = agencies.filter(task_forces=case.task_force_id)
        agency.queryset = agencies


class ClientChoiceField(forms.ModelChoiceField):
    """The holding provider's own clients, by name (it holds their identity)."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.given_name} {obj.family_name}".strip()


class ConsentForm(forms.Form):
    person = ClientChoiceField(label=_("Person"), queryset=Person.objects.none())
    recipient_agency = AgencyChoiceField(label=_("Released to"), queryset=Agency.objects.none())
    categories = forms.MultipleChoiceField(
        label=_("What the person agreed to release"),
        choices=Consent.Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 2}))
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput)
    expires_on = forms.DateField(
        label=_("Expires on"), widget=DateInput, help_text=_("Required: consent is time-limited.")
    )

    def __init__(self, *args, people, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        recipient = self.fields["recipient_agency"]
        assert isinstance(person, forms.ModelChoiceField)
        assert isinstance(recipient, forms.ModelChoiceField)
        person.queryset = people
        recipient.queryset = agencies


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))
    visibility = forms.ChoiceField(
        label=_("Visible to"), choices=Visibility.choices, initial=Visibility.CASE_TEAM, required=False
    )

    def __init__(self, *args, may_see_le: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_see_le:
            del self.fields["visibility"]

    def clean_visibility(self) -> str:
        return self.cleaned_data.get("visibility") or Visibility.CASE_TEAM


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, PNG, JPEG, Word or plain text; at most 20 MB."))
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    visibility = forms.ChoiceField(
        label=_("Visible to"), choices=Visibility.choices, initial=Visibility.CASE_TEAM, required=False
    )

    def __init__(self, *args, may_see_le: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_see_le:
            del self.fields["visibility"]

    def clean_visibility(self) -> str:
        return self.cleaned_data.get("visibility") or Visibility.CASE_TEAM


class NeedForm(forms.Form):
    person = forms.ChoiceField(label=_("For"))
    category = forms.ChoiceField(label=_("Need"), choices=Need.Category.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Need.Urgency.choices, initial=Need.Urgency.ROUTINE)
    details = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, victims: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        assert isinstance(person, forms.ChoiceField)
        person.choices = victims


class StatusForm(forms.Form):
    transition = forms.ChoiceField(
        choices=[
            ("start_investigation", _("Start the investigation")),
            ("start_prosecution", _("Move to prosecution")),
            ("close", _("Close the case")),
            ("reopen", _("Reopen the case")),
        ]
    )
    reason = forms.ChoiceField(
        label=_("Closed because"), choices=[("", "—"), *Case.ClosedReason.choices], required=False
    )


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name


class AssignForm(forms.Form):
    assigned_to = PersonChoiceField(
        label=_("Assigned to"), queryset=Person.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assigned_to"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = people
