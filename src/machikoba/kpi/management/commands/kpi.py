"""``python manage.py kpi --fiscal-year 2026 [--ward 131113] [--json] [--store]``: every
indicator for one fiscal year, for one ward or all wards together, computed now from the
records. A value that cannot be computed is ``null`` with a ``reason``; a figure from fewer
than 3 companies is printed as ``null`` with the reason ``few_companies``, as on the
dashboard. ``--store`` also writes the snapshots (``to_date`` during the year, ``final``
after it; ``--recompute`` rewrites a final one)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from machikoba.core.fiscal import fiscal_year_bounds
from machikoba.kpi.evaluation import this_fiscal_year
from machikoba.kpi.selectors.figures import figures_for
from machikoba.kpi.services import snapshot_take
from machikoba.wards.models import Municipality

FIRST_YEAR = 2000


class Command(BaseCommand):
    help = "Print every KPI for a fiscal year (and optionally store the snapshots)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fiscal-year", type=int, default=None)
        parser.add_argument("--ward", default="", help="municipality code, e.g. 131113")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--store", action="store_true", help="store the snapshots")
        parser.add_argument("--recompute", action="store_true", help="rewrite final snapshots")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["fiscal_year"] or this_fiscal_year()
        if not FIRST_YEAR <= year <= this_fiscal_year() + 1:
            raise CommandError(f"--fiscal-year must be between {FIRST_YEAR} and next year")
        ward = None
        if options["ward"]:
            ward = Municipality.objects.filter(code=options["ward"]).first()
            if ward is None:
                raise CommandError(f"no municipality with the code {options['ward']}")
        wards = (ward.pk,) if ward is not None else None
        rows = [item.as_dict() for item in figures_for(frozenset(), year=year, wards=wards)]
        if options["store"]:
            written = snapshot_take(
                year=year,
                municipalities=[ward] if ward is not None else None,
                recompute=options["recompute"],
            )
            self.stderr.write(f"{written} snapshots written")
        if options["json"]:
            payload = {
                "fiscal_year": year,
                "ward": ward.code if ward is not None else None,
                "period": [str(day) for day in fiscal_year_bounds(year)],
                "indicators": rows,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        for row in rows:
            value = "—" if row["value"] is None else row["value"]
            reason = f"  ({row['reason']})" if row["reason"] else ""
            self.stdout.write(
                f"{row['code']:7} {value!s:>12} {row['unit']:9} target {row['target']!s:>6}"
                f"  {row['status']:6}{reason}"
            )
