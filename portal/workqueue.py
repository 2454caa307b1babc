"""What is waiting for a person, for the home page: their work queue.

Each domain app offers sections through a function named in ``settings.PORTAL_WORK_QUEUE`` (by dotted path, so
``portal`` imports no domain app, as with ``portal.navigation``). A provider reads through the same selectors as
the page its items lead to, so that the home never shows or counts what that page would not; each section costs a
small fixed number of queries (a capped list, never a count of everything), whatever the person's history holds.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.module_loading import import_string

if TYPE_CHECKING:  # a type only: portal does not import domain apps at run time
    from agencies.models import User

SHOWN = 5  # items a section lists; the rest are on the page its "see all" link leads to
COUNTED = 99  # a count stops here ("99+"): counting everything under a permission filter is what costs

# How pressing a section is: the home lists sections in this order, then by their newest item.
URGENT, ACTION, NEWS, FIGURES = 0, 1, 2, 3


@dataclass(frozen=True)
class WorkItem:
    """One thing waiting: what it is, where it is worked, and when it happened or falls due (``when_label`` says
    which: "Asked", "Answer by"...)."""

    label: str | Promise
    url: str
    detail: str | Promise = ""
    when: datetime | date | None = None
    when_label: str | Promise = ""
    due: bool = False  # ``when`` is a deadline, not the moment it happened
    overdue: bool = False
    tag: str | Promise = ""  # a word standing out beside the label (the urgency, "New")


@dataclass(frozen=True)
class WorkCount:
    """A figure with the page that lists what it counts."""

    label: str | Promise
    value: int
    url: str

    @property
    def shown(self) -> str:
        return f"{COUNTED}+" if self.value > COUNTED else str(self.value)


@dataclass(frozen=True)
class WorkSection:
    """A heading, up to ``SHOWN`` items (or figures), and the page that lists them all when there are more."""

    key: str  # stable, for the page's ids and the tests
    title: str | Promise
    rank: int
    items: Sequence[WorkItem] = ()
    counts: Sequence[WorkCount] = ()
    more_url: str = ""
    more_label: str | Promise = ""
    more: bool = False  # there are more than ``SHOWN``: the link says "see all"

    @property
    def newest(self) -> float:
        moments = [item.when.timestamp() for item in self.items if isinstance(item.when, datetime) and not item.due]
        return max(moments, default=0.0)


def capped[T](rows: QuerySet[Any, T] | Sequence[T]) -> tuple[list[T], bool]:
    """The first ``SHOWN`` of ``rows`` and whether there were more, reading one past ``SHOWN`` (one query for a
    queryset, and no count)."""
    taken = list(rows[: SHOWN + 1])
    return taken[:SHOWN], len(taken) > SHOWN


def count_capped(rows: QuerySet[Any]) -> int:
    """How many ``rows`` hold, counting no further than one past ``COUNTED``."""
    return rows.order_by()[: COUNTED + 1].count()


@dataclass
class WorkQueue:
    sections: list[WorkSection] = field(default_factory=list)

    @property
    def waiting(self) -> list[WorkSection]:
        """The sections with something in them, most pressing first, then the newest."""
        full = [section for section in self.sections if section.items or section.counts]
        return sorted(full, key=lambda section: (section.rank, -section.newest))


def work_queue_for(user: "User | AnonymousUser") -> WorkQueue:
    if not user.is_authenticated:
        return WorkQueue()
    queue = WorkQueue()
    for dotted_path in settings.PORTAL_WORK_QUEUE:
        queue.sections += import_string(dotted_path)(user)
    return queue
