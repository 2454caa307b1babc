"""The pages: who reaches which (tables of who/what/expected, 404 for anyone outside), the forms end to end, and
what the lists cost."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from deconfliction.operations.models import Operation, OperationConflict, OperationNotice
from tests.deconfliction.operations.conftest import north, plan, tomorrow_at

pytestmark = pytest.mark.django_db

LIST, NEW = "/deconfliction/operations/", "/deconfliction/operations/new/"
CONFLICTS, BOARD = "/deconfliction/operations/conflicts/", "/deconfliction/operations/conflicts/board/"
EVERYONE = [
    "investigator",
    "colleague",
    "supervisor",
    "agency_admin",
    "partner_investigator",
    "advocate",
    "provider_staff",
    "coordinator",
    "auditor",
    "outsider",
    "superuser",
]
PLANNERS = {"investigator", "colleague", "supervisor", "partner_investigator", "outsider"}


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("url", [LIST, NEW, CONFLICTS])
def test_only_law_enforcement_caseworkers_and_supervisors_reach_the_planners_pages(request, client_as, who, url):
    response = client_as(request.getfixturevalue(who)).get(url)
    assert response.status_code == (200 if who in PLANNERS else 404)


@pytest.mark.parametrize("who", EVERYONE)
def test_only_coordinators_reach_the_board(request, client_as, who):
    response = client_as(request.getfixturevalue(who)).get(BOARD)
    assert response.status_code == (200 if who == "coordinator" else 404)


@pytest.mark.parametrize(
    ("who", "detail", "edit"),
    [
        ("investigator", 200, 200),  # planned it
        ("supervisor", 200, 200),  # supervises the agency
        ("colleague", 200, 403),  # of the agency: reads it, changes it not
        ("agency_admin", 404, 404),
        ("partner_investigator", 404, 404),  # another agency: it does not exist
        ("advocate", 404, 404),
        ("coordinator", 404, 404),  # sees the conflict's contacts, never the operation
        ("auditor", 404, 404),
        ("outsider", 404, 404),
        ("superuser", 404, 404),
    ],
)
def test_an_operation_is_its_agencys_alone(request, client_as, investigator, who, detail, edit):
    operation = plan(investigator)
    client = client_as(request.getfixturevalue(who))
    assert client.get(f"{LIST}{operation.pk}/").status_code == detail
    assert client.get(f"{LIST}{operation.pk}/edit/").status_code == edit
    response = client.post(f"{LIST}{operation.pk}/close/", {"status": "cancelled"})
    assert response.status_code == (302 if edit == 200 else edit)
    operation.refresh_from_db()
    assert operation.status == ("cancelled" if edit == 200 else "planned")


def test_navigation_offers_operations_to_planners_and_one_watch_of_both_halves_to_coordinators(
    client_as, investigator, coordinator
):
    assert LIST in client_as(investigator).get("/").content.decode()
    assert BOARD not in client_as(investigator).get("/").content.decode()
    home = client_as(coordinator).get("/").content.decode()
    watch = reverse("deconfliction_watch")
    assert f'href="{watch}"' in home
    assert f'href="{BOARD}"' not in home  # one entry for the watch: the board is one of its two pages
    assert f'href="{LIST}"' not in home
    on_watch = client_as(coordinator).get(watch).content.decode()
    on_board = client_as(coordinator).get(BOARD).content.decode()
    assert f'href="{BOARD}"' in on_watch
    assert "Operations: 0 open" in on_watch
    assert f'href="{watch}"' in on_board
    assert "Subjects: 0 open" in on_board


def _form(**changes):
    values = {
        "kind": "warrant",
        "starts_at": tomorrow_at(10).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": tomorrow_at(12).strftime("%Y-%m-%dT%H:%M"),
        "address": "",
        "zip_code": "77002",
        "latitude": "",
        "longitude": "",
        "radius_m": "300",
        "phone_24h": "713-555-0147",
        "case_number": "",
        "notes": "",
    }
    values.update(changes)
    return values


def test_planning_through_the_form(client_as, investigator):
    response = client_as(investigator).post(NEW, _form(case_agent=investigator.pk))
    operation = Operation.objects.get()
    assert response.status_code == 302
    assert response.url == f"{LIST}{operation.pk}/"
    assert operation.starts_at == tomorrow_at(10)
    assert operation.located_by == Operation.Located.ZIP
    page = client_as(investigator).get(response.url).content.decode()
    assert "ZIP code 77002" in page
    assert "2 km" in page


def test_bad_input_comes_back_with_its_errors_and_plans_nothing(client_as, investigator):
    response = client_as(investigator).post(NEW, _form(case_agent=investigator.pk, zip_code="", phone_24h="12"))
    assert response.status_code == 200
    assert not Operation.objects.exists()
    page = response.content.decode()
    assert "Give the ZIP code of the place" in page
    assert "Enter a phone number that answers at any hour" in page


def test_a_stale_edit_through_the_form_is_refused_and_the_form_shows_the_operation_as_it_stands(
    client_as, investigator, supervisor
):
    operation = plan(investigator)
    opened = operation.version
    client_as(supervisor).post(
        f"{LIST}{operation.pk}/edit/",
        _form(
            case_agent=investigator.pk,
            zip_code="",
            latitude="29.756",
            longitude="-95.363",
            radius_m="500",
            version=opened,
        ),
    )
    response = client_as(investigator).post(
        f"{LIST}{operation.pk}/edit/",
        _form(
            case_agent=investigator.pk,
            zip_code="",
            latitude="29.756",
            longitude="-95.363",
            radius_m="900",
            version=opened,
        ),
        follow=True,
    )
    operation.refresh_from_db()
    assert operation.radius_m == 500
    page = response.content.decode()
    assert "changed this operation" in page
    assert supervisor.email in page
    assert 'value="500"' in page
    assert f'name="version" value="{operation.version}"' in page


def test_the_lists_show_upcoming_and_past(client_as, investigator):
    upcoming = plan(investigator, notes="", address="UPCOMING-PLACE")
    past = plan(investigator, address="PAST-PLACE")
    Operation.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - timedelta(days=2), ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=1)
    )
    client = client_as(investigator)
    upcoming_page, past_page = client.get(LIST).content.decode(), client.get(LIST + "?when=past").content.decode()
    assert "UPCOMING-PLACE" in upcoming_page
    assert "PAST-PLACE" not in upcoming_page
    assert "PAST-PLACE" in past_page
    assert "UPCOMING-PLACE" not in past_page
    assert f'href="{LIST}{upcoming.pk}/"' in upcoming_page
    assert f'href="{LIST}{upcoming.pk}/"' not in past_page
    assert f'href="{LIST}{past.pk}/"' in past_page


def test_the_conflicts_page_reads_the_notices_and_the_board_settles(
    client_as, investigator, partner_investigator, coordinator
):
    plan(investigator)
    plan(partner_investigator, latitude=north(250))
    conflict = OperationConflict.objects.get()
    page = client_as(investigator).get(CONFLICTS).content.decode()
    assert partner_investigator.full_name in page
    assert "New" in page
    assert not OperationNotice.objects.filter(user=investigator, read_at__isnull=True).exists()
    assert OperationNotice.objects.filter(user=partner_investigator, read_at__isnull=True).exists()
    board = client_as(coordinator).get(BOARD).content.decode()
    assert investigator.full_name in board
    assert partner_investigator.full_name in board
    response = client_as(coordinator).post(
        f"{CONFLICTS}{conflict.pk}/resolve/", {"resolution": "separately", "version": conflict.version}
    )
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert conflict.resolution == "separately"
    assert investigator.full_name not in client_as(coordinator).get(BOARD).content.decode()  # settled: off the board
    assert "Proceed separately" in client_as(partner_investigator).get(CONFLICTS).content.decode()


def test_a_coordinator_of_another_task_force_cannot_settle(client_as, investigator, partner_investigator, outsider):
    plan(investigator)
    plan(partner_investigator)
    conflict = OperationConflict.objects.get()
    response = client_as(outsider).post(f"{CONFLICTS}{conflict.pk}/resolve/", {"resolution": "jointly", "version": 1})
    assert response.status_code == 404


# --- What the lists cost: the same queries for one row or many ---------------------------------------------------


def _queries(client, url, django_assert_max_num_queries) -> int:
    client.get(url)  # warm the session and the permission caches
    with django_assert_max_num_queries(100) as counted:
        assert client.get(url).status_code == 200
    return len(counted.captured_queries)


def test_the_operation_list_costs_the_same_for_one_or_ten(client_as, investigator, django_assert_max_num_queries):
    client = client_as(investigator)
    plan(investigator)
    one = _queries(client, LIST, django_assert_max_num_queries)
    for hour in range(9):
        plan(investigator, starts_at=tomorrow_at(13 + hour), ends_at=tomorrow_at(14 + hour))
    assert _queries(client, LIST, django_assert_max_num_queries) == one


def test_the_conflict_pages_cost_the_same_for_one_or_five(
    client_as, investigator, partner_investigator, coordinator, django_assert_max_num_queries
):
    mine = plan(investigator)
    plan(partner_investigator)
    counts = {
        url: _queries(client_as(user), url, django_assert_max_num_queries)
        for url, user in ((CONFLICTS, investigator), (BOARD, coordinator), (f"{LIST}{mine.pk}/", investigator))
    }
    for metres in (50, 100, 150, 200):
        plan(partner_investigator, latitude=north(metres))
    assert OperationConflict.objects.count() == 5
    for url, user in ((CONFLICTS, investigator), (BOARD, coordinator), (f"{LIST}{mine.pk}/", investigator)):
        assert _queries(client_as(user), url, django_assert_max_num_queries) == counts[url], url


@pytest.mark.parametrize("zip_code", ["77002abcde", "7700", "77002-"])
def test_a_malformed_zip_code_comes_back_as_a_form_error_and_plans_nothing(client_as, investigator, zip_code):
    response = client_as(investigator).post(NEW, _form(case_agent=investigator.pk, zip_code=zip_code))
    assert response.status_code == 200
    assert not Operation.objects.exists()
    assert "Enter a ZIP code of five digits, or five and four" in response.content.decode()
