"""What the index holds: who is indexed, only digests, kept current from cases and tips, expired and rotated."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from agencies.models import TaskForceMember
from cases.models import Case, CaseParticipant
from cases.services import case_transition, consent_revoke, person_update
from deconfliction.subjects import keys, services
from deconfliction.subjects.models import SubjectConflict, SubjectEntry
from tests.deconfliction.subjects.conftest import (
    CLIENT,
    SUSPECT,
    consent_to_deconfliction,
    open_case,
    receive_tip,
)
from tests.factories import TaskForceFactory, given_consent
from tips.models import Tip
from tips.services import tip_close

ROLES = CaseParticipant.Role


def _kinds(**filters):
    return sorted(SubjectEntry.objects.filter(**filters).values_list("kind", flat=True))


@pytest.mark.parametrize(
    ("role", "indexed"),
    [(ROLES.SUSPECT, True), (ROLES.WITNESS, True), (ROLES.VICTIM, True), (ROLES.GUARDIAN, False), (ROLES.OTHER, False)],
)
def test_law_enforcement_participants_by_role(investigator, task_force, committed, role, indexed):
    with committed():
        case = open_case(investigator, [(role, SUSPECT)], task_force=task_force)
    assert _kinds(case_id=case.pk) == (["phone"] if indexed else [])


def test_an_entry_holds_a_digest_and_a_pointer_never_a_value(investigator, lead_agency, task_force, committed):
    fields = {**SUSPECT, "date_of_birth": "1990-05-01", "email": "vex@example.org", "address": "12 Main Street"}
    with committed():
        case = open_case(investigator, [(ROLES.SUSPECT, fields)], task_force=task_force)
    entries = list(SubjectEntry.objects.filter(case_id=case.pk))
    assert sorted(entry.kind for entry in entries) == ["address", "email", "name_dob", "name_year", "phone"]
    for entry in entries:
        assert len(entry.digest) == 64
        assert (entry.agency, entry.contact, entry.task_force) == (lead_agency, investigator, task_force)
        assert entry.renew_on == entry.entered_on + timedelta(days=365)
        row = " ".join(str(value) for value in SubjectEntry.objects.filter(pk=entry.pk).values().get().values())
        for raw in ("Vexlor", "Sentinel", "5550142", "vex@", "Main", "1990-05-01"):
            assert raw.casefold() not in row.casefold()


def test_entries_are_written_under_every_task_force_of_the_agency(investigator, lead_agency, task_force, committed):
    second = TaskForceFactory(name="Second Task Force", member_agencies=[lead_agency])
    with committed():
        case = open_case(investigator, [(ROLES.SUSPECT, SUSPECT)], task_force=task_force)
    entries = SubjectEntry.objects.filter(case_id=case.pk)
    assert {entry.task_force_id for entry in entries} == {task_force.pk, second.pk}
    assert entries[0].digest != entries[1].digest  # one key per task force


@pytest.mark.parametrize(
    ("categories", "indexed"),
    [((), False), (("identity", "contact"), False), (("deconfliction",), True), (("identity", "deconfliction"), True)],
)
def test_a_providers_client_only_with_a_consent_naming_deconfliction(
    advocate, coordination_office, task_force, committed, categories, indexed
):
    with committed():
        case = open_case(advocate, [(ROLES.VICTIM, CLIENT)], task_force=task_force)
        if categories:
            person = case.participants.get().person
            given_consent(person, coordination_office, categories=categories, by=advocate)
    assert bool(_kinds(case_id=case.pk)) is indexed


def test_revoking_the_consent_removes_the_clients_digests_at_once(advocate, coordination_office, task_force, committed):
    with committed():
        case = open_case(advocate, [(ROLES.VICTIM, CLIENT)], task_force=task_force)
        consent = consent_to_deconfliction(case, by=advocate, recipient=coordination_office)
    assert _kinds(case_id=case.pk) == ["name_dob", "name_year", "phone"]
    with committed():
        consent_revoke(consent=consent, actor=advocate)
    assert _kinds(case_id=case.pk) == []


def test_an_expired_consent_takes_the_client_out_at_the_next_expiry_run(
    advocate, coordination_office, task_force, committed
):
    with committed():
        case = open_case(advocate, [(ROLES.VICTIM, CLIENT)], task_force=task_force)
        consent = consent_to_deconfliction(case, by=advocate, recipient=coordination_office, days=2)
    assert _kinds(case_id=case.pk)
    today = timezone.localdate()
    type(consent).objects.filter(pk=consent.pk).update(signed_on=today - timedelta(days=5), expires_on=today)
    services.entries_expire()
    assert _kinds(case_id=case.pk) == []


def test_closing_a_case_removes_its_entries_and_reopening_restores_them(
    investigator, supervisor, task_force, committed
):
    with committed():
        case = open_case(investigator, [(ROLES.SUSPECT, SUSPECT)], task_force=task_force)
    with committed():
        case_transition(case=case, transition="close", reason=Case.ClosedReason.DECLINED, actor=supervisor)
    assert _kinds(case_id=case.pk) == []
    with committed():
        case_transition(case=case, transition="reopen", actor=supervisor)
    assert _kinds(case_id=case.pk) == ["phone"]


def test_a_corrected_phone_replaces_its_digest(investigator, task_force, committed):
    with committed():
        case = open_case(investigator, [(ROLES.SUSPECT, SUSPECT)], task_force=task_force)
    before = set(SubjectEntry.objects.filter(case_id=case.pk).values_list("digest", flat=True))
    person = case.participants.get().person
    with committed():
        person_update(case=case, person=person, version=person.version, actor=investigator, phone="713 555 0999")
    after = set(SubjectEntry.objects.filter(case_id=case.pk).values_list("digest", flat=True))
    assert len(after) == 1
    assert after != before


def test_law_enforcement_tip_subjects_are_indexed_while_the_tip_is_open(intake, supervisor, committed):
    subjects = [
        {
            "role": "suspect",
            "name": "Big Mike",
            "phone": "713-555-0142",
            "vehicle_plate": "ABC 1234",
            "vehicle_state": "TX",
        },
        {"role": "victim", "name": "Ana Lopez", "approximate_age": 19, "business": "Golden Spa LLC"},
        {"role": "guardian", "phone": "713-555-0100"},
    ]
    with committed():
        tip = receive_tip(intake, subjects)
    # "about 19": born this year less 19, or the year before: two name-and-year entries
    assert _kinds(tip_id=tip.pk) == ["business", "name_year", "name_year", "phone", "plate"]
    assert set(SubjectEntry.objects.filter(tip_id=tip.pk).values_list("contact", flat=True)) == {intake.pk}
    with committed():
        tip_close(tip=Tip.objects.get(pk=tip.pk), actor=supervisor, close_reason="duplicate", reason="Same as #1")
    assert _kinds(tip_id=tip.pk) == []


def test_a_providers_tip_is_not_indexed(ngo_intake, committed):
    with committed():
        tip = receive_tip(ngo_intake, [{"role": "suspect", "phone": "713-555-0142"}])
    assert _kinds(tip_id=tip.pk) == []


def test_entries_are_renewed_while_their_case_is_open_and_expire_otherwise(investigator, task_force, committed):
    with committed():
        open_case_ = open_case(investigator, [(ROLES.SUSPECT, SUSPECT)], task_force=task_force)
        closed = open_case(investigator, [(ROLES.WITNESS, {**SUSPECT, "phone": "713 555 0111"})], task_force=task_force)
    Case.objects.filter(pk=closed.pk).update(status=Case.Status.CLOSED)  # closed without the receiver's knowledge
    today = timezone.localdate()
    SubjectEntry.objects.update(renew_on=today)
    assert services.entries_expire(today=today) == (1, 1)
    assert SubjectEntry.objects.get().case_id == open_case_.pk
    assert SubjectEntry.objects.get().renew_on == today + timedelta(days=365)
    assert services.entries_expire(today=today) == (0, 0)


def test_an_agency_outside_every_task_force_writes_nothing(investigator, lead_agency, task_force, committed):
    TaskForceMember.objects.filter(agency=lead_agency).delete()
    with committed():
        case = open_case(investigator, [(ROLES.SUSPECT, SUSPECT)], task_force=None)
    assert _kinds(case_id=case.pk) == []


@pytest.fixture
def rotation(monkeypatch):
    def use(value: str) -> None:
        monkeypatch.setenv("DECONFLICTION_KEYS", value)
        keys.reset()

    yield use
    monkeypatch.undo()
    keys.reset()


OLD = "old:" + "o" * 40
NEW = "new:" + "n" * 40


def test_rotation_rederives_the_index_and_checks_match_meanwhile(
    investigator, partner_investigator, task_force, committed, rotation
):
    rotation(OLD)
    with committed():
        case = open_case(investigator, [(ROLES.SUSPECT, SUSPECT)], task_force=task_force)
    old_digest = SubjectEntry.objects.get().digest
    rotation(f"{NEW},{OLD}")
    # Mid-rotation: the entry is still under the old key, and a check under the new one finds it.
    check = services.check_subject(user=partner_investigator, context=case, identifiers={("phone", "+17135550142")})
    assert len(check.conflicts) == 1
    assert services.rotate(batch=1) == 1
    entry = SubjectEntry.objects.get()
    assert (entry.key_id, entry.case_id) == ("new", case.pk)
    assert entry.digest != old_digest
    assert services.rotate() == 0
    rotation(NEW)  # the old key is gone: the index still answers
    check = services.check_subject(user=partner_investigator, context=case, identifiers={("phone", "+17135550142")})
    assert len(check.conflicts) == 1


def test_cases_and_tips_never_import_deconfliction():
    root = Path(__file__).resolve().parents[3]
    for app in ("cases", "tips", "agencies", "portal", "referrals", "services_directory"):
        for path in (root / app).rglob("*.py"):
            text = path.read_text()
            assert "import deconfliction" not in text, path
            assert "from deconfliction" not in text, path


def test_an_approximate_age_meets_a_date_of_birth_whose_birthday_is_still_to_come(
    investigator, partner_intake, task_force, committed
):
    """30 today, birthday tomorrow: born in this year less 31, which ``year - age`` alone would miss."""
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    leap_day = (tomorrow.month, tomorrow.day) == (2, 29)
    born = date(tomorrow.year - 31, 3, 1) if leap_day else tomorrow.replace(year=tomorrow.year - 31)
    with committed():
        open_case(
            investigator,
            [(CaseParticipant.Role.SUSPECT, {"given_name": "Ana", "family_name": "Lopez", "date_of_birth": born})],
            task_force=task_force,
        )
    with committed():
        receive_tip(partner_intake, [{"role": "suspect", "name": "Ana Lopez", "approximate_age": 30}])
    assert [conflict.kinds for conflict in SubjectConflict.objects.all()] == [["name_year"]]


def test_an_agency_that_joins_a_task_force_brings_its_subjects_and_is_told_there(
    investigator, partner_investigator, task_force, committed
):
    """Its subjects are written under the new task force at once (a background reindex), and matched there."""
    other = TaskForceFactory(name="Other task force")
    TaskForceMember.objects.create(task_force=other, agency=partner_investigator.agency)
    with committed():
        open_case(investigator, [(CaseParticipant.Role.SUSPECT, CLIENT)], task_force=task_force)
        open_case(partner_investigator, [(CaseParticipant.Role.SUSPECT, CLIENT)], task_force=other)
    SubjectConflict.objects.all().delete()
    assert not SubjectEntry.objects.filter(task_force=other, agency=investigator.agency).exists()
    with committed():
        TaskForceMember.objects.create(task_force=other, agency=investigator.agency)
    assert SubjectEntry.objects.filter(task_force=other, agency=investigator.agency).exists()
    assert SubjectConflict.objects.filter(task_force=other).count() == 1
