"""The missing-field list's cap (decision 0037, ``reports.quarterly.missing.LIMIT``): the first 100 records of each
sort are listed and the page says there are more; at exactly 100 nothing says so; and building the list costs the
same queries for 5 records as for 101.

The records are made in bulk (the people and their participations, or the arrests, each one INSERT), on one case
of the field office opened by the service: what the list reads, without a hundred calls of the services."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import User
from cases.models import Case, CaseParticipant, Person
from cases.services import person_add_to_case
from prosecution.models import Arrest
from reports.quarterly.measures import Kind
from reports.quarterly.missing import LIMIT, missing_for
from tests.reports.quarterly_world import Q1_2027, at, frozen_after_q2_fixture, open_case  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

PAGE = f"/reports/quarterly/{Q1_2027.code}/"  # FY2027-Q1, seen on 2027-04-15 (frozen_after_q2): ended, unsigned
MORE = "There are more: the first are listed. Fix these, and the rest will show."


def _victims_without_identification(case: Case, actor: User, n: int, first: int = 0) -> None:
    """``n`` victims of ``case`` added on 2026-10-03 with no identification: each is missing one."""
    with time_machine.travel(at(date(2026, 10, 3)), tick=False):
        people = Person.objects.bulk_create(
            Person(given_name=f"m{first + i:03d}", family_name="Many", entered_by_agency=actor.agency, entered_by=actor)
            for i in range(n)
        )
        CaseParticipant.objects.bulk_create(
            CaseParticipant(case=case, person=person, role=CaseParticipant.Role.VICTIM, added_by=actor)
            for person in people
        )


def _arrests_without_charge(case: Case, actor: User, n: int) -> None:
    """``n`` arrests by the field office in FY2027-Q1 of a suspect of ``case``, none with a charge recorded (as an
    import might leave them: the form asks for one)."""
    with time_machine.travel(at(date(2026, 10, 3)), tick=False):
        suspect = person_add_to_case(
            case=case, role=CaseParticipant.Role.SUSPECT, actor=actor, given_name="Arrested", family_name="Often"
        )
    Arrest.objects.bulk_create(
        Arrest(
            case=case,
            participant=suspect,
            arrested_on=date(2026, 10, 5) + timedelta(days=i % 80),
            arresting_agency=actor.agency,
            recorded_by=actor,
        )
        for i in range(n)
    )


MAKE = {"victims": _victims_without_identification, "arrests": _arrests_without_charge}
SAYS = {"victims": "no identification recorded", "arrests": "no charge recorded"}


@pytest.fixture
def many_case(frozen_after_q2, investigator, task_force) -> Case:
    with time_machine.travel(at(date(2026, 10, 2)), tick=False):
        return open_case(investigator, "Many", Case.Type.LABOR, date(2026, 10, 2), task_force)


def _listed(page: str) -> list[tuple[str, str]]:
    [block] = re.findall(r'<ul class="usa-list" id="missing-records">(.*?)</ul>', page, re.S)
    return re.findall(r"<li>\s*<a [^>]*>([^<]+)</a>:\s*([^<]+?)\s*</li>", block, re.S)


@pytest.mark.parametrize("sort", ["victims", "arrests"])
@pytest.mark.parametrize("n", [LIMIT, LIMIT + 1, LIMIT + 20])
def test_the_first_hundred_of_a_sort_are_listed_and_the_page_says_there_are_more(
    client_as, many_case, investigator, supervisor, lead_agency, sort, n
):
    assert LIMIT == 100
    MAKE[sort](many_case, investigator, n)

    found = missing_for(supervisor, lead_agency, Q1_2027, Kind.LAW_ENFORCEMENT)
    assert len(found.records) == LIMIT
    assert found.more is (n > LIMIT)
    assert {tuple(record.missing) for record in found.records} == {(SAYS[sort],)}
    if sort == "victims":
        # In the list's order (the case's number, then the participation): the first hundred, the rest left out.
        assert [record.label for record in found.records] == [f"m{i:03d} Many" for i in range(LIMIT)]
        assert len(found.reads) == LIMIT  # only the names shown are audited as read

    page = client_as(supervisor).get(PAGE).content.decode()
    listed = _listed(page)
    assert len(listed) == LIMIT
    assert {words for _label, words in listed} == {SAYS[sort]}
    assert (MORE in page) is (n > LIMIT)


def _cost(supervisor: User, lead_agency) -> int:
    viewer = User.objects.get(pk=supervisor.pk)  # read afresh: nothing of an earlier build is remembered
    with CaptureQueriesContext(connection) as queries:
        found = missing_for(viewer, lead_agency, Q1_2027, Kind.LAW_ENFORCEMENT)
    assert found.records
    return len(queries.captured_queries)


def test_building_the_list_costs_the_same_for_5_records_as_for_101(many_case, investigator, supervisor, lead_agency):
    _victims_without_identification(many_case, investigator, 5)
    _arrests_without_charge(many_case, investigator, 5)
    few = _cost(supervisor, lead_agency)
    _victims_without_identification(many_case, investigator, 96, first=5)
    _arrests_without_charge(many_case, investigator, 96)
    many = _cost(supervisor, lead_agency)
    assert few == many
