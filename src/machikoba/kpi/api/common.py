"""What the KPI API's topic modules share: the dashboard's reader (officers and the metro
viewer; anyone else finds nothing, as on the pages) and the dashboard's filters."""

from __future__ import annotations

from typing import Literal

from django.http import Http404, QueryDict
from django.utils import timezone
from ninja import Schema
from pydantic import Field

from machikoba.kpi.selectors import dashboard as selectors
from machikoba.kpi.selectors.figures import Reader, readable_wards, reader_of

# The employees bands of the company filter (``computations.base.SIZE_BANDS``; a test
# checks that they are the same).
SizeBand = Literal["1-9", "10-29", "30-"]


class Filters(Schema):
    fy: int | None = Field(None, ge=2000, le=2100, description="fiscal year (this one)")
    ward: str | None = Field(
        None,
        pattern=r"^(all|[0-9]{6})$",
        description="a ward's code, or 'all' (an officer starts with their ward)",
    )
    size: SizeBand | None = Field(None, description="employees band")
    process: str | None = Field(None, max_length=100, description="top process code")


def reader_or_404(request) -> Reader:
    """Officers and the metro viewer; anyone else finds no dashboard (404, as the pages)."""
    reader = reader_of(request.user)
    if reader is None:
        raise Http404
    return reader


def filters_of(reader: Reader, query: Filters) -> selectors.Filters:
    """The page's filters from the query. A ward the reader may not read is a 404; any
    other unusable value falls back to its default, as on the page, and ``problems``
    says so."""
    asked = query.ward and query.ward != selectors.ALL_WARDS
    if asked and not readable_wards(reader).filter(code=query.ward).exists():
        raise Http404
    params = QueryDict(mutable=True)
    for name in ("fy", "ward", "size", "process"):
        value = getattr(query, name)
        if value is not None:
            params[name] = str(value)
    return selectors.filters_from(reader, params, today=timezone.localdate())
