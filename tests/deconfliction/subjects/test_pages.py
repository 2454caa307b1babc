"""The pages: who opens which (tables), the check form with its audit and its rate limit, the watch and its
resolution, and query counts that do not grow with the list."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import CaseParticipant
from deconfliction.subjects.models import SubjectConflict, SubjectNotice
from portal.models import AuditEvent
from tests.deconfliction.subjects.conftest import SUSPECT, open_case
from tests.factories import TaskForceFactory, UserFactory

CAST = ["investigator", "supervisor", "intake", "agency_admin", "advocate", "provider_staff", "coordinator", "auditor"]


@pytest.fixture
def conflict(investigator, partner_investigator, task_force, committed):
    with committed():
        open_case(investigator, [(CaseParticipant.Role.SUSPECT, SUSPECT)], task_force=task_force)
        open_case(partner_investigator, [(CaseParticipant.Role.SUSPECT, SUSPECT)], task_force=task_force)
    return SubjectConflict.objects.get()


@pytest.mark.parametrize(
    ("who", "conflicts", "check", "watch"),
    [
        ("investigator", 200, 200, 404),
        ("supervisor", 200, 200, 404),
        ("intake", 200, 200, 404),
        ("agency_admin", 404, 404, 404),
        ("advocate", 200, 200, 404),
        ("provider_staff", 404, 404, 404),
        ("coordinator", 404, 404, 200),
        ("auditor", 404, 404, 404),
    ],
)
def test_who_opens_which_page(request, client_as, task_force, who, conflicts, check, watch):
    client = client_as(request.getfixturevalue(who))
    assert client.get(reverse("deconfliction_conflicts")).status_code == conflicts
    assert client.get(reverse("deconfliction_check_start")).status_code == check
    assert client.get(reverse("deconfliction_watch")).status_code == watch


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("investigator", True),  # the contact of side a
        ("partner_investigator", True),  # the contact of side b
        ("supervisor", True),  # a supervisor of side a's agency
        ("colleague", False),  # the same agency, not the contact
        ("advocate", False),
        ("outsider", False),
    ],
)
def test_who_sees_a_conflict_and_what(request, client_as, conflict, who, sees):
    page = client_as(request.getfixturevalue(who)).get(reverse("deconfliction_conflicts")).content.decode()
    assert ("Another agency holds a subject matching on phone" in page) is sees
    if who == "investigator":
        assert "Pat Partner" in page
        assert "Bayport Police Department" in page
    if who == "partner_investigator":
        assert "Ivy Investigator" in page
        assert "Federal Field Office" in page


def test_opening_the_conflicts_marks_the_notices_read(client_as, conflict, investigator):
    assert SubjectNotice.objects.filter(user=investigator, read_at=None).count() == 1
    client_as(investigator).get(reverse("deconfliction_conflicts"))
    assert SubjectNotice.objects.filter(user=investigator, read_at=None).count() == 0


def test_the_conflicts_page_costs_the_same_for_one_conflict_or_several(
    client_as, investigator, partner_investigator, task_force, committed
):
    def add(phone: str) -> None:
        with committed():
            person = {**SUSPECT, "phone": phone}
            open_case(investigator, [(CaseParticipant.Role.SUSPECT, person)], task_force=task_force)
            open_case(partner_investigator, [(CaseParticipant.Role.SUSPECT, person)], task_force=task_force)

    client = client_as(investigator)
    add("713 555 0101")
    client.get(reverse("deconfliction_conflicts"))  # the session's first page reads what later pages keep
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("deconfliction_conflicts"))
    for phone in ("713 555 0102", "713 555 0103", "713 555 0104"):
        add(phone)
    with CaptureQueriesContext(connection) as four:
        page = client.get(reverse("deconfliction_conflicts"))
    assert page.content.decode().count("Another agency holds") == 4
    assert len(four) == len(one), "\n".join(q["sql"] for q in four.captured_queries)


def test_the_chooser_offers_only_what_the_person_may_open(client_as, investigator, partner_investigator, task_force):
    mine = open_case(investigator, [], task_force=task_force, title="Mine to check")
    theirs = open_case(partner_investigator, [], task_force=task_force, title="Theirs alone")
    client = client_as(investigator)
    page = client.get(reverse("deconfliction_check_start")).content.decode()
    assert "Mine to check" in page
    assert "Theirs alone" not in page
    response = client.get(reverse("deconfliction_check_start"), {"context": f"case:{mine.pk}"})
    assert response.url == reverse("deconfliction_check_case", args=[mine.pk])
    assert client.get(reverse("deconfliction_check_start"), {"context": f"case:{theirs.pk}"}).status_code == 200
    assert client.get(reverse("deconfliction_check_case", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("deconfliction_check_tip", args=[theirs.pk])).status_code == 404


def test_a_check_answers_with_whom_to_call_and_is_audited(client_as, conflict, partner_investigator, task_force):
    context = open_case(partner_investigator, [], task_force=task_force, title="New lead")
    response = client_as(partner_investigator).post(
        reverse("deconfliction_check_case", args=[context.pk]), {"phone": "713-555-0142"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Another agency holds a subject matching on phone" in page
    assert "Ivy Investigator" in page
    assert "713-555-0142" not in page  # nothing typed stays on the page
    event = AuditEvent.objects.get(action="deconfliction.subject.checked")
    assert (event.actor, event.details["context"], event.details["context_id"], event.details["kinds"]) == (
        partner_investigator,
        "case",
        context.pk,
        ["phone"],
    )
    assert event.object_id == ""  # not in the case's activity, which a partner with a share may read


def test_a_check_with_nothing_that_can_match_changes_nothing(client_as, investigator, task_force):
    context = open_case(investigator, [], task_force=task_force)
    response = client_as(investigator).post(
        reverse("deconfliction_check_case", args=[context.pk]), {"name": "Jose Garcia"}
    )
    assert response.status_code == 200
    assert "a name alone never matches" in response.content.decode()
    assert "Jose Garcia" not in response.content.decode()  # what was typed is not shown back
    assert not AuditEvent.objects.filter(action__startswith="deconfliction.").exists()


def test_checks_are_limited_per_person(client_as, investigator, colleague, task_force, settings):
    settings.DECONFLICTION_CHECK_RATE = (2, timedelta(hours=1))
    context = open_case(investigator, [], task_force=task_force)
    url = reverse("deconfliction_check_case", args=[context.pk])
    client = client_as(investigator)
    assert [client.post(url, {"phone": f"713 555 01{n:02}"}).status_code for n in range(3)] == [200, 200, 429]
    refused = client.post(url, {"phone": "713 555 0199"})
    assert refused.status_code == 429
    assert "too many checks" in refused.content.decode()
    assert "0199" not in refused.content.decode()  # what was typed is not shown back
    assert AuditEvent.objects.filter(action="deconfliction.subject.checked").count() == 2
    assert AuditEvent.objects.filter(action="deconfliction.subject.check_refused", outcome="denied").count() == 2
    other = open_case(colleague, [], task_force=task_force)  # the limit is the person's, not the agency's
    assert (
        client_as(colleague)
        .post(reverse("deconfliction_check_case", args=[other.pk]), {"phone": "713 555 0100"})
        .status_code
        == 200
    )


def test_checks_are_limited_per_agency_too(client_as, investigator, colleague, task_force, settings):
    """Many accounts of one agency cannot walk the index together: the agency's window refuses them all."""
    settings.DECONFLICTION_CHECK_AGENCY_RATE = (3, timedelta(hours=1))
    context = open_case(investigator, [], task_force=task_force)
    first = client_as(investigator)
    second = client_as(colleague)
    url = reverse("deconfliction_check_case", args=[context.pk])
    other = reverse("deconfliction_check_case", args=[open_case(colleague, [], task_force=task_force).pk])
    statuses = [
        first.post(url, {"phone": "713 555 0101"}).status_code,
        second.post(other, {"phone": "713 555 0102"}).status_code,
        first.post(url, {"phone": "713 555 0103"}).status_code,
        second.post(other, {"phone": "713 555 0104"}).status_code,
    ]
    assert statuses == [200, 200, 200, 429]
    assert AuditEvent.objects.filter(action="deconfliction.subject.checked").count() == 3


