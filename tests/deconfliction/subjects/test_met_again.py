"""A pair that meets again (decision 0030): two identical checks at the same moment are one conflict and one answer,
never a 500; a consent that comes to name the other agency tells it then; a new kind is told again and reopens a
settled conflict."""

import threading

import pytest
from django.db import connection

from cases.models import CaseParticipant
from deconfliction.subjects import normalise, services
from deconfliction.subjects.models import SubjectConflict, SubjectNotice
from portal.models import AuditEvent
from tests.deconfliction.subjects.conftest import CLIENT, consent_to_deconfliction, open_case

PHONE = {(normalise.Kind.PHONE, normalise.phone(CLIENT["phone"]))}


def _told() -> list[str]:
    return sorted(notice.user.email for notice in SubjectNotice.objects.select_related("user"))


@pytest.mark.postgres_only
@pytest.mark.parametrize("run", range(3))
def test_two_identical_checks_at_the_same_moment_are_one_conflict(
    transactional_db, investigator, partner_investigator, task_force, run
):
    open_case(investigator, [(CaseParticipant.Role.SUSPECT, CLIENT)], task_force=task_force)
    services.reindex_all()
    context = open_case(partner_investigator, [], task_force=task_force, title="Checking")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    answers: list[int] = []

    def check() -> None:
        try:
            barrier.wait()
            result = services.check_subject(user=partner_investigator, context=context, identifiers=PHONE)
            answers.append(len(result.conflicts))
        except BaseException as error:  # reported below: a thread's exception is otherwise lost
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=check) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert answers == [1, 1]
    assert SubjectConflict.objects.count() == 1
    assert SubjectNotice.objects.count() == 2  # each side told once


def test_a_pair_recorded_by_another_at_the_last_moment_is_met_again_not_an_error(
    monkeypatch, investigator, partner_investigator, task_force, committed
):
    """The unique pair caught: what SQLite's serialised writers, or a lock not taken, would meet."""
    with committed():
        open_case(investigator, [(CaseParticipant.Role.SUSPECT, CLIENT)], task_force=task_force)
        context = open_case(partner_investigator, [], task_force=task_force, title="Checking")
    with committed():
        services.check_subject(user=partner_investigator, context=context, identifiers=PHONE)
    real_pair = services._pair
    calls = []

    def missed_once(*keys):
        calls.append(keys)
        return None if len(calls) == 1 else real_pair(*keys)

    monkeypatch.setattr(services, "_pair", missed_once)
    with committed():
        result = services.check_subject(user=partner_investigator, context=context, identifiers=PHONE)
    assert len(calls) == 2
    assert [conflict.pk for conflict in result.conflicts] == [SubjectConflict.objects.get().pk]
    assert SubjectNotice.objects.count() == 2  # nothing new to tell


def test_a_consent_that_comes_to_name_the_agency_tells_it_then(
    advocate, investigator, lead_agency, coordination_office, task_force, committed
):
    with committed():
        open_case(investigator, [(CaseParticipant.Role.VICTIM, CLIENT)], task_force=task_force)
        client_case = open_case(advocate, [(CaseParticipant.Role.VICTIM, CLIENT)], task_force=task_force)
        consent_to_deconfliction(client_case, by=advocate, recipient=coordination_office)
    conflict = SubjectConflict.objects.get()
    assert conflict.one_sided
    assert _told() == ["advocate@safeharbor.example"]
    with committed():
        consent_to_deconfliction(client_case, by=advocate, recipient=lead_agency)
    conflict.refresh_from_db()
    assert not conflict.one_sided
    assert _told() == ["advocate@safeharbor.example", "investigator@ffo.example"]


def test_a_new_kind_is_told_again_and_reopens_a_settled_conflict(
    investigator, partner_investigator, coordinator, task_force, committed
):
    phone_only = {"given_name": "Quilla", "family_name": "Other", "phone": CLIENT["phone"]}
    with committed():
        open_case(investigator, [(CaseParticipant.Role.SUSPECT, CLIENT)], task_force=task_force)
        second = open_case(partner_investigator, [(CaseParticipant.Role.SUSPECT, phone_only)], task_force=task_force)
    conflict = SubjectConflict.objects.get()
    assert conflict.kinds == ["phone"]
    services.conflict_resolve(
        conflict=conflict, resolution=SubjectConflict.Resolution.NOT_SAME, note="Different people.", actor=coordinator
    )
    person = second.participants.get().person
    with committed():
        person.given_name, person.family_name, person.date_of_birth = (
            CLIENT["given_name"],
            CLIENT["family_name"],
            CLIENT["date_of_birth"],
        )
        person.save()
    conflict.refresh_from_db()
    assert conflict.status == SubjectConflict.Status.OPEN
    assert "name_dob" in conflict.kinds
    assert _told() == sorted(["investigator@ffo.example", "detective@bpd.example"] * 2)
    assert AuditEvent.objects.filter(action="deconfliction.subject.conflict_reopened").count() == 1
