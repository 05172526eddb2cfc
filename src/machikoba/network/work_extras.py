"""Pending work of apps above the network (the board's admissions and team quotes …) shown
on the network's やること page. The network may not import those apps: their sections come
from providers registered in an AppConfig.ready (``WebConfig`` registers the to-do list)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# provider(user=, company=) -> sections, each {"id", "heading", "rows": [{"label", "url",
# "note"}]}; a section with no rows is left out by the provider.
WorkExtra = Callable[..., list[dict[str, Any]]]
_providers: dict[str, WorkExtra] = {}


def register_work_extra(name: str, provider: WorkExtra) -> None:
    """Add ``provider``'s sections to every やること page."""
    _providers[name] = provider


def work_extras(*, user: Any, company: Any) -> list[dict[str, Any]]:
    sections: list[dict[str, Any]] = []
    for provider in _providers.values():
        sections.extend(provider(user=user, company=company))
    return sections
