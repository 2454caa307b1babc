"""Meeting packets: which task forces and cases a coordinator may put in one, and whether its file may still be
read (docs/decisions/0012-case-packets.md)."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency, TaskForce, User
from cases.models import Case, CaseParticipant, MeetingPacket, Need, Note, Visibility
from cases.selectors.cases import (
    CHANGE,
    VIEW_LE,
    _held,
    can_prepare_meeting_packets,
    case_access_for_user,
    case_list_visible_to,
)
from cases.selectors.dossier import CaseDossier, case_dossier_for
from cases.selectors.records import SENSITIVE_NEEDS

# A packet waiting or being prepared that has not moved for this long is stuck: its worker was killed mid-build, or
# no worker ran. Each step (a case gathered, the typesetting) saves the packet, so a live build moves far more often.
# The purge fails it (cases.services.meeting_packets_purge) and, until then, it does not count toward its
# requester's limit of packets being prepared (docs/decisions/0016-background-work-survives-outages.md).
MEETING_PACKET_STALE_AFTER = timedelta(minutes=15)


def meeting_task_forces_of(user: User) -> QuerySet[TaskForce]:
    """The task forces whose meetings ``user`` may prepare a packet for: those their agency belongs to, if their
    role prepares meeting packets (the coordinator's, docs/architecture.md §4.3)."""
    if not can_prepare_meeting_packets(user):
        return TaskForce.objects.none()
    return TaskForce.objects.filter(agencies=user.agency)


def meeting_cases_for(user: User, task_force: TaskForce, *, since: date | None = None) -> QuerySet[Case]:
    """Open cases of ``task_force`` that ``user`` may see, oldest number first; with ``since``, only those with
    activity from that day on that ``user`` could see: a change to the case, a note for the whole case team by a
    non-provider (or by their own agency), a need of a kind shown without consent, a referral for those who work the
    case. Activity the reader may not see (an LE note, a shelter's note, a medical need) never selects a case: trying
    one day after another must not reveal that, or when, it happened. It may miss activity a consent releases."""
    cases = case_list_visible_to(user).filter(task_force=task_force).exclude(status=Case.Status.CLOSED)
    if since is not None:
        start = timezone.make_aware(datetime.combine(since, time.min))
        own = getattr(user.agency, "pk", None)
        notes = Note.objects.filter(case=OuterRef("pk"), created_at__gte=start, visibility=Visibility.CASE_TEAM).filter(
            ~Q(author_agency__kind=Agency.Kind.VICTIM_SERVICES) | Q(author_agency_id=own)
        )
        needs = (
            Need.objects.filter(case=OuterRef("pk"), updated_at__gte=start)
            .exclude(category__in=list(SENSITIVE_NEEDS))
            # a suspect's need, only for those to whom suspects exist (law-enforcement access)
            .filter(~Exists(_suspect_in_case()) | _held(user, VIEW_LE, "case_id"))
        )
        # through the reverse relation (cases never imports referrals), for those who see a case's referrals; not
        # one carrying a need of a kind shown only with consent (its recipient would tell the need)
        referrals = (
            apps.get_model("referrals", "Referral")
            ._default_manager.filter(case=OuterRef("pk"), updated_at__gte=start)
            .exclude(needs__category__in=list(SENSITIVE_NEEDS))
        )
        active = (
            Q(updated_at__gte=start)
            | Q(Exists(notes))
            | Q(Exists(needs))
            | (Q(Exists(referrals)) & _held(user, CHANGE))
        )
        cases = cases.filter(active).distinct()
    return cases.order_by("number")


def _suspect_in_case() -> QuerySet[CaseParticipant]:
    """Whether the outer row's person (a need's) is a suspect in the outer row's case."""
    return CaseParticipant.objects.filter(
        case_id=OuterRef("case_id"), person_id=OuterRef("person_id"), role=CaseParticipant.Role.SUSPECT
    )


def disclosure_of(dossier: CaseDossier) -> dict[str, Any]:
    """What a packet of ``dossier`` shows, to compare later: the reader's permissions and each person's categories."""
    return {
        "permissions": sorted(dossier.permissions),
        "people": {str(view.pk): sorted(view.categories) for _participant, view in dossier.people if view.categories},
    }


def meeting_packet_still_readable(packet: MeetingPacket) -> bool:
    """Whether the requester may still read everything the packet's file holds: still active, in the same agency,
    preparing packets for its task force, and for each case at least the permissions and, for each person, the
    categories they had when it was built. A share revoked, a consent withdrawn or a change of role since: no."""
    user = packet.requested_by
    if not user.is_active or getattr(user.agency, "pk", None) != packet.agency_id:
        return False
    if not meeting_task_forces_of(user).filter(pk=packet.task_force_id).exists():
        return False
    for case_id, before in packet.disclosed.items():
        try:
            access = case_access_for_user(user, int(case_id))
        except (Http404, PermissionDenied):
            return False
        now = disclosure_of(case_dossier_for(user, access))
        if not set(before["permissions"]) <= set(now["permissions"]):
            return False
        for person_id, categories in before["people"].items():
            if not set(categories) <= set(now["people"].get(person_id, [])):
                return False
    return True


def meeting_packets_of(user: User) -> QuerySet[MeetingPacket]:
    """The meeting packets ``user`` asked for: only they may see or download them."""
    return MeetingPacket.objects.filter(requested_by=user).select_related("task_force")


def meeting_packet_get_for_user(user: User, pk: int) -> MeetingPacket:
    packet = meeting_packets_of(user).filter(pk=pk).first()
    if packet is None:
        raise Http404
    return packet


def meeting_packets_working(user: User, *, now: datetime | None = None) -> QuerySet[MeetingPacket]:
    """The packets ``user`` has waiting or being prepared that still move: the ones their limit counts."""
    since = (now or timezone.now()) - MEETING_PACKET_STALE_AFTER
    return MeetingPacket.objects.filter(requested_by=user, status__in=_WORKING, updated_at__gt=since)


def meeting_packets_stale(*, now: datetime | None = None) -> QuerySet[MeetingPacket]:
    """Packets waiting or being prepared that have not moved for ``MEETING_PACKET_STALE_AFTER``: given up on."""
    since = (now or timezone.now()) - MEETING_PACKET_STALE_AFTER
    return MeetingPacket.objects.filter(status__in=_WORKING, updated_at__lte=since)


_WORKING = [MeetingPacket.Status.QUEUED, MeetingPacket.Status.RUNNING]
