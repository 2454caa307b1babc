"""The case list's "Filters" button (small screens fold the filters behind it) says how many filters narrow the
list now: "Filters (2)"; the sort only orders it, a value refused filters nothing, and a filter applied in place
(htmx) brings the button's count along out of band. In Spanish too."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CASES = reverse("case_list")
LABEL = re.compile(r'<span id="case-results-filters-label"( hx-swap-oob="true")?>([^<]*)</span>')


def _label(content: bytes) -> tuple[bool, str]:
    [(oob, words)] = LABEL.findall(content.decode())
    return bool(oob), words.strip()


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("", "Filters"),
        ("?status=open", "Filters (1)"),
        ("?status=open&case_type=sex", "Filters (2)"),
        ("?status=open&case_type=sex&sort=-number", "Filters (2)"),  # the order is no filter
        ("?status=open&opened_after=2026-01-01&assigned_to_me=on&shared_with_me=on", "Filters (4)"),
        ("?status=not-a-status&case_type=sex", "Filters (1)"),  # refused: an error that filters nothing
        ("?sort=number", "Filters"),
    ],
)
def test_the_filters_button_counts_the_filters_that_narrow_the_list(client_as, investigator, le_case, query, label):
    response = client_as(investigator).get(CASES + query)
    assert response.status_code == 200
    assert _label(response.content) == (False, label)


def test_a_name_searched_for_counts_too(client_as, investigator, le_case):
    """The name comes in a POST body only (it never enters a URL); it narrows the list like any filter."""
    response = client_as(investigator).post(CASES, {"q": "Massage", "status": "open"})
    assert _label(response.content) == (False, "Filters (2)")


def test_filtering_in_place_brings_the_count_out_of_band(client_as, investigator, le_case):
    response = client_as(investigator).get(CASES + "?status=open&case_type=sex", HTTP_HX_REQUEST="true")
    assert response.content.decode().count('id="case-results"') == 1  # the results only, not the page
    assert _label(response.content) == (True, "Filters (2)")


def test_a_history_restore_is_the_whole_page_with_one_button(client_as, investigator, le_case):
    response = client_as(investigator).get(
        CASES + "?status=open", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert _label(response.content) == (False, "Filters (1)")


def test_the_count_is_in_spanish(client_as, investigator, le_case):
    response = client_as(investigator).get(CASES + "?status=open&case_type=sex", HTTP_ACCEPT_LANGUAGE="es")
    assert response["Content-Language"] == "es"
    assert _label(response.content) == (False, "Filtros (2)")
    assert _label(client_as(investigator).get(CASES, HTTP_ACCEPT_LANGUAGE="es").content) == (False, "Filtros")
