"""The steps of a tip's triage (docs/decisions/0026-tips.md): one record per step, every other table of steps
derived from ``STEPS``. Adding a step is one entry here, a transition of the same name on ``Tip`` (for a step that
changes the status) and the service function the entry names.

The models store ``verb`` in ``TipEvent`` and ``TipNotice`` (``VERB_CHOICES``: stored values never change); the
selectors decide who may take a step from its ``sides``; the services check ``reason_required`` and name the audit
action after ``past`` (``tips.tip.<past>``); the tip's page draws a form for each step with a ``label``, with the
``fields`` of ``StepForm``, posted to its ``url`` and carried out by ``service``.

This module imports nothing of the app, so that the models may read it and the services and views too.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The sides a person stands on toward a tip (``selectors.sides_of``):
# - RECEIVER: the receiving agency's intake staff and supervisors (the holding bin's keepers);
# - DECIDER: the receiving agency's supervisors (they assign, and reopen);
# - ASSIGNEE: the assigned agency's owner of the tip and that agency's supervisors;
# - COORDINATOR: coordinators of a task force the receiving agency belongs to: the tip's triage, not its content;
# - PROVIDER: a victim service provider the tip was referred to (its intake staff and supervisors): what was passed
#   on to it, nothing else of the tip (``selectors.referred_content``).
RECEIVER, DECIDER, ASSIGNEE, COORDINATOR, PROVIDER = "receiver", "decider", "assignee", "coordinator", "provider"
# The sides that read a tip's content (the narrative, the subjects, where); a coordinator alone does not.
CONTENT_SIDES = frozenset({RECEIVER, DECIDER, ASSIGNEE})


@dataclass(frozen=True)
class Step:
    verb: str  # the stored value, and the name of the ``Tip`` transition
    past: str  # in the audit action (``tips.tip.<past>``)
    timeline: str | Promise  # how the tip's timeline reads the step
    sides: frozenset[str] = frozenset()  # who may take it (none: the portal itself, or the tip form)
    reason_required: bool = False
    # On the tip's page: the form's button (none: no form), the ``StepForm`` fields it posts, the name of the
    # function of ``tips.services`` that carries it out, whether the button is a secondary one, its URL segment.
    label: str | Promise = ""
    fields: tuple[str, ...] = ()
    service: str = ""
    secondary: bool = False
    slug: str = ""
    reason_label: str | Promise = ""

    @property
    def url(self) -> str:
        return self.slug or self.verb.replace("_", "-")

    @property
    def has_form(self) -> bool:
        return bool(self.label)


_RECEIVERS = frozenset({RECEIVER})
_DECIDERS = frozenset({DECIDER})
_ASSIGNEES = frozenset({ASSIGNEE})

STEPS: dict[str, Step] = {
    step.verb: step
    for step in (
        Step("receive", "received", _("received")),
        Step(
            "assess",
            "assessed",
            _("assessed: reasonable suspicion"),
            sides=_RECEIVERS,
            reason_required=True,
            label=_("Record the assessment"),
            fields=("reason",),
            service="tip_assess",
            reason_label=_("The basis for reasonable suspicion (facts, not conclusions)"),
        ),
        Step(
            "close_no_predicate",
            "closed_no_predicate",
            _("closed: no criminal predicate"),
            sides=_RECEIVERS,
            reason_required=True,
            label=_("No criminal predicate: close it"),
            fields=("reason",),
            service="tip_close_no_predicate",
            secondary=True,
            slug="no-predicate",
            reason_label=_("Why there is no criminal predicate"),
        ),
        Step(
            "assign",
            "assigned",
            _("assigned"),
            sides=_DECIDERS,
            label=_("Assign"),
            fields=("owner", "due_on"),
            service="tip_assign",
        ),
        Step(
            "link",
            "linked",
            _("linked to a case"),
            sides=_ASSIGNEES,
            label=_("Link to this case"),
            fields=("case_number",),
            service="tip_link_case",
        ),
        Step(
            "open_case",
            "case_opened",
            _("opened as a new case"),
            sides=_ASSIGNEES,
            label=_("Open a new case from this tip"),
            fields=("title",),
            service="tip_open_case",
            slug="open-case",
        ),
        # Referred to an NGO for services: what is passed on is chosen, and bounded by ``selectors.referable_content``.
        Step(
            "refer",
            "referred",
            _("referred to a victim service provider"),
            sides=frozenset({RECEIVER, ASSIGNEE}),
            label=_("Refer to a victim service provider"),
            fields=("provider", "asked", "passed_on", "consent"),
            service="tip_refer",
            secondary=True,
        ),
        Step(
            "close",
            "closed",
            _("closed"),
            sides=frozenset({RECEIVER, ASSIGNEE}),
            reason_required=True,
            label=_("Close the tip"),
            fields=("close_reason", "reason"),
            service="tip_close",
            secondary=True,
            reason_label=_("What you found"),
        ),
        Step(
            "reopen",
            "reopened",
            _("reopened"),
            sides=_DECIDERS,
            reason_required=True,
            label=_("Reopen the tip"),
            fields=("reason",),
            service="tip_reopen",
            secondary=True,
            reason_label=_("Why it is reopened"),
        ),
        # The portal's own: the assessment deadline passed (``services.tips_overdue_notify``).
        Step("overdue", "overdue", _("not assessed in time: supervisors and coordinators told")),
        # Review and purge (28 CFR 23.54, docs/decisions/0028): from the review queue, not this list of forms.
        Step(
            "validate",
            "validated",
            _("validated: kept five more years"),
            sides=frozenset({RECEIVER, DECIDER}),
            reason_required=True,
        ),
        Step("correct_subject", "subject_corrected", _("a subject's identifiers corrected"), sides=_RECEIVERS),
        # A file added to an open tip by its holding bin's keepers (``services.tip_attach``): from the tip's page.
        Step("attach", "attached", _("a file attached"), sides=_RECEIVERS),
        Step("review_due", "review_due", _("due for review: supervisors told")),
        # A purged tip has no timeline left: this verb names the notice sent to the agencies that received it.
        Step("purge", "purged", _("purged"), sides=_DECIDERS, reason_required=True),
    )
}

VERB_CHOICES: list[tuple[str, str | Promise]] = [(step.verb, step.timeline) for step in STEPS.values()]
# The steps with a form on the tip's page, in the order shown, by their URL segment.
FORMS: dict[str, Step] = {step.url: step for step in STEPS.values() if step.has_form}
