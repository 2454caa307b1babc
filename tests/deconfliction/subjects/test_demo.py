"""The demo (deconfliction/subjects/demo.py): two agencies told of the same suspect phone, a consenting client and
her law-enforcement match, a client without consent found only by her provider's check; a second seed adds nothing."""

import random
from collections.abc import Iterator
from io import StringIO

import pytest

from agencies import demo as agencies_demo
from cases import demo as cases_demo
from deconfliction import demo
from deconfliction.subjects.models import SubjectConflict, SubjectEntry
from portal.management.commands.seed_demo import DEMO_SEED
from referrals import demo as referrals_demo
from services_directory import demo as directory_demo
from tests.helpers import kept_for_the_tests
from tips import demo as tips_demo


def _seed() -> str:
    out, rng = StringIO(), random.Random(DEMO_SEED)
    for module in (agencies_demo, directory_demo, cases_demo, referrals_demo, tips_demo, demo):
        module.seed(rng=rng, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[str]:
    yield from kept_for_the_tests(django_db_blocker, _seed)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def _between(a: str, b: str) -> list[SubjectConflict]:
    return [
        conflict
        for conflict in SubjectConflict.objects.select_related("a_agency", "b_agency")
        if {conflict.a_agency.short_name, conflict.b_agency.short_name} == {a, b}
    ]


def test_the_fbi_and_the_police_are_told_of_the_same_suspect_phone():
    conflicts = [c for c in _between("FBI Bayport", "BPD") if "phone" in c.kinds]
    assert conflicts
    assert not conflicts[0].one_sided
    assert {n.user.email for n in conflicts[0].notices.select_related("user")} >= {
        "dana.reyes@fbi.example",
        "nia.brooks@bpd.example",
    }


def test_the_consenting_client_matches_the_fbi_victim_and_both_are_told():
    conflict = _between("FBI Bayport", "Safe Harbor")[0]
    assert conflict.kinds == ["name_dob", "name_year"]
    assert not conflict.one_sided


def test_the_client_without_consent_is_only_found_by_her_providers_check():
    assert not SubjectEntry.objects.filter(agency__short_name="Bridges").exists()
    conflict = _between("BPD", "Bridges")[0]
    assert conflict.one_sided
    assert {n.user.email for n in conflict.notices.select_related("user")} == {"kofi.mensah@bridges.example"}


def test_a_second_seed_adds_nothing(seeded):
    before = (SubjectEntry.objects.count(), SubjectConflict.objects.count())
    out = StringIO()
    demo.seed(rng=random.Random(DEMO_SEED), stdout=out)
    assert "already there" in out.getvalue()
    assert (SubjectEntry.objects.count(), SubjectConflict.objects.count()) == before
