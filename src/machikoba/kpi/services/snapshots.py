"""Stored figures: every indicator per ward and for all wards together, for one fiscal
year. During the year the scheduler rewrites the ``to_date`` rows; once the year has ended
its ``final`` rows are written once and kept (``recompute`` writes them again on demand).
Each row names the definition version it was computed with."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from machikoba.core.fiscal import fiscal_year, fiscal_year_bounds
from machikoba.kpi.choices import SnapshotKind
from machikoba.kpi.evaluation import Result, current_definitions, evaluate, scope_for
from machikoba.kpi.models import Snapshot
from machikoba.wards.models import Municipality


def _store(result: Result, kind: str, municipality: Municipality | None, now: dt.datetime) -> None:
    figure = result.figure
    Snapshot.objects.update_or_create(
        definition=result.definition,
        municipality=municipality,
        fiscal_year=result.scope.fiscal_year,
        kind=kind,
        defaults={
            "as_of": result.scope.as_of,
            "numerator": figure.numerator,
            "denominator": figure.denominator,
            "value": result.value,
            "reason": figure.reason,
            "company_count": figure.company_count,
            "target": result.goal.target,
            "computed_at": now,
        },
    )


@transaction.atomic
def snapshot_take(
    *,
    year: int,
    municipalities: list[Municipality] | None = None,
    today: dt.date | None = None,
    recompute: bool = False,
) -> int:
    """Compute and store every indicator for ``year``: each of ``municipalities`` (every
    municipality by default) and all of them together. A year that has ended is stored as
    ``final``, and an existing final row is kept unless ``recompute``. The rows written."""
    today = today or timezone.localdate()
    now = timezone.now()
    ended = fiscal_year_bounds(year)[1] < today
    kind = SnapshotKind.FINAL if ended else SnapshotKind.TO_DATE
    wards = list(municipalities) if municipalities is not None else list(Municipality.objects.all())
    written = 0
    for definition in current_definitions():
        targets: list[Municipality | None] = [*wards, None]
        for municipality in targets:
            if kind == SnapshotKind.FINAL and not recompute:
                exists = Snapshot.objects.filter(
                    definition=definition,
                    municipality=municipality,
                    fiscal_year=year,
                    kind=SnapshotKind.FINAL,
                ).exists()
                if exists:
                    continue
            scope_wards = (municipality.pk,) if municipality is not None else None
            result = evaluate(definition, scope_for(year, scope_wards, today=today))
            _store(result, kind, municipality, now)
            written += 1
    return written


def snapshots_refresh(*, today: dt.date | None = None) -> int:
    """The scheduled run: this year's figures to date, and last year's final ones (written
    once)."""
    today = today or timezone.localdate()
    year = fiscal_year(today)
    return snapshot_take(year=year, today=today) + snapshot_take(year=year - 1, today=today)
