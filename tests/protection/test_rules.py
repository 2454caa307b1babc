"""The rules the portal enforces on relief (decision 0033): only federal law enforcement requests Continued
Presence (for itself); a declaration is asked of a law-enforcement agency, which alone grants or declines it; a
decline says why; a stale edit is refused; bad input re-renders the form and changes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from protection import services
from protection.models import ReliefAction
from tests.protection.conftest import victim_of

pytestmark = pytest.mark.django_db
K = ReliefAction.Kind


def record(case, actor, kind, **fields):
    fields.setdefault("requested_on", timezone.localdate())
    return services.relief_action_record(case=case, person=victim_of(case).person, kind=kind, actor=actor, **fields)


@pytest.mark.parametrize("kind", [K.CONTINUED_PRESENCE, K.CONTINUED_PRESENCE_RENEWAL])
def test_only_federal_law_enforcement_requests_continued_presence(
    relief_case, investigator, lead_agency, partner_agency, state_agency, kind
):
    assert (
        record(relief_case, investigator, kind, requesting_agency=lead_agency).status == ReliefAction.Status.REQUESTED
    )
    for agency in (partner_agency, state_agency, None):  # local police, state police, nobody named
        with pytest.raises(ValidationError) as refused:
            record(relief_case, investigator, kind, requesting_agency=agency)
        assert "requesting_agency" in refused.value.message_dict


def test_a_federal_agency_requests_continued_presence_for_itself_only(
    relief_case, supervisor, state_investigator, lead_agency
):
    """The state police read the case at law-enforcement level but do not change it: they record nothing; and a
    federal agency's request is recorded by its own people."""
    with pytest.raises(PermissionDenied):
        record(relief_case, state_investigator, K.CONTINUED_PRESENCE, requesting_agency=lead_agency)
    assert record(relief_case, supervisor, K.CONTINUED_PRESENCE, requesting_agency=lead_agency).pk


def test_any_law_enforcement_agency_may_sign_a_declaration(
    relief_case, investigator, partner_agency, state_agency, ngo, coordination_office
):
    for agency in (partner_agency, state_agency):
        assert record(relief_case, investigator, K.T_DECLARATION, requesting_agency=agency).pk
    for agency in (ngo, coordination_office):
        with pytest.raises(ValidationError):
            record(relief_case, investigator, K.T_DECLARATION, requesting_agency=agency)


def test_the_agency_asked_decides_a_declaration_and_a_decline_needs_a_reason(
    relief_case, investigator, state_investigator, state_agency
):
    declaration = record(relief_case, investigator, K.T_DECLARATION, requesting_agency=state_agency)
    with pytest.raises(PermissionDenied):  # the lead recorded the request; the state police decide it
        services.relief_action_step(
            action=declaration, verb="deny", version=declaration.version, actor=investigator, reason="No."
        )
    with pytest.raises(ValidationError) as refused:
        services.relief_action_step(
            action=declaration, verb="deny", version=declaration.version, actor=state_investigator
        )
    assert "reason" in refused.value.message_dict
    declaration.refresh_from_db()
    assert declaration.status == ReliefAction.Status.REQUESTED
    declined = services.relief_action_step(
        action=declaration,
        verb="deny",
        version=declaration.version,
        actor=state_investigator,
        reason="The facts we hold do not show the crimes the declaration attests.",
    )
    assert declined.status == ReliefAction.Status.DENIED
    assert declined.decline_reason.startswith("The facts")


def test_the_database_refuses_a_denial_without_its_reason(continued_presence):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ReliefAction.objects.filter(pk=continued_presence.pk).update(status="denied", decline_reason="")


def test_declining_without_a_reason_on_the_page_changes_nothing(
    client_as, relief_case, investigator, state_investigator, state_agency
):
    declaration = record(relief_case, investigator, K.T_DECLARATION, requesting_agency=state_agency)
    page = client_as(state_investigator)
    url = reverse("relief_step", args=[relief_case.pk, declaration.pk, "deny"])
    response = page.post(url, {"version": declaration.version, "reason": "  "}, follow=True)
    assert "Say why it was declined or denied." in response.content.decode()
    declaration.refresh_from_db()
    assert (declaration.status, declaration.version) == (ReliefAction.Status.REQUESTED, 1)


def test_a_stale_edit_is_refused(continued_presence, investigator, supervisor):
    stale = continued_presence.version
    services.relief_action_update(action=continued_presence, version=stale, actor=supervisor, notes="Renewal soon.")
    with pytest.raises(services.StaleReliefEdit) as refused:
        services.relief_action_update(action=continued_presence, version=stale, actor=investigator, notes="Mine.")
    assert supervisor.email in refused.value.messages[0]
    continued_presence.refresh_from_db()
    assert continued_presence.notes == "Renewal soon."


def test_a_stale_step_is_refused(continued_presence, investigator):
    withdrawn_version = continued_presence.version - 1
    with pytest.raises(services.StaleReliefEdit):
        services.relief_action_step(
            action=continued_presence, verb="withdraw", version=withdrawn_version, actor=investigator
        )


def test_bad_dates_re_render_the_form_and_save_nothing(client_as, relief_case, investigator):
    person = victim_of(relief_case).person
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_as(investigator).post(
        reverse("relief_new", args=[relief_case.pk, person.pk]),
        {"kind": K.T_VISA, "requested_on": tomorrow.isoformat(), "version": 0},
    )
    assert response.status_code == 200
    assert "This date cannot be in the future." in response.content.decode()
    assert not ReliefAction.objects.exists()


def test_the_record_page_records_and_audits_without_values(client_as, relief_case, investigator, lead_agency):
    from portal.models import AuditEvent

    person = victim_of(relief_case).person
    response = client_as(investigator).post(
        reverse("relief_new", args=[relief_case.pk, person.pk]),
        {
            "kind": K.CONTINUED_PRESENCE,
            "requested_on": timezone.localdate().isoformat(),
            "requesting_agency": lead_agency.pk,
            "external_reference": "CP-9",
            "version": 0,
        },
    )
    assert response.status_code == 302
    action = ReliefAction.objects.get()
    event = AuditEvent.objects.get(action="protection.relief.recorded")
    assert event.details == {"case_id": relief_case.pk, "person_id": person.pk, "relief_id": action.pk}
    assert (event.object_type, event.object_id) == ("cases.caseparticipant", str(action.participant_id))


def test_interim_assistance_runs_ninety_days_and_once_thirty_more(relief_case, investigator):
    from protection.presenters import interim_clock

    today = timezone.localdate()
    action = record(relief_case, investigator, K.INTERIM_ASSISTANCE, requested_on=today - timedelta(days=40))
    action = services.relief_action_step(
        action=action, verb="grant", version=action.version, actor=investigator, on=today - timedelta(days=34)
    )
    valid_from = today - timedelta(days=34)
    assert action.valid_from == valid_from
    assert action.expires_on == valid_from + timedelta(days=90)
    assert interim_clock(action, today).startswith("Day 35 of 90;")
    action = services.relief_action_step(action=action, verb="extend", version=action.version, actor=investigator)
    assert action.expires_on == valid_from + timedelta(days=120)
    assert interim_clock(action, today).startswith("Day 35 of 120;")
    with pytest.raises(PermissionDenied):  # once only
        services.relief_action_step(action=action, verb="extend", version=action.version, actor=investigator)
    assert "Ended on" in interim_clock(action, valid_from + timedelta(days=125))
