"""Directory search at ward scale: 10,000 companies, 200,000 capability rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/machikoba_bench \
        .venv/bin/python bench/directory_search.py
    .venv/bin/python bench/directory_search.py            # SQLite (var/bench-directory.sqlite3)
    # 特別区 scale (issue 24): 30,000 companies, 600,000 capabilities (filling takes minutes)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/machikoba_perf \
        .venv/bin/python bench/directory_search.py --companies 30000 --caps-per-company 20

The database is migrated and filled once (bulk inserts, seeded random data), then each
typical filter combination is run as the directory page runs it (count + first page +
prefetched details) and timed. Prints p50 / p95 / max in ms and the queries per page.
Target (issue 3): p95 < 50 ms on PostgreSQL. The load average is printed before and
after: on the shared 2-core machine a load of 8 makes every figure ~4 x slower.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "machikoba.config.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-directory.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from machikoba.companies.checklist import refresh_profile_scores  # noqa: E402
from machikoba.companies.coverage import coverage_rebuild  # noqa: E402
from machikoba.companies.directory import DirectoryQuery, directory_page  # noqa: E402
from machikoba.companies.models import (  # noqa: E402
    Capability,
    CertificationKind,
    Company,
    CompanyCertification,
    Material,
    MaterialCoverage,
    ProcessCategory,
    ProcessCoverage,
    SearchGram,
)
from machikoba.companies.search import CAPABILITY_WEIGHT, NAME_WEIGHT, TEXT_WEIGHT, grams_of  # noqa: E402
from machikoba.companies.validators import corporate_number_with_check_digit  # noqa: E402

ORIGIN = (35.5625, 139.7160)
WORDS = [
    "精機",
    "製作所",
    "工業",
    "精密",
    "鍍金",
    "熱処理",
    "研削",
    "板金",
    "溶接",
    "技研",
    "金属",
    "機械",
    "工作所",
    "螺子",
    "発條",
]
FAMILIES = [
    "高橋",
    "丸山",
    "佐藤",
    "鈴木",
    "田中",
    "渡辺",
    "伊藤",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "松本",
    "井上",
    "木村",
    "林",
    "清水",
    "森",
    "池田",
]
PR = [
    "丸物の試作から量産まで",
    "ステンレスの難削材が得意",
    "短納期対応",
    "鏡面仕上げ",
    "大物加工",
    "5軸加工で複雑形状",
    "焼入れ後の精密研削",
    "薄板の曲げと溶接",
]


def populate(companies: int, caps_per_company: int, rng: random.Random) -> None:
    leaves = list(ProcessCategory.objects.filter(children__isnull=True))
    materials = list(Material.objects.all())
    # Shops quote the common steels and aluminium far more often than exotic alloys.
    common = {"SS400", "S45C", "SUS304", "A5052", "SUS303", "SPCC", "SCM440", "C3604"}
    material_weights = [12 if m.code in common else 1 for m in materials]
    kinds = list(CertificationKind.objects.all())
    through = Capability.materials.through
    batch = 1000
    now = timezone.now()
    print(f"populating {companies} companies × {caps_per_company} capabilities …", flush=True)
    for start in range(0, companies, batch):
        with transaction.atomic():
            rows = []
            for n in range(start, min(companies, start + batch)):
                name = f"{rng.choice(FAMILIES)}{rng.choice(WORDS)}{n}"
                rows.append(
                    Company(
                        name=name,
                        name_kana=f"カナ{n}",
                        corporate_number=corporate_number_with_check_digit(f"{n + 1:012d}"),
                        municipality=rng.choice(["大田区", "品川区", "川崎市"]),
                        # A ward is about 10 km across.
                        latitude=Decimal(f"{ORIGIN[0] + rng.uniform(-0.045, 0.045):.6f}"),
                        longitude=Decimal(f"{ORIGIN[1] + rng.uniform(-0.055, 0.055):.6f}"),
                        employees=rng.randint(2, 50),
                        pr_text=rng.choice(PR),
                        verified_at=now,  # registered by the ward: seen by the network
                    )
                )
            created = Company.objects.bulk_create(rows)
            caps = []
            for company in created:
                for process in rng.sample(leaves, caps_per_company):
                    size = rng.randrange(50, 3000, 10)
                    caps.append(
                        Capability(
                            company=company,
                            process=process,
                            max_length_mm=size,
                            envelope_mm=size,
                            best_tolerance_mm=Decimal(
                                rng.choice(["0.002", "0.005", "0.01", "0.05"])
                            ),
                        )
                    )
            caps = Capability.objects.bulk_create(caps)
            through.objects.bulk_create(
                through(capability_id=c.pk, material_id=m.pk)
                for c in caps
                for m in set(rng.choices(materials, weights=material_weights, k=rng.randint(1, 4)))
            )
            CompanyCertification.objects.bulk_create(
                CompanyCertification(company=c, kind=rng.choice(kinds))
                for c in created
                if rng.random() < 0.35
            )
            grams = []
            names = {c.pk: [] for c in created}
            for cap in caps:
                names[cap.company_id].append(cap.process.name_ja)
            for company in created:
                weights: dict[str, int] = {}
                for text, weight in (
                    (company.name, NAME_WEIGHT),
                    (company.pr_text, TEXT_WEIGHT),
                    (" ".join(names[company.pk]), CAPABILITY_WEIGHT),
                ):
                    for gram in grams_of(text):
                        weights[gram] = max(weights.get(gram, 0), weight)
                grams += [SearchGram(company=company, gram=g, weight=w) for g, w in weights.items()]
            SearchGram.objects.bulk_create(grams)
        print(f"  {min(companies, start + batch)} companies", flush=True)
    # Bulk inserts bypass the services, which keep the stored profile score: fill it as
    # migration companies.0019 does for existing rows.
    started = time.perf_counter()
    refresh_profile_scores(Company.objects.all())
    print(f"  profile scores stored in {time.perf_counter() - started:.1f} s", flush=True)
    # And the coverage index the capability service keeps (companies.coverage).
    started = time.perf_counter()
    rows = coverage_rebuild()
    print(f"  coverage index: {rows:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


QUERIES = {
    "process subtree + material + distance + text": DirectoryQuery(
        process="cutting.turning",
        material="SUS304",
        within_km=5,
        text="精機",
        origin=ORIGIN,
        sort="relevance",
    ),
    "NC lathe + SUS304 + envelope + 5 km + ISO 9001": DirectoryQuery(
        process="cutting.turning.nc_lathe",
        material="SUS304",
        min_envelope_mm=300,
        within_km=5,
        certification="iso9001",
        origin=ORIGIN,
        sort="distance",
    ),
    "process subtree only (broad)": DirectoryQuery(process="cutting", origin=ORIGIN),
    "text only (broad)": DirectoryQuery(text="工業", origin=ORIGIN),
    "no filter, by distance": DirectoryQuery(sort="distance", origin=ORIGIN),
    "tolerance + material + municipality": DirectoryQuery(
        max_tolerance_mm=Decimal("0.005"), material="A5052", municipality="大田区", origin=ORIGIN
    ),
}


def run_page(query: DirectoryQuery) -> int:
    """What the directory page does for one search (without rendering the template)."""
    page = directory_page(user=None, query=query, number=1, per_page=20)
    return page.paginator.count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--caps-per-company", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--rebuild", action="store_true", help="drop and refill the data")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if args.rebuild or Company.objects.count() < args.companies:
        for model in (
            ProcessCoverage,
            MaterialCoverage,
            SearchGram,
            CompanyCertification,
            Capability.materials.through,
            Capability,
            Company,
        ):
            model.objects.all().delete()
        populate(args.companies, args.caps_per_company, random.Random(42))
    print(
        f"database: {connection.vendor}; companies {Company.objects.count():,}; "
        f"capabilities {Capability.objects.count():,}; "
        f"capability materials {Capability.materials.through.objects.count():,}; "
        f"search grams {SearchGram.objects.count():,}"
    )
    print("load average before: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    print(f"{'query':<48} {'hits':>6} {'p50':>7} {'p95':>7} {'max':>7} {'queries':>8}")
    from django.conf import settings

    settings.MACHIKOBA_DIRECTORY_PUBLIC = True
    for label, query in QUERIES.items():
        run_page(query)  # warm
        timings = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            hits = run_page(query)
            timings.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as captured:
            run_page(query)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(
            f"{label:<48} {hits:>6} {statistics.median(timings):>6.1f}ms {p95:>6.1f}ms "
            f"{timings[-1]:>6.1f}ms {len(captured):>8}"
        )
        reset_queries()
    print("load average after: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))


if __name__ == "__main__":
    main()
