from agencies.models import User
from deconfliction.operations import navigation as operations
from deconfliction.subjects import navigation as subjects
from deconfliction.watch import keeps_both
from portal.navigation import NavItem


def items(user: User) -> list[NavItem]:
    """The deconfliction entries of both halves, subjects first. A coordinator keeps one watch of both: the
    operation board is reached from the subject watch, and the watch from the board (``deconfliction.watch``)."""
    found = subjects.items(user) + operations.items(user)
    if keeps_both(user):
        found = [item for item in found if item.url_name != "operation_conflict_board"]
    return found
