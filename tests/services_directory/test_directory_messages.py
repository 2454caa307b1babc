"""The directory's words before and after a search: no count before anyone searched, one message for a place it
does not know (issue 14)."""

import html
import re

import pytest
from django.urls import reverse

from tests.services_directory.factories import listed_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    return listed_service(name="Open Door Clinic", address="400 Main Street", categories=("medical",))


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_before_a_search_the_directory_invites_one_and_counts_nothing(client_as, advocate, clinic):
    text = _text(client_as(advocate).get(reverse("service_search")))

    assert "match" not in text
    assert "Choose what the person needs, or where, and search." in text


def test_a_search_says_how_many_services_match(client_as, advocate, clinic):
    text = _text(client_as(advocate).get(reverse("service_search"), {"category": "medical"}))

    assert "1 service matches." in text


@pytest.mark.parametrize("near", ["99999", "Nowhere, ZZ", "999"])
def test_a_place_it_does_not_know_is_said_once(client_as, advocate, clinic, near):
    response = client_as(advocate).get(reverse("service_search"), {"near": near})
    text = _text(response)

    message = str(response.context["filter"].form.errors["near"][0])
    assert text.count(message) == 1
    assert "match" not in text
    assert "Correct the search form" not in text
    assert 'aria-invalid="true"' in response.content.decode()
