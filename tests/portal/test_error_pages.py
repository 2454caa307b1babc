"""The pages of a refused or failed request (issue 14): USWDS pages in the portal's frame with a way back. A 403
is recorded as a Denied event; someone outside a case's audience still gets a 404 that says nothing of the case;
an unhandled error is the portal's 500 page and a database outage is still the 503 (portal/outage.py)."""

from unittest import mock

import pytest
from django.db import OperationalError, ProgrammingError, connection
from django.test import Client
from django.urls import reverse

from portal.models import AuditEvent

WAY_HOME = "Go to your home page"


@pytest.fixture
def answering():
    """A client signed in as ``user`` that answers what the portal answers instead of re-raising."""

    def make(user) -> Client:
        client = Client(raise_request_exception=False)
        client.force_login(user, backend="agencies.auth.AuthenticationBackend")
        return client

    return make


def _frame(page: str) -> None:
    assert "usa-header" in page
    assert "uswds.min.css" in page
    assert WAY_HOME in page


def test_a_refused_step_is_a_403_page_with_a_way_back_and_a_denied_event(client_as, investigator, le_case):
    case_url = reverse("case_detail", args=[le_case.pk])
    response = client_as(investigator).post(
        reverse("case_assign", args=[le_case.pk]), {}, HTTP_REFERER=f"http://testserver{case_url}?q=Maria"
    )
    assert response.status_code == 403
    page = response.content.decode()
    _frame(page)
    assert "This step is not open to you" in page
    assert f'href="{case_url}"' in page  # back to the case, without what its address carried
    assert "Maria" not in page
    event = AuditEvent.objects.get(action="portal.request.denied")
    assert (event.actor, event.outcome) == (investigator, AuditEvent.Outcome.DENIED)
    assert event.details == {"method": "POST", "path": reverse("case_assign", args=[le_case.pk])}


def test_a_referrer_from_elsewhere_is_not_offered_as_the_way_back(client_as, investigator, le_case):
    response = client_as(investigator).post(
        reverse("case_assign", args=[le_case.pk]), {}, HTTP_REFERER="https://evil.example/phish"
    )
    page = response.content.decode()
    assert "evil.example" not in page
    assert "Back to the previous page" not in page


@pytest.mark.parametrize("who", ["outsider", "advocate", "coordinator"])
def test_outsiders_get_the_404_page_that_names_nothing(request, client_as, le_case, who):
    response = client_as(request.getfixturevalue(who)).get(reverse("case_detail", args=[le_case.pk]))
    assert response.status_code == 404
    page = response.content.decode()
    _frame(page)
    assert "Page not found" in page
    assert le_case.number not in page
    assert le_case.title not in page
    assert not AuditEvent.objects.filter(action="portal.request.denied").exists()


def test_an_unknown_address_is_the_404_page(client_as, investigator):
    response = client_as(investigator).get("/no/such/page/")
    assert response.status_code == 404
    _frame(response.content.decode())


def test_an_unhandled_error_is_the_500_page(answering, investigator, le_case):
    with mock.patch("cases.views.selectors.case_dossier_for", side_effect=RuntimeError("bug")):
        response = answering(investigator).get(reverse("case_detail", args=[le_case.pk]))
    assert response.status_code == 500
    page = response.content.decode()
    _frame(page)
    assert "Something went wrong on our side" in page
    assert "bug" not in page
    assert "Retry-After" not in response.headers


def test_a_database_error_that_is_not_an_outage_is_the_500_page(answering, investigator):
    def refuse(execute, sql, params, many, context):
        if '"cases_case"' in sql:
            raise ProgrammingError("column does not exist")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        response = answering(investigator).get(reverse("case_list"))
    assert response.status_code == 500
    assert "column does not exist" not in response.content.decode()


def test_an_outage_is_still_the_503_page(answering, investigator):
    def gone(execute, sql, params, many, context):
        if '"cases_case"' in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(gone):
        response = answering(investigator).get(reverse("case_list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "The portal cannot reach its database" in response.content.decode()
