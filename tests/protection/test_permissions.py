"""Who sees a victim's immigration relief (decision 0033), as a table: the case's law-enforcement team and the
victim's own advocate or attorney; nobody else, and a relief page answers 404 to them as if there were none."""

import pytest
from django.urls import reverse

from cases.models import Consent
from cases.services import consent_revoke
from protection.models import ReliefAction
from tests.factories import given_consent
from tests.protection.conftest import CP_REFERENCE, T_VISA_REFERENCE, victim_of

pytestmark = pytest.mark.django_db

IMMIGRATION, IDENTITY = Consent.Category.IMMIGRATION, Consent.Category.IDENTITY

# who, the case page's status, whether it shows the relief, the relief page's status, the "record" page's status
FEDERAL_CASE = [
    ("investigator", 200, True, 200, 200),  # lead law-enforcement investigator
    ("supervisor", 200, True, 200, 200),  # lead law-enforcement supervisor
    ("partner_investigator", 200, False, 404, 404),  # partner law enforcement, summary share
    ("state_investigator", 200, True, 200, 403),  # partner at law-enforcement level: reads, does not change the case
    ("advocate", 200, True, 200, 403),  # the victims' advocate: the shelter sees them at personal level
    ("coordinator", 200, False, 404, 404),  # coordination sees personal information, never relief
    ("auditor", 404, False, 404, 404),
    ("outsider", 404, False, 404, 404),
]


@pytest.mark.parametrize(("who", "page", "shown", "relief_page", "record_page"), FEDERAL_CASE)
def test_who_sees_relief_in_a_federal_case(
    request, client_as, relief_case, continued_presence, state_investigator, who, page, shown, relief_page, record_page
):
    reader = client_as(request.getfixturevalue(who))
    person = victim_of(relief_case).person
    response = reader.get(reverse("case_detail", args=[relief_case.pk]))
    assert response.status_code == page
    text = response.content.decode()
    assert (CP_REFERENCE in text) is shown
    assert ('id="relief-heading"' in text) is shown  # a withheld section is not even announced
    assert reader.get(reverse("relief_action", args=[relief_case.pk, continued_presence.pk])).status_code == relief_page
    assert reader.get(reverse("relief_new", args=[relief_case.pk, person.pk])).status_code == record_page


# who, the consent the shelter recorded for the legal aid (None: none), whether they see the client's relief
CLIENT_CASE = [
    ("advocate", None, True),  # the NGO advocate of their own client
    ("attorney", None, False),  # another NGO without a consent
    ("attorney", (IDENTITY,), False),  # another NGO with a consent that does not release immigration
    ("attorney", (IDENTITY, IMMIGRATION), True),  # legal aid with the client's immigration consent
    ("investigator", None, False),  # law enforcement at personal level only (no VIEW_LE)
]


@pytest.mark.parametrize(("who", "consent", "shown"), CLIENT_CASE)
def test_who_sees_a_providers_clients_relief(
    request, client_as, client_case, t_visa, advocate, legal_aid, attorney, who, consent, shown
):
    if consent is not None:
        given_consent(victim_of(client_case).person, legal_aid, consent, by=advocate, days=60)
    reader = client_as(request.getfixturevalue(who))
    text = reader.get(reverse("case_detail", args=[client_case.pk])).content.decode()
    assert (T_VISA_REFERENCE in text) is shown
    status = reader.get(reverse("relief_action", args=[client_case.pk, t_visa.pk])).status_code
    assert status == (200 if shown else 404)


def test_a_revoked_consent_releases_no_relief(client_as, client_case, t_visa, advocate, legal_aid, attorney):
    consent = given_consent(victim_of(client_case).person, legal_aid, (IDENTITY, IMMIGRATION), by=advocate)
    attorney_client = client_as(attorney)
    assert attorney_client.get(reverse("relief_action", args=[client_case.pk, t_visa.pk])).status_code == 200
    consent_revoke(consent=consent, actor=advocate)
    assert attorney_client.get(reverse("relief_action", args=[client_case.pk, t_visa.pk])).status_code == 404


def test_there_is_no_field_about_cooperation_anywhere():
    from protection.forms import ReliefActionForm, StepForm

    names = [field.name for field in ReliefAction._meta.get_fields()]
    names += list(ReliefActionForm.base_fields) + list(StepForm.base_fields)
    assert not [name for name in names if "cooperat" in name]
