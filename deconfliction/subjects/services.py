"""Writing the deconfliction index and telling both sides (decision 0030).

The index is rebuilt per case and per tip (``reindex_cases``, ``reindex_tips``): what should be there is computed
from the case's or tip's current state (``selectors``), compared with what is there, and the difference written in
one transaction. A new entry is matched at once against the other agencies' entries of the same task force; a match
is a ``SubjectConflict`` told to both contacts. A check (``check_subject``) is a match without an entry.
"""

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import Agency, User
from cases.models import Case, CaseParticipant, Person
from deconfliction.subjects import keys, normalise, selectors
from deconfliction.subjects.models import SubjectConflict, SubjectEntry, SubjectNotice
from deconfliction.subjects.tasks import email_subject_notices
from portal.audit import audit_record, audit_records
from tips.models import Tip, TipSubject

logger = logging.getLogger(__name__)

LIFETIME = timedelta(days=365)  # an entry's renewal date after it is written or renewed


@dataclass(frozen=True)
class Wanted:
    """One entry the index should hold, with the normalised value it digests (kept in memory only, to match it
    under every configured key)."""

    task_force_id: int
    kind: str
    normalised: str
    agency: Agency
    contact: User | None
    source: str
    source_id: int
    case_id: int | None = None
    tip_id: int | None = None
    person_id: int | None = None
    side_key: str = ""  # a check's side: its context and agency ("check:case:12:3"); else the source's
    valid_until: date | None = None  # a provider's client: the last day of their consent
    # Whom a match may be told to of this side (``selectors.may_learn_of``): None for law enforcement (anyone), the
    # recipients of a provider's client's consents with their last days, nobody (()) for a provider's check.
    released_to: tuple[tuple[str, str], ...] | None = None

    @property
    def source_key(self) -> str:
        return self.side_key or f"{self.source}:{self.source_id}"

    @property
    def release(self) -> dict[str, str] | None:
        return None if self.released_to is None else dict(self.released_to)


def _participant_identifiers(person: Person) -> set[normalise.Identifier]:
    return normalise.of_person(
        given_name=person.given_name,
        family_name=person.family_name,
        aliases=person.aliases or [],
        date_of_birth=person.date_of_birth,
        phone_number=person.phone,
        email=person.email,
        street_address=person.address,
    )


def _subject_identifiers(subject: TipSubject, received_on: date) -> set[normalise.Identifier]:
    # Someone 30 on the day the tip came was born that year less 30, or the year before (their birthday still to
    # come): both years are indexed, or half of them would never meet their date of birth.
    age = subject.approximate_age
    years = [received_on.year - age, received_on.year - age - 1] if age else [None]
    found: set[normalise.Identifier] = set()
    for birth_year in years:
        found |= normalise.of_subject(
            name=subject.name,
            alias=subject.alias,
            date_of_birth=subject.date_of_birth,
            birth_year=birth_year,
            phone_number=subject.phone,
            email_or_handle_text=subject.email_or_handle,
            vehicle_plate=subject.vehicle_plate,
            vehicle_state=subject.vehicle_state,
            business_name=subject.business,
        )
    return found


def _wanted_for_participants(participants: Iterable[CaseParticipant]) -> list[Wanted]:
    wanted: list[Wanted] = []
    task_forces: dict[int, list[int]] = {}
    for participant in participants:
        if not selectors.participant_indexed(participant):
            continue
        person = participant.person
        agency = person.entered_by_agency
        valid_until, released_to = None, None
        if agency.is_victim_service_provider:
            consents = person.consents.all()
            valid_until = selectors.consent_valid_until(person, consents)
            released_to = tuple(sorted(selectors.consent_released_to(person, consents).items()))
        if agency.pk not in task_forces:
            task_forces[agency.pk] = selectors.task_force_ids_of(agency.pk)
        for kind, value in _participant_identifiers(person):
            for task_force_id in task_forces[agency.pk]:
                wanted.append(
                    Wanted(
                        task_force_id=task_force_id,
                        kind=kind,
                        normalised=value,
                        agency=agency,
                        contact=person.entered_by,  # of the agency holding the person, who entered them
                        source=SubjectEntry.Source.PARTICIPANT,
                        source_id=participant.pk,
                        case_id=participant.case_id,
                        person_id=person.pk,
                        valid_until=valid_until,
                        released_to=released_to,
                    )
                )
    return wanted


