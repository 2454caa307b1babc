"""A database outage answers 503, "try again in a moment", wherever in the request it struck.

``handler500`` (portal/urls.py) is the one place that sees every exception a request did not handle: those raised
by views and those raised by middleware, such as the session store saving the session after the view
(``portal.sessions``). An ``OperationalError`` or ``InterfaceError`` is, in the DB-API's words, an error "related to
the database's operation and not necessarily under the control of the programmer": the server restarted, the
connection dropped, a failover, a timeout. Those answer 503 with ``Retry-After`` and a page that says so; anything
else (a bug, an ``IntegrityError``) is still the generic 500 (docs/decisions/0019-a-database-outage-answers-503.md).
"""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.template.context_processors import csp
from django.utils.translation import get_language
from django.views import defaults

DATABASE_OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10


def is_database_outage(error: BaseException) -> bool:
    return isinstance(error, DATABASE_OUTAGE_ERRORS)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 page. Rendered without the request's context processors: those read the session, the user and
    their messages, all from the database that is gone. No error text either (it can name hosts and roles)."""
    response = HttpResponse(loader.render_to_string("503.html", _bare_context(request)), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest, template_name: str = defaults.ERROR_500_TEMPLATE_NAME) -> HttpResponse:
    """``handler500``: 503 for a database outage, the portal's 500 page for anything else. Both are rendered like
    the 503 page, without the request's context: whatever failed may be what the context processors need."""
    error = sys.exc_info()[1]
    if error is not None and is_database_outage(error):
        return database_unavailable(request)
    return HttpResponse(loader.render_to_string(template_name, _bare_context(request)), status=500)


def _bare_context(request: HttpRequest) -> dict[str, object]:
    return {
        "portal_name": getattr(settings, "PORTAL_NAME", "HT Portal"),
        "LANGUAGE_CODE": get_language(),
        **csp(request),
    }
