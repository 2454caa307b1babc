"""What the cases services promise about the rows they leave behind, checked after the fact
(``manage.py check_integrity``, docs/backups.md): permission rows that follow exactly from the lead agency and the
active shares, and documents whose files are in private storage.

Each check returns a ``CheckResult``: how many rows it read, the problems it found (ids only, never PII) and
information that is no fault. Costs: every query is a set operation in SQL (``EXISTS`` against the indexed
permission table) whose problem rows are read with ``iterator()``; nothing loads a table. Counting the rows checked
is one ``COUNT(*)`` per table. Only the documents check touches each row from Python, one ``exists()`` on the
storage per document (a ``stat`` on the file system, a HEAD request on object storage), read in chunks.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import reduce
from itertools import islice
from operator import or_

from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.files.storage import Storage
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseShare,
    CaseUserObjectPermission,
    Document,
    MeetingPacket,
)
from cases.selectors import CASE_PERMISSIONS
from cases.services.shares import SHARE_LEVEL_PERMISSIONS

CHUNK = 2000


@dataclass
class CheckResult:
    """One check's counts. ``problems`` holds the first ``limit`` problems found (0: all); ``problem_count`` all."""

    name: str
    limit: int = 100
    checked: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    info: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        self.problem_count += 1
        if not self.limit or len(self.problems) < self.limit:
            self.problems.append(text)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0


def _permission_ids() -> dict[str, int]:
    return dict(
        Permission.objects.filter(content_type__app_label="cases", codename__in=CASE_PERMISSIONS).values_list(
            "codename", "pk"
        )
    )


def check_case_permissions(*, limit: int = 100) -> CheckResult:
    """Every case's lead agency holds the four case permissions (``case_create``); every active share's agency holds
    exactly what ``SHARE_LEVEL_PERMISSIONS`` gives its level; no group row lacks the lead agency or an active share
    behind it; and there are no per-user rows (no service writes them).

    An expired share (still active, ``expires_on`` today or earlier) is handled as ``cases.selectors`` handle it:
    it grants nothing whether its rows are there or not, so its missing rows are not reported, and rows that its
    level covers are not orphans (the share stands behind them until it is revoked)."""
    result = CheckResult("case permissions", limit)
    ids = _permission_ids()
    if len(ids) != len(CASE_PERMISSIONS):  # migrate creates them: without them no row can be read against a level
        result.problem(f"the case permissions {', '.join(sorted(set(CASE_PERMISSIONS) - set(ids)))} do not exist")
        return result
    names = {pk: codename for codename, pk in ids.items()}
    today = timezone.localdate()

    group_rows = CaseGroupObjectPermission.objects.all()
    result.checked = {
        "cases": Case.objects.count(),
        "active shares": CaseShare.objects.filter(status=CaseShare.Status.ACTIVE).count(),
        "permission rows": group_rows.count() + CaseUserObjectPermission.objects.count(),
    }

    # The lead agency's four rows.
    held = {
        codename: Exists(
            group_rows.filter(
                content_object=OuterRef("pk"), group_id=OuterRef("lead_agency__group_id"), permission_id=pk
            )
        )
        for codename, pk in ids.items()
    }
    lacking = Case.objects.annotate(**{f"has_{c}": e for c, e in held.items()}).filter(
        reduce(or_, [Q(**{f"has_{c}": False}) for c in ids])
    )
    for row in lacking.values("pk", "lead_agency_id", *[f"has_{c}" for c in ids]).iterator(chunk_size=CHUNK):
        missing = ", ".join(c for c in ids if not row[f"has_{c}"])
        result.problem(f"case {row['pk']}: its lead agency {row['lead_agency_id']} lacks {missing}")

    # Each live share's rows, as its level gives them.
    live = Q(status=CaseShare.Status.ACTIVE) & (Q(expires_on__isnull=True) | Q(expires_on__gt=today))
    share_held = {
        codename: Exists(
            group_rows.filter(
                content_object=OuterRef("case_id"), group_id=OuterRef("agency__group_id"), permission_id=pk
            )
        )
        for codename, pk in ids.items()
    }
    short = reduce(
        or_,
        [Q(level=level, **{f"has_{c}": False}) for level, names_ in SHARE_LEVEL_PERMISSIONS.items() for c in names_],
    )
    shares = CaseShare.objects.filter(live).annotate(**{f"has_{c}": e for c, e in share_held.items()}).filter(short)
    for row in shares.values("pk", "case_id", "agency_id", "level", *[f"has_{c}" for c in ids]).iterator(
        chunk_size=CHUNK
    ):
        missing = ", ".join(c for c in SHARE_LEVEL_PERMISSIONS[row["level"]] if not row[f"has_{c}"])
        result.problem(
            f"share {row['pk']} (case {row['case_id']}, agency {row['agency_id']}, {row['level']}): lacks {missing}"
        )

    # Group rows with nothing behind them: neither the lead agency nor an active share whose level gives them.
    def backed(pk: int) -> Exists:
        levels = [level for level, codenames in SHARE_LEVEL_PERMISSIONS.items() if names[pk] in codenames]
        return Exists(
            CaseShare.objects.filter(
                case_id=OuterRef("content_object_id"),
                agency__group_id=OuterRef("group_id"),
                status=CaseShare.Status.ACTIVE,
                level__in=levels,
            )
        )

    unbacked = ~Q(permission_id__in=list(names)) | reduce(or_, [Q(permission_id=pk) & ~Q(backed(pk)) for pk in names])
    orphans = group_rows.exclude(content_object__lead_agency__group_id=F("group_id")).filter(unbacked)
    for row in orphans.values("pk", "content_object_id", "group_id", "permission__codename").iterator(chunk_size=CHUNK):
        result.problem(
            f"permission row {row['pk']} (case {row['content_object_id']}, group {row['group_id']}, "
            f"{row['permission__codename']}): no active share or lead agency behind it"
        )
    for row in CaseUserObjectPermission.objects.values(
        "pk", "content_object_id", "user_id", "permission__codename"
    ).iterator(chunk_size=CHUNK):
        result.problem(
            f"user permission row {row['pk']} (case {row['content_object_id']}, user {row['user_id']}, "
            f"{row['permission__codename']}): no service grants a case to one person"
        )
    return result


