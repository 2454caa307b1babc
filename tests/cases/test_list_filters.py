"""The case list's lead-agency filter (issue 13): it offers the viewer's agency and its task forces' members, not
every agency of the deployment; an agency it did not offer is the form's error and filters nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency
from tests.factories import AgencyFactory, TaskForceFactory

pytestmark = pytest.mark.django_db

CASES = reverse("case_list")


def _choices(client, query: str = "") -> set[str]:
    field = client.get(CASES + query).context["filter"].form.fields["lead_agency"]
    return {Agency.objects.get(pk=value).name for value, _label in field.choices if value}  # the first: "Any agency"


@pytest.fixture
def elsewhere(db):
    """An agency in a task force of its own."""
    far = AgencyFactory(name="Northern Sheriff", short_name="NS", kind=Agency.Kind.LOCAL_LE)
    TaskForceFactory(name="Northern Task Force", member_agencies=[far])
    return far


@pytest.mark.parametrize(
    ("who", "offered"),
    [
        # The lead field office's caseworker: its own agency and the Gulf Coast task force's members.
        ("investigator", {"Federal Field Office", "Bayport Police Department", "Safe Harbor Shelter", "TFC"}),
        ("advocate", {"Federal Field Office", "Bayport Police Department", "Safe Harbor Shelter", "TFC"}),
        ("coordinator", {"Federal Field Office", "Bayport Police Department", "Safe Harbor Shelter", "TFC"}),
        ("outsider", {"Faraway Sheriff"}),  # in no task force: its own agency only
    ],
)
def test_the_lead_agency_filter_offers_the_viewers_agency_and_task_forces(
    client_as, request, elsewhere, coordination_office, who, offered
):
    offered = {coordination_office.name if name == "TFC" else name for name in offered}
    assert _choices(client_as(request.getfixturevalue(who))) == offered


def test_an_inactive_member_is_not_offered(client_as, investigator, partner_agency):
    Agency.objects.filter(pk=partner_agency.pk).update(is_active=False)
    assert partner_agency.name not in _choices(client_as(investigator))


def test_filtering_by_an_offered_agency_lists_its_cases(client_as, investigator, le_case, ngo_case, ngo):
    listed = client_as(investigator).get(CASES, {"lead_agency": ngo.pk}).context["page"].object_list
    assert [case.pk for case in listed] == [ngo_case.pk]


def test_an_agency_not_offered_is_a_form_error_and_filters_nothing(client_as, investigator, le_case, elsewhere):
    client = client_as(investigator)
    unfiltered = [case.pk for case in client.get(CASES).context["page"].object_list]

    response = client.get(CASES, {"lead_agency": elsewhere.pk})

    assert "lead_agency" in response.context["filter"].form.errors
    assert [case.pk for case in response.context["page"].object_list] == unfiltered
    assert elsewhere.name not in response.content.decode()


def test_the_filter_costs_the_same_however_many_agencies_the_deployment_holds(client_as, investigator):
    client = client_as(investigator)

    def queries_and_options() -> tuple[int, int]:
        client.get(CASES)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(CASES)
        return len(captured), len(response.context["filter"].form.fields["lead_agency"].choices)

    few = queries_and_options()
    for number in range(40):
        agency = AgencyFactory(name=f"County Office {number}", kind=Agency.Kind.LOCAL_LE)
        TaskForceFactory(name=f"County Task Force {number}", member_agencies=[agency])
    assert queries_and_options() == few
