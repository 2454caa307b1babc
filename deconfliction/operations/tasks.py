"""Background work of event deconfliction (``django.tasks``, run by ``manage.py run_worker``): the e-mail of each
conflict notice, sent once by the loop all notices share (``portal.notices.email_notices``, docs/decisions/0018): a
task claims a notice with one conditional ``UPDATE`` before its e-mail, so two workers never both send it; a claim
older than the lease is a dead worker's and may be taken again.
"""

from django.conf import settings
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from deconfliction.operations import selectors
from deconfliction.operations.models import OperationNotice
from portal import notices


def _email(notice: OperationNotice) -> None:
    """In its reader's language; only the overlap's window and whom to call (never the case, the target, the place,
    the kind or the notes of either operation), and a link."""
    user, conflict = notice.user, notice.conflict
    if notice.operation_id is not None:
        theirs = conflict.second if notice.operation_id == conflict.first_id else conflict.first
        sides = [selectors.ConflictSide.of(theirs)]
        link = settings.PORTAL_BASE_URL + reverse("operation_conflicts")
    else:
        sides = [selectors.ConflictSide.of(conflict.first), selectors.ConflictSide.of(conflict.second)]
        link = settings.PORTAL_BASE_URL + reverse("operation_conflict_board")
    context = {
        "name": user.full_name,
        "coordinator": notice.operation_id is None,
        "starts": timezone.localtime(conflict.overlap_starts),
        "ends": timezone.localtime(conflict.overlap_ends),
        "sides": sides,
        "link": link,
    }
    notices.mail_reader(
        user,
        "deconfliction/operations/email/conflict_subject.txt",
        "deconfliction/operations/email/conflict_message.txt",
        context,
    )


def _reachable(notice: OperationNotice) -> bool:
    """Nobody deactivated, nor of a deactivated agency, is e-mailed (they may have been when the notice was made)."""
    agency = notice.user.agency
    return notice.user.is_active and agency is not None and agency.is_active


@task()
def email_operation_notices(notice_ids: list[int]) -> int:
    """E-mail each of ``notice_ids`` that this task claims; the number sent. A failed e-mail keeps its claim until
    the lease ends."""
    rows = OperationNotice.objects.select_related(
        "user___membership__agency",
        "conflict__first__agency",
        "conflict__first__case_agent",
        "conflict__second__agency",
        "conflict__second__case_agent",
    )
    return notices.email_notices(rows, notice_ids, _email, reachable=_reachable)
