"""200 machines for one hour of compressed time: the collector's memory over the run and
the database's growth per machine-day (issue 22).

    .venv/bin/python bench/bench_telemetry_scale.py                  # 200 machines, 1 h at speed 24
    .venv/bin/python bench/bench_telemetry_scale.py --hours 4 --speed 48   # 5 min, more rows
    .venv/bin/python bench/bench_telemetry_scale.py --machines 2000        # 1,700 messages/s

The simulator (``manage.py telemetry_simulate --all-day --speed S --seconds 3600·h/S
--seed N --company <the benchmark company>``: machines working around the clock, state
changes and a heartbeat every 30 simulated seconds per machine) publishes through a
private Mosquitto to one ``manage.py telemetry_collect`` process, which writes into the
PostgreSQL database ``machikoba_bench_telemetry`` (created here, its interval tables
emptied first). Meanwhile the collector's resident memory (with its MQTT process's) is sampled
every second (psutil). Printed:

- the RSS series (every ``--print-every`` seconds), its start / middle / end and the slope
  over the run after the first tenth (MB per minute), and whether that is flat;
- whether the collector kept up (seconds from the simulator's end until every state
  change it published was stored);
- the interval table's size (heap, indexes, total) before and after, after a plain VACUUM
  and after VACUUM FULL (the rows alone), divided by the machine-days simulated; intervals
  per machine-day;
- row versions written (inserted, updated and how many of those HOT, deleted) for the
  interval and counter tables;
- for the scaling paper: state changes per machine per calendar day with the default shop
  calendar (Mon–Fri 8:30–17:30, lunch, no 祝日; about 30 % of machines running unattended
  after hours), computed from the same simulator model over four weeks without a broker.

Sizes come in 8 KB pages: with the thousand rows of the default hour the bytes per row are
rounded up by a tenth or so; ``--hours 4 --speed 48`` (3,500 rows) gives a closer figure.
Runs longer than 180 s of collector life meet its silence check: compressed time stamps
messages up to ``seconds × (speed − 1)`` behind the wall clock, so it writes offline rows
that the next heartbeats remove again (counted in the output). Above about 1,000 messages a
second (``--machines 2000``) the simulator's single publisher falls behind and its log of
acknowledged messages stops being exact (the output says so).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import telemetry_bench_common as common

ROOT = common.ROOT
MB = 1024 * 1024


class RssSampler(threading.Thread):
    def __init__(self, pid: int, every: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.every = every
        self.samples: list[tuple[float, float]] = []
        self.halt = threading.Event()
        self.started_at = time.time()

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                # The collector and its MQTT process (collector/mqtt_process.py), together.
                processes = [self.process, *self.process.children(recursive=True)]
                rss = sum(_rss(p) for p in processes) / MB
            except psutil.NoSuchProcess:
                return
            self.samples.append((time.time() - self.started_at, rss))
            self.halt.wait(self.every)


def _rss(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss
    except psutil.NoSuchProcess:  # a child that just ended
        return 0


def slope_mb_per_minute(samples: list[tuple[float, float]]) -> float:
    if len(samples) < 3:
        return 0.0
    times = [t for t, _ in samples]
    values = [v for _, v in samples]
    return statistics.linear_regression(times, values).slope * 60


def table_sizes() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_relation_size('telemetry_stateinterval'), "
            "pg_indexes_size('telemetry_stateinterval'), "
            "pg_total_relation_size('telemetry_stateinterval'), "
            "(SELECT count(*) FROM telemetry_stateinterval)"
        )
        heap, indexes, total, rows = cursor.fetchone()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) "
            "FROM pg_index WHERE indrelid = 'telemetry_stateinterval'::regclass ORDER BY 1"
        )
        sizes = {"heap": heap, "indexes": indexes, "total": total, "rows": rows}
        for name, size in cursor.fetchall():
            sizes[f"index {name}"] = size
        return sizes


def row_activity() -> dict[str, tuple[int, int, int, int]]:
    """(inserted, updated, of which HOT, deleted) row versions per table, cumulative."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del "
            "FROM pg_stat_user_tables WHERE relname IN "
            "('telemetry_stateinterval', 'telemetry_ingeststats')"
        )
        return {name: tuple(values) for name, *values in cursor.fetchall()}


def offline_rows() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM telemetry_stateinterval WHERE boot = 'collector'")
        return cursor.fetchone()[0]


