from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:  # a type only: portal does not import domain apps at run time
    from agencies.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request that ``LoginRequiredMiddleware`` let through: ``user`` is a signed-in person, never anonymous."""

    user: "User"
    htmx: HtmxDetails  # set by django_htmx's middleware
