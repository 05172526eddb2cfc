"""Object ids as they arrive in addresses and API requests, bounded to what the database
holds (a signed 64-bit integer). A larger number is not an id: the URL converter makes
it a 404 and the API schema a 422, instead of an OverflowError (a 500) when a query
compares it with a column."""

from __future__ import annotations

from typing import Annotated

from ninja import Path
from pydantic import Field

MAX_ID = 2**63 - 1

# An id in an API path: ``def handler(request, job_id: PathId)``.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
# An id in an API body or query: ``winner_company_id: BodyId``, ``step_ids: list[BodyId]``.
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]


class IdConverter:
    """``<id:pk>`` in a URL pattern: digits, at most the largest id (else no match, 404).
    Registered in ``CoreConfig.ready``; every int in a page address uses it."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("beyond the database's integer range")
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)


def parse_id(text: str | None) -> int | None:
    """An id a form or query string sent, or None for anything that is not one: not
    plain ASCII digits (``str.isdigit`` also accepts "²", which ``int`` refuses), zero,
    or beyond the largest id."""
    if not text or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
