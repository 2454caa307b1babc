"""The access rule (docs/architecture.md §4.7) at its source, cases/selectors/cases.py: who sees which case and which
fields."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from cases import selectors
from cases.models import CaseShare
from cases.selectors import WITHHELD, case_get_for_user, case_list_visible_to, case_permissions, people_of_case_for
from cases.services import case_share_grant, case_share_revoke, consent_revoke, person_add_to_case
from tests.cases.fixtures import CLIENT_NAME, VICTIM_NAME
from tests.factories import given_consent

ALL = frozenset(selectors.CASE_PERMISSIONS)
LEAD = ALL | {selectors.MANAGE}  # the lead agency also decides who else sees the case


def noon(day):
    """Midday of ``day`` in the portal's time zone (a bare date would be midnight UTC: the day before, here)."""
    return datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())


V, C, P, L = selectors.VIEW, selectors.CHANGE, selectors.VIEW_PII, selectors.VIEW_LE


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("investigator", LEAD),
        ("colleague", LEAD),
        ("supervisor", LEAD | {selectors.DECIDE}),  # approves shares, assigns and closes
        ("partner_investigator", frozenset({V})),
        ("agency_admin", frozenset()),  # an admin manages people, not case content
        ("advocate", frozenset()),
        ("provider_staff", frozenset()),
        ("coordinator", frozenset()),
        ("auditor", frozenset()),
        ("outsider", frozenset()),
    ],
)
def test_who_may_do_what_to_the_law_enforcement_case(request, le_case, who, expected):
    user = request.getfixturevalue(who)
    assert case_permissions(user, le_case) == expected
    assert case_list_visible_to(user).filter(pk=le_case.pk).exists() == (V in expected)


@pytest.mark.parametrize(
    ("who", "perm", "outcome"),
    [
        ("investigator", selectors.VIEW_LE, "ok"),
        ("partner_investigator", selectors.VIEW, "ok"),
        ("partner_investigator", selectors.VIEW_PII, 403),
        ("partner_investigator", selectors.CHANGE, 403),
        ("outsider", selectors.VIEW, 404),
        ("advocate", selectors.VIEW, 404),
        ("coordinator", selectors.VIEW, 404),
    ],
)
def test_outsiders_get_404_and_insiders_without_the_finer_permission_403(request, le_case, who, perm, outcome):
    user = request.getfixturevalue(who)
    if outcome == "ok":
        assert case_get_for_user(user, le_case.pk, perm) == le_case
    elif outcome == 403:
        with pytest.raises(PermissionDenied):
            case_get_for_user(user, le_case.pk, perm)
    else:
        with pytest.raises(Http404):
            case_get_for_user(user, le_case.pk, perm)


def _view_of(user, case):
    permissions = case_permissions(user, case)
    [(_participant, view)] = [pair for pair in people_of_case_for(user, case, permissions) if pair[0].role == "victim"]
    return view


def test_the_lead_sees_the_victims_identity_and_a_summary_share_does_not(le_case, investigator, partner_investigator):
    assert f"{_view_of(investigator, le_case).given_name} {_view_of(investigator, le_case).family_name}" == VICTIM_NAME
    partner_view = _view_of(partner_investigator, le_case)
    assert partner_view.given_name is WITHHELD
    assert partner_view.phone is WITHHELD
    assert partner_view.languages == ["es"]  # not PII: what a referral needs


@pytest.mark.parametrize(
    ("consent_state", "sees_identity"),
    [("none", False), ("active", True), ("expired", False), ("revoked", False)],
)
def test_a_shelters_client_is_seen_by_another_agency_only_through_an_active_consent(
    ngo_case, ngo_client, advocate, investigator, lead_agency, consent_state, sees_identity
):
    today = timezone.localdate()
    if consent_state != "none":
        consent = given_consent(ngo_client, lead_agency, by=advocate, days=1, signed_days_ago=100)
        if consent_state == "revoked":
            consent_revoke(consent=consent, actor=advocate)
    day = today + timedelta(days=2) if consent_state == "expired" else today
    with time_machine.travel(noon(day)):
        view = _view_of(investigator, ngo_case)
    assert (view.given_name is not WITHHELD) == sees_identity
    if sees_identity:
        assert f"{view.given_name} {view.family_name}" == CLIENT_NAME
    assert view.phone is WITHHELD  # contact details were never released
    # The shelter itself always sees its client.
    assert _view_of(advocate, ngo_case).phone != WITHHELD


def test_a_consent_stops_working_the_day_it_expires(ngo_case, investigator, client_consent):
    assert _view_of(investigator, ngo_case).given_name is not WITHHELD
    with time_machine.travel(noon(client_consent.expires_on)):
        assert _view_of(investigator, ngo_case).given_name is WITHHELD


