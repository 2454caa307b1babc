from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, User
from cases.models import Case
from portal.idempotency import SubmissionKeyField
from tips import selectors
from tips.models import Tip, TipReferral, TipSubject
from tips.steps import Step

FLIGHT_FIELDS = (
    "flight_carrier",
    "flight_number",
    "flight_date",
    "flight_departure_airport",
    "flight_arrival_airport",
    "flight_scheduled_arrival",
    "flight_seats",
    "flight_party_size",
    "reporter_crew_role",
)
REPORTER_FIELDS = ("reporter_name", "reporter_role", "reporter_phone", "reporter_email", "reporter_permission")
WHERE_FIELDS = ("where_text", "where_zip", "where_airport")


class TipForm(forms.ModelForm):
    """The tip form: the report, its reporter, where, the flags and indicators, and for an airline report the flight
    (its own fieldset, always shown: without JavaScript a page cannot hide it by channel)."""

    indicators = forms.MultipleChoiceField(
        label=_("Trafficking indicators reported"),
        choices=Case.Indicator.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    submission_key = SubmissionKeyField()

    class Meta:
        model = Tip
        fields = (
            "channel",
            "external_reference",
            "received_at",
            "narrative",
            "involves_minor",
            "imminent_danger",
            *WHERE_FIELDS,
            "indicators",
            *REPORTER_FIELDS,
            *FLIGHT_FIELDS,
        )
        widgets = {
            "narrative": forms.Textarea(attrs={"rows": 6}),
            "reporter_permission": forms.RadioSelect,
            "received_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "flight_date": forms.DateInput(attrs={"type": "date"}),
            "flight_scheduled_arrival": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }
        help_texts = {
            "received_at": _("When the report came in, if not now."),
            "flight_scheduled_arrival": _(
                "In the portal's time zone. The tip is due 45 minutes before it, when that is sooner."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_at"].required = False
        channel = self.fields["channel"]
        assert isinstance(channel, forms.ChoiceField)
        channel.choices = [("", _("Choose how it came in")), *Tip.Channel.choices]

    def clean_received_at(self) -> Any:
        received_at = self.cleaned_data.get("received_at")
        if received_at is not None and received_at > timezone.now():
            raise forms.ValidationError(_("A tip cannot come in later than now."))
        return received_at

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("channel") == Tip.Channel.AIRLINE:
            for name in ("flight_number", "flight_scheduled_arrival"):
                if not data.get(name):
                    self.add_error(name, _("An airline report needs the flight and its arrival time."))
        return data

    def service_fields(self) -> dict[str, Any]:
        """The cleaned fields as ``services.tip_receive`` takes them (empty ones left out)."""
        data = dict(self.cleaned_data)
        data.pop("submission_key", None)
        if not data.get("received_at"):
            data.pop("received_at", None)
        return {name: value for name, value in data.items() if value is not None}

    def field_group(self, names: tuple[str, ...]) -> list[forms.BoundField]:
        return [self[name] for name in names]

    @property
    def reporter_fields(self) -> list[forms.BoundField]:
        return self.field_group(REPORTER_FIELDS)

    @property
    def flight_fields(self) -> list[forms.BoundField]:
        return self.field_group(FLIGHT_FIELDS)

    @property
    def where_fields(self) -> list[forms.BoundField]:
        return self.field_group(WHERE_FIELDS)


class SubjectForm(forms.ModelForm):
    class Meta:
        model = TipSubject
        fields: tuple[str, ...] = (
            "role",
            "name",
            "alias",
            "date_of_birth",
            "approximate_age",
            "sex",
            "phone",
            "email_or_handle",
            "vehicle_plate",
            "vehicle_state",
            "business",
        )
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [("", _("Who is this person in the tip?")), *TipSubject.Role.choices]
        role.required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        described = any(data.get(name) for name in self.Meta.fields if name not in ("role", "sex"))
        if described and not data.get("role"):
            self.add_error("role", _("Say who this person is in the tip."))
        return data

    @property
    def is_blank(self) -> bool:
        return not self.has_changed() or not any(
            self.cleaned_data.get(name) for name in self.Meta.fields if name not in ("role", "sex")
        )


class SubjectCorrectionForm(SubjectForm):
    """A subject's identifiers, corrected by the receiving agency (``services.tip_subject_correct``): who the person
    is in the tip stays as received. ``version`` is the tip's, as the page showed it."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta(SubjectForm.Meta):
        fields: tuple[str, ...] = tuple(name for name in SubjectForm.Meta.fields if name != "role")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        forms.ModelForm.__init__(self, *args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = forms.ModelForm.clean(self) or {}
        if not any(data.get(name) for name in self.Meta.fields if name != "sex"):
            raise forms.ValidationError(_("Keep at least one thing that tells who this person is."))
        return data

    @property
    def changes(self) -> dict[str, Any]:
        """The identifiers as typed, each as the model stores it (an empty text as "", not None)."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


SubjectFormSet = forms.formset_factory(SubjectForm, extra=3, max_num=10, absolute_max=10)


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        agency = obj.agency
        return f"{obj.full_name} ({agency.short_name or agency.name})" if agency else obj.full_name


class StepForm(forms.Form):
    """A step's form: a reason where the step asks for one (labelled by the step), a close reason, the owner and due
    date of an assignment (the owner's agency is the one assigned), a case's number, a new case's title."""

    close_reason = forms.ChoiceField(
        label=_("Closed because"),
        choices=[(value, Tip.CloseReason(value).label) for value in Tip.CLOSE_CHOICES],
        required=False,
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    owner = OwnerChoiceField(label=_("Owner (their agency is assigned)"), queryset=User.objects.none(), required=False)
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}), required=False)
    case_number = forms.CharField(
        label=_("Case number"), max_length=20, required=False, help_text=_("e.g. HT-2026-00042: a case you can open.")
    )
    title = forms.CharField(
        label=_("Title of the new case"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for the tip's number and channel."),
    )
    provider = forms.ModelChoiceField(
        label=_("Victim service provider"), queryset=Agency.objects.none(), required=False
    )
    asked = forms.CharField(
        label=_("What is asked of them"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("e.g. shelter tonight, an interpreter, legal advice. The provider reads this."),
    )
    passed_on = forms.MultipleChoiceField(
        label=_("What they may read of the tip"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only what the reporter's permission and the victim's consent allow is offered."),
    )
    consent = forms.MultipleChoiceField(
        label=_("The victim consented to release to this provider"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Your client's written consent, as your agency records it. Without one, no victim detail goes."),
    )
    # The tip's version on the page: a step taken from a page opened before someone else's step is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(
        self,
        *args: Any,
        step: Step | None = None,
        owners: QuerySet[User] | None = None,
        referral: "ReferralChoices | None" = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if referral is not None:
            self._offer_referral(referral)
        if step is not None:
            for name in list(self.fields):
                if name not in step.fields and name != "version":
                    del self.fields[name]
            if "reason" in self.fields and step.reason_label:
                self.fields["reason"].label = str(step.reason_label)
        if "owner" in self.fields:
            field = self.fields["owner"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = owners if owners is not None else User.objects.none()

    @property
    def has_choices(self) -> bool:
        """A referral with no provider to choose is no step to offer (decision 0024)."""
        provider = self.fields.get("provider")
        if not isinstance(provider, forms.ModelChoiceField):
            return True
        return provider.queryset is not None and provider.queryset.exists()

    def _offer_referral(self, referral: "ReferralChoices") -> None:
        provider = self.fields["provider"]
        assert isinstance(provider, forms.ModelChoiceField)
        provider.queryset = referral.providers
        for name in ("passed_on", "consent"):
            choices = getattr(referral, name)
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)
            if choices:
                field.choices = choices
            else:  # nothing to choose: no empty group of boxes
                del self.fields[name]


class ReferralChoices:
    """What the referral form offers its reader for a tip: the providers, what they may pass on (offered is
    allowed: with a consent they may state, what that consent would allow), the consent categories they may state."""

    def __init__(self, user: User, tip: Tip) -> None:
        self.providers = selectors.referral_agencies(tip)
        self.consent = selectors.referral_consent_choices(user, tip)
        allowed = selectors.referable_content(user, tip, [code for code, _label in self.consent])
        self.passed_on = [(code, label) for code, label in TipReferral.Content.choices if code in allowed]


def step_form_kwargs(step: Step, user: User, tip: Tip) -> dict[str, Any]:
    """The choices a step's form needs for this reader and tip (the owners of an assignment, a referral's)."""
    return {
        "owners": selectors.assignable_owners_for(tip) if "owner" in step.fields else None,
        "referral": ReferralChoices(user, tip) if "provider" in step.fields else None,
    }


class AttachmentForm(forms.Form):
    """A file for a tip, under the document rules of cases (``portal.uploads.document_checked``)."""

    file = forms.FileField(label=_("File"), help_text=_("PDF, PNG, JPEG, Word or plain text; at most 20 MB."))
    submission_key = SubmissionKeyField()