def _wanted_for_subjects(subjects: Iterable[TipSubject]) -> list[Wanted]:
    wanted: list[Wanted] = []
    task_forces: dict[int, list[int]] = {}
    for subject in subjects:
        if not selectors.tip_subject_indexed(subject):
            continue
        agency, contact = selectors.tip_holder(subject.tip)
        if agency.pk not in task_forces:
            task_forces[agency.pk] = selectors.task_force_ids_of(agency.pk)
        received_on = timezone.localdate(subject.tip.received_at)
        for kind, value in _subject_identifiers(subject, received_on):
            for task_force_id in task_forces[agency.pk]:
                wanted.append(
                    Wanted(
                        task_force_id=task_force_id,
                        kind=kind,
                        normalised=value,
                        agency=agency,
                        contact=contact,
                        source=SubjectEntry.Source.TIP_SUBJECT,
                        source_id=subject.pk,
                        tip_id=subject.tip_id,
                    )
                )
    return wanted


def _sync(existing: Any, wanted: list[Wanted], *, reason: str) -> list[SubjectEntry]:
    """Make the entries ``existing`` (a queryset) hold exactly ``wanted``; match the new ones. The new entries."""
    key = keys.current()
    today = timezone.localdate()
    by_identity: dict[tuple[int, str, str, int], Wanted] = {}
    for item in wanted:
        digest = keys.digest(key, item.task_force_id, item.kind, item.normalised)
        by_identity[(item.task_force_id, digest, item.source, item.source_id)] = item
    with transaction.atomic():
        held = list(existing.select_for_update())
        stale: list[int] = []
        changed: list[SubjectEntry] = []
        moved: list[Wanted] = []  # entries now held by another agency (a tip assigned on): matched as new ones
        for entry in held:
            identity = (entry.task_force_id, entry.digest, entry.source, entry.source_id)
            kept = by_identity.pop(identity, None) if entry.key_id == key.key_id else None
            if kept is None:
                stale.append(entry.pk)
            elif (
                entry.agency_id != kept.agency.pk
                or entry.contact_id != getattr(kept.contact, "pk", None)
                or entry.valid_until != kept.valid_until
                or entry.released_to != kept.release
            ):
                if entry.agency_id != kept.agency.pk or _releases_more(entry.released_to, kept.release):
                    moved.append(kept)  # matched again: someone may now be told who could not be before
                entry.agency, entry.contact, entry.valid_until = kept.agency, kept.contact, kept.valid_until
                entry.released_to = kept.release
                changed.append(entry)
        if stale:
            SubjectEntry.objects.filter(pk__in=stale).delete()
            if reason != "rotated":  # a rotation rewrites entries, it removes no subject
                _audit_removed(held, stale, reason=reason)
        if changed:
            SubjectEntry.objects.bulk_update(changed, ["agency", "contact", "valid_until", "released_to"])
        _lock_digests([digest for (_tf, digest, _source, _source_id) in by_identity])
        created = SubjectEntry.objects.bulk_create(
            [
                SubjectEntry(
                    task_force_id=item.task_force_id,
                    key_id=key.key_id,
                    digest=digest,
                    kind=item.kind,
                    agency=item.agency,
                    contact=item.contact,
                    entered_on=today,
                    renew_on=today + LIFETIME,
                    valid_until=item.valid_until,
                    released_to=item.release,
                    source=item.source,
                    source_id=item.source_id,
                    case_id=item.case_id,
                    tip_id=item.tip_id,
                    person_id=item.person_id,
                )
                for (_tf, digest, _source, _source_id), item in by_identity.items()
            ],
            ignore_conflicts=True,  # a concurrent reindex of the same case wrote it first
        )
        if by_identity or moved:
            _match([*by_identity.values(), *moved], one_sided=False)
    return created


def _releases_more(before: dict[str, str] | None, after: dict[str, str] | None) -> bool:
    """Whether a provider's client's consents now release a match to an agency, or for longer, than before (a new
    consent naming deconfliction): the entry is matched again, and whoever may now learn of it is told."""
    if after is None or before is None:
        return before is not None and after is None
    return any(last > before.get(agency_id, "") for agency_id, last in after.items())


def _lock_digests(digests: list[str]) -> None:
    """On PostgreSQL, serialise the writers of the same digests until commit (transaction-level advisory locks, taken
    in order): two agencies entering the same phone at the same moment would otherwise each miss the other's
    uncommitted entry, and neither would be told. The second waits for the first and then sees its entry."""
    if not digests or connection.vendor != "postgresql":
        return
    locks = sorted({int(digest[:15], 16) for digest in digests})
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k ORDER BY k", [locks])


