"""A list page: filters, one page of results, and the partial htmx swaps in. One way for every list view.

The filters are read as ``portal/search.py`` says (a filter that can hold a person's name, named in the filterset's
``NAME_FIELDS``, only from a POST body); the count stops at a cap (``portal/pagination.py``, docs/architecture.md
§9). The template shows the filter form and a ``{% partialdef results %}``: htmx asks for that partial only, except
when it restores a page of its history, which needs the whole page.
"""

from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render

from portal.http import AuthenticatedHttpRequest
from portal.pagination import paginate
from portal.search import list_query


def render_filtered_page(
    request: AuthenticatedHttpRequest,
    template: str,
    filterset_class: type[django_filters.FilterSet],
    queryset: QuerySet[Any],
    *,
    per_page: int = 50,
    extra_context: Mapping[str, Any] | None = None,
    filter_kwargs: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """``template`` with ``queryset`` filtered by ``filterset_class`` (built with the request and
    ``filter_kwargs``) and paginated: its context holds ``filter``, ``page``, ``query`` (the filters a paging link
    may carry), ``paging_fields`` and ``name_in_url_ignored`` (portal/templates/portal/pagination.html and the
    notice of a name ignored in a URL), and ``extra_context``."""
    query = list_query(request, getattr(filterset_class, "NAME_FIELDS", ()))
    filterset = filterset_class(query.data, queryset=queryset, request=request, **(filter_kwargs or {}))
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(
        request,
        f"{template}#results" if partial else template,
        {
            "filter": filterset,
            "page": paginate(request, filterset.qs, per_page=per_page, number=query.page),
            "query": query.public,
            "paging_fields": query.paging_fields(),
            "name_in_url_ignored": query.name_in_url_ignored,
            **(extra_context or {}),
        },
    )
    return query.push(request, response)
