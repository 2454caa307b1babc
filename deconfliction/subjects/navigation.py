from agencies.models import User
from portal.navigation import NavItem


def items(user: User) -> list[NavItem]:
    return []
