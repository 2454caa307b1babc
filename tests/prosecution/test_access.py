"""Who sees a case's arrests and charges, and who records them (decision 0034), as one table: the section is on the
case page only for readers with law-enforcement access; arrests are recorded by who also changes the case, charging
decisions and dispositions also by a prosecutor's people with law-enforcement access. Outside the case: 404; a
reader of it without the right: 403, and nothing written."""

import pytest
from django.urls import reverse

from portal.models import AuditEvent
from prosecution.models import Arrest, Charge
from tests.prosecution.conftest import FEDERAL, LEVELS, SUSPECT_GIVEN, share

pytestmark = pytest.mark.django_db

# who, the level of their agency's share (None: as the fixtures leave it), sees the section, recording an arrest,
# recording a charging decision (the status of the form page; 200: the POST records it)
TABLE = [
    ("investigator", None, True, 200, 200),  # lead agency: all four permissions
    ("supervisor", None, True, 200, 200),
    ("partner_investigator", LEVELS.LAW_ENFORCEMENT, True, 403, 403),  # reads LE, does not change the case
    ("partner_investigator", LEVELS.COLLABORATE, True, 200, 200),
    ("partner_investigator", None, False, 403, 403),  # le_case's summary share
    ("advocate", LEVELS.PERSONAL, False, 403, 403),  # an NGO with personal information
    ("coordinator", None, False, 404, 404),  # not shared with the coordination office
    ("coordinator", LEVELS.PERSONAL, False, 403, 403),
    ("auditor", None, False, 404, 404),  # no case work at all
    ("agency_admin", None, False, 404, 404),  # the lead's admin: people, not case content
    ("outsider", None, False, 404, 404),
    ("prosecutor", LEVELS.LAW_ENFORCEMENT, True, 403, 200),  # decides charges, does not arrest
    ("prosecutor", LEVELS.PERSONAL, False, 403, 403),
]
table = pytest.mark.parametrize(("who", "level", "sees", "arrests", "decides"), TABLE)


@pytest.fixture
def reader(request, le_case, supervisor, charge, who, level):
    user = request.getfixturevalue(who)
    if level is not None:
        share(le_case, user.agency, level, supervisor)
    return user


@table
def test_the_case_page_shows_the_prosecution_only_with_law_enforcement_access(
    client_as, le_case, suspect, reader, sees, arrests, decides
):
    response = client_as(reader).get(reverse("case_detail", args=[le_case.pk]))
    page = response.content.decode()
    assert response.status_code == (404 if arrests == 404 else 200)
    assert ('id="prosecution-heading"' in page) is sees
    assert (FEDERAL in page) is sees
    assert ("Trafficking</span>" in page) is sees
    assert ("Record an arrest" in page) is (sees and arrests == 200)
    assert ("Record the charging decision" in page) is (sees and decides == 200)
    reads = AuditEvent.objects.filter(action="prosecution.record.viewed", actor=reader)
    expected = [{"case_id": le_case.pk, "person_id": suspect.person_id, "arrests": 1}] if sees else []
    assert [event.details for event in reads] == expected
    assert all(event.object_type == "cases.caseparticipant" for event in reads)


@table
def test_recording_an_arrest_is_for_who_changes_the_case_and_sees_its_law_enforcement_part(
    client_as, le_case, suspect, lead_agency, reader, sees, arrests, decides
):
    client = client_as(reader)
    url = reverse("arrest_create", args=[le_case.pk])
    assert client.get(url).status_code == arrests
    arrest = Arrest.objects.get()
    assert client.get(reverse("arrest_edit", args=[arrest.pk])).status_code == arrests
    assert client.get(reverse("charge_add", args=[arrest.pk])).status_code == arrests
    posted = {
        "participant": suspect.pk,
        "arrested_on": le_case.opened_on.isoformat(),
        "arresting_agency": lead_agency.pk,
        "statute": "18 USC 1589",
        "level": "felony",
    }
    response = client.post(url, posted)
    assert response.status_code == (302 if arrests == 200 else arrests)
    assert Arrest.objects.filter(case=le_case).count() == (2 if arrests == 200 else 1)


@table
def test_recording_a_charging_decision_is_also_for_a_prosecutor_with_law_enforcement_access(
    client_as, charge, prosecutor_office, reader, sees, arrests, decides
):
    client = client_as(reader)
    url = reverse("charge_decide", args=[charge.pk])
    assert client.get(url).status_code == decides
    posted = {
        "decision": "charged",
        "decided_on": charge.arrest.arrested_on.isoformat(),
        "prosecuting_agency": prosecutor_office.pk,
        "version": charge.version,
    }
    response = client.post(url, posted)
    assert response.status_code == (302 if decides == 200 else decides)
    charge.refresh_from_db()
    assert charge.decision == (Charge.Decision.CHARGED if decides == 200 else Charge.Decision.PENDING)


@pytest.mark.parametrize(("level", "status"), [(LEVELS.LAW_ENFORCEMENT, 200), (LEVELS.SUMMARY, 403)])
def test_a_prosecutor_records_a_disposition_with_law_enforcement_access(
    client_as, le_case, supervisor, charge, prosecutor, prosecutor_office, investigator, level, status
):
    from prosecution import services

    charge = services.charge_decide(
        charge=charge,
        version=charge.version,
        decision="charged",
        decided_on=charge.arrest.arrested_on,
        prosecuting_agency=prosecutor_office,
        actor=investigator,
    )
    share(le_case, prosecutor_office, level, supervisor)
    client = client_as(prosecutor)
    url = reverse("charge_dispose", args=[charge.pk])
    assert client.get(url).status_code == status
    posted = {
        "disposition": "plea",
        "disposed_on": charge.decided_on.isoformat(),
        "sentence": "Ten years",
        "version": charge.version,
    }
    assert client.post(url, posted).status_code == (302 if status == 200 else status)
    charge.refresh_from_db()
    assert (charge.disposition, charge.sentence) == (("plea", "Ten years") if status == 200 else ("pending", ""))


