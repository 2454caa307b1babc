"""``relief_actions_visible_to``, the relief a reader sees as one queryset (for the reports), as a table of roles:
the case's law-enforcement team and the victim's own advocate or attorney, nobody else; and on every reader and
action of the cast it agrees with the rule the relief pages use (``relief_access_for``)."""

import pytest
from django.http import Http404

from agencies.models import User
from cases.models import Consent
from cases.services import consent_revoke
from protection import selectors
from protection.models import ReliefAction
from tests.factories import given_consent
from tests.protection.conftest import victim_of

pytestmark = pytest.mark.django_db

IMMIGRATION, IDENTITY = Consent.Category.IMMIGRATION, Consent.Category.IDENTITY

# who, whether they count the federal case's Continued Presence (its victim the lead's), the shelter's client's T visa
READERS = [
    ("investigator", True, False),  # the lead's team; the client's case only at personal level (no VIEW_LE)
    ("supervisor", True, False),
    ("partner_investigator", False, False),  # a summary share of the federal case
    ("state_investigator", True, False),  # the federal case at law-enforcement level
    ("advocate", True, True),  # the federal case's victims' advocate (personal share); its own client
    ("attorney", False, False),  # the client's case at personal level, without the client's consent
    ("coordinator", False, False),  # coordination sees personal information, never relief
    ("auditor", False, False),
    ("agency_admin", False, False),
    ("provider_staff", False, False),
    ("state_intake", False, False),
    ("outsider", False, False),
]


@pytest.mark.parametrize(("who", "federal", "client"), READERS)
def test_who_counts_which_relief(
    request, continued_presence, t_visa, state_investigator, attorney, who, federal, client
):
    reader = request.getfixturevalue(who)
    visible = set(selectors.relief_actions_visible_to(reader).values_list("pk", flat=True))
    assert visible == {pk for pk, shown in ((continued_presence.pk, federal), (t_visa.pk, client)) if shown}


@pytest.mark.parametrize(
    ("categories", "days", "revoked", "shown"),
    [
        ((IDENTITY,), 60, False, False),  # a consent that does not release immigration
        ((IDENTITY, IMMIGRATION), 60, False, True),
        ((IMMIGRATION,), 60, False, True),
        ((IDENTITY, IMMIGRATION), 60, True, False),  # revoked
        ((IDENTITY, IMMIGRATION), 0, False, False),  # ends today: no longer active
    ],
)
def test_another_ngo_counts_a_clients_relief_under_an_active_immigration_consent_only(
    client_case, t_visa, advocate, legal_aid, attorney, categories, days, revoked, shown
):
    consent = given_consent(
        victim_of(client_case).person, legal_aid, categories, by=advocate, days=days, signed_days_ago=30
    )
    if revoked:
        consent_revoke(consent=consent, actor=advocate)
    assert selectors.relief_actions_visible_to(attorney).filter(pk=t_visa.pk).exists() is shown


def test_a_consent_to_another_agency_releases_nothing_to_this_one(
    client_case, t_visa, advocate, legal_aid, attorney, lead_agency
):
    given_consent(victim_of(client_case).person, lead_agency, (IDENTITY, IMMIGRATION), by=advocate)
    assert not selectors.relief_actions_visible_to(attorney).exists()


def _page_shows(user: User, action: ReliefAction) -> bool:
    try:
        selectors.relief_access_for(user, action.case_id, action.participant.person_id)
    except Http404:
        return False
    return True


def test_it_agrees_with_the_relief_pages_for_everyone_and_every_action(
    continued_presence,
    t_visa,
    state_investigator,
    state_intake,
    attorney,
    advocate,
    legal_aid,
    investigator,
    colleague,
    supervisor,
    partner_investigator,
    coordinator,
    auditor,
    agency_admin,
    provider_staff,
    outsider,
):
    given_consent(victim_of(t_visa.case).person, legal_aid, (IMMIGRATION,), by=advocate)
    actions = list(ReliefAction.objects.select_related("participant"))
    assert len(actions) == 2
    compared = 0
    for user in User.objects.filter(is_active=True):
        visible = set(selectors.relief_actions_visible_to(user).values_list("pk", flat=True))
        for action in actions:
            assert (action.pk in visible) is _page_shows(user, action), (user.email, action.kind)
            compared += 1
    assert compared >= 20
