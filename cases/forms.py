from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, TaskForce, User
from cases import selectors
from cases.models import (
    Case,
    CaseParticipant,
    CaseShare,
    Consent,
    MeetingPacket,
    Need,
    Person,
    ServiceEvent,
    VictimIdentification,
    Visibility,
)
from cases.presenters import client_choice_label
from cases.services.people import EDITABLE_PERSON_FIELDS
from cases.services.victims import IDENTIFICATION_FIELDS
from portal import languages as language_codes
from portal.idempotency import SubmissionKeyField


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
    submission_key = SubmissionKeyField()

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

    def __init__(self, *args: Any, user: User, may_see_le: bool = True, may_manage: bool = True, **kwargs: Any) -> None:
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
            del self.fields["submission_key"]  # an edit is refused when stale (``version``), not keyed


PERSON_FIELDS = list(EDITABLE_PERSON_FIELDS)  # a person's form offers what a correction may change


class PersonForm(forms.ModelForm):
    """A person's record, to correct it: ``version`` refuses a stale edit (``services.person_update``)."""

    languages = forms.MultipleChoiceField(
        label=_("Languages the person speaks"),
        choices=language_codes.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The preferred language below is added if it is not ticked."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        widgets = {"date_of_birth": DateInput, "address": forms.Textarea(attrs={"rows": 2})}
        labels = {"languages_note": _("Other languages (not in the list)")}
        help_texts = {"languages_note": _("Only a language the list does not have, in words.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def person_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PERSON_FIELDS if name in self.cleaned_data}


class ParticipantForm(PersonForm):
    """A new person in a case: their role in it, and their record."""

    role = forms.ChoiceField(label=_("Role in the case"), choices=CaseParticipant.Role.choices)
    submission_key = SubmissionKeyField()

    field_order = ["role"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["version"]


class VictimIdentificationForm(forms.ModelForm):
    """How a victim was identified and what the grant reports count: ``version`` refuses a stale edit (0 when none
    was recorded), and ``services.victim_identification_save`` checks the dates."""

    race_ethnicity = forms.MultipleChoiceField(
        label=_("Race and ethnicity"),
        choices=VictimIdentification.RaceEthnicity.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("As many as the person gives; none ticked is recorded as “Not reported”."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = VictimIdentification
        fields = IDENTIFICATION_FIELDS
        widgets = {"identified_on": DateInput, "confirmed_on": DateInput}
        help_texts = {
            "confirmed_on": _("Only for a confirmed victim."),
            "gender_description": _("Only when the gender is self-described."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0

    def identification_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in IDENTIFICATION_FIELDS if name in self.cleaned_data}


class LinkPersonForm(forms.Form):
    """A person already recorded (found by ``selectors.person_search_for``), added to another case in a role."""

    person = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("Role in this case"), choices=CaseParticipant.Role.choices)
    submission_key = SubmissionKeyField()


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


class ShareForm(forms.Form):
    # What each level lets the agency see, in the words the share form explains it with.
    LEVEL_DESCRIPTIONS = {
        CaseShare.Level.SUMMARY: _(
            "The case's number, title, type and status, its notes (not the law-enforcement-sensitive ones), needs "
            "and referrals. No names, dates of birth, contact details or files of the people in it."
        ),
        CaseShare.Level.PERSONAL: _(
            "The summary, and the names, dates of birth, contact details and files of the people in the case. A "
            "shelter's clients stay withheld unless their consent releases their information to it."
        ),
        CaseShare.Level.LAW_ENFORCEMENT: _(
            "All of the above, and law-enforcement-sensitive notes, files and suspects. Only for law enforcement "
            "and prosecutors."
        ),
        CaseShare.Level.COLLABORATE: _(
            "Everything, and its people may edit the case and add people, notes, needs and files. They cannot share "
            "it further. Only for law enforcement and prosecutors."
        ),
    }

    agency = AgencyChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    level = forms.ChoiceField(label=_("What they may see"), choices=CaseShare.Level.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Why they need it"), widget=forms.Textarea(attrs={"rows": 3}))
    expires_on = forms.DateField(
        label=_("Ends on (optional)"),
        required=False,
        widget=DateInput,
        help_text=_("The agency no longer sees the case from that day on."),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        agency.queryset = selectors.share_candidates(case)

    def level_options(self) -> list[tuple[Any, Any]]:
        """Each level's radio button with the words that explain it."""
        return [(choice, self.LEVEL_DESCRIPTIONS[choice.data["value"]]) for choice in self["level"]]


class ClientChoiceField(forms.ModelChoiceField):
    """The holding provider's own clients, by name, year of birth and number (it holds their identity)."""

    def label_from_instance(self, obj: Person) -> str:
        return client_choice_label(obj)


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
    submission_key = SubmissionKeyField()

    def __init__(self, *args: Any, people: QuerySet[Person], agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        recipient = self.fields["recipient_agency"]
        assert isinstance(person, forms.ModelChoiceField)
        assert isinstance(recipient, forms.ModelChoiceField)
        person.queryset = people
        recipient.queryset = agencies


class ClientsChoiceField(forms.ModelMultipleChoiceField):
    """The writer's own clients, by name, year of birth and number (their agency holds these names)."""

    def label_from_instance(self, obj: Person) -> str:
        return client_choice_label(obj)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))
    about = ClientsChoiceField(
        label=_("About"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Another agency reads the note only when each person it is about agreed to share their account."),
    )
    visibility = forms.ChoiceField(
        label=_("Visible to"), choices=Visibility.choices, initial=Visibility.CASE_TEAM, required=False
    )
    submission_key = SubmissionKeyField()

    def __init__(self, *args: Any, may_see_le: bool, about: QuerySet[Person] | None = None, **kwargs: Any) -> None:
        """``about``: whom the note may be about (``cases.selectors.note_subjects_for``); none, no such field."""
        super().__init__(*args, **kwargs)
        if not may_see_le:
            del self.fields["visibility"]
        field = self.fields["about"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        if about is not None and about.exists():
            field.queryset = about
        else:
            del self.fields["about"]

    def clean_visibility(self) -> str:
        return self.cleaned_data.get("visibility") or Visibility.CASE_TEAM


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, PNG, JPEG, Word or plain text; at most 20 MB."))
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    visibility = forms.ChoiceField(
        label=_("Visible to"), choices=Visibility.choices, initial=Visibility.CASE_TEAM, required=False
    )
    submission_key = SubmissionKeyField()

    def __init__(self, *args: Any, may_see_le: bool, **kwargs: Any) -> None:
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
    submission_key = SubmissionKeyField()

    def __init__(self, *args: Any, victims: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        assert isinstance(person, forms.ChoiceField)
        person.choices = victims


class ServiceEventForm(forms.Form):
    """A service a victim received from the reader's agency, or a referral it made for them outside the portal
    (``services.service_event_record``). ``victims``: those the reader may record one for
    (``selectors.may_record_service``), as (person id, label)."""

    person = forms.ChoiceField(label=_("For"))
    category = forms.ChoiceField(label=_("Service"), choices=ServiceEvent.Category.choices)
    kind = forms.ChoiceField(
        label=_("Delivered or referred"),
        choices=[
            (ServiceEvent.Kind.DELIVERED, _("Your agency delivered it")),
            (ServiceEvent.Kind.REFERRED, _("Your agency referred the person elsewhere, outside the portal")),
        ],
        initial=ServiceEvent.Kind.DELIVERED,
        widget=forms.RadioSelect,
    )
    on = forms.DateField(label=_("Date"), widget=DateInput)
    provider_name = forms.CharField(
        label=_("Referred to"),
        max_length=200,
        required=False,
        help_text=_("The organization the person was referred to, when referred elsewhere."),
    )
    program = forms.CharField(
        label=_("Program"),
        max_length=200,
        required=False,
        help_text=_("Shown with the person's account of events: only where it is released."),
    )
    submission_key = SubmissionKeyField()

    def __init__(self, *args: Any, victims: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        assert isinstance(person, forms.ChoiceField)
        person.choices = victims


class StatusForm(forms.Form):
    """The status changes its reader may make now (``services.case_status_changes_for``); nothing else is offered
    or accepted. The reason to close shows only when closing is among them."""

    transition = forms.ChoiceField(label=_("Status change"))
    reason = forms.ChoiceField(
        label=_("Closed because"), choices=[("", "—"), *Case.ClosedReason.choices], required=False
    )

    def __init__(self, *args: Any, changes: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        transition = self.fields["transition"]
        assert isinstance(transition, forms.ChoiceField)
        transition.choices = changes
        if "close" not in {name for name, _label in changes}:
            del self.fields["reason"]


class ShareEndForm(forms.Form):
    """Stopping a share: the person confirms it on its own page and says why (kept with the share)."""

    reason = forms.CharField(
        label=_("Why should the agency stop seeing the case?"),
        help_text=_("Kept with the record of the share."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class AccessRequestForm(forms.Form):
    """Asking the lead agency to see a case at a higher level: the levels the agency may ask for, and why."""

    level = forms.ChoiceField(label=_("What your agency needs to see"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Why your agency needs it"),
        help_text=_("The lead agency's supervisors read it when they decide."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args: Any, levels: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        level = self.fields["level"]
        assert isinstance(level, forms.ChoiceField)
        level.choices = [(value, CaseShare.Level(value).label) for value in levels]

    def level_options(self) -> list[tuple[Any, Any]]:
        """Each level's radio button with the words the share form explains it with."""
        return [(choice, ShareForm.LEVEL_DESCRIPTIONS[choice.data["value"]]) for choice in self["level"]]


class AccessDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the request declined?"),
        help_text=_("The person who asked reads it."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ConsentRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why your agency needs the person's information"),
        help_text=_("The agency that holds it reads this and decides with its client whether to record a consent."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name


class AssignForm(forms.Form):
    assigned_to = PersonChoiceField(
        label=_("Assigned to"), queryset=Person.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assigned_to"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = people


class CaseChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Case) -> str:
        return f"{obj.number} · {obj.title} ({obj.get_status_display()})"


class MeetingPacketForm(forms.Form):
    """Which cases go into a meeting packet: chosen by hand, or every open case of the task force with activity
    since a day. The choices are the requester's own visible cases (``selectors.meeting_cases_for``)."""

    CHOICES_SHOWN = 200

    task_force = forms.ModelChoiceField(label=_("Task force"), queryset=TaskForce.objects.none())
    meeting_on = forms.DateField(label=_("Meeting date"), widget=DateInput)
    since = forms.DateField(
        label=_("All open cases with activity since"),
        widget=DateInput,
        required=False,
        help_text=_("Leave empty to choose the cases below by hand."),
    )
    cases = CaseChoiceField(
        label=_("Cases"), queryset=Case.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(
        self,
        *args: Any,
        user: User,
        task_forces: QuerySet[TaskForce],
        cases_of: Callable[..., QuerySet[Case]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cases_of = cases_of
        task_force_field = self.fields["task_force"]
        assert isinstance(task_force_field, forms.ModelChoiceField)
        task_force_field.queryset = task_forces
        chosen = self.data.get("task_force") or self.initial.get("task_force")
        chosen_pk = str(getattr(chosen, "pk", chosen) or "")
        task_force = task_forces.filter(pk=int(chosen_pk)).first() if chosen_pk.isdigit() else None
        if task_force is None:  # the first of the requester's task forces until they choose another
            task_force = task_forces.first()
            self.initial["task_force"] = task_force
        self.chosen_task_force = task_force
        cases_field = self.fields["cases"]
        assert isinstance(cases_field, forms.ModelMultipleChoiceField)
        if task_force is not None:
            cases_field.queryset = cases_of(task_force)
            # The checkboxes list the first CHOICES_SHOWN; "activity since" reaches the rest.
            cases_field.widget.choices = [
                (case.pk, cases_field.label_from_instance(case)) for case in cases_of(task_force)[: self.CHOICES_SHOWN]
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        task_force = data.get("task_force")
        if task_force is None:
            return data
        if data.get("since"):
            data["cases"] = list(self.cases_of(task_force, since=data["since"])[: MeetingPacket.MAX_CASES + 1])
            if not data["cases"]:
                self.add_error("since", _("No open case of this task force you may see has activity since then."))
        elif not data.get("cases"):
            self.add_error("cases", _("Choose cases, or a day to take every case with activity since."))
        if len(data.get("cases") or []) > MeetingPacket.MAX_CASES:
            self.add_error("cases", _("A packet holds at most %(max)s cases.") % {"max": MeetingPacket.MAX_CASES})
        return data
