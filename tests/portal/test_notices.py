"""The one loop that e-mails the portal's notices, each once (``portal.notices``, decision 0018): what it promises
whatever the app. A tip's notice of a purge stands in for any notice (it needs nothing but a reader); the apps'
own tests show each one's e-mail and rules. Times are moved by ageing the rows, never by waiting."""

from datetime import timedelta
from pathlib import Path
from smtplib import SMTPRecipientsRefused

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from portal import notices
from portal.notices import EMAIL_CLAIM_LEASE, claim, claim_free, email_notices, mail_reader
from tests.factories import UserFactory
from tips.models import TipNotice


@pytest.fixture
def reader(db):
    return UserFactory(email="reader@agency.example", full_name="Rae Reader", preferred_language="es")


def made(user, *, number: int, age: timedelta = timedelta(minutes=1)) -> int:
    return TipNotice.objects.create(user=user, verb="purge", tip_number=number, created_at=timezone.now() - age).pk


def send(notice: TipNotice) -> None:
    """The app's part: one e-mail, naming the notice's number only."""
    mail.send_mail(
        subject=f"Notice {notice.tip_number}", message="", from_email=None, recipient_list=[notice.user.email]
    )


def rows():
    return TipNotice.objects.select_related("user")


def subjects() -> list[str]:
    return [message.subject for message in mail.outbox]


def claimed_at(pk: int):
    return TipNotice.objects.values_list("email_claimed_at", flat=True).get(pk=pk)


def test_each_notice_is_sent_once_oldest_first_and_marked(reader):
    newer = made(reader, number=2, age=timedelta(minutes=1))
    older = made(reader, number=1, age=timedelta(minutes=5))
    assert email_notices(rows(), [newer, older], send) == 2
    assert subjects() == ["Notice 1", "Notice 2"]
    assert not TipNotice.objects.filter(emailed_at__isnull=True).exists()
    assert email_notices(rows(), [newer, older], send) == 0  # a second run, or the same task delivered twice
    assert len(mail.outbox) == 2


def test_only_the_ids_given_are_sent(reader):
    asked, other = made(reader, number=1), made(reader, number=2)
    assert email_notices(rows(), [asked], send) == 1
    assert subjects() == ["Notice 1"]
    assert TipNotice.objects.get(pk=other).emailed_at is None


def test_of_claims_on_one_notice_one_wins_until_its_lease_runs_out(reader):
    pk = made(reader, number=1)
    now = timezone.now()
    assert [
        claim(TipNotice, pk, now),
        claim(TipNotice, pk, now),
        claim(TipNotice, pk, now + EMAIL_CLAIM_LEASE - timedelta(seconds=1)),
    ] == [True, False, False]
    assert claim(TipNotice, pk, now + EMAIL_CLAIM_LEASE + timedelta(seconds=1)) is True  # its worker died


def test_an_emailed_notice_is_never_claimed_again(reader):
    pk = made(reader, number=1)
    TipNotice.objects.filter(pk=pk).update(emailed_at=timezone.now(), email_claimed_at=timezone.now())
    assert claim(TipNotice, pk, timezone.now() + timedelta(days=30)) is False


@pytest.mark.parametrize(
    ("claimed", "sent"),
    [
        (timedelta(minutes=1), 0),  # a live worker holds it: left to it
        (EMAIL_CLAIM_LEASE - timedelta(seconds=5), 0),
        (EMAIL_CLAIM_LEASE + timedelta(seconds=5), 1),  # its worker died: taken over
    ],
)
def test_a_claimed_notice_is_left_to_its_worker_until_the_lease_ends(reader, claimed, sent):
    pk = made(reader, number=1)
    TipNotice.objects.filter(pk=pk).update(email_claimed_at=timezone.now() - claimed)
    assert email_notices(rows(), [pk], send) == sent
    assert len(mail.outbox) == sent
    assert (TipNotice.objects.get(pk=pk).emailed_at is not None) == bool(sent)


def test_a_notice_claimed_while_this_run_was_reading_is_skipped(reader):
    """Another worker claims the second notice while this run sends the first: this run leaves it."""
    first, second = made(reader, number=1, age=timedelta(minutes=2)), made(reader, number=2)

    def send_while_another_claims(notice: TipNotice) -> None:
        if notice.pk == first:
            assert claim(TipNotice, second, timezone.now())  # worker B, in the middle of this run's first e-mail
        send(notice)

    assert email_notices(rows(), [first, second], send_while_another_claims) == 1
    assert subjects() == ["Notice 1"]
    assert TipNotice.objects.get(pk=second).emailed_at is None


def refused(failing: int):
    def send_or_refuse(notice: TipNotice) -> None:
        if notice.pk == failing:
            raise SMTPRecipientsRefused({notice.user.email: (550, b"no")})
        send(notice)

    return send_or_refuse


def test_a_failed_email_keeps_its_claim_until_the_lease_ends_and_the_others_go_on(reader):
    failing, other = made(reader, number=1, age=timedelta(minutes=2)), made(reader, number=2)
    assert email_notices(rows(), [failing, other], refused(failing)) == 1
    assert subjects() == ["Notice 2"]
    assert claimed_at(failing) is not None
    assert email_notices(rows(), [failing], send) == 0  # refused a moment ago: its claim holds
    TipNotice.objects.filter(pk=failing).update(email_claimed_at=timezone.now() - EMAIL_CLAIM_LEASE - timedelta(1))
    assert email_notices(rows(), [failing], send) == 1
    assert subjects() == ["Notice 2", "Notice 1"]


