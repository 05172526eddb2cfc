"""The KPI dashboard on the demo data: computing all 18 indicators for one ward and for all
wards together, the dashboard page, an indicator page with its drill-down, and the annual
report PDF, as 大田区's officer reads them.

    .venv/bin/python bench/bench_kpi_dashboard.py        # SQLite (var/bench-kpi.sqlite3)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/machikoba_bench \\
        .venv/bin/python bench/bench_kpi_dashboard.py

The database is migrated and seeded with the demo once (``--rebuild`` seeds it again).
Prints p50 / p95 / max in ms and the number of queries of each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "machikoba.config.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-kpi.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from machikoba.accounts.models import User  # noqa: E402
from machikoba.core.testing.factories import force_login_with_mfa  # noqa: E402
from machikoba.kpi.evaluation import this_fiscal_year  # noqa: E402
from machikoba.kpi.models import SurveyRound  # noqa: E402
from machikoba.kpi.selectors.figures import figures_for  # noqa: E402
from machikoba.wards.models import Municipality  # noqa: E402


def timed(label: str, action: Callable[[], object], rounds: int) -> None:
    action()  # warm up (caches, template loading)
    times = []
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    # Counted with a wrapper: a request through the test client resets Django's own log.
    with connection.execute_wrapper(count):
        action()
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(
        f"{label:38} p50 {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms"
        f"  max {times[-1]:7.1f} ms  {len(queries):4d} queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="seed the demo again")
    parser.add_argument("--rounds", type=int, default=20)
    options = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    call_command("migrate", verbosity=0)
    if options.rebuild or not SurveyRound.objects.exists():
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    ota = Municipality.objects.get(code="131113")
    year = this_fiscal_year()
    officer = User.objects.get(email="officer@example.com")
    client = Client()
    force_login_with_mfa(client, officer)
    print(f"{connection.vendor}, fiscal year {year}, {options.rounds} rounds each")
    timed(
        "18 indicators, one ward",
        lambda: figures_for(frozenset(), year=year, wards=(ota.pk,)),
        options.rounds,
    )
    timed(
        "18 indicators, all wards",
        lambda: figures_for(frozenset(), year=year, wards=None),
        options.rounds,
    )
    timed("dashboard page", lambda: client.get("/kpi/"), options.rounds)
    timed("indicator page M3.OUT (drill-down)", lambda: client.get("/kpi/M3.OUT/"), options.rounds)
    timed("annual report PDF", lambda: client.get("/kpi/report.pdf"), max(3, options.rounds // 5))


if __name__ == "__main__":
    main()