def test_the_coordinator_records_a_resolution(client_as, conflict, coordinator, investigator):
    client = client_as(coordinator)
    page = client.get(reverse("deconfliction_watch")).content.decode()
    assert "Federal Field Office" in page
    assert "Bayport Police Department" in page
    assert "CASE-TITLE-SENTINEL" not in page
    url = reverse("deconfliction_watch_resolve", args=[conflict.pk])
    assert client_as(investigator).post(url, {"resolution": "joint"}).status_code == 404
    assert client.post(url, {"resolution": "bogus"}).status_code == 302
    assert SubjectConflict.objects.get().status == SubjectConflict.Status.OPEN
    client.post(url, {"resolution": "joint", "note": "FFO leads"})
    resolved = SubjectConflict.objects.get()
    assert (resolved.status, resolved.resolution, resolved.resolved_by) == ("resolved", "joint", coordinator)
    assert AuditEvent.objects.filter(action="deconfliction.subject.conflict_resolved", actor=coordinator).exists()
    assert "FFO leads" not in client.get(reverse("deconfliction_watch")).content.decode()  # no longer open


def test_a_coordinator_of_another_task_force_neither_sees_nor_resolves(client_as, conflict):
    from agencies.models import Agency, Role
    from tests.factories import AgencyFactory

    office = AgencyFactory(name="Far Coordination", kind=Agency.Kind.COORDINATION)
    TaskForceFactory(name="Far Task Force", member_agencies=[office])
    stranger = UserFactory(email="coord@far.example", full_name="Far Coord", agency=office, role=Role.COORDINATOR)
    client = client_as(stranger)
    assert "Federal Field Office" not in client.get(reverse("deconfliction_watch")).content.decode()
    assert (
        client.post(reverse("deconfliction_watch_resolve", args=[conflict.pk]), {"resolution": "joint"}).status_code
        == 404
    )


