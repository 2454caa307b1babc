"""The header and the home page offer exactly the pages a person may open (portal/navigation.py)."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("who", "offered"),
    [
        ("investigator", set()),
        ("supervisor", set()),
        ("agency_admin", {"people"}),
        ("advocate", set()),
        ("provider_staff", set()),
        ("coordinator", set()),
        ("auditor", {"audit_trail"}),
        ("outsider", set()),
        ("superuser", {"people", "audit_trail"}),
    ],
)
def test_each_person_is_offered_the_pages_they_may_open(request, client_as, who, offered):
    client = client_as(request.getfixturevalue(who))
    page = client.get(reverse("home")).content.decode()
    for url_name in ["people", "audit_trail"]:
        url = reverse(url_name)
        assert (f'href="{url}"' in page) == (url_name in offered), url_name
        # and what is offered opens, what is not is a 404
        assert client.get(url).status_code == (200 if url_name in offered else 404), url_name


def test_an_auditor_of_a_coordination_office_outside_any_task_force_reads_its_own_events(
    client_as, coordination_office
):
    from agencies.models import Role
    from tests.factories import UserFactory

    lone_auditor = UserFactory(agency=coordination_office, role=Role.AUDITOR)  # no task force fixture here
    client = client_as(lone_auditor)
    assert f'href="{reverse("audit_trail")}"' in client.get(reverse("home")).content.decode()
    events = client.get(reverse("audit_trail")).context["page"].object_list
    assert [event.action for event in events] == ["auth.login.succeeded"]
