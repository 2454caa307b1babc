"""The home of each demo person (decision 0023), on the demo data: which sections wait for them, and that nothing on
any home leads to a case, need, consent, share or referral that the person's own page would not show them."""

import random
from collections.abc import Iterator
from io import StringIO

import pytest
from django.urls import resolve, reverse

from agencies import demo as agencies_demo
from agencies.models import User
from cases import demo as cases_demo
from cases import selectors as case_selectors
from cases.models import Case, CaseShare, Need
from cases.selectors.work import consents_expiring_for, shares_awaiting_decision_by, urgent_needs_for
from portal.management.commands.seed_demo import DEMO_SEED
from portal.workqueue import work_queue_for
from protection import demo as protection_demo
from referrals import demo as referrals_demo
from referrals import selectors as referral_selectors
from services_directory import demo as directory_demo
from tests.helpers import kept_for_the_tests

pytestmark = pytest.mark.django_db


def _seed() -> None:
    out, rng = StringIO(), random.Random(DEMO_SEED)
    for module in (agencies_demo, directory_demo, cases_demo, referrals_demo, protection_demo):
        module.seed(rng=rng, stdout=out)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[None]:
    yield from kept_for_the_tests(django_db_blocker, _seed)


def _person(email: str) -> User:
    return User.objects.get(email=email)


# What waits on each demo person's home: the sections, most pressing first (README's people, one of each role).
HOMES = [
    ("dana.reyes@fbi.example", ["needs", "relief-deadlines", "share-decisions", "referrals-changed", "cases"]),
    ("marcus.hale@fbi.example", ["needs", "access", "shares", "relief-deadlines", "referrals-changed", "cases"]),
    ("priya.nair@fbi.example", ["invitations"]),
    ("tom.becker@fbi.example", ["cases"]),
    ("nia.brooks@bpd.example", ["needs", "relief-deadlines", "referrals-changed", "cases"]),
    ("erin.cole@gsp.example", ["needs", "to-answer", "referrals-changed", "cases"]),
    (
        "maria.santos@safeharbor.example",
        ["needs", "consent-requests", "consents", "to-answer", "referrals-changed", "cases"],
    ),
    ("jo.park@safeharbor.example", ["to-answer", "referrals-changed"]),
    ("helen.ward@safeharbor.example", []),
    ("ben.okafor@gclegalaid.example", ["referrals-changed"]),
    ("lena.fischer@bchc.example", ["to-answer", "referrals-changed"]),
    ("carla.diaz@gctf.example", ["overdue", "expired", "referrals-changed", "cases"]),
    ("owen.price@gctf.example", []),
]


@pytest.mark.parametrize(("email", "sections"), HOMES)
def test_each_demo_persons_home_shows_what_waits_for_them(demo, client_as, email, sections):
    user = _person(email)
    assert [section.key for section in work_queue_for(user).waiting] == sections
    page = client_as(user).get(reverse("home")).content.decode()
    for key in sections:
        assert f'data-queue="{key}"' in page
    if not sections:
        assert "Nothing is waiting for you." in page


def _opens(user: User, url: str) -> bool:
    """Whether ``user`` may open the case or referral ``url`` leads to, by its page's selector."""
    match = resolve(url.split("#")[0].split("?")[0])
    if match.url_name == "case_detail":
        return case_selectors.case_list_visible_to(user).filter(pk=match.kwargs["pk"]).exists()
    if match.url_name == "referral_detail":
        return referral_selectors.referral_list_visible_to(user).filter(pk=match.kwargs["pk"]).exists()
    return True  # a list page (people, inbox, board, notices): the person's own


def test_no_home_item_leads_anyone_to_what_they_could_not_open(demo):
    checked = 0
    for user in User.objects.filter(is_active=True):
        for section in work_queue_for(user).waiting:
            for item in section.items:
                assert _opens(user, item.url), (user.email, section.key, item.label)
                checked += 1
    assert checked > 50


def test_urgent_needs_are_those_the_case_pages_show_in_the_cases_each_person_works(demo):
    urgent = {Need.Urgency.EMERGENCY, Need.Urgency.URGENT}
    for user in User.objects.filter(is_active=True):
        expected = set()
        for case in case_selectors.case_list_visible_to(user).exclude(status=Case.Status.CLOSED):
            if case_selectors.CHANGE not in case_selectors.case_permissions(user, case):
                continue
            expected |= {
                need.pk
                for need in case_selectors.needs_visible_to(user, case)
                if need.urgency in urgent and not need.is_met
            }
        assert {need.pk for need in urgent_needs_for(user)} == expected, user.email


def test_shares_to_decide_are_those_whose_case_page_offers_approval(demo):
    requested = list(CaseShare.objects.filter(status=CaseShare.Status.REQUESTED).select_related("case"))
    assert requested
    for user in User.objects.filter(is_active=True):
        deciding = {
            share.pk
            for share in requested
            if case_selectors.DECIDE in case_selectors.case_permissions(user, share.case)
        }
        assert set(shares_awaiting_decision_by(user).values_list("pk", flat=True)) == deciding, user.email


def test_the_requests_to_see_more_wait_on_those_who_answer_them(demo):
    """The demo's request for more access waits on the lead's supervisor, its request for a consent on the shelter's
    people who record consents (decision 0025), and on no one else's home."""
    waiting: dict[str, set[str]] = {"access": set(), "consent-requests": set()}
    for user in User.objects.filter(is_active=True):
        for section in work_queue_for(user).waiting:
            if section.key in waiting:
                assert len(section.items) == 1, (user.email, section.key)
                waiting[section.key].add(user.email)
    assert waiting == {
        "access": {"marcus.hale@fbi.example"},
        "consent-requests": {"maria.santos@safeharbor.example", "grace.obi@safeharbor.example"},
    }


def test_expiring_consents_lead_to_a_case_page_that_lists_them(demo):
    shown = 0
    for user in User.objects.filter(is_active=True):
        for consent in consents_expiring_for(user):
            case = case_selectors.case_get_for_user(user, consent.case_id)
            assert consent in case_selectors.consents_held_by(user, case)
            shown += 1
    assert shown
