"""E-mail of the portal's notices, each sent once (docs/decisions/0018-tasks-reclaimed-and-e-mail-sent-once.md): the
one loop that referrals' notifications, tips', relief's and both deconfliction apps' notices go through.

A notice model has two columns for it, ``emailed_at`` (when its e-mail left) and ``email_claimed_at`` (when a worker
took it to send), both nullable date-times. A queued task, a second delivery of it and a sweep may run at the same
time, in several workers; each *claims* a notice before sending it, one conditional ``UPDATE`` (``claim``) whose row
count says who sends: it succeeds only while the notice is not e-mailed and nobody else holds a claim younger than
``EMAIL_CLAIM_LEASE``. The same statement is the lock on PostgreSQL (a second ``UPDATE`` waits for the first, then
finds the claim taken) and on SQLite (writes are serial). Each notice is claimed just before its own e-mail, not the
batch at once, so a task killed half-way holds at most the one it was sending. The claim comes first, before asking
whether the reader is still to be told: a notice another worker holds costs this one a single ``UPDATE``.

``emailed_at`` is set by the statement right after the e-mail: a worker dying between the SMTP server's acceptance
and that ``UPDATE`` (milliseconds) leaves a sent notice looking unsent, to be sent again once the lease has passed;
the one way to send twice. Marking before sending would lose the notice for good on such a death, which costs more.

What differs between the apps is theirs to say (``email_notices``' arguments): what the e-mail says (``send``), who
is still to be told (``reachable``: by default an active account; referrals ask whether the reader still sees the
referral), whether a notice nobody is to be told of is held away from a sweep (``silence_for``), and whether a
failed e-mail keeps its claim until the lease ends or lets it go at once (``release_on_failure``).

``portal`` imports no app above it: the notices come in as querysets, their e-mails as callables."""

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Model, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

# A claim older than this is a dead worker's: longer than any one e-mail can take (the SMTP timeout is 20 s).
EMAIL_CLAIM_LEASE = timedelta(minutes=10)


class Reader(Protocol):
    """Whom a notice's e-mail goes to (an account of ``agencies``, which sits above ``portal``)."""

    @property
    def email(self) -> str: ...

    @property
    def preferred_language(self) -> str: ...


def claim_free(now: datetime) -> Q:
    """The notices nobody holds a live claim on at ``now`` (never claimed, or claimed longer than the lease ago): the
    condition of ``claim`` and of the apps' sweeps of unsent notices."""
    return Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - EMAIL_CLAIM_LEASE)


def claim(model: type[Model], pk: Any, now: datetime) -> bool:
    """Take notice ``pk`` of ``model`` to e-mail it: true for exactly one caller while it is not e-mailed and nobody
    holds a live claim on it. Runs in autocommit (tasks run outside any transaction), so the claim is visible to
    other workers before the e-mail leaves."""
    claimed = model._default_manager.filter(claim_free(now), pk=pk, emailed_at__isnull=True)
    return bool(claimed.update(email_claimed_at=now))


def user_is_active(notice: Any) -> bool:
    """The default of who is still told by e-mail: the notice's reader, if their account is active."""
    return bool(notice.user.is_active)


def email_notices[N: Model](
    notices: QuerySet[N],
    ids: Iterable[Any],
    send: Callable[[N], None],
    *,
    reachable: Callable[[N], bool] = user_is_active,
    silence_for: timedelta | None = None,
    release_on_failure: bool = False,
) -> int:
    """E-mail each notice of ``ids`` not e-mailed yet that this call claims, oldest first (``created_at``, then id);
    the number sent. ``notices`` is the model's queryset with what ``send`` reads (``select_related``); ``send``
    builds and sends one notice's e-mail, and raises if it could not.

    - A notice claimed by another worker, or e-mailed since the rows were read, is skipped: one ``UPDATE`` and
      nothing else, so ``reachable`` (which may query, as referrals' does) runs only for the notices this call holds.
    - A notice whose reader is not ``reachable`` is not e-mailed. Its claim is let go, so any later run may take it
      (should the account come back); with ``silence_for``, the claim is pushed to that long from now instead, so a
      sweep of unsent notices younger than that never takes it again (a share revoked can silence thousands at
      once, which would otherwise crowd out the notices still to send).
    - A failed e-mail (``send`` raised) is logged (the model and id only) and the others go on. Its claim is kept,
      so nobody sends it before the lease ends (a sweep then tries again); with ``release_on_failure`` it is let go
      at once, for the next run to send.
    - A sent one has ``emailed_at`` set: never sent again."""
    model = notices.model
    manager = model._default_manager
    sent = 0
    for notice in notices.filter(pk__in=ids, emailed_at__isnull=True).order_by("created_at", "id"):
        if not claim(model, notice.pk, timezone.now()):
            continue  # another worker sends it, or has sent it since this one read the rows
        if not reachable(notice):
            if silence_for is not None:
                manager.filter(pk=notice.pk).update(email_claimed_at=timezone.now() + silence_for)
            else:
                manager.filter(pk=notice.pk, emailed_at__isnull=True).update(email_claimed_at=None)
            continue
        try:
            send(notice)
        except Exception:
            logger.exception(
                "%s %s could not be e-mailed; %s",
                model._meta.label,
                notice.pk,
                "its claim is let go" if release_on_failure else "its claim holds until the lease ends",
            )
            if release_on_failure:
                manager.filter(pk=notice.pk, emailed_at__isnull=True).update(email_claimed_at=None)
            continue
        manager.filter(pk=notice.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def mail_reader(
    reader: Reader,
    subject_template: str,
    message_template: str,
    context: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
) -> None:
    """E-mail ``reader`` the two templates rendered in their language (the portal's when they chose none).
    ``context`` may be a function, called in that language, for words translated as it is built."""
    with translation.override(reader.preferred_language or settings.LANGUAGE_CODE):
        values = context() if callable(context) else context
        subject = render_to_string(subject_template, dict(values)).strip()
        body = render_to_string(message_template, dict(values))
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[reader.email])
