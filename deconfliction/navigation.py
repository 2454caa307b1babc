from agencies.models import User
from deconfliction.operations import navigation as operations
from deconfliction.subjects import navigation as subjects
from portal.navigation import NavItem


def items(user: User) -> list[NavItem]:
    """The deconfliction entries of both halves, subjects first."""
    return subjects.items(user) + operations.items(user)
