"""Referring a tip to a victim service provider for services (docs/decisions/0026-tips.md): the step's lifecycle,
what may be passed on (one rule, as a table), what the provider then reads of the tip (what was passed on, nothing
else; another provider gets a 404), and the referral's records written together: its event and audit row, the
dissemination log's row, the notice to the provider's supervisors."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Role
from cases.models import Consent
from portal.models import AuditEvent
from tests.factories import AgencyFactory, TaskForceFactory, UserFactory
from tests.tips.conftest import (
    NARRATIVE,
    REPORTER_NAME,
    REPORTER_PHONE,
    SUBJECT_NAME,
    SUBJECT_PHONE,
    WHERE,
    assessed,
    assigned,
    receive,
)
from tips import selectors, services
from tips.models import Tip, TipDissemination, TipEvent, TipNotice, TipReferral, TipSubject
from tips.services import TipChanged, TipConflict

N_, VI, VC, R_ = "narrative", "victim_identity", "victim_contact", "reporter"
ALL = (N_, VI, VC)
YES, NO, NOT_ASKED = Tip.ReporterPermission.YES, Tip.ReporterPermission.NO, Tip.ReporterPermission.NOT_ASKED
EVERY_CONSENT = (Consent.Category.IDENTITY, Consent.Category.CONTACT, Consent.Category.NARRATIVE)


@pytest.fixture
def bridges(task_force, lead_agency, ngo):
    """A second victim service provider, in a second task force with the FBI and Safe Harbor."""
    agency = AgencyFactory(name="Bridges Survivor Advocacy", short_name="Bridges", kind=Agency.Kind.VICTIM_SERVICES)
    TaskForceFactory(name="Survivors' Network", member_agencies=[lead_agency, ngo, agency])
    return agency


@pytest.fixture
def bridges_supervisor(bridges):
    return UserFactory(email="lead@bridges.example", full_name="Bo Bridges", agency=bridges, role=Role.SUPERVISOR)


@pytest.fixture
def bridges_intake(bridges):
    return UserFactory(email="desk@bridges.example", full_name="Di Desk", agency=bridges, role=Role.INTAKE)


def _refer(tip, actor, provider, passed_on=ALL, consent=(), **more):
    return services.tip_refer(
        tip=tip,
        actor=actor,
        provider=provider,
        asked="A bed tonight and a Spanish interpreter.",
        passed_on=passed_on,
        consent=consent,
        **more,
    )


def _records(tip):
    return (
        Tip.objects.get(pk=tip.pk).status,
        TipEvent.objects.filter(tip=tip).count(),
        AuditEvent.objects.count(),
        TipDissemination.objects.count(),
        TipNotice.objects.count(),
        TipReferral.objects.count(),
    )


# The lifecycle ---------------------------------------------------------------------------------------------------

OK, CONFLICT, DENIED, HIDDEN = "ok", "conflict", "denied", "hidden"

LIFECYCLE = [
    # from, who, expected
    ("assigned", "partner_investigator", OK),  # the owner
    ("assigned", "partner_supervisor", OK),  # the assigned agency's supervisor
    ("assigned", "intake", OK),  # the receiving agency's intake (the receiver, as for closing)
    ("assigned", "coordinator", DENIED),  # follows deadlines, takes no step
    ("assigned", "partner_colleague", HIDDEN),
    ("assigned", "ngo_supervisor", HIDDEN),  # the provider itself does not refer a tip to itself
    ("received", "intake", CONFLICT),  # nothing leaves the bin unassessed
    ("assessed", "supervisor", CONFLICT),  # nor unassigned
    ("linked", "partner_investigator", CONFLICT),
    ("referred", "partner_investigator", CONFLICT),
]


def _in_state(state, tip, intake, supervisor, owner, le_case, ngo):
    if state == "received":
        return tip
    if state == "assessed":
        return assessed(tip, intake)
    tip = assigned(tip, supervisor, owner)
    if state == "linked":
        return services.tip_link_case(tip=tip, actor=owner, case_number=le_case.number)
    if state == "referred":
        return _refer(tip, owner, ngo)
    return tip


@pytest.mark.parametrize(("state", "who", "expected"), LIFECYCLE)
def test_the_referral_step(
    request, tip, intake, supervisor, partner_investigator, le_case, ngo, ngo_supervisor, state, who, expected
):
    tip = _in_state(state, tip, intake, supervisor, partner_investigator, le_case, ngo)
    actor = request.getfixturevalue(who)
    before = _records(tip)
    if expected == OK:
        done = _refer(tip, actor, ngo)
        assert done.status == Tip.Status.REFERRED
        assert done.closed_at is None  # ended, not closed
        assert (done.events.last().verb, done.events.last().actor) == ("refer", actor)
        assert AuditEvent.objects.filter(action="tips.tip.referred", object_id=str(tip.pk), actor=actor).exists()
        return
    errors = {CONFLICT: TipConflict, DENIED: PermissionDenied, HIDDEN: Http404}
    with pytest.raises(errors[expected]):
        _refer(tip, actor, ngo)
    assert _records(tip) == before


def test_a_referral_from_a_page_opened_before_another_step_is_refused(tip, supervisor, partner_investigator, ngo):
    tip = assigned(tip, supervisor, partner_investigator)
    seen = tip.version
    services.tip_assign(
        tip=tip,
        actor=supervisor,
        agency=partner_investigator.agency,
        owner=partner_investigator,
        due_on=timezone.localdate() + timedelta(days=9),
        seen_version=seen,
    )
    before = _records(tip)
    with pytest.raises(TipChanged):
        _refer(tip, partner_investigator, ngo, seen_version=seen)
    assert _records(tip) == before


def test_a_referred_tip_is_reopened_to_be_assigned_again_and_the_provider_keeps_what_it_was_given(
    tip, supervisor, intake, partner_investigator, ngo, ngo_supervisor
):
    tip = _refer(assigned(tip, supervisor, partner_investigator), partner_investigator, ngo)
    with pytest.raises(PermissionDenied):
        services.tip_reopen(tip=tip, actor=intake, reason="The provider could not reach her.")
    reopened = services.tip_reopen(tip=tip, actor=supervisor, reason="The provider could not reach her.")
    assert (reopened.status, reopened.owner, reopened.assigned_agency) == (Tip.Status.ASSESSED, None, None)
    assert selectors.tip_list_visible_to(ngo_supervisor).filter(pk=tip.pk).exists()
    # Reopened, the tip is open again, but not in the provider's queue: it reads its referral, not the tip's state.
    assert not selectors.tip_queue_for(ngo_supervisor).filter(pk=tip.pk).exists()
    assert selectors.tip_queue_for(supervisor).filter(pk=tip.pk).exists()
    again = _refer(assigned(reopened, supervisor, partner_investigator), partner_investigator, ngo, passed_on=(N_,))
    assert again.status == Tip.Status.REFERRED
    access = selectors.tip_access_for_user(ngo_supervisor, tip.pk)
    assert selectors.referred_content(ngo_supervisor, access).shown == {N_}  # the latest referral


@pytest.mark.parametrize(
    ("provider", "why"),
    [
        ("lead_agency", "provider"),  # law enforcement, not a provider
        ("outside_ngo", "provider"),  # a provider of no task force of the tip's agencies
        ("inactive_ngo", "provider"),
    ],
)
def test_a_tip_is_referred_only_to_an_active_provider_of_the_task_forces(
    request, tip, supervisor, partner_investigator, ngo, provider, why
):
    outside = AgencyFactory(name="Far Shelter", kind=Agency.Kind.VICTIM_SERVICES)
    agencies = {"lead_agency": request.getfixturevalue("lead_agency"), "outside_ngo": outside, "inactive_ngo": ngo}
    Agency.objects.filter(pk=ngo.pk).update(is_active=provider != "inactive_ngo")
    tip = assigned(tip, supervisor, partner_investigator)
    before = _records(tip)
    with pytest.raises(ValidationError) as refused:
        _refer(tip, partner_investigator, agencies[provider])
    assert why in refused.value.message_dict
    assert _records(tip) == before


def test_what_is_asked_is_required(tip, supervisor, partner_investigator, ngo):
    tip = assigned(tip, supervisor, partner_investigator)
    with pytest.raises(ValidationError) as refused:
        services.tip_refer(tip=tip, actor=partner_investigator, provider=ngo, asked="  ", passed_on=(N_,))
    assert "asked" in refused.value.message_dict
    assert Tip.objects.get(pk=tip.pk).status == Tip.Status.ASSIGNED


# What may be passed on: the rule as a table ---------------------------------------------------------------------

# (reporter's permission, who received the tip, the victim's consent) -> what may go.
CONTENT_TABLE = [
    (YES, "police", (), {N_, VI, VC, R_}),
    (NO, "police", (), {N_, VI, VC}),
    (NOT_ASKED, "police", (), {N_, VI, VC}),  # "not asked" is not yes
    (YES, "ngo", (), {R_}),  # the NGO's client without a consent: only that services are asked
    (NO, "ngo", (), set()),
    (NOT_ASKED, "ngo", (), set()),
    (NO, "ngo", ("identity",), {VI}),
    (NO, "ngo", ("contact",), {VC}),
    (NO, "ngo", ("narrative",), {N_}),
    (YES, "ngo", EVERY_CONSENT, {N_, VI, VC, R_}),
    (NOT_ASKED, "ngo", ("medical", "immigration"), set()),  # what a tip does not hold
]


@pytest.mark.parametrize(("permission", "received_by", "consent", "expected"), CONTENT_TABLE)
def test_what_may_be_passed_on(permission, received_by, consent, expected):
    kind = Agency.Kind.VICTIM_SERVICES if received_by == "ngo" else Agency.Kind.LOCAL_LE
    tip = Tip(receiving_agency=Agency(kind=kind), reporter_permission=permission)
    assert selectors.content_allowed(tip, consent) == expected


# Who may state the victim's consent: the NGO that received the tip, by its people who record consents.
CONSENT_STATED_BY = [
    ("ngo_supervisor", True),
    ("ngo_intake", False),  # takes tips; does not record consents
    ("partner_investigator", False),  # the assignee: law enforcement does not know the client's consent
]


@pytest.mark.parametrize(("who", "counts"), CONSENT_STATED_BY)
def test_only_the_ngo_that_holds_the_consent_states_it(
    request, ngo_intake, ngo_supervisor, partner_investigator, who, counts
):
    tip = assigned(receive(ngo_intake, channel=Tip.Channel.NGO), ngo_supervisor, partner_investigator)
    stated = selectors.referable_content(request.getfixturevalue(who), tip, EVERY_CONSENT)
    assert stated == ({N_, VI, VC} if counts else set())


# What the provider reads: what was passed on, of the victims only --------------------------------------------------

# (who received the tip, the role of its one subject) -> whether the provider reads the subject's name and phone.
# Everything allowed is passed on; an NGO's tip is referred by that NGO's supervisor, with a consent or without.
PAGE_TABLE = [
    ("police", TipSubject.Role.VICTIM, True),
    ("police", TipSubject.Role.SUSPECT, False),
    ("police", TipSubject.Role.WITNESS, False),
    ("ngo_with_consent", TipSubject.Role.VICTIM, True),
    ("ngo_with_consent", TipSubject.Role.SUSPECT, False),
    ("ngo_with_consent", TipSubject.Role.WITNESS, False),
    ("ngo_without_consent", TipSubject.Role.VICTIM, False),
    ("ngo_without_consent", TipSubject.Role.SUSPECT, False),
    ("ngo_without_consent", TipSubject.Role.WITNESS, False),
]


@pytest.mark.parametrize(("received_by", "role", "named"), PAGE_TABLE)
def test_the_provider_reads_victims_only_and_as_far_as_the_rule_goes(
    client_as,
    intake,
    supervisor,
    partner_investigator,
    ngo,
    ngo_intake,
    ngo_supervisor,
    bridges,
    bridges_supervisor,
    received_by,
    role,
    named,
):
    subject = {"role": role, "name": SUBJECT_NAME, "phone": SUBJECT_PHONE}
    if received_by == "police":
        tip = assigned(receive(intake, subjects=[subject]), supervisor, partner_investigator)
        provider, reader, referrer, consent = ngo, ngo_supervisor, partner_investigator, ()
    else:
        tip = receive(ngo_intake, channel=Tip.Channel.NGO, subjects=[subject])
        tip = assigned(tip, ngo_supervisor, partner_investigator)
        consent = EVERY_CONSENT if received_by == "ngo_with_consent" else ()
        provider, reader, referrer = bridges, bridges_supervisor, ngo_supervisor
    allowed = selectors.referable_content(referrer, tip, consent) - {R_}
    _refer(tip, referrer, provider, passed_on=allowed, consent=consent)
    page = client_as(reader).get(reverse("tip_detail", args=[tip.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert (SUBJECT_NAME in body, SUBJECT_PHONE in body) == (named, named)
    assert (NARRATIVE in body) == (received_by != "ngo_without_consent")
    assert WHERE not in body  # never passed on


@pytest.mark.parametrize(("permission", "shown"), [(YES, True), (NO, False), (NOT_ASKED, False)])
def test_the_provider_reads_the_reporter_only_with_their_permission(
    client_as, intake, supervisor, partner_investigator, ngo, ngo_supervisor, permission, shown
):
    tip = assigned(receive(intake, permission=permission), supervisor, partner_investigator)
    allowed = selectors.referable_content(partner_investigator, tip)
    assert (R_ in allowed) == shown
    if not shown:  # asked for anyway, it is refused
        with pytest.raises(ValidationError):
            _refer(tip, partner_investigator, ngo, passed_on=(N_, R_))
    _refer(tip, partner_investigator, ngo, passed_on=allowed)
    body = client_as(ngo_supervisor).get(reverse("tip_detail", args=[tip.pk])).content.decode()
    assert (REPORTER_NAME in body, REPORTER_PHONE in body) == (shown, shown)


def test_the_provider_reads_only_what_was_passed_on(
    client_as, tip, supervisor, partner_investigator, ngo, ngo_supervisor, ngo_intake, advocate, bridges_supervisor
):
    tip = _refer(assigned(tip, supervisor, partner_investigator), partner_investigator, ngo, passed_on=(N_,))
    for reader in (ngo_supervisor, ngo_intake):
        page = client_as(reader).get(reverse("tip_detail", args=[tip.pk]))
        assert page.status_code == 200
        body = page.content.decode()
        assert NARRATIVE in body
        assert "A bed tonight" in body
        for secret in (SUBJECT_NAME, SUBJECT_PHONE, WHERE, REPORTER_NAME, "Big Mike", tip.basis):
            assert secret not in body, secret
    assert AuditEvent.objects.filter(
        action="tips.tip.viewed", object_id=str(tip.pk), actor=ngo_supervisor, details__via="referral"
    ).exists()
    # The provider's caseworker, and a provider it was not referred to: 404, as for anyone outside the tip.
    for outsider in (advocate, bridges_supervisor):
        assert client_as(outsider).get(reverse("tip_detail", args=[tip.pk])).status_code == 404
    # Nothing else of the tip: no print, no export, no step.
    client = client_as(ngo_supervisor)
    assert client.get(reverse("tip_print", args=[tip.pk])).status_code == 404
    assert client.get(reverse("tip_export", args=[tip.pk])).status_code == 404
    client.post(reverse("tip_step", args=[tip.pk, "reopen"]), {"reopen-reason": "x"})
    assert Tip.objects.get(pk=tip.pk).status == Tip.Status.REFERRED


def test_a_provider_given_nothing_reads_only_that_services_are_asked(
    client_as, ngo_intake, ngo_supervisor, partner_investigator, bridges, bridges_supervisor
):
    tip = assigned(receive(ngo_intake, channel=Tip.Channel.NGO), ngo_supervisor, partner_investigator)
    _refer(tip, partner_investigator, bridges, passed_on=())
    body = client_as(bridges_supervisor).get(reverse("tip_detail", args=[tip.pk])).content.decode()
    assert "A bed tonight" in body
    for secret in (NARRATIVE, SUBJECT_NAME, SUBJECT_PHONE, WHERE, REPORTER_NAME):
        assert secret not in body, secret


def test_more_than_the_rule_allows_is_refused_and_nothing_is_written(
    ngo_intake, ngo_supervisor, partner_investigator, bridges
):
    tip = assigned(receive(ngo_intake, channel=Tip.Channel.NGO), ngo_supervisor, partner_investigator)
    before = _records(tip)
    for actor, consent in ((partner_investigator, ()), (partner_investigator, EVERY_CONSENT), (ngo_supervisor, ())):
        with pytest.raises(ValidationError):
            _refer(tip, actor, bridges, passed_on=(VI,), consent=consent)
    assert _records(tip) == before


# Written together -------------------------------------------------------------------------------------------------


def test_the_referral_its_log_row_audit_row_and_notices_are_written_together(
    tip, supervisor, partner_investigator, ngo, ngo_supervisor, ngo_intake
):
    second_supervisor = UserFactory(email="boss2@safeharbor.example", agency=ngo, role=Role.SUPERVISOR)
    tip = _refer(assigned(tip, supervisor, partner_investigator), partner_investigator, ngo, passed_on=(N_, VI))
    event = tip.events.get(verb="refer")
    [referral] = tip.referrals.all()
    assert (referral.agency, referral.passed_on, referral.referred_by) == (ngo, [N_, VI], partner_investigator)
    row = TipDissemination.objects.get(tip=tip, path=TipDissemination.Path.REFERRAL)
    assert (row.recipient_agency, row.sent_by, row.receiving_agency_id) == (
        ngo,
        partner_investigator,
        tip.receiving_agency_id,
    )
    audit = AuditEvent.objects.get(action="tips.tip.referred", object_id=str(tip.pk))
    assert audit.details["agency_id"] == ngo.pk
    assert audit.details["passed_on"] == [N_, VI]
    assert NARRATIVE not in str(audit.details)
    assert "A bed tonight" not in str(audit.details)
    told = set(TipNotice.objects.filter(tip=tip, verb="refer", event=event).values_list("user", flat=True))
    assert told == {ngo_supervisor.pk, second_supervisor.pk}  # its supervisors, not its intake


def test_a_failure_after_the_referral_leaves_nothing(monkeypatch, tip, supervisor, partner_investigator, ngo):
    tip = assigned(tip, supervisor, partner_investigator)
    before = _records(tip)

    def broken(_tip):
        raise RuntimeError("the notices failed")

    monkeypatch.setattr(services, "_tell_provider", broken)
    with pytest.raises(RuntimeError):
        _refer(tip, partner_investigator, ngo)
    assert _records(tip) == before


def test_the_provider_finds_the_referral_on_its_home(
    client_as, tip, supervisor, partner_investigator, ngo, ngo_supervisor
):
    tip = _refer(assigned(tip, supervisor, partner_investigator), partner_investigator, ngo)
    client = client_as(ngo_supervisor)
    home = client.get(reverse("home")).content.decode()
    assert "tips-referred" in home
    assert reverse("tip_detail", args=[tip.pk]) in home
    client.get(reverse("tip_detail", args=[tip.pk]))  # opened: no longer waiting
    assert reverse("tip_detail", args=[tip.pk]) not in client.get(reverse("home")).content.decode()


# The form on the tip's page ------------------------------------------------------------------------------------------


def test_the_form_offers_what_the_rule_allows_and_refers(
    client_as, tip, supervisor, partner_investigator, ngo, bridges
):
    tip = assigned(tip, supervisor, partner_investigator)
    client = client_as(partner_investigator)
    page = client.get(reverse("tip_detail", args=[tip.pk]))
    [offer] = [offer for offer in page.context["offers"] if offer.step.verb == "refer"]
    form = offer.form
    assert set(form.fields["provider"].queryset) == {ngo, bridges}
    assert {code for code, _label in form.fields["passed_on"].choices} == {N_, VI, VC}  # not the reporter (no)
    assert "consent" not in form.fields  # law enforcement does not state an NGO client's consent
    response = client.post(
        reverse("tip_step", args=[tip.pk, "refer"]),
        {
            "refer-provider": ngo.pk,
            "refer-asked": "A bed tonight.",
            "refer-passed_on": [N_],
            "refer-version": tip.version,
        },
    )
    assert response.status_code == 302
    tip.refresh_from_db()
    assert tip.status == Tip.Status.REFERRED
    assert tip.referrals.get().passed_on == [N_]


def test_the_ngo_that_received_the_tip_is_offered_its_clients_consent(
    client_as, ngo_intake, ngo_supervisor, partner_investigator, bridges
):
    tip = assigned(receive(ngo_intake, channel=Tip.Channel.NGO), ngo_supervisor, partner_investigator)
    page = client_as(ngo_supervisor).get(reverse("tip_detail", args=[tip.pk]))
    [offer] = [offer for offer in page.context["offers"] if offer.step.verb == "refer"]
    assert {code for code, _label in offer.form.fields["consent"].choices} == set(EVERY_CONSENT)
    response = client_as(ngo_supervisor).post(
        reverse("tip_step", args=[tip.pk, "refer"]),
        {
            "refer-provider": bridges.pk,
            "refer-asked": "Counselling.",
            "refer-passed_on": [VI],
            "refer-consent": [Consent.Category.IDENTITY],
            "refer-version": tip.version,
        },
    )
    assert response.status_code == 302
    assert tip.referrals.get().consent == [Consent.Category.IDENTITY]


def test_no_provider_to_choose_no_referral_offered(client_as, tip, supervisor, partner_investigator, ngo):
    tip = assigned(tip, supervisor, partner_investigator)
    Agency.objects.filter(pk=ngo.pk).update(is_active=False)  # the task force's only provider
    page = client_as(partner_investigator).get(reverse("tip_detail", args=[tip.pk]))
    verbs = [offer.step.verb for offer in page.context["offers"]]
    assert "refer" not in verbs
    assert "link" in verbs
