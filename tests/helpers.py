"""Steps that several tests take: signing in through the real forms."""

from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, totp_code


def post_password(client: Client, email: str, password: str = PASSWORD, *, acknowledge: bool = True, **headers):
    data = {"login": email, "password": password}
    if acknowledge:
        data["acknowledge"] = "on"
    return client.post(reverse("account_login"), data, **headers)


def sign_in(client: Client, user, password: str = PASSWORD):
    """Password, then the authenticator code, as a person would. Returns the last response."""
    response = post_password(client, user.email, password)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("mfa_authenticate")
    return client.post(reverse("mfa_authenticate"), {"code": totp_code(user)})
