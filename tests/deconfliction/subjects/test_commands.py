"""The management commands, the tip chooser, and who is told when a side's contact has gone."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases.models import CaseParticipant
from deconfliction.subjects import keys
from deconfliction.subjects.models import SubjectConflict, SubjectEntry, SubjectNotice
from tests.deconfliction.subjects.conftest import SUSPECT, open_case, receive_tip


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_reindex_builds_what_the_receivers_missed(investigator, partner_investigator, task_force):
    open_case(investigator, [(CaseParticipant.Role.SUSPECT, SUSPECT)], task_force=task_force)  # not committed
    open_case(partner_investigator, [(CaseParticipant.Role.SUSPECT, SUSPECT)], task_force=task_force)
    assert not SubjectEntry.objects.exists()
    assert _run("reindex_deconfliction") == "2 entries written.\n"
    assert SubjectConflict.objects.count() == 1
    assert _run("reindex_deconfliction") == "0 entries written.\n"


def test_expire_once(investigator, task_force, committed):
    with committed():
        open_case(investigator, [(CaseParticipant.Role.SUSPECT, SUSPECT)], task_force=task_force)
    assert _run("deconfliction_entries_expire") == "0 deconfliction entries renewed, 0 deleted.\n"


@pytest.fixture
def two_keys(monkeypatch):
    monkeypatch.setenv("DECONFLICTION_KEYS", "k1:" + "1" * 40)
    keys.reset()

    def rotate() -> None:
        monkeypatch.setenv("DECONFLICTION_KEYS", "k2:" + "2" * 40 + ",k1:" + "1" * 40)
        keys.reset()

    yield rotate
    monkeypatch.undo()
    keys.reset()


def test_rotate_command(investigator, task_force, committed, two_keys):
    with committed():
        open_case(investigator, [(CaseParticipant.Role.SUSPECT, SUSPECT)], task_force=task_force)
    two_keys()
    assert _run("rotate_deconfliction_key") == "1 entries re-derived under key 'k2'; 0 left under older keys.\n"
    assert list(SubjectEntry.objects.values_list("key_id", flat=True)) == ["k2"]


def test_a_tip_is_checked_from_only_by_those_who_read_it(
    client_as, intake, partner_investigator, task_force, committed
):
    with committed():
        tip = receive_tip(intake, [{"role": "suspect", "phone": "713 555 0142"}])
    client = client_as(intake)
    assert f"tip:{tip.pk}" in client.get(reverse("deconfliction_check_start")).content.decode()
    assert client.get(reverse("deconfliction_check_tip", args=[tip.pk])).status_code == 200
    assert client_as(partner_investigator).get(reverse("deconfliction_check_tip", args=[tip.pk])).status_code == 404


def test_when_the_contact_has_left_the_agencys_supervisors_are_told(
    investigator, supervisor, partner_investigator, task_force, committed
):
    with committed():
        open_case(investigator, [(CaseParticipant.Role.SUSPECT, SUSPECT)], task_force=task_force)
    investigator.is_active = False
    investigator.save(update_fields=["is_active"])
    with committed():
        open_case(partner_investigator, [(CaseParticipant.Role.SUSPECT, SUSPECT)], task_force=task_force)
    told = set(SubjectNotice.objects.values_list("user__email", flat=True))
    assert told == {"supervisor@ffo.example", "detective@bpd.example"}
