"""Helpers for pages of results whose total is known without a COUNT query."""

from __future__ import annotations


class KnownCount:
    """What a Paginator needs of an object list when the total is already known."""

    def __init__(self, total: int) -> None:
        self.total = total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total


def page_number(value: str | int | None) -> int:
    """A page number from user input: anything that is not a positive integer is 1."""
    if value is None:
        return 1
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1