def _audit_removed(held: list[SubjectEntry], stale: list[int], *, reason: str) -> None:
    counts: dict[tuple[int, str, int], int] = defaultdict(int)
    for entry in held:
        if entry.pk in stale:
            counts[(entry.agency_id, entry.source, entry.source_id)] += 1
    agencies = Agency.objects.in_bulk({agency_id for agency_id, _source, _source_id in counts})
    audit_records(
        [
            {
                "action": "deconfliction.entries.removed",
                "agency": agencies[agency_id],
                "details": {"source": source, "source_id": source_id, "count": count, "reason": reason},
            }
            for (agency_id, source, source_id), count in counts.items()
        ]
    )


def reindex_cases(case_ids: Iterable[int | None], *, reason: str = "changed") -> list[SubjectEntry]:
    """Bring the index up to date for the participants of ``case_ids`` (none once a case is closed)."""
    ids = sorted({pk for pk in case_ids if pk is not None})
    if not ids:
        return []
    participants = selectors.participants_of(case_ids=ids)
    existing = SubjectEntry.objects.filter(source=SubjectEntry.Source.PARTICIPANT, case_id__in=ids)
    return _sync(existing, _wanted_for_participants(participants), reason=reason)


def reindex_person(person_id: int, *, reason: str = "changed") -> list[SubjectEntry]:
    """Every case of a person (their details changed, or a consent was recorded, revoked or expired)."""
    case_ids: set[int | None] = set(selectors.case_ids_of_person(person_id))
    case_ids |= set(SubjectEntry.objects.filter(person_id=person_id).values_list("case_id", flat=True))
    return reindex_cases(case_ids, reason=reason)


def reindex_agency(agency_id: int) -> list[SubjectEntry]:
    """Every case and tip whose subjects ``agency`` holds (it joined a task force: its entries are written there too;
    one that left matches nothing from that moment, ``selectors.in_task_force``, and its entries go here)."""
    case_ids: set[int | None] = set(
        CaseParticipant.objects.filter(person__entered_by_agency=agency_id).values_list("case_id", flat=True)
    )
    tip_ids: set[int | None] = set(
        Tip.objects.filter(Q(assigned_agency=agency_id) | Q(assigned_agency__isnull=True, receiving_agency=agency_id))
        .filter(status__in=Tip.OPEN)
        .values_list("pk", flat=True)
    )
    held = SubjectEntry.objects.filter(agency=agency_id)
    case_ids |= set(held.exclude(case_id=None).values_list("case_id", flat=True))
    tip_ids |= set(held.exclude(tip_id=None).values_list("tip_id", flat=True))
    return [*reindex_cases(case_ids, reason="task_force"), *reindex_tips(tip_ids, reason="task_force")]


def reindex_tips(tip_ids: Iterable[int | None], *, reason: str = "changed") -> list[SubjectEntry]:
    """Bring the index up to date for the subjects of ``tip_ids`` (none once a tip is closed, referred or gone)."""
    ids = sorted({pk for pk in tip_ids if pk is not None})
    if not ids:
        return []
    existing = SubjectEntry.objects.filter(source=SubjectEntry.Source.TIP_SUBJECT, tip_id__in=ids)
    return _sync(existing, _wanted_for_subjects(selectors.tip_subjects_of(ids)), reason=reason)


def reindex_all() -> int:
    """The whole index from cases and tips (the demo, and after a restore). The entries created."""
    created = 0
    case_ids = list(Case.objects.exclude(status=Case.Status.CLOSED).values_list("pk", flat=True))
    for start in range(0, len(case_ids), 200):
        created += len(reindex_cases(case_ids[start : start + 200], reason="rebuilt"))
    tip_ids = list(Tip.objects.filter(status__in=Tip.OPEN).values_list("pk", flat=True))
    for start in range(0, len(tip_ids), 200):
        created += len(reindex_tips(tip_ids[start : start + 200], reason="rebuilt"))
    return created


# Matching ----------------------------------------------------------------------------------------------------


