"""Background work of cases (``django.tasks``, run by ``manage.py run_worker``): building a meeting packet, and the
purge that deletes it when its lifetime is over and fails the packets stuck by a worker killed mid-build."""

import logging
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.tasks import default_task_backend, task
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from agencies.models import User
from cases import packets, selectors, services
from cases.models import MeetingPacket
from portal.audit import audit_records
from portal.pdf import Typeset, typeset

logger = logging.getLogger(__name__)

PURGE_INTERVAL = timedelta(minutes=5)


@task()
def build_meeting_packet(packet_id: int) -> str:
    """Gather each case as the requester may see it now (one step per case, saved so the page shows progress),
    typeset the whole packet once (the last step), keep the file in private storage, and record one disclosure
    per case included. A case the requester can no longer choose (not visible, closed, moved to another task force)
    is left out, and counted; a requester who no longer prepares packets for the task force gets none."""
    # Claim the packet in one statement: of two workers given the same packet, one builds it.
    if not MeetingPacket.objects.filter(pk=packet_id, status=MeetingPacket.Status.QUEUED).update(
        status=MeetingPacket.Status.RUNNING, updated_at=timezone.now()
    ):
        return MeetingPacket.objects.get(pk=packet_id).status
    packet = MeetingPacket.objects.select_related("requested_by", "task_force").get(pk=packet_id)
    viewer = packet.requested_by
    cases = list(packet.cases.order_by("number"))
    _save(packet, steps_done=0, steps_total=len(cases) + 1)
    still_preparing = viewer.is_active and getattr(viewer.agency, "pk", None) == packet.agency_id
    if not still_preparing or not selectors.meeting_task_forces_of(viewer).filter(pk=packet.task_force_id).exists():
        packet.fail()
        _save(packet, transitioned=True, cases_left_out=len(cases), finished_at=timezone.now())
        return packet.status
    choosable = set(
        selectors.meeting_cases_for(viewer, packet.task_force)
        .filter(pk__in=[case.pk for case in cases])
        .values_list("pk", flat=True)
    )
    try:
        sections = []
        for case in cases:
            try:
                if case.pk not in choosable:
                    raise Http404
                access = selectors.case_access_for_user(viewer, case.pk)
            except (Http404, PermissionDenied):
                packet.cases_left_out += 1
            else:
                sections.append(packets.case_section_context(selectors.case_dossier_for(viewer, access)))
            _save(packet, steps_done=packet.steps_done + 1, cases_left_out=packet.cases_left_out)
        handling = packets.Handling.strictest([section["handling"] for section in sections])
        title = _("Case-coordination meeting, %(task_force)s, %(day)s") % {
            "task_force": packet.task_force.name,
            "day": f"{packet.meeting_on:%Y-%m-%d}",
        }
        context = packets.print_context(viewer, handling, title=title, packet=packet, sections=sections)
        result = typeset(render_to_string("cases/print/meeting_packet.html", context))
        if not _keep(packet, viewer, sections, result):
            packet.refresh_from_db(fields=["status"])
            return packet.status  # given up on as stuck by the purge meanwhile: no file, no disclosure
    except Exception:
        logger.exception("Meeting packet %s failed", packet.pk)
        if packet.file:  # saved before the step that failed: never leave a packet's file behind
            packet.file.delete(save=False)
        packet.refresh_from_db(fields=["status"])  # "ready" goes back with the transaction that failed
        failed_here = can_proceed(packet.fail)  # not if the purge failed it already, as stuck
        if failed_here:
            packet.fail()
        _save(packet, transitioned=failed_here, file="", finished_at=timezone.now())
        raise
    if default_task_backend.supports_defer:  # the database backend; tests purge by calling the service
        meeting_packets_purge.using(run_after=packet.expires_at).enqueue()
    return packet.status


def _keep(packet: MeetingPacket, viewer: User, sections: list[dict[str, Any]], result: Typeset) -> bool:
    """Store the file, mark the packet ready and record one disclosure per case, all or nothing; nothing if the
    packet is no longer running (the purge, which locks it too, failed it as stuck while it was typeset)."""
    now = timezone.now()
    with transaction.atomic():
        running = MeetingPacket.objects.filter(pk=packet.pk, status=MeetingPacket.Status.RUNNING)
        if not running.select_for_update().exists():
            return False
        packet.file.save(f"{packet.pk}.pdf", ContentFile(result.pdf), save=False)
        packet.finish()
        _save(
            packet,
            transitioned=True,
            file=packet.file,
            steps_done=packet.steps_total,
            pages=result.pages,
            finished_at=now,
            expires_at=now + MeetingPacket.LIFETIME,
            disclosed={str(section["case"].pk): selectors.disclosure_of(section["dossier"]) for section in sections},
        )
        audit_records(
            [
                event
                for section in sections
                for event in packets.packet_audit_events(
                    viewer,
                    section["case"],
                    section["dossier"],
                    section["handling"],
                    packet="meeting",
                    meeting_packet_id=packet.pk,
                )
            ]
        )
    return True


def _save(packet: MeetingPacket, *, transitioned: bool = False, **changes: Any) -> None:
    """Save ``changes``, and the packet's status only after a transition (``transitioned``): a progress step never
    writes back a status the purge may have changed meanwhile (a packet stuck past its time is failed there)."""
    for name, value in changes.items():
        setattr(packet, name, value)
    packet.save(update_fields=[*changes, *(["status"] if transitioned else []), "updated_at"])


@task()
def meeting_packets_purge(reschedule: bool = False) -> int:
    """``services.meeting_packets_purge``, run by the worker when a packet's lifetime is over and, with
    ``reschedule``, every ``PURGE_INTERVAL`` (``manage.py meeting_packets_purge --schedule`` starts the chain): a
    packet stuck by a worker killed mid-build is failed even when no build ever succeeds again."""
    try:
        return services.meeting_packets_purge()
    finally:  # an error in one run must not stop the cycle
        if reschedule:
            meeting_packets_purge.using(run_after=timezone.now() + PURGE_INTERVAL).enqueue(reschedule=True)
