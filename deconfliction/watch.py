"""The coordinator's one watch over both halves (decisions 0030 and 0031): open subject conflicts and open operation
conflicts, each on its own page, reached from one navigation entry and linked to each other with their counts."""

from typing import Any

from agencies.models import User
from deconfliction.operations import selectors as operations
from deconfliction.subjects import selectors as subjects


def keeps_both(user: User) -> bool:
    return subjects.can_watch(user) and operations.can_resolve_conflicts(user)


def watch_tabs(user: User, current: str) -> dict[str, Any] | None:
    """The two pages of the watch with their open counts (``current``: "subjects" or "operations"); None for one who
    keeps only one of them."""
    if not keeps_both(user):
        return None
    return {
        "current": current,
        "subjects": subjects.watch_for(user).count(),
        "operations": operations.open_conflicts_coordinated_by(user).count(),
    }
