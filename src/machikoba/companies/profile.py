"""Figures that apps above companies add to a company's profile page (the network's
reliability record …). Companies may not import those apps: the figures come from
providers registered in an AppConfig.ready."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# provider(user=, company=) -> template context for the signed-in viewer
ProfileExtra = Callable[..., dict[str, Any]]
_providers: dict[str, ProfileExtra] = {}


def register_profile_extra(name: str, provider: ProfileExtra) -> None:
    """Add ``provider``'s context to every profile a signed-in user opens."""
    _providers[name] = provider


def profile_extras(*, user, company) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for provider in _providers.values():
        context.update(provider(user=user, company=company))
    return context
