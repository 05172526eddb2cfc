"""The lab's statistics page for a busy year: about 20,000 entry events, 5,000 bookings, 100
events with 2,500 registrations, a few hundred training records and 60 matchings.

    .venv/bin/python bench/bench_lab_stats.py       # SQLite (var/bench-lab-stats.sqlite3)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/machikoba_bench \\
        .venv/bin/python bench/bench_lab_stats.py

The database is migrated and filled once (bulk inserts, seeded random data:
``core.testing.factories_lab_stats.year_of_lab_data``; ``--rebuild`` fills it again), then
the page's selector (``lab.selectors.stats.lab_stats``) is timed for the lab's staff, and
the whole page (session, access layer, template) and the .xlsx export once each through
the test client. Prints p50 / p95 / max in ms and the number of queries.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "machikoba.config.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-lab-stats.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from machikoba.accounts.choices import WardRole  # noqa: E402
from machikoba.accounts.models import User, WardRoleAssignment  # noqa: E402
from machikoba.core.fiscal import fiscal_year, fiscal_year_bounds  # noqa: E402
from machikoba.core.testing.factories_lab import (  # noqa: E402
    make_item,
    make_lab,
    make_lab_staff,
    make_training,
    make_vendor,
)
from machikoba.core.testing.factories_lab_stats import (  # noqa: E402
    member,
    training_record,
    year_of_lab_data,
)
from machikoba.lab.choices import ItemKind  # noqa: E402
from machikoba.lab.models import Lab  # noqa: E402
from machikoba.lab.models_bookings import Booking  # noqa: E402
from machikoba.lab.models_events import Event, Registration  # noqa: E402
from machikoba.lab.models_visits import EntryEvent  # noqa: E402
from machikoba.lab.selectors.stats import lab_stats  # noqa: E402

LAB_NAME = "ベンチマーク 町工場DXラボ"
STAFF_EMAIL = "bench-lab-staff@example.test"


def populate(year: int) -> None:
    first, _last = fiscal_year_bounds(year)
    print(f"populating a year of lab data (FY{year}) …", flush=True)
    started = time.perf_counter()
    with transaction.atomic():
        Lab.objects.filter(name=LAB_NAME).update(active=False, name=f"{LAB_NAME} (旧)")
        lab = make_lab(name=LAB_NAME)
        vendor = make_vendor(name="ベンチマークIT株式会社")
        items = [make_item(lab, name=f"協働ロボット {n}") for n in range(6)]
        items += [
            make_item(lab, kind=ItemKind.PRINTER_3D, name=f"3Dプリンター {n}") for n in range(4)
        ]
        items += [
            make_item(lab, kind=ItemKind.IOT_KIT, name=f"IoTキット {n}", exhibitor=vendor)
            for n in range(2)
        ]
        year_of_lab_data(lab, items, first)
        trainings = [make_training(lab, items[:6], name=f"講習 {n}") for n in range(4)]
        for n in range(300):
            training_record(trainings[n % 4], member(), first.replace(day=1 + n % 28))
        staff = User.objects.filter(email=STAFF_EMAIL).first() or make_lab_staff()
        if staff.email != STAFF_EMAIL:
            staff.email = STAFF_EMAIL
            staff.save(update_fields=["email"])
        assert WardRoleAssignment.objects.filter(user=staff, role=WardRole.LAB_STAFF).exists()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)


def _percentiles(timings: list[float]) -> tuple[float, float, float]:
    timings = sorted(timings)
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return statistics.median(timings), p95, timings[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true", help="fill the data again")
    args = parser.parse_args()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]

    year = fiscal_year(timezone.localdate()) - 1
    call_command("migrate", verbosity=0)
    if args.rebuild or not Lab.objects.filter(name=LAB_NAME, active=True).exists():
        populate(year)
    lab = Lab.objects.get(name=LAB_NAME, active=True)
    staff = User.objects.get(email=STAFF_EMAIL)
    print(
        f"database: {connection.vendor}; "
        f"entry events {EntryEvent.objects.filter(lab=lab).count():,}; "
        f"bookings {Booking.objects.filter(lab=lab).count():,}; "
        f"events {Event.objects.filter(lab=lab).count():,}; "
        f"registrations {Registration.objects.filter(event__lab=lab).count():,}"
    )

    def selector() -> object:
        fresh = User.objects.get(pk=staff.pk)  # a request's user: no cached ward scopes
        return lab_stats(fresh, Lab.objects.get(pk=lab.pk), year)

    result = selector()  # warm
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        selector()
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        selector()
    p50, p95, worst = _percentiles(timings)
    print(
        f"lab_stats(FY{year}): 延べ利用者数 {result.visits:,} (入館 {result.entries:,}, "
        f"予約のみ {result.bookings_without_entry:,}), 利用企業 {result.companies}, "
        f"イベント {result.events_held}, マッチング {result.matchings_total}"
    )
    print(f"{'what':<28} {'p50':>8} {'p95':>8} {'max':>8} {'queries':>8}")
    print(f"{'selector lab_stats':<28} {p50:8.1f} {p95:8.1f} {worst:8.1f} {len(captured):>8}")

    client = Client()
    client.force_login(staff)
    for label, url in (
        ("page /lab/<id>/stats/", reverse("lab:stats", args=[lab.pk]) + f"?year={year}"),
        (
            "export .xlsx",
            reverse("lab:stats_export", args=[lab.pk, "xlsx"]) + f"?year={year}",
        ),
    ):
        client.get(url)  # warm
        timings = []
        for _ in range(max(3, args.repeat // 4)):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        p50, p95, worst = _percentiles(timings)
        print(f"{label:<28} {p50:8.1f} {p95:8.1f} {worst:8.1f} {len(captured):>8}")


if __name__ == "__main__":
    main()
