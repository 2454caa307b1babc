from django.urls import reverse

from tests.helpers import sign_in


def test_a_person_signs_in_with_password_and_code_and_reaches_home(client, investigator):
    response = sign_in(client, investigator)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Federal Field Office" in home.content.decode()
