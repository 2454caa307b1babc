"""``CappedPaginator``: the page asked for is fetched first, and a short page is the count (one query, not two)."""

import pytest
from django.test import RequestFactory

from agencies.models import Agency
from portal.pagination import CappedPaginator, paginate
from tests.factories import AgencyFactory


@pytest.fixture
def agencies(db):
    AgencyFactory.create_batch(7)
    return Agency.objects.order_by("pk")


# (page asked, per page, cap) -> (page given, its rows, count, queries)
CASES = [
    ("1", 10, 1000, 1, 7, 7, 1),  # one short page: the rows are the count
    (None, 10, 1000, 1, 7, 7, 1),  # no page asked: the first
    ("x", 10, 1000, 1, 7, 7, 1),  # not a number: the first
    ("1", 3, 1000, 1, 3, 7, 2),  # a full page: counted
    ("3", 3, 1000, 3, 1, 7, 1),  # the short last page: counted by what came before and on it
    ("2", 3, 1000, 2, 3, 7, 2),
    ("9", 3, 1000, 3, 1, 7, 3),  # past the end: the last page, as Paginator gives it
    ("0", 3, 1000, 3, 1, 7, 2),  # below the first: the last page, as Paginator gives it
    ("1", 10, 5, 1, 7, 6, 1),  # past the cap on a short page: the count stops at cap + 1
    ("3", 3, 5, 2, 3, 6, 2),  # a page that starts past the cap: Paginator's answer, counted to the cap
]


@pytest.mark.parametrize(("asked", "per_page", "cap", "number", "rows", "count", "queries"), CASES)
def test_the_page_asked_for_and_its_count(
    agencies, django_assert_num_queries, asked, per_page, cap, number, rows, count, queries
):
    with django_assert_num_queries(queries):
        page = CappedPaginator(agencies, per_page, cap=cap).get_page(asked)
        assert (page.number, len(page.object_list), page.paginator.count) == (number, rows, count)


def test_the_rows_of_each_page_are_the_lists_own_in_order(agencies):
    every = list(agencies)
    pages = [list(CappedPaginator(agencies, 3).get_page(str(n)).object_list) for n in (1, 2, 3)]
    assert [agency for page in pages for agency in page] == every


def test_paginate_reads_the_page_from_the_address(agencies):
    page = paginate(RequestFactory().get("/", {"page": "2"}), agencies, per_page=5)
    assert (page.number, len(page.object_list), page.has_next(), page.has_previous()) == (2, 2, False, True)
