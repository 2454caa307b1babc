"""Demo referrals (fictional) for ``manage.py seed_demo``, written only through ``referrals.services``.

About twenty referrals from the demo cases (cases/demo.py), in every status but draft: service referrals from law
enforcement's and the NGOs' cases to the NGOs' services in the portal and to providers outside it (a de-identified
e-mail notice, or a call whose answers the sender records), and interagency referrals in which a lead agency's
supervisor asks another agency to join a case. Each story in ``STORIES`` says who sends, to what kind of recipient,
and the steps that follow; the case, the person, their needs and the service are drawn with ``rng`` from the ones
that fit (the sender may work the case, the service offers the need and takes the person), sorted first.

Nothing here sets a status. The only fields set by hand are ``respond_by`` and ``created_at`` (a queryset update),
moved into the past for the referrals that show as overdue and for those ``referrals_expire`` cancels as expired:
the expired ones are moved and expired as their story comes, the overdue ones only at the end, after the last
expiry. Their timelines keep the moment the seed ran.
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import OutputWrapper
from django.http import Http404
from django.utils import timezone

from agencies.demo import PEOPLE
from agencies.models import Agency, Role, User
from cases import demo_waiting
from cases import selectors as case_selectors
from cases import services as case_services
from cases.models import Case, CaseParticipant, CaseShare, Consent, Need, Person
from referrals import services
from referrals.matching import SEX_TO_GENDER, age_on
from referrals.models import Referral, ReferralMessage
from services_directory import selectors as directory
from services_directory.models import Service

# Where a story's referral goes: a service of an NGO in the portal, a provider outside it told by e-mail or
# called, or (interagency) another agency asked to join the case.
PORTAL, EMAIL, PHONE, AGENCY = "portal", "email", "phone", "agency"
# Steps that are not a referral service: the deadline passes (shown as overdue at the end), the expiry job runs
# after it passed, the person withdraws the consent recorded for the referral.
OVERDUE, EXPIRE, REVOKE_CONSENT = "overdue", "expire", "revoke_consent"
# Who writes a message.
SENDER, RECIPIENT, COORDINATOR = "sender", "recipient", "coordinator"


@dataclass(frozen=True)
class Step:
    verb: str  # a referral service's verb, "message", or OVERDUE, EXPIRE, REVOKE_CONSENT
    text: str = ""  # the reason, the outcome note, or the message
    code: str = ""  # the outcome (complete, fail) or the cancel reason (cancel)
    by: str = SENDER  # a message's author
    note: str = ""  # the outcome note of a failure


@dataclass(frozen=True)
class Story:
    sender: str  # an e-mail of agencies.demo.PEOPLE
    to: str  # PORTAL, EMAIL, PHONE or AGENCY
    steps: tuple[Step, ...] = ()
    consent: bool = False  # the sender's client first consents to release identity and contact to the recipient
    safety_notes: str = ""


# fmt: off
STORIES = [
    # Service referrals to the NGOs' services in the portal ----------------------------------------------------------
    Story("dana.reyes@fbi.example", PORTAL, (
        Step("message", "Please reach the person through me: they do not answer numbers they do not know."),
    ), safety_notes="The suspects still have the person's old phone. Never call it or leave a message on it."),
    Story("luis.ortega@hsi.example", PORTAL, (Step(OVERDUE),)),
    Story("nia.brooks@bpd.example", PORTAL, (
        Step("receive"),
        Step("message", "Seen. We will call you tomorrow morning to set up an intake.", by=RECIPIENT),
    )),
    Story("maria.santos@safeharbor.example", PORTAL, (
        Step("receive"),
        Step("accept"),
        Step("message", "We can see them on Thursday at 10. Will you bring them, or shall we send a car?",
             by=RECIPIENT),
        Step("message", "I will bring them, and stay for the first half hour."),
    ), consent=True),
    Story("ray.dupont@mcso.example", PORTAL, (
        Step("receive"),
        Step("reject", "No place free in the coming weeks, and our waiting list is closed for now."),
    )),
    Story("kofi.mensah@bridges.example", PORTAL, (Step("accept"), Step("start")), consent=True),
    Story("dana.reyes@fbi.example", PORTAL, (
        Step("accept"),
        Step("start"),
        Step("hold", "The person is staying with family out of state for two weeks; we resume when they are back."),
    )),
    Story("maria.santos@safeharbor.example", PORTAL, (
        Step("receive"),
        Step("accept"),
        Step("start"),
        Step("complete", "Seen three times; the person knows where to find us again.",
             code=Referral.Outcome.SERVICE_DELIVERED),
    )),
    Story("grace.kim@usao.example", PORTAL, (
        Step("accept"),
        Step("start"),
        Step(
            "fail",
            "Three calls and a letter in two weeks without an answer.",
            code=Referral.Outcome.COULD_NOT_CONTACT,
            note="The file stays open with us: the person may call back.",
        ),
        Step("message", "Thank you for trying. Their advocate will ask them to call you.", by=SENDER),
    )),
    Story("erin.cole@gsp.example", PORTAL, (
        Step("accept"),
        Step("complete", "The urgent part is done; the rest waits for a place on the program.",
             code=Referral.Outcome.PARTIALLY_DELIVERED),
    )),
    Story("sam.whitfield@dol.example", PORTAL, (
        Step("receive"),
        Step("cancel", "The person found a lawyer through a workers' center and no longer needs this.",
             code=Referral.CancelReason.WITHDRAWN),
    )),
    Story("kofi.mensah@bridges.example", PORTAL, (
        Step(REVOKE_CONSENT),
        Step("cancel", "The client withdrew their release of information and will contact the provider themselves.",
             code=Referral.CancelReason.CONSENT_REVOKED),
    ), consent=True),
    Story("luis.ortega@hsi.example", PORTAL, (Step(EXPIRE),)),
    Story("dana.reyes@fbi.example", PORTAL, (
        Step(EXPIRE),
        Step("reroute", "Nobody answered in time; sent to a provider that has capacity this week."),
        Step("receive"),
        Step("accept"),
        Step("message", "Thank you for taking this at short notice: the first provider never answered."),
    )),
    Story("nia.brooks@bpd.example", PORTAL, (
        Step("mark_entered_in_error", "Sent for the wrong person of the case."),
    )),
    # Providers outside the portal: the sender records their answers -----------------------------------------------
    Story("ana.lopez@gclegalaid.example", EMAIL, (Step("accept"), Step("start"))),
    Story("ray.dupont@mcso.example", PHONE, (
        Step("accept"),
        Step("start"),
        Step("complete", "Confirmed by phone with the provider's intake worker.",
             code=Referral.Outcome.SERVICE_DELIVERED),
    )),
    Story("sam.whitfield@dol.example", PHONE, (
        Step("reject", "No opening before next month; the person is on their waiting list."),
    )),
    # Interagency: a lead agency's supervisor asks another agency to join the case ---------------------------------
    Story("marcus.hale@fbi.example", AGENCY, (
        Step("receive"),
        Step("accept"),
        Step("message", "Glad to join. Who is our contact for the victims' interviews?", by=RECIPIENT),
    )),
    Story("rosa.vega@hsi.example", AGENCY),
    Story("omar.haddad@bpd.example", AGENCY, (
        Step("receive"),
        Step("reject", "We have no one free to take this on this quarter; ask us again in the spring."),
    )),
    Story("marcus.hale@fbi.example", AGENCY, (
        Step(EXPIRE),
        # The coordinator proposes another agency; the lead decides whether to send it (decision 0014).
        Step("reroute", "Nobody at the first agency answered; this one has worked the same venues."),
    )),
]
# fmt: on

# What the referral asks for, by the category of the needs it carries.
ASKS: dict[str, str] = {
    Need.Category.EMERGENCY_SHELTER: "A safe bed as soon as possible, somewhere the traffickers do not know.",
    Need.Category.TRANSITIONAL_HOUSING: "Housing for the coming months while the case goes on.",
    Need.Category.LEGAL_IMMIGRATION: "A screening for a T visa or continued presence.",
    Need.Category.MEDICAL: "A medical check-up and treatment of an old injury.",
    Need.Category.MENTAL_HEALTH: "Trauma-informed counseling, in their own language if possible.",
    Need.Category.EMPLOYMENT: "Help into lawful work.",
    Need.Category.EDUCATION: "English classes or a way back to school.",
    Need.Category.CLOTHING: "Clothes and shoes: they left with nothing.",
    Need.Category.CHILD_CARE: "Child care during interviews and appointments.",
    Need.Category.INTERPRETATION: "An interpreter for appointments and interviews.",
    Need.Category.CASE_MANAGEMENT: "A case manager to coordinate the services.",
    Need.Category.FOOD: "Food for the coming weeks.",
    Need.Category.OTHER: "Help with what the case's advocate will explain on the phone.",
}
JOIN: dict[str, str] = {
    CaseShare.Level.LAW_ENFORCEMENT: "Please join the investigation: the victims and suspects cross into your area.",
    CaseShare.Level.PERSONAL: "Please join the case to support the victims through the investigation.",
}
URGENCY_ORDER: list[str] = [Need.Urgency.EMERGENCY, Need.Urgency.URGENT, Need.Urgency.ROUTINE]
# Who answers for a recipient agency in the portal, by the role preferred.
ANSWERS: dict[str, list[str]] = {
    Referral.Kind.SERVICE: [Role.PROVIDER_STAFF, Role.CASEWORKER, Role.SUPERVISOR],
    Referral.Kind.INTERAGENCY: [Role.SUPERVISOR, Role.CASEWORKER],
}


@dataclass
class Choice:
    """What a story's referral is about: the case, and for a service referral the person, needs and service, or
    for an interagency one the agency asked and the access asked for."""

    case: Case
    person: Person | None = None
    needs: list[Need] = field(default_factory=list)
    service: Service | None = None
    agency: Agency | None = None
    level: str = ""


def _urgency(needs: list[Need]) -> str:
    return min((need.urgency for need in needs), key=URGENCY_ORDER.index, default=Need.Urgency.ROUTINE)


class _Seeder:
    def __init__(self, rng: random.Random, stdout: OutputWrapper) -> None:
        self.rng, self.stdout = rng, stdout
        self.today = timezone.localdate()
        emails = [person[0] for person in PEOPLE]
        self.users = {user.email: user for user in User.objects.filter(email__in=emails)}
        self.coordinator = next(self.users[p[0]] for p in PEOPLE if p[3] == Role.COORDINATOR)
        self.used_cases: set[int] = set()
        self.used_people: set[int] = set()
        self.asked: set[tuple[int, int]] = set()  # (case, agency) of the interagency referrals
        self.consents: dict[int, Consent] = {}  # by referral
        self.overdue: list[Referral] = []
        self._cases: dict[tuple[int, str], list[Case]] = {}
        self._services: dict[tuple[int, str], list[Service]] = {}
        self._categories: dict[str, set[str]] = {}

    # Choosing -----------------------------------------------------------------------------------------------------

    def cases_for(self, user: User, perm: str) -> list[Case]:
        """The cases not closed that ``user`` may ``perm`` (``case_get_for_user`` decides), by number."""
        key = (user.pk, perm)
        if key not in self._cases:
            fitting = []
            visible = case_selectors.case_list_visible_to(user).exclude(status=Case.Status.CLOSED)
            for case in visible.order_by("pk"):
                try:
                    fitting.append(case_selectors.case_get_for_user(user, case.pk, perm))
                except (Http404, PermissionDenied):
                    continue
            self._cases[key] = fitting
        return self._cases[key]

    def services_for(self, person: Person, category: str) -> list[Service]:
        """The active services offering ``category`` that take ``person`` (the directory's own eligibility rule),
        by name."""
        key = (person.pk, category)
        if key not in self._services:
            criteria = directory.SearchCriteria(
                categories=[category],
                age=age_on(person.date_of_birth, self.today),
                is_minor=bool(person.is_minor),
                gender=SEX_TO_GENDER.get(person.sex, ""),
                eligible_only=True,
            )
            found = directory.service_search(criteria).select_related("organization__agency")
            self._services[key] = sorted(found, key=lambda service: (service.name, str(service.pk)))
        return self._services[key]

    def categories_of(self, service: Service) -> set[str]:
        key = str(service.pk)
        if key not in self._categories:
            self._categories[key] = set(directory.service_categories(service))
        return self._categories[key]

    @staticmethod
    def in_portal(service: Service) -> Agency | None:
        agency = service.organization.agency
        return agency if agency is not None and agency.is_active else None

    def delivers(self, service: Service, to: str, sender: User) -> bool:
        agency = self.in_portal(service)
        if to == PORTAL:
            return agency is not None and sender.agency is not None and agency.pk != sender.agency.pk
        if to == EMAIL:
            return agency is None and bool(service.email or service.organization.email)
        return agency is None

    def _fresh_first(self, options: list[Choice]) -> list[Choice]:
        """``options`` shuffled, then those of people and of cases that no story has used yet first."""
        options = list(options)
        self.rng.shuffle(options)
        return sorted(
            options,
            key=lambda o: (o.person is not None and o.person.pk in self.used_people, o.case.pk in self.used_cases),
        )

    def choose_service(self, story: Story, sender: User, to: str) -> Choice | None:
        """A victim of a case the sender may change, some of their unmet needs, and a service that offers them and
        takes the person; the person first (fresh ones first), then the service."""
        people = []
        for case in self.cases_for(sender, case_selectors.CHANGE):
            victims = case.participants.filter(role=CaseParticipant.Role.VICTIM).select_related("person")
            for participant in victims.order_by("person_id"):
                person = participant.person
                if story.consent and (sender.agency is None or person.entered_by_agency_id != sender.agency.pk):
                    continue  # only the agency that holds the person's information records their consent
                people.append(Choice(case=case, person=person))
        for choice in self._fresh_first(people):
            assert choice.person is not None
            unmet = list(choice.case.needs.filter(person=choice.person, status=Need.Status.UNMET).order_by("pk"))
            found: dict[str, Service] = {}
            for category in sorted({need.category for need in unmet}):
                for service in self.services_for(choice.person, category):
                    if self.delivers(service, to, sender):
                        found.setdefault(str(service.pk), service)
            # Nearly everyone needs an interpreter: other needs first, so that the demo shows more kinds of service.
            other = [s for s in found.values() if self.categories_of(s) - {Need.Category.INTERPRETATION}]
            if found:
                service = self.rng.choice(sorted(other or found.values(), key=lambda s: (s.name, str(s.pk))))
                choice.service = service
                choice.needs = [need for need in unmet if need.category in self.categories_of(service)]
                return choice
        return None

    def choose_agency(self, sender: User) -> Choice | None:
        agencies = list(
            Agency.objects.filter(is_active=True).exclude(kind=Agency.Kind.COORDINATION).order_by("name", "pk")
        )
        options = []
        for case in self.cases_for(sender, case_selectors.MANAGE):
            shared = set(
                CaseShare.objects.filter(
                    case=case, status__in=[CaseShare.Status.REQUESTED, CaseShare.Status.ACTIVE]
                ).values_list("agency_id", flat=True)
            )
            for agency in agencies:
                if agency.pk == case.lead_agency_id or agency.pk in shared or (case.pk, agency.pk) in self.asked:
                    continue
                if self.answerer(agency, Referral.Kind.INTERAGENCY) is None:
                    continue
                level = CaseShare.Level.LAW_ENFORCEMENT if agency.is_law_enforcement else CaseShare.Level.PERSONAL
                options.append(Choice(case=case, agency=agency, level=level))
        return self._fresh_first(options)[0] if options else None

    def answerer(self, agency: Agency | None, kind: str) -> User | None:
        """Who answers referrals for ``agency`` in the portal: the first demo account of the preferred role."""
        if agency is None:
            return None
        for role in ANSWERS[kind]:
            for email, _name, short_name, person_role, _title in PEOPLE:
                if short_name == agency.short_name and person_role == role and email in self.users:
                    return self.users[email]
        return None

    # Sending and the steps ------------------------------------------------------------------------------------------

    def tell(self, story: Story) -> None:
        sender = self.users[story.sender]
        to = story.to
        if to == AGENCY:
            choice = self.choose_agency(sender)
        else:
            choice = self.choose_service(story, sender, to)
            if choice is None and to == EMAIL:  # no provider outside the portal lists an e-mail address
                to = PHONE
                choice = self.choose_service(story, sender, to)
        if choice is None:
            self.stdout.write(f"Demo referral skipped: nothing fits a referral by {story.sender} ({story.to}).")
            return
        self.used_cases.add(choice.case.pk)
        if choice.person is not None:
            self.used_people.add(choice.person.pk)
        consent = None
        if story.consent and choice.service is not None and choice.person is not None:
            consent = self.record_consent(sender, choice.person, self.in_portal(choice.service))
        referral = self.send(story, sender, choice, to=to)
        if consent is not None:
            self.consents[referral.pk] = consent
        for step in story.steps:
            referral = self.take(step, referral, sender)

    def record_consent(self, sender: User, person: Person, agency: Agency | None) -> Consent | None:
        if agency is None:
            return None
        signed_on = self.today - timedelta(days=self.rng.randint(2, 30))
        return case_services.consent_record(
            person=person,
            recipient_agency=agency,
            categories=[Consent.Category.IDENTITY, Consent.Category.CONTACT],
            purpose=f"A referral to {agency.name}.",
            signed_on=signed_on,
            expires_on=signed_on + timedelta(days=180),
            actor=sender,
        )

    def send(self, story: Story, sender: User, choice: Choice, *, to: str) -> Referral:
        if choice.agency is not None:
            self.asked.add((choice.case.pk, choice.agency.pk))
            return services.referral_send(
                kind=Referral.Kind.INTERAGENCY,
                case=choice.case,
                actor=sender,
                urgency=self.rng.choice([Need.Urgency.URGENT, Need.Urgency.ROUTINE]),
                recipient_agency=choice.agency,
                share_level=choice.level,
                request_note=JOIN[choice.level],
            )
        asks = [ASKS[category] for category in sorted({need.category for need in choice.needs}) if category in ASKS]
        return services.referral_send(
            kind=Referral.Kind.SERVICE,
            case=choice.case,
            actor=sender,
            urgency=_urgency(choice.needs),
            recipient_service=choice.service,
            person=choice.person,
            needs=choice.needs,
            delivery="" if to == PORTAL else to,
            request_note=" ".join(asks),
            safety_notes=story.safety_notes,
        )

    def take(self, step: Step, referral: Referral, sender: User) -> Referral:
        """Take ``step``: the recipient's steps fall to the sender when the recipient is not in the portal."""
        verb = step.verb
        answerer = (
            self.answerer(referral.recipient_agency, referral.kind) if referral.recipient_works_in_portal else None
        )
        actor = answerer or sender
        if verb == OVERDUE:  # its deadline passes in finish(), after the last expiry
            self.overdue.append(referral)
            return referral
        if verb == EXPIRE:  # no other referral is past its deadline yet: this one alone expires
            self.move_deadline(referral, late=timedelta(hours=self.rng.randint(6, 30)))
            services.referrals_expire()
            return Referral.objects.get(pk=referral.pk)
        if verb == REVOKE_CONSENT:
            case_services.consent_revoke(consent=self.consents[referral.pk], actor=sender)
            return referral
        match verb:
            case "receive":
                return services.referral_receive(referral=referral, actor=actor)
            case "accept":
                return services.referral_accept(referral=referral, actor=actor)
            case "reject":
                return services.referral_reject(referral=referral, actor=actor, reason=step.text)
            case "start":
                return services.referral_start(referral=referral, actor=actor)
            case "hold":
                return services.referral_hold(referral=referral, actor=actor, reason=step.text)
            case "resume":
                return services.referral_resume(referral=referral, actor=actor)
            case "complete":
                return services.referral_complete(
                    referral=referral, actor=actor, outcome=step.code, outcome_note=step.text
                )
            case "fail":
                return services.referral_fail(
                    referral=referral, actor=actor, reason=step.text, outcome=step.code, outcome_note=step.note
                )
            case "cancel":
                return services.referral_cancel(
                    referral=referral, actor=sender, reason=step.text, cancel_reason=step.code
                )
            case "mark_entered_in_error":
                return services.referral_mark_entered_in_error(referral=referral, actor=sender, reason=step.text)
            case "reroute":
                return self.reroute(referral, step)
            case "message":
                author = {SENDER: sender, RECIPIENT: answerer, COORDINATOR: self.coordinator}[step.by]
                if author is not None:
                    services.referral_message_add(referral=referral, actor=author, body=step.text)
                return referral
        raise ValueError(f"Unknown demo step {verb!r}.")

    def reroute(self, referral: Referral, step: Step) -> Referral:
        """The coordinator sends the same request to another service for the person: one in the portal (of another
        agency than the first recipient's and the sender's) if one fits, else one outside it, by phone. For an
        interagency referral the coordinator proposes another agency of the task force, which the lead sends or not.
        """
        if referral.kind == Referral.Kind.INTERAGENCY:
            return self.propose_agency(referral, step)
        assert referral.person is not None
        categories = sorted({need.category for need in referral.needs.all()})
        found: dict[str, Service] = {}
        for category in categories:
            for service in self.services_for(referral.person, category):
                found.setdefault(str(service.pk), service)
        others = [service for service in found.values() if service.pk != referral.recipient_service_id]
        excluded = {referral.recipient_agency_id, referral.sender_agency_id}
        portal = [s for s in others if (agency := self.in_portal(s)) is not None and agency.pk not in excluded]
        outside = [s for s in others if self.in_portal(s) is None]
        if not others:
            raise ValueError(f"No other service takes the person of referral #{referral.pk}.")
        service = self.rng.choice(portal or outside or others)
        return services.referral_reroute(
            referral=referral,
            actor=self.coordinator,
            reason=step.text,
            recipient_service=service,
            delivery="" if self.in_portal(service) else Referral.Delivery.PHONE,
        )

    def propose_agency(self, referral: Referral, step: Step) -> Referral:
        shared = set(
            CaseShare.objects.filter(
                case=referral.case_id, status__in=[CaseShare.Status.REQUESTED, CaseShare.Status.ACTIVE]
            ).values_list("agency_id", flat=True)
        )
        candidates = [
            agency
            for agency in case_selectors.share_candidates(referral.case)
            if agency.pk not in shared | {referral.recipient_agency_id}
            and (referral.case_id, agency.pk) not in self.asked
            and agency.kind != Agency.Kind.COORDINATION
            and self.answerer(agency, Referral.Kind.INTERAGENCY) is not None
            and case_services.share_level_allowed(agency, referral.share_level)
        ]
        if not candidates:
            raise ValueError(f"No other agency of the task force may join the case of referral #{referral.pk}.")
        agency = self.rng.choice(candidates)
        self.asked.add((referral.case_id, agency.pk))
        return services.referral_reroute(
            referral=referral, actor=self.coordinator, reason=step.text, recipient_agency=agency
        )

    @staticmethod
    def move_deadline(referral: Referral, *, late: timedelta) -> None:
        """Demo data only: the referral was sent one answering time before a deadline that passed ``late`` ago."""
        respond_by = timezone.now() - late
        answering = timedelta(hours=settings.PORTAL_REFERRAL_RESPONSE_HOURS[referral.urgency])
        Referral.objects.filter(pk=referral.pk).update(respond_by=respond_by, created_at=respond_by - answering)

    def finish(self) -> None:
        """Let the overdue referrals' deadlines pass, now that no expiry runs any more."""
        for referral in self.overdue:
            self.move_deadline(referral, late=timedelta(hours=self.rng.randint(1, 5)))


def seed(*, rng: random.Random, stdout: OutputWrapper) -> None:
    """Create the demo referrals, unless there are referrals already (``seed_demo`` runs in one transaction)."""
    if Referral.objects.exists():
        stdout.write("Demo referrals are already there: nothing added.")
        return
    seeder = _Seeder(rng, stdout)
    for story in STORIES:
        seeder.tell(story)
    seeder.finish()
    demo_waiting.seed(stdout=stdout)

    referrals = Referral.objects.all()
    statuses = Counter(referrals.values_list("status", flat=True))
    kinds = Counter(referrals.values_list("kind", flat=True))
    ways = Counter(referrals.filter(kind=Referral.Kind.SERVICE).values_list("delivery", flat=True))
    by_status = ", ".join(f"{status} {statuses[status]}" for status in Referral.Status.values if statuses[status])
    stdout.write(
        f"Demo: {referrals.count()} referrals (by status: {by_status}; "
        f"{kinds[Referral.Kind.SERVICE]} to services: {ways[Referral.Delivery.PORTAL]} in the portal, "
        f"{ways[Referral.Delivery.EMAIL]} by e-mail, {ways[Referral.Delivery.PHONE]} by phone; "
        f"{kinds[Referral.Kind.INTERAGENCY]} interagency), {ReferralMessage.objects.count()} messages."
    )
