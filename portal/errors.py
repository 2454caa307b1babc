"""The pages of a refused request: 403 (you may see this, not do that) and 404 (nothing here, which is also what
someone outside a case's audience gets: no hint that it exists). Both are ordinary portal pages with a way back; a
refusal to a signed-in person is an audit event (``portal.request.denied``, outcome Denied). The 500 and 503 pages
are ``portal.outage``'s."""

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

from portal.audit import Outcome, audit_record


def way_back(request: HttpRequest) -> str | None:
    """The path of the page the person came from, if it is one of the portal's own (a referrer is whatever the
    browser sent); without its query, since a page never echoes what a URL carried (a name typed into it, say)."""
    referrer = request.headers.get("Referer", "")
    if referrer and url_has_allowed_host_and_scheme(
        referrer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return urlsplit(referrer).path or "/"
    return None


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler403``."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        audit_record(
            action="portal.request.denied",
            request=request,
            outcome=Outcome.DENIED,
            details={"method": request.method, "path": request.path[:300]},
        )
    # A refusal raised with words (``PermissionDenied(_("..."))``) says why; a bare one says nothing more.
    why = str(exception) if exception is not None and exception.args else ""
    return render(request, "403.html", {"way_back": way_back(request), "why": why}, status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``."""
    return render(request, "404.html", {"way_back": way_back(request)}, status=404)
