"""The review of decision 0033's first cut, one test per defect (each fails without its fix): a signer's decision
is the signer's alone; an HHS denial does not reopen the 24-hour task; only law enforcement is asked to certify; the
HHS lines of the queue need the identification released; the home's showing is audited; reminders reach the agency
that must renew."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from cases.models import Consent
from portal.models import AuditEvent
from protection import selectors, services
from protection.models import ReliefAction
from tests.factories import AgencyFactory, given_consent
from tests.protection.conftest import granted, identify_minor, victim_of

pytestmark = pytest.mark.django_db
K = ReliefAction.Kind
IMMIGRATION, IDENTITY = Consent.Category.IMMIGRATION, Consent.Category.IDENTITY


def record(case, actor, kind, **fields):
    fields.setdefault("requested_on", timezone.localdate() - timedelta(days=5))
    return services.relief_action_record(case=case, person=victim_of(case).person, kind=kind, actor=actor, **fields)


def test_the_recorder_cannot_re_point_a_declaration_to_their_own_agency(
    relief_case, investigator, lead_agency, state_agency, state_investigator
):
    declaration = record(relief_case, investigator, K.T_DECLARATION, requesting_agency=state_agency)
    with pytest.raises(ValidationError) as refused:
        services.relief_action_update(
            action=declaration, version=declaration.version, actor=investigator, requesting_agency=lead_agency
        )
    assert "requesting_agency" in refused.value.message_dict
    declaration.refresh_from_db()
    assert (declaration.requesting_agency_id, declaration.version) == (state_agency.pk, 1)
    # A correction that leaves the signer alone is still a correction.
    declaration = services.relief_action_update(
        action=declaration, version=1, actor=investigator, requesting_agency=state_agency, notes="Asked by letter."
    )
    assert declaration.version == 2


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("decided_on", timezone.localdate() - timedelta(days=1)),
        ("signing_official", "Someone Else"),
        ("signing_official_title", "Chief"),
        ("valid_from", timezone.localdate() - timedelta(days=2)),
        ("expires_on", timezone.localdate() + timedelta(days=400)),
    ],
)
def test_a_decided_declaration_keeps_the_signer_s_decision(
    relief_case, investigator, state_agency, state_investigator, name, value
):
    declaration = record(relief_case, investigator, K.T_DECLARATION, requesting_agency=state_agency)
    declaration = services.relief_action_step(
        action=declaration, verb="deny", version=declaration.version, actor=state_investigator, reason="Not shown."
    )
    with pytest.raises(ValidationError) as refused:
        services.relief_action_update(
            action=declaration, version=declaration.version, actor=investigator, **{name: value}
        )
    assert name in refused.value.message_dict
    declaration.refresh_from_db()
    assert declaration.status == ReliefAction.Status.DENIED
    assert declaration.version == 2


def test_a_decided_grant_s_expiry_stays_correctable_but_not_its_decision(continued_presence, investigator):
    """Continued Presence is not signed: its dates may be corrected (a typo in a USCIS notice), not its decision."""
    later = continued_presence.expires_on + timedelta(days=10)
    corrected = services.relief_action_update(
        action=continued_presence, version=continued_presence.version, actor=investigator, expires_on=later
    )
    assert corrected.expires_on == later
    with pytest.raises(ValidationError):
        services.relief_action_update(
            action=corrected,
            version=corrected.version,
            actor=investigator,
            decided_on=timezone.localdate() - timedelta(days=3),
        )


def test_a_denied_hhs_notification_keeps_the_task_done(relief_case, investigator):
    identification = identify_minor(relief_case, investigator)
    notice = record(relief_case, investigator, K.HHS_NOTIFICATION, requested_on=timezone.localdate())
    notice = services.relief_action_step(action=notice, verb="submit", version=notice.version, actor=investigator)
    assert list(selectors.hhs_tasks_open()) == []
    services.relief_action_step(
        action=notice, verb="deny", version=notice.version, actor=investigator, reason="Not eligible."
    )
    assert list(selectors.hhs_tasks_open()) == []
    actions = list(ReliefAction.objects.filter(participant=identification.participant))
    task = selectors.hhs_task_of(identification, actions)
    assert task is not None
    assert task.is_done
    assert not [item for item in selectors.relief_queue_for(investigator) if item.what == "hhs"]


def test_other_government_is_not_asked_to_certify(relief_case, investigator, state_agency):
    labor = AgencyFactory(name="Department of Labor", short_name="DOL", kind=Agency.Kind.OTHER_GOVERNMENT)
    with pytest.raises(ValidationError) as refused:
        record(relief_case, investigator, K.U_CERTIFICATION, requesting_agency=labor)
    assert "requesting_agency" in refused.value.message_dict
    assert record(relief_case, investigator, K.U_CERTIFICATION, requesting_agency=state_agency).pk
    from protection.forms import ReliefActionForm

    offered = ReliefActionForm().fields["requesting_agency"].queryset
    assert labor not in offered


@pytest.mark.parametrize(
    ("consent", "hhs_listed"),
    [
        ((IMMIGRATION,), False),  # immigration only: the identification (citizenship, age) is not released
        ((IDENTITY, IMMIGRATION), True),
    ],
)
def test_the_hhs_line_needs_the_identification_released(
    client_case, advocate, legal_aid, attorney, consent, hhs_listed
):
    identify_minor(client_case, advocate)
    given_consent(victim_of(client_case).person, legal_aid, consent, by=advocate, days=60)
    items = selectors.relief_queue_for(attorney)
    assert any(item.what == "hhs" for item in items) is hhs_listed
    # The shelter's own people always see it.
    assert [item.what for item in selectors.relief_queue_for(advocate)] == ["hhs"]


def test_the_home_s_relief_deadlines_are_audited(client_as, relief_case, investigator):
    identify_minor(relief_case, investigator)
    home = client_as(investigator).get(reverse("home")).content.decode()
    assert "Immigration relief deadlines" in home
    listed = AuditEvent.objects.get(action="protection.relief.listed", actor=investigator)
    assert listed.details == {"person_ids": [victim_of(relief_case).person.pk], "via": "home"}
    assert (listed.object_type, listed.object_id) == ("", "")


def test_expiry_reminders_reach_who_recorded_it_and_the_requesting_agency(
    relief_case, investigator, supervisor, colleague, advocate, lead_agency
):
    """The case is assigned to a colleague only: the investigator who requested it and the agency's supervisor, who
    must renew it, are reminded too (each only if they see the relief)."""
    today = timezone.localdate()
    relief_case.assigned_to.set([colleague])
    action = record(relief_case, investigator, K.CONTINUED_PRESENCE, requesting_agency=lead_agency)
    action = granted(action, investigator, valid_from=today - timedelta(days=2), expires_on=today + timedelta(days=50))
    people = {user.pk for user in selectors.expiry_recipients(action)}
    assert {colleague.pk, investigator.pk, supervisor.pk, advocate.pk} <= people


def test_a_correction_days_later_starts_the_hhs_24_hours_then(relief_case, investigator):
    """The record was made as an adult's; corrected four days later into a minor's, its HHS task is due 24 hours
    after the correction, not overdue at once (nor escalated)."""
    import time_machine

    start = timezone.now()
    identification = identify_minor(relief_case, investigator, years=30)
    assert not list(selectors.hhs_tasks_open())
    later = start + timedelta(days=4)
    with time_machine.travel(later, tick=False):
        person = victim_of(relief_case).person
        person.refresh_from_db()
        from cases.services import person_update

        person_update(
            case=relief_case,
            person=person,
            version=person.version,
            actor=investigator,
            date_of_birth=identification.identified_on - timedelta(days=365 * 15 + 30),
        )
        [task] = [item for item in selectors.relief_queue_for(investigator) if item.what == "hhs"]
        assert task.due == later + timedelta(hours=24)
        assert not task.overdue
        assert services.relief_reminders_notify() == []


def test_a_child_in_two_cases_is_notified_to_hhs_once(client_as, relief_case, investigator, task_force):
    """The same child, a victim in a linked case too: the notification sent from the first closes both tasks."""
    from cases.models import Case, CaseParticipant
    from cases.services import case_create, victim_identification_save

    identification = identify_minor(relief_case, investigator)
    person = identification.participant.person
    linked = case_create(actor=investigator, title="Linked", intake_channel=Case.Channel.HOTLINE, task_force=task_force)
    CaseParticipant.objects.create(case=linked, person=person, role=CaseParticipant.Role.VICTIM, added_by=investigator)
    victim_identification_save(
        case=linked,
        person=person,
        version=0,
        actor=investigator,
        identified_on=timezone.localdate(),
        citizenship=identification.citizenship,
    )
    assert len(selectors.hhs_tasks_open()) == 2
    notice = record(relief_case, investigator, K.HHS_NOTIFICATION, requested_on=timezone.localdate())
    services.relief_action_step(action=notice, verb="submit", version=notice.version, actor=investigator)
    assert list(selectors.hhs_tasks_open()) == []
    assert not [item for item in selectors.relief_queue_for(investigator) if item.what == "hhs"]
    page = client_as(investigator).get(reverse("case_detail", args=[linked.pk])).content.decode()
    assert "HHS was notified on" in page


def test_the_overdue_e_mail_tells_nothing_of_the_victim(relief_case, investigator, supervisor, coordinator):
    """Supervisors and coordinators learn that a notice is late in a case: not that it is a foreign-national minor,
    nor a "potential" victim (it may be confirmed)."""
    import time_machine
    from django.core import mail

    from protection.tasks import email_relief_notices

    start = timezone.now()
    identify_minor(relief_case, investigator)
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        services.relief_reminders_notify()
    from protection.models import ReliefNotice

    email_relief_notices.enqueue(list(ReliefNotice.objects.values_list("pk", flat=True)))
    assert mail.outbox
    for message in mail.outbox:
        assert f"The HHS notification for a victim in case {relief_case.number} is overdue" in message.body
        assert "minor" not in message.body
        assert "potential" not in message.body


def test_a_bad_step_re_renders_its_form_with_the_typed_reason(
    client_as, relief_case, investigator, state_investigator, state_agency
):
    declaration = record(relief_case, investigator, K.T_DECLARATION, requesting_agency=state_agency)
    url = reverse("relief_step", args=[relief_case.pk, declaration.pk, "deny"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_as(state_investigator).post(
        url, {"version": declaration.version, "reason": "Typed-reason-sentinel", "on": tomorrow.isoformat()}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This date cannot be in the future." in page
    assert "Typed-reason-sentinel" in page
    response = client_as(state_investigator).post(url, {"version": "", "reason": "Kept-sentinel", "on": "not a date"})
    assert response.status_code == 400
    assert "Kept-sentinel" in response.content.decode()
    declaration.refresh_from_db()
    assert (declaration.status, declaration.version) == (ReliefAction.Status.REQUESTED, 1)


def test_a_corrected_expiry_is_reminded_anew(relief_case, investigator, lead_agency):
    from protection.models import ReliefReminder

    today = timezone.localdate()
    action = record(relief_case, investigator, K.CONTINUED_PRESENCE, requesting_agency=lead_agency)
    action = granted(action, investigator, valid_from=today - timedelta(days=2), expires_on=today + timedelta(days=50))
    assert len(services.relief_reminders_notify()) == 1
    assert services.relief_reminders_notify() == []  # once
    action = services.relief_action_update(
        action=action, version=action.version, actor=investigator, expires_on=today + timedelta(days=55)
    )
    assert len(services.relief_reminders_notify()) == 1
    assert services.relief_reminders_notify() == []
    reminders = ReliefReminder.objects.filter(action=action).order_by("id")
    assert [(r.kind, timezone.localtime(r.due).date()) for r in reminders] == [
        (ReliefReminder.Kind.EXPIRES_60, today + timedelta(days=50)),
        (ReliefReminder.Kind.EXPIRES_60, today + timedelta(days=55)),
    ]


def test_the_queue_narrows_to_relief_cases_before_its_cap(monkeypatch, relief_case, investigator, partner_investigator):
    """The partner police open the federal case at summary level only: its grant expiring first must not take the
    one row read (the cap, made 1 here) from the police's own case."""
    from cases.models import Case, CaseParticipant
    from cases.services import case_create, person_add_to_case

    today = timezone.localdate()
    federal = record(relief_case, investigator, K.CONTINUED_PRESENCE, requesting_agency=investigator.agency)
    granted(federal, investigator, valid_from=today - timedelta(days=2), expires_on=today + timedelta(days=10))
    own = case_create(actor=partner_investigator, title="Own", intake_channel=Case.Channel.HOTLINE)
    person_add_to_case(
        case=own, role=CaseParticipant.Role.VICTIM, actor=partner_investigator, given_name="Ana", family_name="Own"
    )
    work = record(own, partner_investigator, K.EMPLOYMENT_AUTHORIZATION)
    work = granted(
        work, partner_investigator, valid_from=today - timedelta(days=2), expires_on=today + timedelta(days=30)
    )
    monkeypatch.setattr(selectors, "QUEUE_READ", 1)
    assert [item.action for item in selectors.relief_queue_for(partner_investigator)] == [work]
