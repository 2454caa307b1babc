"""Issue 11, point 8 (ASVS V8.3.1): the names people search for travel in request bodies, never in URLs (proxy logs,
server logs, the address bar, the browser's history). Every search whose text can be a person's name is in the
table below; a search for services (not a person) keeps its query string."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Case, CaseParticipant
from cases.services import case_create, person_add_to_case
from portal.models import AuditEvent
from tests.cases.fixtures import VICTIM_NAME

GIVEN, FAMILY = VICTIM_NAME.split()
NOTICE = "Names are not read from the address of the page"


def _case_list_found(response, case) -> bool:
    return case.number in {found.number for found in response.context["page"].object_list}


def _person_search_found(response, case) -> bool:
    return any(case in cases for _person, cases in response.context["results"])


NAME_SEARCHES = [
    pytest.param("case_list", _case_list_found, id="case list"),
    pytest.param("person_search", _person_search_found, id="find a person"),
]


@pytest.mark.parametrize(("url_name", "found"), NAME_SEARCHES)
def test_a_name_posted_to_a_search_finds_the_person(client_as, investigator, le_case, url_name, found):
    response = client_as(investigator).post(reverse(url_name), {"q": GIVEN})
    assert response.status_code == 200
    assert found(response, le_case)


@pytest.mark.parametrize(("url_name", "found"), NAME_SEARCHES)
def test_a_name_in_the_query_string_is_not_searched_by_and_the_page_says_so(
    client_as, investigator, le_case, url_name, found
):
    response = client_as(investigator).get(reverse(url_name), {"q": "Nobody-Matches-This"})
    page = response.content.decode()
    assert response.status_code == 200
    assert NOTICE in page
    assert "Nobody-Matches-This" not in page  # not echoed in the search box either
    assert not AuditEvent.objects.filter(action="cases.pii.viewed").exists()
    if url_name == "case_list":
        assert found(response, le_case)  # the list is not filtered by the ignored text
    else:
        assert response.context["results"] == []


@pytest.mark.parametrize(("url_name", "found"), NAME_SEARCHES)
def test_a_search_posted_without_the_csrf_token_is_refused(investigator, le_case, url_name, found):
    client = Client(enforce_csrf_checks=True)
    client.force_login(investigator, backend="agencies.auth.AuthenticationBackend")
    assert client.post(reverse(url_name), {"q": GIVEN}).status_code == 403


def test_htmx_pushes_the_other_filters_into_the_url_and_never_the_name(client_as, investigator, le_case):
    response = client_as(investigator).post(
        reverse("case_list"), {"q": GIVEN, "status": "open", "page": "1"}, headers={"HX-Request": "true"}
    )
    assert _case_list_found(response, le_case)
    assert response["HX-Push-Url"] == reverse("case_list") + "?status=open"


def test_htmx_pushes_the_page_of_a_list_filtered_without_a_name(client_as, investigator, le_case):
    response = client_as(investigator).post(
        reverse("case_list"), {"q": "", "status": "open", "page": "1"}, headers={"HX-Request": "true"}
    )
    assert response["HX-Push-Url"] == reverse("case_list") + "?status=open&page=1"


def test_the_pages_of_a_name_search_are_posted_and_no_link_carries_the_name(client_as, investigator, le_case):
    for number in range(25):
        case = case_create(actor=investigator, title=f"Venue {number}", intake_channel=Case.Channel.HOTLINE)
        person_add_to_case(
            case=case, role=CaseParticipant.Role.VICTIM, actor=investigator, given_name=GIVEN, family_name=FAMILY
        )
    client = client_as(investigator)
    first = client.post(reverse("case_list"), {"q": GIVEN, "status": "open"})
    page = first.content.decode()
    assert len(first.context["page"].object_list) == 25
    assert f'<input type="hidden" name="q" value="{GIVEN}">' in page
    assert [link for link in re.findall(r'(?:href|action|hx-\w+)="([^"]*)"', page) if GIVEN in link] == []
    second = client.post(reverse("case_list"), {"q": GIVEN, "status": "open", "page": "2"})
    assert len(second.context["page"].object_list) == 1
    assert second.context["page"].number == 2


def test_the_list_still_pages_by_links_without_a_name(client_as, investigator, le_case):
    for number in range(25):
        case_create(actor=investigator, title=f"Venue {number}", intake_channel=Case.Channel.HOTLINE)
    page = client_as(investigator).get(reverse("case_list"), {"status": "open"}).content.decode()
    assert 'href="?status=open&amp;page=2"' in page
