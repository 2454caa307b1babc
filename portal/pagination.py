"""Pagination for lists that may be large: the count stops at a cap (docs/architecture.md §9).

Counting every row of a permission-filtered list costs far more than fetching one page (docs/architecture.md §12
measured 110 ms
against 0.4 ms at two million rows). ``CappedPaginator`` counts at most ``cap + 1`` rows; past the cap the page
says "1,000+" and the reader narrows the filters instead of paging further.
"""

from functools import cached_property
from typing import cast

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest


class CappedPaginator[M: Model](Paginator[M]):
    def __init__(self, object_list: QuerySet[M], per_page: int, *, cap: int = 1000) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        queryset = cast(QuerySet[M], self.object_list)
        return queryset[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap


def paginate[M: Model](
    request: HttpRequest, queryset: QuerySet[M], *, per_page: int = 50, cap: int = 1000, number: str | None = None
) -> Page[M]:
    """The page the request asks for (``number``, else ``?page=``), the last one if it asks past the end."""
    return CappedPaginator(queryset, per_page, cap=cap).get_page(number or request.GET.get("page"))