def _candidates(items: list[Wanted], *, law_enforcement_only: bool) -> list[tuple[Wanted, SubjectEntry]]:
    """The other agencies' entries matching ``items``, under any configured key (one query)."""
    digests: dict[tuple[int, str, str], Wanted] = {}
    for item in items:
        for key in keys.configured():
            digest = keys.digest(key, item.task_force_id, item.kind, item.normalised)
            digests[(item.task_force_id, key.key_id, digest)] = item
    found = SubjectEntry.objects.filter(
        task_force_id__in={task_force_id for task_force_id, _key_id, _digest in digests},
        digest__in=sorted({digest for _tf, _key_id, digest in digests}),
    ).filter(selectors.in_task_force(), selectors.still_valid())
    found = found.select_related("agency", "contact")
    if law_enforcement_only:
        found = found.filter(agency__kind__in=selectors.LAW_ENFORCEMENT_KINDS)
    pairs = []
    for entry in found:
        matched = digests.get((entry.task_force_id, entry.key_id, entry.digest))
        if matched is not None and entry.agency_id != matched.agency.pk:
            pairs.append((matched, entry))
    return pairs


def _match(items: list[Wanted], *, one_sided: bool, request: HttpRequest | None = None) -> list[SubjectConflict]:
    """Record and tell the conflicts between ``items`` (new entries, or a check's identifiers) and the entries they
    match; return those told to the ``items``' side (a check's answer).

    Each side is told of the other only where the other's release allows it (``selectors.may_learn_of``): a
    law-enforcement side anyone, a provider's client only the agencies its consents name, a provider's check nobody
    (``one_sided``: it matches law enforcement only). The side told is ``b``; both told, the conflict is two-sided.
    A pair met again adds its new kinds, tells whoever may now learn of it who could not before, tells both again of
    a new kind, and reopens a settled conflict on a new kind."""
    groups: dict[tuple[str, str], list[tuple[Wanted, SubjectEntry]]] = defaultdict(list)
    for item, entry in _candidates(items, law_enforcement_only=one_sided):
        groups[(f"{entry.source}:{entry.source_id}", item.source_key)].append((item, entry))
    _lock_pairs(list(groups))
    told_items: list[SubjectConflict] = []
    for (entry_key, item_key), pairs in sorted(groups.items()):
        item, entry = pairs[0]
        kinds = sorted({entry.kind for _item, entry in pairs})
        item_told = selectors.may_learn_of(entry.released_to, item.agency.pk)
        entry_told = selectors.may_learn_of(item.release, entry.agency_id)
        if not (item_told or entry_told):
            continue
        told = {item.agency.pk} if item_told else set()
        told |= {entry.agency_id} if entry_told else set()
        conflict = _pair(entry_key, item_key)
        if conflict is None:
            entry_side = (entry.agency, entry.contact, entry_key)
            item_side = (item.agency, item.contact, item_key)
            (a_agency, a_contact, a_key), (b_agency, b_contact, b_key) = (
                (entry_side, item_side) if item_told else (item_side, entry_side)
            )
            try:
                with transaction.atomic():
                    conflict = SubjectConflict.objects.create(
                        task_force_id=entry.task_force_id,
                        kinds=kinds,
                        a_agency=a_agency,
                        a_contact=a_contact,
                        a_key=a_key,
                        b_agency=b_agency,
                        b_contact=b_contact,
                        b_key=b_key,
                        one_sided=not (item_told and entry_told),
                    )
            except IntegrityError:  # recorded by a concurrent match a moment ago (PostgreSQL waits on the pair lock)
                conflict = _pair(entry_key, item_key)
                assert conflict is not None
                _met_again(conflict, kinds, told, request=request)
            else:
                _tell(conflict, [b_agency] if conflict.one_sided else [b_agency, a_agency], request=request)
        else:
            _met_again(conflict, kinds, told, request=request)
        if item_told:
            told_items.append(conflict)
    return told_items


def _pair(one_key: str, other_key: str) -> SubjectConflict | None:
    return (
        SubjectConflict.objects.select_for_update()
        .filter(Q(a_key=one_key, b_key=other_key) | Q(a_key=other_key, b_key=one_key))
        .select_related("a_agency", "b_agency")
        .first()
    )


def _lock_pairs(pairs: list[tuple[str, str]]) -> None:
    """On PostgreSQL, serialise the matches of the same pair until commit, as ``_lock_digests`` serialises writers
    of the same digest: two identical checks at the same moment are then one conflict and one answer, not a
    unique-constraint error. (On SQLite, writers are serialised by the database lock, and a pair recorded first by
    another is caught as an ``IntegrityError``.)"""
    if not pairs or connection.vendor != "postgresql":
        return
    locks = sorted({int(hashlib.sha256("\x1f".join(sorted(pair)).encode()).hexdigest()[:15], 16) for pair in pairs})
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k ORDER BY k", [locks])


