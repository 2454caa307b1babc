"""The pages a person may go to, for the header and the home page.

Each domain app offers its entries through a function named in ``settings.PORTAL_NAVIGATION`` (by dotted path, so
``portal`` imports no domain app), which asks that app's selectors who may go where: the rule stays in one place.
"""

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.module_loading import import_string

if TYPE_CHECKING:  # a type only: portal does not import domain apps at run time
    from agencies.models import User


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    description: str | Promise  # what the home page says you can do there

    @cached_property
    def url(self) -> str:
        """Read three times by the header (the link and whether it is the current page): reversed once."""
        return reverse(self.url_name)


def navigation_for(user: "User | AnonymousUser") -> list[NavItem]:
    if not user.is_authenticated:
        return []
    items: list[NavItem] = []
    for dotted_path in settings.PORTAL_NAVIGATION:
        items += import_string(dotted_path)(user)
    return items
