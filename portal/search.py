"""Search text that can hold a person's name travels in a request body, never in a URL (ASVS V8.3.1; issue 11,
point 8): URLs end up in proxy and server logs, in the browser's history and in the address bar.

A list whose filters include such a field (``name_fields``) is filtered by a POST form (CSRF-protected). A GET
still filters by everything else (bookmarks, pushed URLs, paging links), but never by a name field: an old
bookmark with ``?q=NAME`` shows the list unfiltered by it, with a notice. htmx pushes only the other filters.

Paging a result filtered by a name is a small POST form carrying the filters in hidden fields: it works without
JavaScript, keeps nothing on the server (a name kept in the session would be one more copy of it, in the session
table) and leaves nothing in the URL.
"""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, QueryDict
from django_htmx.http import push_url

# Form fields that are not filters.
_NOT_FILTERS = ("page", "csrfmiddlewaretoken")


@dataclass(frozen=True)
class ListQuery:
    data: QueryDict | None  # what the filters read (None: no filter at all)
    page: str | None
    public: str  # the filters a URL may carry (no name field, no page), URL-encoded
    hidden: list[tuple[str, str]]  # every filter, for the POST paging form of a result filtered by a name
    has_name: bool  # a name field holds text: paging is by POST
    name_in_url_ignored: bool  # a GET carried a name field, which was not used

    def paging_fields(self) -> list[tuple[str, str]] | None:
        """The hidden fields of the POST paging form, or None when GET links (``public``) may page."""
        return self.hidden if self.has_name else None

    def push(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """After an htmx POST, the URL the browser shows and keeps in its history: the other filters only (and the
        page, unless a name filters the list: its page number alone would mean another list)."""
        if request.method == "POST" and getattr(request, "htmx", False):
            query = QueryDict(self.public, mutable=True)
            if self.page and not self.has_name:
                query["page"] = self.page
            encoded = query.urlencode()
            push_url(response, f"{request.path}?{encoded}" if encoded else request.path)
        return response


def list_query(request: HttpRequest, name_fields: tuple[str, ...]) -> ListQuery:
    """The filters of a list request: from the POST body, or from the query string without ``name_fields``."""
    posted = request.method == "POST"
    data = (request.POST if posted else request.GET).copy()
    page = data.get("page") or None
    for key in _NOT_FILTERS:
        data.pop(key, None)
    name_in_url = False
    if not posted:
        name_in_url = _holds_text(data, name_fields)
        for field in name_fields:
            data.pop(field, None)
    public = QueryDict(mutable=True)
    for key, values in data.lists():
        if key not in name_fields:
            public.setlist(key, [value for value in values if value])
    return ListQuery(
        data=data or None,
        page=page,
        public=public.urlencode(),
        hidden=[(key, value) for key, values in data.lists() for value in values],
        has_name=_holds_text(data, name_fields),
        name_in_url_ignored=name_in_url,
    )


def posted_text(request: HttpRequest, field: str) -> tuple[str, bool]:
    """A search box's text, read from a POST body only; and whether a GET carried one (not used)."""
    if request.method == "POST":
        return request.POST.get(field, "").strip(), False
    return "", bool(request.GET.get(field, "").strip())


def _holds_text(data: QueryDict, fields: tuple[str, ...]) -> bool:
    return any(value.strip() for field in fields for value in data.getlist(field))
