"""The shape of the visibility queries (issue 13): a semi-join driven by the person's grant rows, with the
permission's id as a constant, and searches whose cost does not follow the number of people found. Who sees what is
tested in test_access.py and the security matrices; here, how the database is asked."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import selectors
from cases.models import Case, CaseGroupObjectPermission, CaseParticipant, Person
from cases.services import case_create, person_add_to_case
from portal.models import AuditEvent


def _sql(queryset) -> str:
    return str(queryset.query).lower()


def test_the_visible_cases_are_a_union_of_the_persons_and_the_agencys_grants(investigator):
    sql = _sql(selectors.case_list_visible_to(investigator))
    assert "union all" in sql
    assert "exists" not in sql  # not a probe per case: the grants drive the query
    assert '"auth_permission"' not in sql  # the permission's id is a value read with the person's permissions


def test_without_the_persons_permissions_read_the_id_is_a_scalar_subquery(investigator):
    """The grants name their permission by id; where the person's own reading has no id for it (a right the role
    lacks, asked about anyway), the query looks it up itself, once, never by joining on the codename."""
    sql = _sql(Case.objects.filter(selectors.cases._held(investigator, "no_such_permission")))
    assert '"auth_permission"' in sql
    assert 'inner join "auth_permission"' not in sql


def test_the_permission_id_lives_as_long_as_the_persons_permissions_so_a_rebuilt_table_cannot_make_it_stale(
    investigator, le_case
):
    """Permissions recreated with new ids (a flush, a database reloaded under running processes): the next request
    reads the person again, with their permissions and the new ids. No id is kept in the process."""
    from django.contrib.auth.models import Permission

    from agencies.models import User

    assert selectors.case_list_visible_to(investigator).filter(pk=le_case.pk).exists()
    view = Permission.objects.get(content_type__app_label="cases", codename=selectors.VIEW)
    old_pk = view.pk
    view.pk = None
    view.codename = "view_case_tmp"
    view.save()  # a new row takes the next id; then it becomes view_case and the grants follow it
    Permission.objects.filter(pk=old_pk).update(codename="view_case_old")
    Permission.objects.filter(pk=view.pk).update(codename=selectors.VIEW)
    CaseGroupObjectPermission.objects.filter(permission_id=old_pk).update(permission_id=view.pk)
    view.group_set.set(Permission.objects.get(pk=old_pk).group_set.all())

    next_request = User.objects.select_related("_membership__agency").get(pk=investigator.pk)
    assert selectors.case_list_visible_to(next_request).filter(pk=le_case.pk).exists()


def test_a_case_page_still_asks_about_its_own_case_only(investigator, le_case):
    """One case's permissions are read for that case (correlated EXISTS), not by building the person's whole set."""
    with CaptureQueriesContext(connection) as queries:
        selectors.case_permissions(investigator, le_case)
    [query] = queries.captured_queries
    assert "union all" not in query["sql"].lower()


def test_a_name_search_in_the_case_list_is_a_semi_join_on_the_matching_people(investigator):
    sql = _sql(Case.objects.filter(selectors.name_search_q(investigator, "Rivera")))
    assert "cases_caseparticipant" in sql
    if connection.vendor == "postgresql":
        assert "upper(" in sql  # the expression the trigram indexes of migration 0012 are built on


def _people(case, investigator, count: int, start: int = 0) -> None:
    for number in range(start, start + count):
        person_add_to_case(
            case=case,
            role=CaseParticipant.Role.WITNESS,
            actor=investigator,
            given_name=f"Quillon{number}",
            family_name="Marchetti",
        )


def test_person_search_costs_the_same_queries_for_3_and_30_people_found(client_as, investigator):
    client = client_as(investigator)
    case = case_create(actor=investigator, title="Witnesses", intake_channel=Case.Channel.HOTLINE)
    _people(case, investigator, 3)
    client.post(reverse("person_search"), {"q": "Marchetti"})  # warm the session and the role's permissions
    with CaptureQueriesContext(connection) as few:
        response = client.post(reverse("person_search"), {"q": "Marchetti"})
    assert len(response.context["results"]) == 3
    _people(case, investigator, 27, start=3)
    reads = AuditEvent.objects.filter(action="cases.pii.viewed", details__via="search")
    before = reads.count()
    with CaptureQueriesContext(connection) as many:
        response = client.post(reverse("person_search"), {"q": "Marchetti"})
    assert len(response.context["results"]) == 30
    assert len(many) == len(few)
    # still one read event for each person shown, written in one INSERT
    assert reads.count() - before == 30
    assert sum(query["sql"].startswith('INSERT INTO "portal_auditevent"') for query in many.captured_queries) == 1


@pytest.mark.postgres_only
def test_the_name_match_django_writes_for_icontains_can_use_the_upper_name_trigram_indexes(db):
    """With sequential scans priced out, PostgreSQL finds ``icontains`` name matches (the list's name filter) through
    the indexes of migration 0012 (on tables this small it would rightly prefer a scan)."""
    names = Person.objects.filter(Q(given_name__icontains="Rivera") | Q(family_name__icontains="Rivera")).values("pk")
    sql, params = names.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "cases_person_given_name_upper_trgm" in plan
    assert "cases_person_family_name_upper_trgm" in plan
