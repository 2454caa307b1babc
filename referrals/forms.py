import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from cases.models import CaseShare, Need
from portal.idempotency import SubmissionKeyField
from referrals.models import Referral
from referrals.steps import Step


class ServiceReferralForm(forms.Form):
    needs = forms.ModelMultipleChoiceField(
        label=_("Needs this referral asks for"),
        queryset=Need.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Referral.Urgency.choices)
    delivery = forms.ChoiceField(
        label=_("This provider is not in the portal: how does it hear of the referral?"),
        choices=[
            (Referral.Delivery.EMAIL, _("Send it a de-identified e-mail notice")),
            (Referral.Delivery.PHONE, _("I called it")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    request_note = forms.CharField(
        label=_("What you ask the provider"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("No names or contact details here: the packet shows what the person's consent releases."),
    )
    safety_notes = forms.CharField(
        label=_("Safety notes for the provider"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_(
            "What they must know to keep the person safe (e.g. do not call an old phone the trafficker has). "
            "The provider reads it whatever the consent: no names or contact details here."
        ),
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(
        self, *args: Any, needs: QuerySet[Need], in_portal: bool, person_label: str = "", **kwargs: Any
    ) -> None:
        """``person_label``: whom the needs are of, as the case page tells them apart
        (``cases.presenters.person_choice_label``)."""
        super().__init__(*args, **kwargs)
        field = self.fields["needs"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = needs
        if person_label:
            field.label = _("Needs of %(person)s this referral asks for") % {"person": person_label}
        if in_portal:
            del self.fields["delivery"]
        else:
            self.fields["delivery"].required = True


class AgencyReferralForm(forms.Form):
    recipient_agency = forms.ModelChoiceField(label=_("Agency asked to join"), queryset=Agency.objects.none())
    share_level = forms.ChoiceField(label=_("What it would see once it accepts"), choices=CaseShare.Level.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Referral.Urgency.choices, initial=Referral.Urgency.ROUTINE)
    request_note = forms.CharField(
        label=_("What you ask of the agency"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The agency reads this before it accepts: no names or contact details here."),
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["recipient_agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies


class StepForm(forms.Form):
    """A step's form: a reason where the lifecycle asks for one (labelled by the step), the outcome when the work
    ends (only the outcomes that fit the step)."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "---"), *Referral.Outcome.choices], required=False)
    outcome_note = forms.CharField(label=_("Outcome note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    cancel_reason = forms.ChoiceField(
        label=_("Cancelled because"),
        choices=[
            (Referral.CancelReason.WITHDRAWN, Referral.CancelReason.WITHDRAWN.label),
            (Referral.CancelReason.CONSENT_REVOKED, Referral.CancelReason.CONSENT_REVOKED.label),
        ],
        required=False,
    )

    def __init__(self, *args: Any, step: Step | None = None, kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if step is None:
            return
        if step.reason_label:
            self.fields["reason"].label = str(step.reason_label)
        if step.outcomes:
            outcome = self.fields["outcome"]
            assert isinstance(outcome, forms.ChoiceField)
            outcome.label = str(step.outcome_label or outcome.label)
            fitting = step.outcomes_for(kind)
            outcome.choices = [
                ("", _("Choose the outcome")),
                *((value, label) for value, label in Referral.Outcome.choices if value in fitting),
            ]


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))
    submission_key = SubmissionKeyField()