def vacuum(full: bool = False) -> None:
    from django.db import connection

    assert connection.settings_dict["NAME"].startswith("machikoba_bench_telemetry")
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {'FULL ' if full else ''}ANALYZE telemetry_stateinterval")


def calendar_changes(keys: list[str], seed: int, weeks: int = 4) -> tuple[float, float]:
    """State changes per machine per calendar day and per working day under the default
    shop calendar (the simulator's own model, no broker)."""
    from django.utils import timezone

    from machikoba.telemetry.simulator import ShopHours, machine_changes, spec_for

    hours = ShopHours()
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday() + 7 * (weeks + 1))
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time(0, 0)))
    end = start + dt.timedelta(days=7 * weeks)
    total = 0
    for key in keys:
        spec = spec_for(key=key, ideal_cycle_seconds=60, counter_max=65535)
        total += len(machine_changes(spec, hours, start=start, end=end, seed=seed))
    working_days = sum(
        1 for n in range(7 * weeks) if hours.working_day(monday + dt.timedelta(days=n))
    )
    per_day = total / len(keys) / (7 * weeks)
    per_working_day = total / len(keys) / max(working_days, 1)
    return per_day, per_working_day


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--machines", type=int, default=200)
    parser.add_argument("--hours", type=float, default=1.0, help="simulated hours")
    parser.add_argument("--speed", type=float, default=24.0, help="simulated seconds a second")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--batch-size", type=int, help="the collector's --batch-size")
    parser.add_argument("--batch-ms", type=int, help="the collector's --batch-ms")
    parser.add_argument("--print-every", type=float, default=10.0, help="seconds between rows")
    parser.add_argument("--fresh", action="store_true", help="drop the benchmark DB first")
    args = parser.parse_args()

    url = common.setup_django(fresh=args.fresh)
    keys = common.bench_machines(args.machines)
    common.reset_intervals()
    vacuum(full=True)
    before = table_sizes()
    activity_before = row_activity()
    work = Path(tempfile.mkdtemp(prefix="bench-telemetry-scale-"))
    seconds = args.hours * 3600 / args.speed
    machine_days = args.machines * args.hours / 24
    print(
        f"{args.machines} machines × {args.hours:g} h simulated (around the clock) at speed "
        f"{args.speed:g}: {seconds:.0f} s of publishing, {machine_days:.2f} machine-days; "
        f"load average {common.load_average()}",
        flush=True,
    )

    with common.private_mosquitto() as port:
        collector = common.start_collector(
            url,
            port,
            client_id="bench-scale-1",
            log=work / "collector.log",
            batch_size=args.batch_size,
            batch_ms=args.batch_ms,
        )
        sampler = RssSampler(collector.pid)
        sampler.start()
        try:
            collector.wait_subscribed()
            subscribed_at = time.time() - sampler.started_at
            log = work / "published.jsonl"
            simulate = subprocess.run(  # noqa: S603 - our own manage.py
                [
                    sys.executable,
                    str(ROOT / "manage.py"),
                    "telemetry_simulate",
                    "--all-day",
                    "--company",
                    common.COMPANY_NAME,
                    "--speed",
                    str(args.speed),
                    "--seconds",
                    str(seconds),
                    "--seed",
                    str(args.seed),
                    "--log",
                    str(log),
                    "--mqtt-url",
                    f"mqtt://127.0.0.1:{port}",
                ],
                env=common.collector_env(url, port),
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=seconds + 300,
                check=False,
            )
            simulated_at = time.time() - sampler.started_at
            if simulate.returncode:
                raise SystemExit(f"simulator failed:\n{simulate.stdout}\n{simulate.stderr}")
            records = [json.loads(line) for line in log.read_text().splitlines()]
            states = sum(1 for r in records if r["kind"] == "state")
            heartbeats = len(records) - states
            rows, seen = common.wait_for_rows(states, timeout=600, stall=30)
            caught_up = seen - sampler.started_at - simulated_at
            time.sleep(2)  # a last sample or two after the last commit
        finally:
            sampler.halt.set()
            collector.stop()
        sampler.join(5)
        counters = common.ingest_counters()

    print(f"simulator: {simulate.stdout.strip().splitlines()[-1]}")
    print(
        f"published {states:,} state changes and {heartbeats:,} heartbeats "
        f"({(states + heartbeats) / seconds:,.0f} messages/s); stored {rows:,} intervals; "
        f"the last one {caught_up:.1f} s after the simulator ended"
        + ("" if rows >= states else f" — {states - rows} FEWER THAN THE SIMULATOR LOGGED")
    )
    if "0 not." not in simulate.stdout:
        print(
            "  the simulator could not publish at this rate: it ended with messages the broker "
            "had not acknowledged, and its log of acknowledged messages is then unreliable "
            "(paho's in-flight window of 1,000 and its queue behind it); compare the "
            "collector's received count with the broker's instead"
        )
    print(f"collector's counters: {counters}")
    offline_now = offline_rows()
    checks = collector.output().count("fell silent")
    print(
        f"offline rows the collector's silence check wrote: {checks} times logged, "
        f"{offline_now} left (compressed time stamps messages up to "
        f"{seconds * (args.speed - 1) / 60:.0f} min behind the wall clock; the check runs "
        "from 180 s after the collector starts)"
    )
    print(f"collector's own total: {collector.totals()}")

    samples = sampler.samples
    print(
        f"\ncollector RSS (MB), sampled every second; subscribed at {subscribed_at:.0f} s, "
        f"simulator from {subscribed_at:.0f} s to {simulated_at:.0f} s"
    )
    next_print = 0.0
    line = []
    for t, rss in samples:
        if t >= next_print:
            line.append(f"{t:4.0f}s {rss:6.1f}")
            next_print = t + args.print_every
    for start in range(0, len(line), 6):
        print("  " + "   ".join(line[start : start + 6]))
    running = [(t, v) for t, v in samples if subscribed_at <= t <= simulated_at]
    settled = running[len(running) // 10 :]
    if settled:
        first, middle, last = settled[0][1], settled[len(settled) // 2][1], settled[-1][1]
        slope = slope_mb_per_minute(settled)
        peak = max(v for _, v in samples)
        flat = abs(last - middle) < 0.05 * middle and abs(slope) * (seconds / 60) < 0.05 * first
        print(
            f"RSS after the first tenth of the run: start {first:.1f} MB, middle {middle:.1f} MB, "
            f"end {last:.1f} MB, peak {peak:.1f} MB; slope {slope:+.2f} MB/min "
            f"→ {'flat' if flat else 'NOT FLAT'}"
        )

    time.sleep(1)  # the collector's session flushed its statistics when it ended
    activity = row_activity()
    print("\nrow versions written during the run (pg_stat_user_tables):")
    for table, values in sorted(activity.items()):
        ins, upd, hot, dele = (
            v - w for v, w in zip(values, activity_before.get(table, (0,) * 4), strict=True)
        )
        print(
            f"  {table:<26} inserted {ins:>8,}  updated {upd:>8,} (HOT {hot:>8,}, "
            f"{hot / max(upd, 1):.0%})  deleted {dele:>6,}"
        )
    after = table_sizes()
    vacuum()
    vacuumed = table_sizes()
    vacuum(full=True)
    compact = table_sizes()
    grown = after["rows"] - before["rows"]
    print(
        f"\nintervals: {grown:,} in {machine_days:.2f} machine-days = "
        f"{grown / machine_days:,.0f} per machine-day (around the clock)"
    )
    print(
        f"{'interval table':<44} {'before':>10} {'after':>10} {'vacuum':>10} {'v. full':>10}"
        f" {'B/row':>7} {'KB/machine-day':>15}"
    )
    for name in after:
        if name == "rows":
            continue
        growth = compact[name] - before[name]
        print(
            f"{name:<44} {before[name] / 1024:>9.0f}K {after[name] / 1024:>9.0f}K "
            f"{vacuumed[name] / 1024:>9.0f}K {compact[name] / 1024:>9.0f}K "
            f"{growth / max(grown, 1):>7.0f} {growth / 1024 / machine_days:>15.1f}"
        )
    raw = (after["total"] - before["total"]) / machine_days / 1024
    print(
        f"growth per machine-day: {raw:.1f} KB as written (dead row versions of the end/parts "
        f"updates included), {(compact['total'] - before['total']) / machine_days / 1024:.1f} "
        "KB compacted"
    )
    per_day, per_working_day = calendar_changes(keys, args.seed)
    print(
        f"default shop calendar (simulator model, 4 weeks): {per_day:.0f} state changes per "
        f"machine per calendar day, {per_working_day:.0f} per working day"
    )
    print(f"load average after: {common.load_average()}")
    print(f"(work files in {work})")


if __name__ == "__main__":
    sys.exit(main())
