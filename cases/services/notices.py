"""Notices of a share's steps (``CaseNotice``): who is told, written in the step's own transaction. The referrals'
notices page shows them beside the referrals' own (decision 0023)."""

from django.utils import timezone

from agencies.models import User
from cases.models import CaseNotice, CaseShare
from cases.selectors.work import share_deciders_of


def share_notices_send(*, share: CaseShare, verb: str, actor: User) -> None:
    """Tell whoever the step concerns, never the actor: a share asked for goes to the supervisors who decide it,
    its approval or refusal to the person who asked."""
    if verb == CaseNotice.Verb.SHARE_REQUESTED:
        recipients = list(share_deciders_of(share.case).exclude(pk=actor.pk).values_list("pk", flat=True))
    else:
        recipients = [share.granted_by_id] if share.granted_by_id != actor.pk else []
    CaseNotice.objects.bulk_create(
        [CaseNotice(user_id=pk, case_id=share.case_id, share=share, verb=verb, actor=actor) for pk in recipients]
    )


def case_notices_mark_read(*, user: User) -> int:
    return CaseNotice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
