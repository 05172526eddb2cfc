"""The API's one convention for lists: ``?page=1&per_page=50`` in, ``{count, page, pages,
results}`` out. Every list operation takes ``PageParams`` and returns ``page_of(...)``
typed as ``Page[ItemOut]``, so clients page through every list the same way."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from django.core.paginator import Paginator
from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field

T = TypeVar("T")

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


class PageParams(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="1-based page number")
    per_page: int = Field(
        DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE, description="items per page (at most 200)"
    )


class Page(Schema, Generic[T]):
    count: int = Field(description="items in all pages")
    page: int
    pages: int = Field(description="number of pages (at least 1)")
    results: list[T]


def page_of(
    items: QuerySet[Any] | Sequence[Any],
    params: PageParams,
    to_out: Callable[[Any], Any] | None = None,
) -> dict[str, Any]:
    """One page of ``items`` (a queryset is sliced in the database). A page past the last
    is an empty ``results``, not an error, so a client can stop when it sees one."""
    paginator = Paginator(items, params.per_page, allow_empty_first_page=True)
    pages = max(paginator.num_pages, 1)
    if params.page > pages:
        rows: Iterable[Any] = []
    else:
        rows = paginator.page(params.page).object_list
    results = [to_out(row) for row in rows] if to_out else list(rows)
    return {"count": paginator.count, "page": params.page, "pages": pages, "results": results}