def _met_again(
    conflict: SubjectConflict, kinds: list[str], told: set[int], *, request: HttpRequest | None = None
) -> None:
    """A pair already recorded matched again: on a new kind both sides told so far hear of it again (and a settled
    conflict is open again: "not the same person" was judged on less); a side that may now learn of the other (a
    consent naming it) is told for the first time."""
    before = {conflict.b_agency_id} if conflict.one_sided else {conflict.a_agency_id, conflict.b_agency_id}
    new_kinds = sorted(set(kinds) - set(conflict.kinds))
    newly = told - before
    if not new_kinds and not newly:
        return
    fields: list[str] = []
    if new_kinds:
        conflict.kinds = sorted(set(conflict.kinds) | set(kinds))
        fields.append("kinds")
    if newly and conflict.one_sided:
        conflict.one_sided = False  # b was told from the first; a is told now
        fields.append("one_sided")
    reopened = bool(new_kinds) and conflict.status == SubjectConflict.Status.RESOLVED
    if reopened:
        conflict.status = SubjectConflict.Status.OPEN
        fields.append("status")
    conflict.save(update_fields=fields)
    if reopened:
        audit_record(
            action="deconfliction.subject.conflict_reopened",
            target=conflict,
            agency=conflict.b_agency,
            details={"kinds": new_kinds, "resolution": conflict.resolution},
        )
    to_tell = (before | newly) if new_kinds else newly
    sides = [agency for agency in (conflict.b_agency, conflict.a_agency) if agency.pk in to_tell]
    _tell(conflict, sides, request=request)


def _tell(conflict: SubjectConflict, sides: list[Agency], *, request: HttpRequest | None = None) -> None:
    """A notice to each side's contact (``sides``: the agencies told), its e-mail after the commit, and the
    disclosure in the audit trail (which agencies learnt of each other, on what kinds; never a case)."""
    contacts = {conflict.a_agency_id: conflict.a_contact, conflict.b_agency_id: conflict.b_contact}
    told = [
        user
        for agency in sides
        for user in selectors.recipients_for(agency, contacts[agency.pk], conflict.task_force_id)
    ]
    notices = SubjectNotice.objects.bulk_create([SubjectNotice(user=user, conflict=conflict) for user in told])
    details = {
        "kinds": conflict.kinds,
        "a_agency_id": conflict.a_agency_id,
        "b_agency_id": conflict.b_agency_id,
        "one_sided": conflict.one_sided,
        "told_agency_ids": [agency.pk for agency in sides],
        "told_user_ids": [user.pk for user in told],
    }
    # One row in the trail of each agency told, so each side's auditors see what was disclosed to and of it. The
    # request (its address and browser) is the checker's: only in their own agency's row.
    actor = getattr(request, "user", None) if request is not None else None
    checker_agency = getattr(getattr(actor, "agency", None), "pk", None)
    for agency in sides:
        audit_record(
            action="deconfliction.subject.conflict_found",
            actor=actor,
            target=conflict,
            agency=agency,
            details=details,
            request=request if agency.pk == checker_agency else None,
        )
    notice_ids = [notice.pk for notice in notices]
    if notice_ids:
        transaction.on_commit(lambda: email_subject_notices.enqueue(notice_ids), robust=True)


# Checks ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    searched: int  # identifiers searched
    conflicts: list[SubjectConflict]


def check_subject(
    *, user: User, context: Case | Tip, identifiers: set[normalise.Identifier], request: HttpRequest | None = None
) -> CheckResult:
    """Match what ``user`` typed against the index without writing an entry. Law enforcement matches everyone in
    the index, and both sides are told; a victim service provider matches law enforcement only, and only the
    provider is told (decision 0030)."""
    agency = user.agency
    assert agency is not None
    one_sided = agency.is_victim_service_provider
    context_kind = "case" if isinstance(context, Case) else "tip"
    items = [
        Wanted(
            task_force_id=task_force_id,
            kind=kind,
            normalised=value,
            agency=agency,
            contact=user,
            source=SubjectEntry.Source.CHECK,
            source_id=context.pk,
            # The same check again from the same case or tip is the same conflict, not a new notice.
            side_key=f"check:{context_kind}:{context.pk}:{agency.pk}",
            # A provider's check tells nobody but the provider (law enforcement's, anyone it matches).
            released_to=() if one_sided else None,
        )
        for task_force_id in selectors.task_force_ids_of(agency.pk)
        for kind, value in sorted(identifiers)
    ]
    with transaction.atomic():
        conflicts = _match(items, one_sided=one_sided, request=request) if items else []
        # In the agency's trail, not the case's activity (which a partner with a share may read): the context is
        # named in the details.
        audit_record(
            action="deconfliction.subject.checked",
            actor=user,
            request=request,
            details={
                "context": context_kind,
                "context_id": context.pk,
                "kinds": sorted({kind for kind, _value in identifiers}),
                "matches": len(conflicts),
                "conflict_ids": [conflict.pk for conflict in conflicts],
            },
        )
    return CheckResult(searched=len(identifiers), conflicts=conflicts)


