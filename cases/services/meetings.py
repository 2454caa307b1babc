"""Meeting packets: asked for, opened by their requester, withdrawn, and purged when their lifetime is over
(docs/decisions/0012-case-packets.md). The packet is built by ``cases.tasks.build_meeting_packet``."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import TaskForce, User
from cases import selectors
from cases.models import Case, MeetingPacket
from portal.audit import audit_record


def meeting_packet_request(
    *, actor: User, task_force: TaskForce, meeting_on: date, cases: list[Case], request: HttpRequest | None = None
) -> MeetingPacket:
    """Queue a meeting packet of ``cases`` for ``actor``; the task builds it after the transaction commits. Each
    case must be one ``actor`` may see, of ``task_force``: the packet can never hold more than its requester's
    case list."""
    from cases.tasks import build_meeting_packet

    agency = actor.agency
    if agency is None or not selectors.meeting_task_forces_of(actor).filter(pk=task_force.pk).exists():
        raise PermissionDenied
    if not cases:
        raise ValidationError({"cases": _("Choose at least one case.")})
    # A stuck packet (its worker killed) does not count: it must not block its requester until the purge fails it.
    if selectors.meeting_packets_working(actor).count() >= MeetingPacket.MAX_WORKING_PER_PERSON:
        raise ValidationError(
            _("You have %(count)s packets being prepared: wait for one to finish.")
            % {"count": MeetingPacket.MAX_WORKING_PER_PERSON}
        )
    if len(cases) > MeetingPacket.MAX_CASES:
        raise ValidationError({"cases": _("A packet holds at most %(max)s cases.") % {"max": MeetingPacket.MAX_CASES}})
    visible = set(
        selectors.meeting_cases_for(actor, task_force).filter(pk__in=[c.pk for c in cases]).values_list("pk", flat=True)
    )
    if visible != {case.pk for case in cases}:
        raise ValidationError({"cases": _("Some of these cases are not open cases of this task force you may see.")})
    with transaction.atomic():
        packet = MeetingPacket.objects.create(
            requested_by=actor,
            agency=agency,
            task_force=task_force,
            meeting_on=meeting_on,
            steps_total=len(cases) + 1,
        )
        packet.cases.set(cases)
        audit_record(
            action="cases.meeting_packet.requested",
            actor=actor,
            request=request,
            target=packet,
            details={"task_force_id": task_force.pk, "case_ids": sorted(visible)},
        )
        transaction.on_commit(lambda: build_meeting_packet.enqueue(packet.pk))
    return packet


def meeting_packets_purge(*, now: datetime | None = None) -> int:
    """Delete the files of meeting packets past their lifetime (the rows stay, marked expired), and fail those stuck
    waiting or being prepared (``selectors.MEETING_PACKET_STALE_AFTER`` without moving: a worker killed mid-build, or
    none running), so that their page stops polling and says to try again. Each in the requester's agency's audit
    trail. Returns how many. Run every few minutes (``cases.tasks.meeting_packets_purge``) and when a file expires."""
    now = now or timezone.now()
    expired = MeetingPacket.objects.filter(status=MeetingPacket.Status.READY, expires_at__lte=now)
    count = 0
    for packet in expired.select_related("agency"):
        packet.expire()
        _discard_file(packet, action="cases.meeting_packet.deleted")
        count += 1
    return count + _fail_stuck(now)


def _fail_stuck(now: datetime) -> int:
    """Fail the stuck packets, each locked and checked again: a build that moved meanwhile, or that is storing its
    file (``cases.tasks`` locks the packet to finish it), is left alone."""
    failed = 0
    for pk in selectors.meeting_packets_stale(now=now).values_list("pk", flat=True):
        with transaction.atomic():
            stale = selectors.meeting_packets_stale(now=now).filter(pk=pk)
            packet = stale.select_related("agency").select_for_update(of=("self",)).first()
            if packet is None:
                continue
            _fail(packet, now, reason="stuck")
            failed += 1
    return failed


def meeting_packet_lost(packet_id: int, *, now: datetime | None = None) -> bool:
    """Fail the packet whose build was lost with its worker (killed, or cut off by a database outage), when the
    worker reclaims the build (``portal.tasks``, registered in ``CasesConfig.ready``): at once, rather than when the
    purge finds it stuck 15 minutes later. A packet already finished or failed is left as it is."""
    now = now or timezone.now()
    with transaction.atomic():
        working = MeetingPacket.objects.filter(
            pk=packet_id, status__in=[MeetingPacket.Status.QUEUED, MeetingPacket.Status.RUNNING]
        )
        packet = working.select_related("agency").select_for_update(of=("self",)).first()
        if packet is None:
            return False
        _fail(packet, now, reason="worker_lost")
    return True


def _fail(packet: MeetingPacket, now: datetime, *, reason: str) -> None:
    """Fail a locked packet that is waiting or being prepared, in its agency's audit trail."""
    was = packet.status
    packet.fail()
    packet.finished_at = now
    packet.save(update_fields=["status", "finished_at", "updated_at"])
    audit_record(
        action="cases.meeting_packet.failed",
        actor=None,
        target=packet,
        agency=packet.agency,
        details={"reason": reason, "status": was, "steps_done": packet.steps_done},
    )


def _discard_file(packet: MeetingPacket, *, action: str, request: HttpRequest | None = None) -> None:
    """Delete the file of a packet that has just left ``ready`` (or never reached it) and save its new status;
    audited in the requester's agency's trail."""
    if packet.file:
        packet.file.delete(save=False)
    packet.save(update_fields=["file", "status", "updated_at"])
    audit_record(action=action, actor=None, request=request, target=packet, agency=packet.agency)


def meeting_packet_open(packet: MeetingPacket, *, request: HttpRequest | None = None) -> File | None:
    """The file of a ready packet for its requester, if they may still read everything in it; otherwise the packet
    is withdrawn (its file deleted) and ``None`` returned. The download is audited once the file is open."""
    if not packet.is_downloadable():
        return None
    if not selectors.meeting_packet_still_readable(packet):
        packet.withdraw()
        _discard_file(packet, action="cases.meeting_packet.withdrawn", request=request)
        return None
    try:
        handle = packet.file.open("rb")
    except FileNotFoundError:  # purged between the check and the open
        return None
    audit_record(action="cases.meeting_packet.downloaded", request=request, target=packet)
    return handle