def test_a_providers_one_sided_conflict_is_never_on_the_watch(
    client_as, coordinator, advocate, investigator, task_force, committed
):
    from deconfliction.subjects import services

    with committed():
        open_case(investigator, [(CaseParticipant.Role.SUSPECT, SUSPECT)], task_force=task_force)
        context = open_case(advocate, [], task_force=task_force)
    with committed():
        services.check_subject(user=advocate, context=context, identifiers={("phone", "+17135550142")})
    assert SubjectConflict.objects.get().one_sided
    assert "Safe Harbor" not in client_as(coordinator).get(reverse("deconfliction_watch")).content.decode()
    assert (
        "Another agency holds" not in client_as(investigator).get(reverse("deconfliction_conflicts")).content.decode()
    )
    page = client_as(advocate).get(reverse("deconfliction_conflicts")).content.decode()
    assert "Ivy Investigator" in page
    assert "Only your agency was told" in page


def test_navigation(client_as, investigator, coordinator, auditor):
    assert reverse("deconfliction_conflicts") in client_as(investigator).get(reverse("home")).content.decode()
    assert reverse("deconfliction_watch") in client_as(coordinator).get(reverse("home")).content.decode()
    assert reverse("deconfliction_conflicts") not in client_as(auditor).get(reverse("home")).content.decode()


def test_the_watch_costs_the_same_for_one_conflict_or_several(
    client_as, coordinator, investigator, partner_investigator, task_force, committed
):
    def add(phone: str) -> None:
        with committed():
            person = {**SUSPECT, "phone": phone}
            open_case(investigator, [(CaseParticipant.Role.SUSPECT, person)], task_force=task_force)
            open_case(partner_investigator, [(CaseParticipant.Role.SUSPECT, person)], task_force=task_force)

    client = client_as(coordinator)
    add("713 555 0101")
    client.get(reverse("deconfliction_watch"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("deconfliction_watch"))
    for phone in ("713 555 0102", "713 555 0103"):
        add(phone)
    with CaptureQueriesContext(connection) as three:
        page = client.get(reverse("deconfliction_watch"))
    assert page.content.decode().count("Record the resolution") == 3
    assert len(three) == len(one)


def test_the_other_agencys_audit_row_of_a_check_carries_nothing_of_the_checkers_request(
    client_as, investigator, partner_investigator, lead_agency, partner_agency, task_force, committed
):
    with committed():
        open_case(investigator, [(CaseParticipant.Role.SUSPECT, SUSPECT)], task_force=task_force)
        context = open_case(partner_investigator, [], task_force=task_force)
    with committed():
        response = client_as(partner_investigator).post(
            reverse("deconfliction_check_case", args=[context.pk]),
            {"phone": SUSPECT["phone"]},
            HTTP_USER_AGENT="Checker-Browser/1.0",
            REMOTE_ADDR="198.51.100.7",
        )
    assert response.status_code == 200
    rows = {row.agency_id: row for row in AuditEvent.objects.filter(action="deconfliction.subject.conflict_found")}
    assert rows.keys() == {lead_agency.pk, partner_agency.pk}
    assert rows[partner_agency.pk].user_agent == "Checker-Browser/1.0"  # the checker's own trail keeps it
    assert (rows[lead_agency.pk].user_agent, rows[lead_agency.pk].ip_address) == ("", None)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("deconfliction.subject.conflict_found", "told an agency of a subject another agency also holds"),
        ("deconfliction.subject.conflict_resolved", "recorded how a subject conflict was settled"),
        ("deconfliction.subject.checked", "checked a subject against the deconfliction index"),
        ("deconfliction.subject.check_refused", "was refused a subject check: too many in the hour"),
        ("deconfliction.entries.removed", "removed a subject's identifiers from the deconfliction index"),
    ],
)
def test_each_subject_action_reads_in_words_apart_from_the_operations(code, words):
    from django.utils import translation

    from portal.audit import action_label

    with translation.override("en"):  # whatever language an earlier test on this worker left active
        assert str(action_label(code)) == words
        assert str(action_label(code)) != str(action_label("deconfliction.conflict.resolved"))
