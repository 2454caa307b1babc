"""The inbox and the board at scale (issue 13): the inbox shows the open referrals, most urgent first, and the
history on demand; the board's expired referrals are its recent weeks; neither page's queries grow with the
history, and on PostgreSQL their queries can be served by the indexes made for them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from referrals import selectors
from referrals.models import Referral
from referrals.views import EXPIRED_SHOWN_WEEKS
from tests.factories import sent_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(le_case, le_victim, shelter_service, investigator):
    """``send(n)``: ``n`` service referrals to the shelter (in the portal), oldest first."""

    def make(count: int) -> list[Referral]:
        return [sent_referral(le_case, le_victim, shelter_service, by=investigator) for _ in range(count)]

    return make


def _set(referrals: list[Referral], **fields) -> None:
    """Puts rows in a state the services would take longer to reach (``status`` is protected on the model, not in
    an update): what a list reads is the rows."""
    Referral.objects.filter(pk__in=[r.pk for r in referrals]).update(**fields)


def _closed(referrals: list[Referral], *, days_ago: int = 1) -> None:
    _set(
        referrals,
        status=Referral.Status.COMPLETED,
        outcome=Referral.Outcome.SERVICE_DELIVERED,
        closed_at=timezone.now() - timedelta(days=days_ago),
    )


def _expired(referrals: list[Referral], *, weeks_ago: float) -> None:
    deadline = timezone.now() - timedelta(weeks=weeks_ago)
    _set(
        referrals,
        status=Referral.Status.CANCELLED,
        cancel_reason=Referral.CancelReason.EXPIRED,
        respond_by=deadline,
        closed_at=deadline,
    )


def _queries(client, url: str) -> int:
    client.get(url)  # the session, the permissions' caches: what every request after the first does not repeat
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _listed(client, url: str) -> list[int]:
    return [referral.pk for referral in client.get(url).context["page"].object_list]


INBOX, HISTORY = reverse("referral_inbox"), reverse("referral_inbox") + "?show=history"


def test_inbox_and_board_queries_do_not_grow_with_the_history(client_as, provider_staff, coordinator, send):
    inbox, board = client_as(provider_staff), client_as(coordinator)
    send(3)

    def counts() -> tuple[int, int, int]:
        return _queries(inbox, INBOX), _queries(inbox, HISTORY), _queries(board, reverse("referral_board"))

    _closed(send(5))
    _expired(send(5), weeks_ago=1)
    few = counts()
    _closed(send(45))
    _expired(send(45), weeks_ago=1)
    _expired(send(20), weeks_ago=EXPIRED_SHOWN_WEEKS + 2)
    # The history's page is full now: it is counted (a short page is its own count, portal/pagination.py).
    assert counts() == (few[0], few[1] + 1, few[2])


def test_the_inbox_shows_open_referrals_most_urgent_first(client_as, provider_staff, send):
    later, overdue, tied, accepted, completed = send(5)
    now = timezone.now()
    _set([later, tied], respond_by=now + timedelta(hours=4))  # the same deadline: the older one first
    _set([overdue], respond_by=now - timedelta(hours=1))
    _set([accepted], status=Referral.Status.ACCEPTED, respond_by=now + timedelta(hours=2))
    _closed([completed])

    assert _listed(client_as(provider_staff), INBOX) == [overdue.pk, accepted.pk, later.pk, tied.pk]


def test_the_history_shows_closed_referrals_most_recently_closed_first(client_as, provider_staff, send):
    still_open, closed_long_ago, closed_lately, declined = send(4)
    _closed([closed_long_ago], days_ago=30)
    _closed([closed_lately], days_ago=1)
    _set([declined], status=Referral.Status.REJECTED, closed_at=timezone.now())

    page = client_as(provider_staff).get(HISTORY)

    assert [r.pk for r in page.context["page"].object_list] == [declined.pk, closed_lately.pk, closed_long_ago.pk]
    assert still_open.pk not in _listed(client_as(provider_staff), HISTORY)
    assert page.context["history"] is True


def test_the_inbox_pages_in_a_stable_order(client_as, provider_staff, send):
    referrals = send(30)
    _set(referrals, respond_by=timezone.now() + timedelta(hours=1))  # all tied: the order is the id's
    client = client_as(provider_staff)

    shown = _listed(client, INBOX) + _listed(client, INBOX + "?page=2")

    assert shown == [r.pk for r in referrals]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"requested", "received"}),
        ("?status=received", {"received"}),
        ("?overdue=on", {"received"}),
        ("?show=history", {"completed", "rejected"}),
        ("?show=history&status=rejected", {"rejected"}),
        ("?show=nonsense", {"requested", "received"}),  # a form error: the open referrals, as by default
    ],
)
def test_the_filters_work_within_each_list(client_as, provider_staff, send, query, expected):
    _requested, received, completed, rejected = send(4)
    _set([received], status=Referral.Status.RECEIVED, respond_by=timezone.now() - timedelta(hours=1))
    _closed([completed])
    _set([rejected], status=Referral.Status.REJECTED, closed_at=timezone.now())

    shown = Referral.objects.filter(pk__in=_listed(client_as(provider_staff), INBOX + query))

    assert set(shown.values_list("status", flat=True)) == expected


def test_the_inbox_offers_the_statuses_of_the_list_shown(client_as, provider_staff):
    client = client_as(provider_staff)
    open_choices = {value for value, _label in client.get(INBOX).context["filter"].form.fields["status"].choices}
    closed_choices = {value for value, _label in client.get(HISTORY).context["filter"].form.fields["status"].choices}
    assert (open_choices, closed_choices) == (set(Referral.OPEN), set(Referral.CLOSED))


def test_the_board_shows_what_expired_in_its_recent_weeks_and_says_so(client_as, coordinator, send):
    recent, old = send(2)
    _expired([recent], weeks_ago=EXPIRED_SHOWN_WEEKS - 1)
    _expired([old], weeks_ago=EXPIRED_SHOWN_WEEKS + 1)

    response = client_as(coordinator).get(reverse("referral_board"))

    assert [r.pk for r in response.context["expired"]] == [recent.pk]
    assert f"Expired in the last {EXPIRED_SHOWN_WEEKS} weeks" in response.content.decode()
    history = client_as(coordinator).get(reverse("referral_history") + "?status=cancelled")
    assert old.pk in [r.pk for r in history.context["page"].object_list]  # where the older ones are


def test_the_board_leaves_out_an_expired_referral_once_re_routed(client_as, coordinator, send):
    expired, reroute = send(2)
    _expired([expired], weeks_ago=1)
    _set([reroute], rerouted_from=expired)

    assert list(client_as(coordinator).get(reverse("referral_board")).context["expired"]) == []


def test_the_partial_indexes_say_open_and_closed_as_the_model_does():
    """The indexes' conditions spell the statuses out (``Referral.Meta`` cannot name ``Referral.OPEN``); the inbox's
    queries say ``status IN OPEN`` and ``IN CLOSED``, and PostgreSQL uses a partial index only for a query whose
    condition implies the index's."""
    conditions = {index.name: index.condition for index in Referral._meta.indexes if index.condition is not None}
    assert conditions["referral_inbox_open_idx"].children == [("status__in", list(Referral.OPEN))]
    assert conditions["referral_inbox_closed_idx"].children == [("status__in", list(Referral.CLOSED))]


def _plan(queryset) -> str:
    """The plan PostgreSQL would run ``queryset`` with, sequential scans priced out: on the suite's few rows a scan
    of the table is cheapest whatever the indexes, so this shows that the index *can* serve the query."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


@pytest.mark.postgres_only
@pytest.mark.parametrize("closed", [False, True])
def test_postgresql_walks_an_inbox_index_in_the_lists_order(provider_staff, send, closed):
    referrals = send(6)
    _closed(referrals[:3])

    plan = _plan(selectors.referral_inbox_for(provider_staff, closed=closed)[:25])

    assert ("referral_inbox_closed_idx" if closed else "referral_inbox_open_idx") in plan, plan
    assert "Sort" not in plan, plan  # the index gives the order: a page stops after its rows


@pytest.mark.postgres_only
def test_postgresql_reads_the_boards_expired_referrals_through_their_index(coordinator, send):
    _expired(send(4), weeks_ago=1)

    plan = _plan(selectors.expired_to_reroute_for(coordinator, since=timezone.now() - timedelta(weeks=8))[:50])

    assert "referral_expired_idx" in plan, plan