def test_a_suspects_name_on_the_arrest_form_is_an_audited_read(client_as, le_case, suspect, investigator):
    page = client_as(investigator).get(reverse("arrest_create", args=[le_case.pk])).content.decode()
    assert SUSPECT_GIVEN in page
    read = AuditEvent.objects.get(action="cases.pii.viewed", actor=investigator, details__via="prosecution")
    assert read.details["person_id"] == suspect.person_id


def test_an_arrest_or_charge_that_does_not_exist_is_a_404(client_as, investigator, charge):
    client = client_as(investigator)
    assert client.get(reverse("arrest_edit", args=[charge.arrest_id + 1000])).status_code == 404
    assert client.get(reverse("charge_decide", args=[charge.pk + 1000])).status_code == 404


@pytest.fixture
def other_office(task_force):
    from agencies.models import Agency, TaskForceMember
    from tests.factories import AgencyFactory

    agency = AgencyFactory(name="District Attorney", short_name="DA", kind=Agency.Kind.PROSECUTOR)
    TaskForceMember.objects.create(task_force=task_force, agency=agency)
    return agency


def test_a_prosecutor_decides_only_in_their_own_offices_name(
    client_as, le_case, supervisor, charge, prosecutor, prosecutor_office, other_office
):
    from django.core.exceptions import ValidationError

    from prosecution import services

    share(le_case, prosecutor_office, LEVELS.LAW_ENFORCEMENT, supervisor)
    with pytest.raises(ValidationError) as refused:
        services.charge_decide(
            charge=charge,
            version=charge.version,
            decision="charged",
            decided_on=charge.arrest.arrested_on,
            prosecuting_agency=other_office,
            actor=prosecutor,
        )
    assert "prosecuting_agency" in refused.value.error_dict
    form = client_as(prosecutor).get(reverse("charge_decide", args=[charge.pk])).context["form"]
    assert list(form.fields["prosecuting_agency"].queryset) == [prosecutor_office]
    charge.refresh_from_db()
    assert (charge.decision, charge.version) == ("pending", 1)


# who decided the charge first (the lead's investigator, naming that office), whether the prosecutor with a
# law-enforcement share may then decide it again and dispose of it
OTHER_OFFICES_CHARGE = [("prosecutor_office", True), ("other_office", False)]


@pytest.mark.parametrize(("office", "allowed"), OTHER_OFFICES_CHARGE)
def test_a_prosecutor_does_not_override_another_offices_decision(
    request, client_as, le_case, supervisor, charge, investigator, prosecutor, prosecutor_office, office, allowed
):
    from django.core.exceptions import PermissionDenied

    from prosecution import services

    share(le_case, prosecutor_office, LEVELS.LAW_ENFORCEMENT, supervisor)
    decided_by = request.getfixturevalue(office)
    charge = services.charge_decide(
        charge=charge,
        version=charge.version,
        decision="charged",
        decided_on=charge.arrest.arrested_on,
        prosecuting_agency=decided_by,
        actor=investigator,
    )
    client = client_as(prosecutor)
    page = client.get(reverse("case_detail", args=[le_case.pk])).content.decode()
    for name in ("charge_decide", "charge_dispose"):
        assert client.get(reverse(name, args=[charge.pk])).status_code == (200 if allowed else 403)
        assert (reverse(name, args=[charge.pk]) in page) is allowed

    def dispose():
        return services.charge_dispose(
            charge=charge,
            version=charge.version,
            disposition="dismissed",
            disposed_on=charge.decided_on,
            actor=prosecutor,
        )

    def decide_again():
        return services.charge_decide(
            charge=charge,
            version=charge.version,
            decision="declined",
            decided_on=charge.decided_on,
            prosecuting_agency=prosecutor_office,
            decline_reason="Taken over",
            actor=prosecutor,
        )

    if allowed:
        assert decide_again().decision == "declined"
    else:
        for attempt in (decide_again, dispose):
            with pytest.raises(PermissionDenied):
                attempt()
        charge.refresh_from_db()
        assert (charge.decision, charge.disposition, charge.prosecuting_agency) == ("charged", "pending", decided_by)


def test_the_case_activity_never_lists_the_prosecution_and_the_auditors_find_it(
    client_as, le_case, charge, investigator, prosecutor_office, auditor
):
    """The lead holds every permission, so the activity is read with a narrower set, as cases' own test does."""
    from agencies.selectors import audit_event_list_visible_to
    from cases import selectors as case_selectors
    from prosecution import services

    services.charge_decide(
        charge=charge,
        version=charge.version,
        decision="charged",
        decided_on=charge.arrest.arrested_on,
        prosecuting_agency=prosecutor_office,
        actor=investigator,
    )
    client_as(investigator).get(reverse("case_detail", args=[le_case.pk]))
    recorded = AuditEvent.objects.filter(action__startswith="prosecution.")
    assert set(recorded.values_list("action", flat=True)) == {
        "prosecution.arrest.recorded",
        "prosecution.charge.decided",
        "prosecution.record.viewed",
    }
    no_le = frozenset(case_selectors.CASE_PERMISSIONS) - {case_selectors.VIEW_LE}
    activity = case_selectors.case_activity(le_case, no_le, limit=300)
    assert not [event.action for event in activity if event.action.startswith("prosecution.")]
    assert all(event.details["case_id"] == le_case.pk for event in recorded)
    trail = audit_event_list_visible_to(auditor).filter(action__startswith="prosecution.")
    assert trail.count() == recorded.count() == 3
