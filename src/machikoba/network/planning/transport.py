"""Transport between two shops: straight-line distance, hours on the road and its cost."""

from __future__ import annotations

import math
from dataclasses import dataclass

from machikoba.companies.directory import KM_PER_DEGREE

TRANSPORT_HANDLING_HOURS = 2
TRANSPORT_KMH = 20
TRANSPORT_BASE_YEN = 3_000
TRANSPORT_YEN_PER_KM = 100
UNKNOWN_DISTANCE_KM = 20.0


def km_between(a, b) -> float | None:
    """Straight-line km between two companies (the directory's equirectangular rule)."""
    if a.pk == b.pk:
        return 0.0
    if None in (a.latitude, b.latitude, a.longitude, b.longitude):
        return None
    mean_lat = math.radians((a.latitude + b.latitude) / 2)
    dy = (a.latitude - b.latitude) * KM_PER_DEGREE
    dx = (a.longitude - b.longitude) * KM_PER_DEGREE * math.cos(mean_lat)
    return math.hypot(dx, dy)


@dataclass(frozen=True)
class Transport:
    km: float | None  # None: a location is unknown
    hours: int
    yen: int

    @property
    def needed(self) -> bool:
        return self.hours > 0 or self.yen > 0


def transport(source, target) -> Transport:
    if source.pk == target.pk:
        return Transport(0.0, 0, 0)
    km = km_between(source, target)
    counted = UNKNOWN_DISTANCE_KM if km is None else km
    return Transport(
        km=km,
        hours=TRANSPORT_HANDLING_HOURS + math.ceil(counted / TRANSPORT_KMH),
        yen=TRANSPORT_BASE_YEN + TRANSPORT_YEN_PER_KM * math.ceil(counted),
    )