def test_a_consent_to_another_agency_releases_nothing_to_this_one(
    ngo_case, ngo_client, advocate, partner_agency, investigator
):
    given_consent(ngo_client, partner_agency, ["identity", "contact"], by=advocate)
    assert _view_of(investigator, ngo_case).given_name is WITHHELD


def test_revoking_a_share_ends_access_at_once(le_case, supervisor, partner_investigator, partner_agency):
    share = CaseShare.objects.get(case=le_case, agency=partner_agency, revoked_at__isnull=True)
    case_share_revoke(share=share, actor=supervisor, reason="No longer involved")
    assert case_permissions(partner_investigator, le_case) == frozenset()
    with pytest.raises(Http404):
        case_get_for_user(partner_investigator, le_case.pk)


def test_a_share_with_an_expiry_ends_on_that_day(le_case, investigator, supervisor, coordinator, coordination_office):
    tomorrow = timezone.localdate() + timedelta(days=1)
    case_share_grant(
        case=le_case,
        agency=coordination_office,
        level=CaseShare.Level.PERSONAL,
        reason="Meeting",
        actor=supervisor,
        expires_on=tomorrow,
    )
    assert case_permissions(coordinator, le_case) == frozenset({V, P})
    with time_machine.travel(noon(tomorrow)):
        assert case_permissions(coordinator, le_case) == frozenset()
        assert not case_list_visible_to(coordinator).filter(pk=le_case.pk).exists()


def test_a_new_share_replaces_the_old_level(le_case, investigator, supervisor, partner_investigator, partner_agency):
    case_share_grant(
        case=le_case,
        agency=partner_agency,
        level=CaseShare.Level.LAW_ENFORCEMENT,
        reason="Joint operation",
        actor=supervisor,
    )
    assert case_permissions(partner_investigator, le_case) == frozenset({V, P, L})
    assert CaseShare.objects.filter(case=le_case, agency=partner_agency, revoked_at__isnull=True).count() == 1


def test_law_enforcement_sensitive_information_is_never_shared_with_a_shelter(le_case, investigator, ngo):
    with pytest.raises(ValidationError, match="law enforcement"):
        case_share_grant(
            case=le_case, agency=ngo, level=CaseShare.Level.LAW_ENFORCEMENT, reason="x", actor=investigator
        )


def test_only_someone_who_may_change_the_case_shares_it(le_case, partner_investigator, coordination_office):
    with pytest.raises(PermissionDenied):
        case_share_grant(
            case=le_case,
            agency=coordination_office,
            level=CaseShare.Level.SUMMARY,
            reason="x",
            actor=partner_investigator,
        )


def test_only_the_holding_shelter_records_or_revokes_a_consent(ngo_client, investigator, lead_agency, client_consent):
    with pytest.raises(PermissionDenied):
        given_consent(ngo_client, lead_agency, by=investigator, days=1)
    with pytest.raises(PermissionDenied):
        consent_revoke(consent=client_consent, actor=investigator)


def test_a_consent_needs_an_expiry_after_signing(ngo_client, advocate, lead_agency):
    with pytest.raises(ValidationError):
        given_consent(ngo_client, lead_agency, by=advocate, days=0)


def test_the_list_uses_the_same_number_of_queries_for_3_and_30_cases(investigator, django_assert_num_queries):
    from cases.models import Case
    from cases.services import case_create

    for number in range(3):
        case_create(actor=investigator, title=f"Case {number}", intake_channel=Case.Channel.HOTLINE)
    investigator.has_perm("cases.view_case")  # the role's permissions, cached on the person for the request
    with django_assert_num_queries(1):
        assert len(list(case_list_visible_to(investigator))) == 3
    for number in range(27):
        case_create(actor=investigator, title=f"More {number}", intake_channel=Case.Channel.HOTLINE)
    with django_assert_num_queries(1):
        assert len(list(case_list_visible_to(investigator))) == 30


def _shelter_records(ngo_case, ngo_client, advocate):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.services import document_upload, need_add, note_add

    note_add(case=ngo_case, text="She described the assault by the boss.", actor=advocate, about=[ngo_client])
    document_upload(case=ngo_case, uploaded_file=SimpleUploadedFile("intake.txt", b"Intake interview"), actor=advocate)
    need_add(case=ngo_case, person=ngo_client, category="mental_health", details="Nightmares", actor=advocate)
    need_add(case=ngo_case, person=ngo_client, category="food", details="Vegetarian", actor=advocate)


