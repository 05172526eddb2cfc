"""Preview generation and watermarked serving, at the sizes issue 4 names.

    .venv/bin/python bench/drawing_previews.py
    .venv/bin/python bench/drawing_previews.py --dxf-only --runs 3   # DXF s/MB, median of 3
    .venv/bin/python bench/drawing_previews.py --heap                # + Python heap peaks

1. Builds a 20-page A1 vector PDF (lines and text on every page) and a ~5 MB DXF.
2. Renders each through ``drawings.previews.iter_previews`` in a fresh subprocess, reporting
   wall time (and, for the DXF, seconds per MB of file; issue 24: <= 5 s/MB) and peak RSS
   (``ru_maxrss``), next to the peak RSS of a subprocess that only imports the libraries, so
   the cost of rendering itself is visible. Peak memory must not grow with the page count:
   pages are rendered one at a time. The Python heap peak (tracemalloc) is measured in a
   separate run with ``--heap``: tracing every allocation makes ezdxf ~5 x slower, so the
   timed run never traces.
3. Times serving a cached preview page: ``watermark_png`` on one screen-size PNG, 100 times,
   p50 / p95 (target p95 < 30 ms), plus the first call, which renders the pattern.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "machikoba.config.settings")

PDF_PAGES = 20
LINES_PER_PAGE = 3000
TEXTS_PER_PAGE = 600
DXF_TARGET_BYTES = 5_000_000


def _setup() -> None:
    import logging

    import django

    django.setup()
    logging.getLogger("ezdxf").setLevel(logging.WARNING)


def make_pdf(path: Path) -> None:
    import random

    from reportlab.pdfgen import canvas

    from machikoba.drawings.tests.samples import A1

    rng = random.Random(1)
    width, height = A1
    pdf = canvas.Canvas(str(path), pagesize=A1, invariant=True)
    for number in range(1, PDF_PAGES + 1):
        pdf.setLineWidth(0.3)
        pdf.rect(20, 20, width - 40, height - 40)
        for _ in range(LINES_PER_PAGE):
            x, y = rng.uniform(30, width - 30), rng.uniform(30, height - 30)
            pdf.line(x, y, x + rng.uniform(-200, 200), y + rng.uniform(-200, 200))
        pdf.setFont("Helvetica", 7)
        for i in range(TEXTS_PER_PAGE):
            pdf.drawString(
                rng.uniform(30, width - 120), rng.uniform(30, height - 30), f"R{i} ±0.02 φ12H7"
            )
        pdf.setFont("Helvetica", 28)
        pdf.drawString(60, 60, f"SHEET {number}/{PDF_PAGES}")
        pdf.showPage()
    pdf.save()


def make_dxf(path: Path) -> None:
    from machikoba.drawings.tests.samples import dxf_document

    side = 10
    while True:
        document = dxf_document(rows=side, cols=side)
        document.saveas(path)
        if path.stat().st_size >= DXF_TARGET_BYTES:
            return
        side = int(side * (DXF_TARGET_BYTES / path.stat().st_size) ** 0.5) + 1


def run_case(kind: str, path: str, keep: str | None, heap: bool = False) -> dict:
    """Runs in the subprocess: render every page, keep only the sizes (and page 1 if asked)."""
    import tracemalloc

    _setup()
    from machikoba.drawings.previews import iter_previews

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if heap:
        tracemalloc.start()
    cpu_started = time.process_time()
    started = time.perf_counter()
    pages = 0
    for page in iter_previews(path, kind):
        pages += 1
        if keep and page.number == 1:
            Path(keep).write_bytes(page.screen_png)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    result = {
        "kind": kind,
        "pages": pages,
        "wall_s": round(wall, 2),
        # CPU seconds of this process: on a shared machine, the figure load changes least.
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_after_imports_mb": round(baseline / 1024, 1),
    }
    if heap:
        result["python_heap_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        result["wall_s_traced"] = result.pop("wall_s")
    return result


def bench_dxf(path: Path, runs: int) -> dict:
    """The DXF preview in a fresh process ``runs`` times: median wall and CPU time, and
    both per MB of file."""
    results = [in_subprocess("--case", "dxf", str(path)) for _ in range(runs)]
    wall = statistics.median(result["wall_s"] for result in results)
    cpu = statistics.median(result["cpu_s"] for result in results)
    megabytes = path.stat().st_size / 1e6
    return {
        **results[-1],
        "runs": runs,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "all_wall_s": [result["wall_s"] for result in results],
        "s_per_mb": round(wall / megabytes, 2),
        "cpu_s_per_mb": round(cpu / megabytes, 2),
    }


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def in_subprocess(*args: str) -> dict:
    output = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def bench_sniff(path: Path, runs: int = 5) -> dict:
    """What the upload request spends checking the DXF (the full parse is in the task)."""
    from django.conf import settings

    from machikoba.drawings.sniffing import sniff_file

    timings = []
    for _ in range(runs):
        with path.open("rb") as handle:
            started = time.perf_counter()
            sniff_file(
                handle,
                name=path.name,
                max_bytes=settings.MACHIKOBA_DRAWING_MAX_BYTES,
                max_pages=settings.MACHIKOBA_DRAWING_MAX_PAGES,
            )
            timings.append(time.perf_counter() - started)
    return {"median_ms": round(statistics.median(timings) * 1000, 1)}


def bench_watermark(screen_png: bytes, runs: int = 100) -> dict:
    from datetime import UTC, datetime

    from machikoba.drawings.watermark import watermark_lines, watermark_png

    lines = watermark_lines(company="株式会社 高田精機", user="山田 太郎", when=datetime.now(UTC))
    started = time.perf_counter()
    watermark_png(screen_png, lines=lines)
    first = time.perf_counter() - started
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        watermark_png(screen_png, lines=lines)
        timings.append(time.perf_counter() - started)
    timings.sort()
    return {
        "first_call_ms": round(first * 1000, 1),
        "p50_ms": round(statistics.median(timings) * 1000, 1),
        "p95_ms": round(timings[int(runs * 0.95) - 1] * 1000, 1),
        "max_ms": round(timings[-1] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", nargs=2, metavar=("KIND", "PATH"))
    parser.add_argument("--keep")
    parser.add_argument("--imports-only", action="store_true")
    parser.add_argument("--heap", action="store_true", help="also trace the Python heap peak")
    parser.add_argument("--dxf-only", action="store_true", help="only the DXF preview")
    parser.add_argument("--runs", type=int, default=1, help="DXF preview runs (median)")
    parser.add_argument("--dxf", type=Path, help="render this DXF instead of the 5 MB one")
    args = parser.parse_args()
    if args.imports_only:
        _setup()
        import ezdxf.addons.drawing.matplotlib  # noqa: F401
        import pypdfium2  # noqa: F401

        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"rss_after_imports_mb": round(rss, 1)}))
        return
    if args.case:
        print(json.dumps(run_case(*args.case, args.keep, heap=args.heap)))
        return

    _setup()
    print("load average before:", load_average())
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        pdf, dxf, screen = folder / "a1.pdf", folder / "big.dxf", folder / "screen.png"
        if args.dxf:
            dxf = args.dxf
        else:
            make_dxf(dxf)
        print(f"input: DXF {dxf.stat().st_size / 1e6:.2f} MB")
        print("dxf:", bench_dxf(dxf, args.runs))
        if args.heap:
            print("dxf, heap traced:", in_subprocess("--case", "dxf", str(dxf), "--heap"))
        print("check the DXF at upload:", bench_sniff(dxf))
        print("load average after the DXF:", load_average())
        if args.dxf_only:
            return
        make_pdf(pdf)
        print(f"input: {PDF_PAGES}-page A1 PDF {pdf.stat().st_size / 1e6:.1f} MB")
        print("imports only:", in_subprocess("--imports-only"))
        print("pdf:", in_subprocess("--case", "pdf", str(pdf), "--keep", str(screen)))
        if args.heap:
            print("pdf, heap traced:", in_subprocess("--case", "pdf", str(pdf), "--heap"))
        from PIL import Image

        with Image.open(screen) as image:
            print(f"watermark one cached screen PNG {image.size} {image.mode}:", end=" ")
        print(bench_watermark(screen.read_bytes()))


if __name__ == "__main__":
    main()