def _walk(storage: Storage, path: str = "") -> Iterator[str]:
    """Every file name under ``path``, a folder at a time (never the whole tree in memory)."""
    try:
        folders, files = storage.listdir(path)
    except FileNotFoundError:
        return
    prefix = f"{path}/" if path else ""
    for name in files:
        yield prefix + name
    for folder in folders:
        yield from _walk(storage, prefix + folder)


def _chunks(names: Iterable[str], size: int = CHUNK) -> Iterator[list[str]]:
    iterator = iter(names)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _private_file_fields() -> list[tuple[type[models.Model], str]]:
    """Every file field of every installed model that writes to private storage (a case's documents, a meeting
    packet, and those of apps above cases, a tip's attachments, found without importing them)."""
    private = Document._meta.get_field("file").storage
    return [
        (model, file_field.name)
        for model in apps.get_models()
        for file_field in model._meta.get_fields()
        if isinstance(file_field, models.FileField) and file_field.storage is private
    ]


def check_documents(*, limit: int = 100, storage: Storage | None = None) -> CheckResult:
    """Every document row's file is in private storage. As information, not a fault: files in private storage that
    no document or meeting packet names (an upload whose transaction rolled back, or files copied after the dump a
    restore came from), and meeting packets whose file is gone (the purge deletes them after 24 hours, so a backup
    taken while it ran may hold the row and not the file)."""
    # The storage the documents' files were written to: their field's (Django fixes a callable storage when the model
    # loads), which is private storage unless settings changed since (as tests do).
    storage = storage or Document._meta.get_field("file").storage
    result = CheckResult("documents and files", limit)
    documents = 0
    for pk, case_id, name in (
        Document.objects.order_by("pk").values_list("pk", "case_id", "file").iterator(chunk_size=CHUNK)
    ):
        documents += 1
        if not name or not storage.exists(name):
            result.problem(f"document {pk} (case {case_id}): its file is not in private storage")
    packets_missing = 0
    packets = 0
    for _pk, name in MeetingPacket.objects.exclude(file="").values_list("pk", "file").iterator(chunk_size=CHUNK):
        packets += 1
        if not storage.exists(name):
            packets_missing += 1
    files = unreferenced = 0
    for chunk in _chunks(_walk(storage)):
        files += len(chunk)
        named: set[str] = set()
        for model, name in _private_file_fields():
            named |= set(model._default_manager.filter(**{f"{name}__in": chunk}).values_list(name, flat=True))
        unreferenced += sum(1 for name in chunk if name not in named)
    result.checked = {"documents": documents, "meeting packet files": packets, "files in storage": files}
    result.info.append(f"{unreferenced} file(s) in private storage that no row names (harmless)")
    if packets_missing:
        result.info.append(f"{packets_missing} meeting packet(s) whose file is gone (they expire within 24 hours)")
    return result