@pytest.mark.parametrize(
    ("categories", "sees_note", "sees_mental_health", "sees_details"),
    [
        ([], False, False, False),
        (["identity"], False, False, False),
        (["narrative"], True, False, True),
        (["medical"], False, True, False),
        (["identity", "medical", "narrative"], True, True, True),
    ],
)
def test_a_shelters_notes_files_and_needs_follow_the_clients_consent(
    ngo_case, ngo_client, advocate, investigator, lead_agency, categories, sees_note, sees_mental_health, sees_details
):
    _shelter_records(ngo_case, ngo_client, advocate)
    if categories:
        given_consent(ngo_client, lead_agency, categories, by=advocate)
    permissions = case_permissions(investigator, ngo_case)
    people = people_of_case_for(investigator, ngo_case, permissions)
    notes = list(selectors.notes_visible(investigator, ngo_case, permissions))
    documents = list(selectors.documents_visible(investigator, ngo_case, permissions))
    needs = selectors.needs_visible(investigator, ngo_case, people, {})
    assert bool(notes) == sees_note
    assert bool(documents) == sees_note
    assert ("mental_health" in [item.need.category for item in needs]) == sees_mental_health
    food = next(item for item in needs if item.need.category == "food")  # not identifying: always shown
    assert (food.details == "Vegetarian") == sees_details
    # The shelter always sees its own records.
    own = case_permissions(advocate, ngo_case)
    assert len(list(selectors.notes_visible(advocate, ngo_case, own))) == 1


def test_a_suspects_details_are_law_enforcement_sensitive(
    le_case, investigator, supervisor, advocate, ngo, partner_agency
):
    person_add_to_case(case=le_case, role="suspect", actor=investigator, given_name="Boss", phone="555-0111")
    case_share_grant(
        case=le_case, agency=ngo, level=CaseShare.Level.PERSONAL, reason="Victim services", actor=supervisor
    )
    views = dict(
        (participant.role, view)
        for participant, view in people_of_case_for(advocate, le_case, case_permissions(advocate, le_case))
    )
    assert views["victim"].given_name is not WITHHELD  # personal share: the victim's name
    assert "suspect" not in views  # but no suspect at all: not even withheld (tests/cases/test_suspects.py)
    lead = dict(
        (participant.role, view)
        for participant, view in people_of_case_for(investigator, le_case, case_permissions(investigator, le_case))
    )
    assert lead["suspect"].phone == "555-0111"


def test_a_collaborating_partner_may_change_the_case_but_not_decide_who_sees_it(
    le_case, supervisor, partner_investigator, partner_agency, ngo
):
    case_share_grant(
        case=le_case, agency=partner_agency, level=CaseShare.Level.COLLABORATE, reason="Joint team", actor=supervisor
    )
    permissions = case_permissions(partner_investigator, le_case)
    assert selectors.CHANGE in permissions
    assert selectors.MANAGE not in permissions
    with pytest.raises(PermissionDenied):
        case_share_grant(
            case=le_case, agency=ngo, level=CaseShare.Level.PERSONAL, reason="x", actor=partner_investigator
        )
    with pytest.raises(PermissionDenied):
        case_share_revoke(share=le_case.shares.get(revoked_at__isnull=True), actor=partner_investigator, reason="x")


def test_a_consent_is_time_limited_to_a_year(ngo_client, advocate, lead_agency):
    with pytest.raises(ValidationError, match="at most 365 days"):
        given_consent(ngo_client, lead_agency, by=advocate, days=366)


def test_a_shelters_provider_staff_neither_read_cases_nor_record_consents(
    ngo_case, ngo_client, provider_staff, lead_agency
):
    assert case_permissions(provider_staff, ngo_case) == frozenset()
    with pytest.raises(PermissionDenied):
        given_consent(ngo_client, lead_agency, by=provider_staff)


def test_a_case_moves_only_to_a_task_force_of_its_lead_agency(le_case, investigator):
    from agencies.models import TaskForce
    from cases.services import case_update

    elsewhere = TaskForce.objects.create(name="Elsewhere")
    with pytest.raises(ValidationError, match="not a member"):
        case_update(case=le_case, version=le_case.version, actor=investigator, task_force=elsewhere)


def test_a_collaborating_partner_cannot_take_the_case_out_of_its_task_force(
    le_case, supervisor, partner_investigator, partner_agency, task_force
):
    from cases.services import case_update

    case_share_grant(
        case=le_case, agency=partner_agency, level=CaseShare.Level.COLLABORATE, reason="Joint team", actor=supervisor
    )
    case_update(case=le_case, version=le_case.version, actor=partner_investigator, task_force=None, title="Renamed")
    le_case.refresh_from_db()
    assert le_case.task_force == task_force
    assert le_case.title == "Renamed"  # the rest of the edit is kept
