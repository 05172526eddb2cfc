"""Yen amounts: integers, never floats."""

from __future__ import annotations


def format_yen(amount: int | None, language: str = "ja") -> str:
    """``1,234,000円`` in Japanese, ``¥1,234,000`` in English; ``—`` for no amount."""
    if amount is None:
        return "—"
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError("yen amounts are integers")
    sign = "-" if amount < 0 else ""
    digits = f"{abs(amount):,}"
    if language.startswith("ja"):
        return f"{sign}{digits}円"
    return f"{sign}¥{digits}"


def floor_to_thousand(amount: int) -> int:
    """Round down to ¥1,000 (subsidy amounts are set this way); negative stays negative."""
    return (amount // 1000) * 1000 if amount >= 0 else -((-amount) // 1000) * 1000
