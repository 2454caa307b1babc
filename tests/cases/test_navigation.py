"""The cases' header entries (cases/navigation.py): "Consent requests" only for those who may open the page, by the
page's own rule (``can_record_consents``): a victim service provider's people who record its clients' consents."""

import pytest
from django.urls import reverse

from portal.navigation import navigation_for

pytestmark = pytest.mark.django_db

# who / has the entry (and may open the page)
CONSENT_REQUESTS_TABLE = [
    ("advocate", True),
    ("shelter_supervisor", True),
    ("provider_staff", False),  # the shelter's staff answer referrals, they do not record consents
    ("investigator", False),  # law enforcement records no consents
    ("supervisor", False),
    ("partner_investigator", False),
    ("coordinator", False),
    ("auditor", False),
    ("outsider", False),
]


@pytest.mark.parametrize(("who", "shown"), CONSENT_REQUESTS_TABLE)
def test_consent_requests_are_in_the_header_of_those_who_may_open_them(request, client_as, who, shown):
    user = request.getfixturevalue(who)
    url = reverse("consent_requests")
    assert (url in [item.url for item in navigation_for(user)]) == shown
    assert client_as(user).get(url).status_code == (200 if shown else 404)
