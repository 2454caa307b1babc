"""The steps of a referral's lifecycle (docs/architecture.md §5): one record per step, and every other table of
steps derived from ``STEPS``. Adding a step is one entry here, a transition of the same name on ``Referral`` and,
for a step taken from the referral's page, the service function the entry names.

Who reads what: the models store ``verb`` in events and notices (``VERB_CHOICES``: the stored values never
change); the selectors decide who may take a step from ``sides``, ``answer`` and ``chooses_audience``; the services
check ``reason_required`` and name the audit action after ``past``; the views draw a button for each step with a
``label``, with the ``fields`` of ``StepForm``, posted to ``url`` and carried out by ``service``.

This module imports nothing of the app, so that the models may read it and the services and views too.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The sides a person stands on toward a referral (``selectors.sides_of``).
SENDER, RECIPIENT, COORDINATOR = "sender", "recipient", "coordinator"
# ``Referral.Kind.INTERAGENCY`` and ``Referral.Outcome.JOINED_CASE`` (the models read this module, not the reverse).
INTERAGENCY, JOINED_CASE = "interagency", "joined-case"


@dataclass(frozen=True)
class Step:
    verb: str  # the stored value, and the name of the ``Referral`` transition
    past: str  # in the audit action (``referrals.referral.<past>``) and in "it can no longer be <past>"
    timeline: str | Promise  # how the referral's timeline and its notices read the step
    sides: frozenset[str] = frozenset()  # who may take it (none: the portal itself, or a step of its own service)
    # The recipient's answer: for a recipient outside the portal, its sender records it ("on behalf").
    answer: bool = False
    # It chooses (or undoes the choice of) who joins the case, on an interagency referral: the lead agency's
    # decision, as a share is (``selectors.chooses_audience``).
    chooses_audience: bool = False
    reason_required: bool = False
    # Told besides the sender and the recipient (``services._involved``): the coordinators of the case's task
    # force, or the lead agency's supervisors, who decide on a coordinator's proposal.
    tells_coordinators: bool = False
    tells_deciders: bool = False
    # On the referral's page: the button's label (none: no button), the ``StepForm`` fields it posts, the name of
    # the function of ``referrals.services`` that carries it out (called with those fields), whether the button is
    # a secondary one (the step ends or undoes the referral), and the step's URL segment.
    label: str | Promise = ""
    fields: tuple[str, ...] = ()
    service: str = ""
    secondary: bool = False
    slug: str = ""
    # The label of its reason box (each names what it asks), and the outcomes it may record (``Referral.Outcome``
    # values: completing lists what completes, failing what fails).
    reason_label: str | Promise = ""
    outcomes: tuple[str, ...] = ()
    outcome_label: str | Promise = ""
    # It takes the referral back (cancel, entered in error): the page sets it apart from the work's next steps.
    withdraws: bool = False

    @property
    def url(self) -> str:
        return self.slug or self.verb

    @property
    def has_button(self) -> bool:
        return bool(self.label)

    def outcomes_for(self, kind: str) -> tuple[str, ...]:
        """The outcomes this step records on a referral of ``kind``: an agency joins a case only through an
        interagency referral."""
        return tuple(value for value in self.outcomes if value != JOINED_CASE or kind == INTERAGENCY)


_RECIPIENT = frozenset({RECIPIENT})
_SENDER = frozenset({SENDER})
_ROUTERS = frozenset({SENDER, COORDINATOR})

STEPS: dict[str, Step] = {
    step.verb: step
    for step in (
        Step(
            "propose",
            "proposed",
            _("proposed by a coordinator: the lead agency decides whether to send it"),
            tells_deciders=True,
        ),
        Step(
            "send",
            "sent",
            _("sent"),
            sides=_SENDER,  # a coordinator's proposal, sent by the lead agency
            chooses_audience=True,
            label=_("Send it: this agency joins the case if it accepts"),
            service="referral_send_proposal",
        ),
        Step("receive", "received", _("opened by the recipient"), sides=_RECIPIENT),
        Step(
            "accept",
            "accepted",
            _("accepted"),
            sides=_RECIPIENT,
            answer=True,
            label=_("Accept"),
            service="referral_accept",
        ),
        Step(
            "reject",
            "rejected",
            _("declined"),
            sides=_RECIPIENT,
            answer=True,
            reason_required=True,
            label=_("Decline"),
            fields=("reason",),
            reason_label=_("Why you decline (the sender reads this)"),
            service="referral_reject",
            secondary=True,
        ),
        Step(
            "start",
            "started",
            _("work started"),
            sides=_RECIPIENT,
            answer=True,
            label=_("Start work"),
            service="referral_start",
        ),
        Step(
            "hold",
            "held",
            _("put on hold"),
            sides=_RECIPIENT,
            answer=True,
            reason_required=True,
            label=_("Put on hold"),
            fields=("reason",),
            reason_label=_("Why the work is on hold"),
            service="referral_hold",
        ),
        Step(
            "resume",
            "resumed",
            _("resumed"),
            sides=_RECIPIENT,
            answer=True,
            label=_("Resume"),
            service="referral_resume",
        ),
        Step(
            "complete",
            "completed",
            _("completed"),
            sides=_RECIPIENT,
            answer=True,
            label=_("Record the outcome: completed"),
            fields=("outcome", "outcome_note"),
            service="referral_complete",
            outcomes=("service-delivered", "partially-delivered", "client-declined", "joined-case", "other"),
        ),
        Step(
            "fail",
            "failed",
            _("could not be completed"),
            sides=_RECIPIENT,
            answer=True,
            reason_required=True,
            label=_("Record the outcome: could not be completed"),
            fields=("reason", "outcome", "outcome_note"),
            service="referral_fail",
            reason_label=_("Why it could not be completed"),
            outcome_label=_("What stopped it"),
            outcomes=(
                "client-declined",
                "provider-declined",
                "no-capacity",
                "not-eligible",
                "could-not-contact",
                "other",
            ),
        ),
        Step(
            "cancel",
            "cancelled",
            _("cancelled"),
            sides=_ROUTERS,
            reason_required=True,
            label=_("Cancel the referral"),
            fields=("cancel_reason", "reason"),
            service="referral_cancel",
            secondary=True,
            reason_label=_("Why you cancel it"),
            withdraws=True,
        ),
        Step("expire", "expired", _("expired: nobody answered in time"), tells_coordinators=True),
        # Re-routing has a form of its own (the new recipient): ``views.referral_reroute``.
        Step(
            "reroute",
            "rerouted",
            _("re-routed"),
            sides=_ROUTERS,
            chooses_audience=True,
            reason_required=True,
            tells_coordinators=True,
        ),
        Step(
            "mark_entered_in_error",
            "entered_in_error",
            _("marked as entered in error"),
            sides=_SENDER,
            chooses_audience=True,  # it withdraws the share an accepted interagency referral created
            label=_("Mark as entered in error"),
            fields=("reason",),
            service="referral_mark_entered_in_error",
            secondary=True,
            slug="entered-in-error",
            reason_label=_("What was entered in error"),
            withdraws=True,
        ),
        # Coordinators route referrals; the conversation about the person is between those who work with them.
        # Its audit action is ``referrals.message.added``: a message, not a change of the referral.
        Step("message", "", _("new message"), sides=frozenset({SENDER, RECIPIENT})),
    )
}

# What ``ReferralEvent.verb`` and ``Notification.verb`` may hold, in the order of the lifecycle.
VERB_CHOICES: list[tuple[str, str | Promise]] = [(step.verb, step.timeline) for step in STEPS.values()]
# The steps with a button on the referral's page, in the order shown, by their URL segment.
BUTTONS: dict[str, Step] = {step.url: step for step in STEPS.values() if step.has_button}