def test_a_failed_email_lets_its_claim_go_when_asked(reader):
    failing = made(reader, number=1)
    assert email_notices(rows(), [failing], refused(failing), release_on_failure=True) == 0
    assert claimed_at(failing) is None
    assert TipNotice.objects.get(pk=failing).emailed_at is None
    assert email_notices(rows(), [failing], send, release_on_failure=True) == 1  # the next run sends it


def test_a_failure_is_logged_with_the_model_and_id_only(reader, caplog):
    failing = made(reader, number=1)
    email_notices(rows(), [failing], refused(failing))
    [record] = [r for r in caplog.records if r.name == "portal.notices"]
    assert (
        record.getMessage() == f"tips.TipNotice {failing} could not be e-mailed; its claim holds until the lease ends"
    )
    assert reader.email not in record.getMessage()


def test_an_inactive_reader_is_not_emailed_and_their_notices_claim_is_let_go(reader):
    pk = made(reader, number=1)
    reader.is_active = False
    reader.save(update_fields=["is_active"])
    assert email_notices(rows(), [pk], send) == 0
    assert mail.outbox == []
    assert claimed_at(pk) is None  # free again: a later run finds it, should the account come back
    reader.is_active = True
    reader.save(update_fields=["is_active"])
    assert email_notices(rows(), [pk], send) == 1


def test_the_app_says_who_is_still_told_and_may_hold_the_others_away_from_a_sweep(reader):
    told, silenced = made(reader, number=1, age=timedelta(minutes=2)), made(reader, number=2)
    hold = timedelta(days=2)
    assert email_notices(rows(), [told, silenced], send, reachable=lambda n: n.pk == told, silence_for=hold) == 1
    assert subjects() == ["Notice 1"]
    held = claimed_at(silenced)
    assert held is not None
    assert held > timezone.now() + hold - timedelta(minutes=1)
    # Free again only once the hold and a lease have passed: a sweep of the last two days never takes it.
    assert not TipNotice.objects.filter(claim_free(timezone.now() + hold), pk=silenced).exists()
    assert TipNotice.objects.filter(claim_free(held + EMAIL_CLAIM_LEASE + timedelta(seconds=1)), pk=silenced).exists()


def test_who_is_still_told_is_asked_only_once_the_notice_is_claimed(reader):
    """The claim first: ``reachable`` sees this call's claim on the notice, never a notice left unclaimed."""
    pk = made(reader, number=1)
    seen = []

    def reachable(notice: TipNotice) -> bool:
        seen.append(claimed_at(notice.pk))
        return True

    assert email_notices(rows(), [pk], send, reachable=reachable) == 1
    assert len(seen) == 1
    assert seen[0] is not None


def updates_of(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]


def test_a_notice_another_worker_holds_costs_one_update_and_no_question_of_who_is_told(reader):
    """Referrals' ``reachable`` runs several queries: a notice held elsewhere must not pay for them."""
    pk = made(reader, number=1)
    held = timezone.now() - timedelta(minutes=1)
    TipNotice.objects.filter(pk=pk).update(email_claimed_at=held)
    asked = []

    def reachable(notice: TipNotice) -> bool:
        asked.append(notice.pk)
        return TipNotice.objects.filter(pk=notice.pk, user__is_active=True).exists()  # a query, as referrals' are

    with CaptureQueriesContext(connection) as queries:
        assert email_notices(rows(), [pk], send, reachable=reachable, silence_for=timedelta(days=2)) == 0
    assert asked == []
    assert len(updates_of(queries)) == 1  # the claim, refused
    assert len(queries) == 1 + 1
    assert claimed_at(pk) == held  # the other worker's claim, untouched
    assert mail.outbox == []


@pytest.mark.parametrize("silence_for", [None, timedelta(days=2)])
def test_a_reader_no_longer_told_costs_a_claim_and_its_release_or_hold(reader, silence_for):
    ids = [made(reader, number=number) for number in range(3)]
    with CaptureQueriesContext(connection) as queries:
        assert email_notices(rows(), ids, send, reachable=lambda n: False, silence_for=silence_for) == 0
    assert len(updates_of(queries)) == 2 * 3
    assert len(queries) == 1 + 2 * 3
    assert all((claimed_at(pk) is None) == (silence_for is None) for pk in ids)


def test_each_notice_costs_a_claim_and_a_mark(reader):
    """One read of the rows, then two statements a notice (the claim, the mark): never a batch claimed at once."""
    ids = [made(reader, number=number) for number in range(3)]
    with CaptureQueriesContext(connection) as queries:
        assert email_notices(rows(), ids, send) == 3
    assert len(updates_of(queries)) == 6
    assert len(queries) == 1 + 6


def test_the_email_is_rendered_in_the_readers_language(reader):
    languages = []

    def context() -> dict:
        languages.append(translation.get_language())
        return {"number": 7, "name": reader.full_name}

    with translation.override("en"):
        mail_reader(reader, "tips/email/purge_subject.txt", "tips/email/purge_message.txt", context)
        assert translation.get_language() == "en"
    assert languages == ["es"]
    [message] = mail.outbox
    assert message.to == [reader.email]
    assert "7" in message.subject
    assert "\n" not in message.subject
    assert message.body.startswith(f"Hola, {reader.full_name}")


def test_a_reader_without_a_language_gets_the_portals(reader, settings):
    reader.preferred_language = ""
    mail_reader(reader, "tips/email/purge_subject.txt", "tips/email/purge_message.txt", {"number": 7, "name": "X"})
    assert mail.outbox[0].body.startswith("Hello X")


def test_portal_imports_no_app_above_it():
    source = Path(notices.__file__).read_text(encoding="utf-8")
    for app in ("agencies", "cases", "referrals", "tips", "deconfliction", "protection", "prosecution", "reports"):
        assert f"from {app}" not in source
        assert f"import {app}" not in source
