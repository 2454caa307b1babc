"""The read-only HSDS 3.0 API (``hsds/schema/openapi.json``) for partner directories.

It answers a signed-in member of the portal (session) or a partner with an agency's API token of the directory's
scope (``Authorization: Bearer hsds_...``); anyone else gets 401, a token of another scope (the tips API's) 403.
Confidential locations' addresses and coordinates are never in it, whoever asks: what leaves the portal by machine is
what the export would give.
"""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import EmptyPage, Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from services_directory import selectors
from services_directory.hsds.exporting import service_documents, service_summary
from services_directory.hsds.schemas import HSDS_PROFILE, HSDS_VERSION, SCHEMA_DIR
from services_directory.models import ApiToken
from services_directory.services import api_token_authenticate

MAX_PER_PAGE = 100


def _error(status: int, message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="hsds"'
    return response


def bearer_token(request: HttpRequest) -> ApiToken | None:
    """The active API token the request sends (``Authorization: Bearer <key>``), of any scope, or None. The one way
    the portal's APIs read a token: each then asks ``token.allows(<its scope>)``."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return api_token_authenticate(key.strip())


def api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_not_required  # it authenticates by token as well as by session
    @require_GET
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if not selectors.can_read_directory(user):
                return _error(403, "Your role may not read the directory.")
        else:
            token = bearer_token(request)
            if token is None:
                return _error(401, "Sign in, or send an API token: Authorization: Bearer <token>.")
            if not token.allows(ApiToken.Scope.DIRECTORY):
                return _error(403, "This token may not read the directory.")
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"  # as every signed-in page: no proxy keeps the directory
        return response

    return wrapper


@api_view
def meta(request: HttpRequest) -> HttpResponse:
    return JsonResponse(
        {
            "version": HSDS_VERSION,
            "profile": HSDS_PROFILE,
            "openapi_url": request.build_absolute_uri(reverse("hsds_api_openapi")),
        }
    )


@api_view
def openapi(request: HttpRequest) -> HttpResponse:
    return JsonResponse(json.loads((SCHEMA_DIR / "openapi.json").read_text()))


def _flag(request: HttpRequest, name: str) -> bool:
    return request.GET.get(name, "").lower() in {"1", "true", "yes"}


@api_view
def service_list(request: HttpRequest) -> HttpResponse:
    try:
        services = selectors.services_for_api(
            search=request.GET.get("search", ""),
            taxonomy_term_id=request.GET.get("taxonomy_term_id") or None,
            taxonomy_id=request.GET.get("taxonomy_id") or None,
            organization_id=request.GET.get("organization_id") or None,
            modified_after=request.GET.get("modified_after") or None,
        )
    except ValueError as error:
        return _error(400, str(error))
    try:
        per_page = max(1, min(MAX_PER_PAGE, int(request.GET.get("per_page", 50))))
        page_number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return _error(400, "page and per_page must be whole numbers.")
    paginator = Paginator(services, per_page)
    try:
        page = paginator.page(page_number)
        rows = list(page.object_list)
    except EmptyPage:
        rows = []
    if _flag(request, "minimal"):
        contents = [{"id": str(s.pk), "last_modified": (s.last_modified or s.updated_at).isoformat()} for s in rows]
    elif _flag(request, "full"):
        contents = service_documents([s.pk for s in rows])
        order = {str(s.pk): i for i, s in enumerate(rows)}
        contents.sort(key=lambda d: order[d["id"]])
    else:
        contents = [service_summary(s) for s in rows]
    total_pages = paginator.num_pages if paginator.count else 0
    return JsonResponse(
        {
            "total_items": paginator.count,
            "total_pages": total_pages,
            "page_number": page_number,
            "size": len(contents),
            "first_page": page_number == 1,
            "last_page": page_number >= total_pages,
            "empty": not contents,
            "contents": contents,
        }
    )


@api_view
def service_detail(request: HttpRequest, pk: str) -> HttpResponse:
    try:
        service_id = UUID(pk)
    except ValueError:
        return _error(404, "No such service.")
    documents = service_documents([service_id])
    if not documents:
        return _error(404, "No such service.")
    return JsonResponse(documents[0])
