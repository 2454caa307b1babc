"""The client's address in the audit trail and the lockout cannot be forged with a header."""

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from django.urls import reverse

from portal.models import AuditEvent
from tests.helpers import post_password


def _failed_sign_in_address(client, user, **headers) -> str | None:
    client.post(
        reverse("account_login"),
        {"login": user.email, "password": "not-the-password", "acknowledge": "on"},
        **headers,
    )
    return AuditEvent.objects.filter(action="auth.login.failed").latest("id").ip_address


def test_without_a_proxy_a_forwarded_for_header_is_ignored(client, investigator):
    address = _failed_sign_in_address(client, investigator, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert address == "203.0.113.7"


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "10.9.9.9, 203.0.113.7", "203.0.113.7"),  # the client forged the first entry; the proxy added the last
        (2, "10.9.9.9, 203.0.113.7, 192.0.2.1", "203.0.113.7"),
        (1, "203.0.113.7:4711", "203.0.113.7"),  # some load balancers add the port
        (1, "[2001:db8::7]:443", "2001:db8::7"),
        (2, "10.9.9.9", "192.0.2.254"),  # fewer entries than proxies: the header does not fit, REMOTE_ADDR stays
        (3, "10.9.9.9, 203.0.113.7", "192.0.2.254"),
        (1, "not-an-address", "192.0.2.254"),
    ],
)
def test_behind_trusted_proxies_the_client_is_counted_from_the_right(
    client, investigator, proxies, forwarded_for, expected
):
    with override_settings(PORTAL_TRUSTED_PROXY_COUNT=proxies):
        address = _failed_sign_in_address(
            client, investigator, REMOTE_ADDR="192.0.2.254", HTTP_X_FORWARDED_FOR=forwarded_for
        )
    assert address == expected


def test_axes_records_the_same_address(client, investigator):
    post_password(
        client, investigator.email, "not-the-password", REMOTE_ADDR="203.0.113.8", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert AccessAttempt.objects.get(username=investigator.email).ip_address == "203.0.113.8"