def check_refused(*, user: User, context: Case | Tip, request: HttpRequest | None = None) -> None:
    audit_record(
        action="deconfliction.subject.check_refused",
        actor=user,
        request=request,
        outcome="denied",
        details={
            "reason": "rate_limit",
            "context": "case" if isinstance(context, Case) else "tip",
            "context_id": context.pk,
        },
    )


# The watch ---------------------------------------------------------------------------------------------------


def conflict_resolve(
    *, conflict: SubjectConflict, resolution: str, note: str, actor: User, request: HttpRequest | None = None
) -> SubjectConflict:
    """The coordinator records how the two sides settled it (the conflict must be on their watch)."""
    selectors.watch_conflict_for(actor, conflict.pk)
    if resolution not in SubjectConflict.Resolution.values:
        raise ValueError(resolution)
    with transaction.atomic():
        conflict = SubjectConflict.objects.select_for_update().get(pk=conflict.pk)
        conflict.status = SubjectConflict.Status.RESOLVED
        conflict.resolution = resolution
        conflict.resolution_note = note
        conflict.resolved_by = actor
        conflict.resolved_at = timezone.now()
        conflict.save(update_fields=["status", "resolution", "resolution_note", "resolved_by", "resolved_at"])
        audit_record(
            action="deconfliction.subject.conflict_resolved",
            actor=actor,
            request=request,
            target=conflict,
            details={"resolution": resolution},
        )
    return conflict


def notices_mark_read(*, user: User) -> int:
    return selectors.unread_notices_of(user).update(read_at=timezone.now())


# Expiry and rotation -----------------------------------------------------------------------------------------


def entries_expire(*, today: date | None = None) -> tuple[int, int]:
    """Entries past their renewal date: renewed for a year while their case or tip is open (and a provider's client
    still consents), else deleted. Consents that ended since the last run take their client's entries with them.
    The number (renewed, deleted)."""
    day = today or timezone.localdate()
    due = SubjectEntry.objects.filter(renew_on__lte=day)
    case_ids: set[int | None] = set(due.values_list("case_id", flat=True))
    tip_ids: set[int | None] = set(due.values_list("tip_id", flat=True))
    # A provider's clients are re-read every run: a consent ends without a job (cases.models.Consent).
    case_ids |= set(
        SubjectEntry.objects.filter(agency__kind=Agency.Kind.VICTIM_SERVICES)
        .exclude(case_id=None)
        .values_list("case_id", flat=True)
    )
    before = SubjectEntry.objects.count()
    created = len(reindex_cases(case_ids, reason="expired")) + len(reindex_tips(tip_ids, reason="expired"))
    renewed = SubjectEntry.objects.filter(renew_on__lte=day).update(renew_on=day + LIFETIME)
    deleted = before + created - SubjectEntry.objects.count()
    return renewed, deleted


def rotate(*, batch: int = 1000) -> int:
    """Re-derive every entry under the current key, batch by batch, without downtime: each case and tip still
    under an older key is rebuilt in its own transaction (writing the new digests, deleting the old), and checks
    meanwhile match under every configured key. The number of entries rewritten."""
    current = keys.current().key_id
    rewritten = 0
    while True:
        old = SubjectEntry.objects.exclude(key_id=current)
        case_ids = list(old.exclude(case_id=None).values_list("case_id", flat=True).distinct()[:batch])
        tip_ids = list(old.exclude(tip_id=None).values_list("tip_id", flat=True).distinct()[:batch])
        if not case_ids and not tip_ids:
            return rewritten
        before = old.count()
        reindex_cases(case_ids, reason="rotated")
        reindex_tips(tip_ids, reason="rotated")
        after = SubjectEntry.objects.exclude(key_id=current).count()
        if after >= before:  # nothing moved: entries of a source that no longer exists
            SubjectEntry.objects.exclude(key_id=current).filter(
                Q(case_id__in=case_ids) | Q(tip_id__in=tip_ids)
            ).delete()
        rewritten += before - after
