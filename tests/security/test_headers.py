"""Headers on every response: CSP with a nonce, HSTS, no caching of signed-in pages (docs/architecture.md §10)."""

import re

from django.urls import reverse


def test_pages_carry_a_content_security_policy_with_a_fresh_nonce(client, db):
    first = client.get(reverse("account_login"))
    second = client.get(reverse("account_login"))
    policy = first["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert "'unsafe-inline'" not in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert nonce != re.search(r"'nonce-([^']+)'", second["Content-Security-Policy"]).group(1)
    # Every script on the page carries the nonce of its own response.
    scripts = re.findall(r"<script[^>]*>", first.content.decode())
    assert scripts
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag


def test_https_responses_carry_hsts_for_at_least_a_year(client, db):
    response = client.get(reverse("account_login"), secure=True)
    hsts = response["Strict-Transport-Security"]
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))
    assert max_age >= 365 * 24 * 3600
    assert "includeSubDomains" in hsts


def test_signed_in_pages_are_never_stored(client_as, investigator):
    client = client_as(investigator)
    for url in [reverse("home"), reverse("mfa_index"), reverse("usersessions_list")]:
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control, url
        assert "private" in cache_control, url


def test_pages_may_not_be_framed_and_types_are_not_sniffed(client, db):
    response = client.get(reverse("account_login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_health_check_is_public_and_says_nothing_more(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
