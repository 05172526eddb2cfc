"""MQTT → stored intervals, as a ratio to Mosquitto's own delivery rate (issue 22: ≥ 0.5).

    .venv/bin/python bench/bench_telemetry_ingest.py                  # 3 cycles, defaults
    .venv/bin/python bench/bench_telemetry_ingest.py --batch-size 1000 --batch-ms 200
    .venv/bin/python bench/bench_telemetry_ingest.py --repeat 1 --profile   # where time goes

One run, one private Mosquitto (``core.testing.mosquitto.PrivateBroker``: its own port,
config and persistence directory; saved every 30 minutes as in production, not after
every change as the tests have it), the PostgreSQL database ``machikoba_bench_telemetry``
(created and migrated here; ``--fresh`` drops it first). The same messages, realistic
state changes of ``--machines`` machines (``telemetry_bench_common.shop_messages``: runs of
production, idle, set-up, stops and alarms with reason codes, a rising part counter;
about 110 bytes of JSON each) go through the broker four times, published by a separate
paho process at full speed (QoS 1, MQTT v5):

1. **bare, live**: a bare paho subscriber on the collector's shared-subscription filter
   receives them while they are published: messages/s from the first to the last
   received;
2. **bare, backlog**: the same subscriber, held while every message is published and
   acknowledged by the broker, then let go: messages/s as it catches up;
3. **collector, live**: one ``manage.py telemetry_collect`` process (the real collector:
   parsing, validation, batches, ``ingest.write_batch``, acknowledgement after commit):
   messages/s from the first publish until the last interval is committed, counted in
   the database;
4. **collector, backlog**: the collector's process is stopped (SIGSTOP) while every
   message is published, then continued (SIGCONT): messages/s from then until the last
   interval is committed.

The ratios are 3 ÷ 1 (the issue's figure) and 4 ÷ 2. A cycle is the four rounds on a
broker of its own; ``--repeat`` cycles (3) give the median ratios, since single rates
swing by a third on a shared machine (two cores: the load average is printed with the
figures). Each collector round uses new boot ids, so every message is a new interval; the
rate limit per device is lifted (a compressed burst is not a flood) and the refusal
counters are printed to show nothing was refused. ``--profile`` samples the collector
during its rounds (py-spy, every thread, when ``PY_SPY`` names it or it is on PATH; else
cProfile) and prints where the time goes. ``--collectors 2`` runs two collector processes
on the shared subscription (their combined rate) and shows how often one waits for the
other's row locks. ``--receive-maximum`` sets the collector's MQTT receive maximum (1,000:
no batch holds more).

``--writer-only`` leaves MQTT out: ``ingest.write_batch`` in this process, the same
messages as events, in batches of 500, 1,000 and 2,000 (new messages, then the first half
again as duplicates), then the cost of a late message: one event placed 0, 10, 100, 1,000 rows
before a machine's newest (a week of history), and a batch of one late event for each machine. With
``--database-url sqlite:///var/bench-telemetry.sqlite3`` the same on SQLite (the
development default)::

    .venv/bin/python bench/bench_telemetry_ingest.py --writer-only
    .venv/bin/python bench/bench_telemetry_ingest.py --writer-only \
        --database-url sqlite:///var/bench-telemetry.sqlite3
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import telemetry_bench_common as common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--machines", type=int, default=200)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, help="the collector's --batch-size")
    parser.add_argument("--batch-ms", type=int, help="the collector's --batch-ms")
    parser.add_argument(
        "--receive-maximum",
        type=int,
        help="the collector's MQTT_RECEIVE_MAXIMUM (default 1000: unacknowledged messages "
        "the broker may send; a batch never holds more)",
    )
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the collector during its rounds: py-spy (all threads) when PY_SPY names "
        "it or it is on PATH, else cProfile (main thread, whole life)",
    )
    parser.add_argument("--fresh", action="store_true", help="drop the benchmark DB first")
    parser.add_argument(
        "--timeout", type=float, default=240, help="seconds to wait for a collector round"
    )
    parser.add_argument("--collectors", type=int, default=1, help="collector processes")
    parser.add_argument(
        "--repeat", type=int, default=3, help="cycles, each on a new broker (median ratio)"
    )
    parser.add_argument("--writer-only", action="store_true", help="write_batch in-process")
    parser.add_argument("--database-url", help="--writer-only on another database")
    args = parser.parse_args()
    if args.writer_only:
        writer_only(args)
        return

    url = common.setup_django(fresh=args.fresh)
    keys = common.bench_machines(args.machines)
    common.reset_intervals()
    work = Path(tempfile.mkdtemp(prefix="bench-telemetry-ingest-"))
    per_machine = max(1, args.messages // args.machines)
    bare = work / "bare.jsonl"
    messages = common.shop_messages(keys, seed=args.seed, per_machine=per_machine, boot_prefix="ba")
    common.write_messages(bare, messages)
    count = len(messages)
    print(
        f"{args.collectors} collector process(es), {args.machines} machines, "
        f"{count:,} state changes a round ({per_machine} a machine), "
        f"{args.repeat} cycle(s), database machikoba_bench_telemetry; "
        f"load average {common.load_average()}",
        flush=True,
    )
    spy = common.py_spy() if args.profile else None
    cycles = []
    for cycle in range(args.repeat):
        sets = {"bare": bare}
        for label in ("live", "backlog"):
            sets[label] = work / f"{label}-{cycle}.jsonl"
            common.write_messages(
                sets[label],
                common.shop_messages(
                    keys,
                    seed=args.seed + cycle,
                    per_machine=per_machine,
                    boot_prefix=f"{label[:2]}{cycle}",
                ),
            )
        cycles.append(one_cycle(args, url, sets, count, work / f"cycle-{cycle}", spy))

    print()
    print(
        f"{'cycle':<6} {'bare live':>10} {'collector':>10} {'ratio':>6}   "
        f"{'bare backlog':>12} {'collector':>10} {'ratio':>6}   load"
    )
    for n, c in enumerate(cycles, 1):
        print(
            f"{n:<6} {c['bare, live']:>10,.0f} {c['collector, live']:>10,.0f} "
            f"{c['collector, live'] / c['bare, live']:>6.2f}   {c['bare, backlog']:>12,.0f} "
            f"{c['collector, backlog']:>10,.0f} "
            f"{c['collector, backlog'] / c['bare, backlog']:>6.2f}   {c['load']}"
        )
    live = statistics.median(c["collector, live"] / c["bare, live"] for c in cycles)
    backlog = statistics.median(c["collector, backlog"] / c["bare, backlog"] for c in cycles)
    print(f"ratio live    (collector ÷ bare), median: {live:.2f}  (target ≥ 0.5)")
    print(f"ratio backlog (collector ÷ bare), median: {backlog:.2f}")
    counters = common.ingest_counters()
    print(f"collector's counters: {counters}")
    if counters["rate_limited"] or counters["malformed"] or counters["skewed"]:
        print("WARNING: messages were refused; the rates above are not comparable")
    print(f"load average after: {common.load_average()}")
    print(f"(work files in {work})")


def one_cycle(
    args: argparse.Namespace,
    url: str,
    sets: dict[str, Path],
    count: int,
    work: Path,
    spy: str | None,
) -> dict[str, float | str]:
    """The four rounds on a broker of their own (no session of an earlier cycle in it)."""
    work.mkdir()
    results: dict[str, float | str] = {}
    with common.private_mosquitto() as port:
        bare_live, published = common.bare_subscriber(
            port, sets["bare"], count, result_file=work / "bare-live.json"
        )
        assert bare_live.count == count, bare_live
        size = published["payload_bytes"] / max(published["published"], 1)
        publish_rate = published["published"] / max(published["last"] - published["first"], 1e-9)
        results["bare, live"] = bare_live.rate
        bare_backlog, _ = common.bare_subscriber(
            port, sets["bare"], count, result_file=work / "bare-backlog.json", backlog=True
        )
        assert bare_backlog.count == count, bare_backlog
        results["bare, backlog"] = bare_backlog.rate
        print(
            f"bare subscriber: live {bare_live.rate:,.0f}/s (publisher {publish_rate:,.0f}/s), "
            f"backlog {bare_backlog.rate:,.0f}/s (payload {size:.0f} B); "
            f"load {common.load_average()}",
            flush=True,
        )

        profile = work / "collector.prof" if args.profile and not spy else None
        collectors = [
            common.start_collector(
                url,
                port,
                client_id=f"bench-ingest-{n + 1}",
                log=work / f"collector-{n + 1}.log",
                batch_size=args.batch_size,
                batch_ms=args.batch_ms,
                profile=profile if n == 0 else None,
                env=(
                    {"MQTT_RECEIVE_MAXIMUM": str(args.receive_maximum)}
                    if args.receive_maximum
                    else None
                ),
            )
            for n in range(args.collectors)
        ]
        collector = collectors[0]
        sampler = None
        locks = common.LockSampler()
        try:
            for each in collectors:
                each.wait_subscribed()
            if spy:
                sampler = common.start_py_spy(spy, collector.pid, work / "collector.collapsed")
            locks.start()
            # Round 3: live.
            before = common.device_rows()
            publisher = common.start_publisher(
                port, sets["live"], result_file=work / "collector-live.json"
            )
            publisher.wait(args.timeout)
            published = json.loads((work / "collector-live.json").read_text())
            rows, seen = common.wait_for_rows(before + count, args.timeout)
            if rows < before + count:
                raise SystemExit(f"live round: {rows - before} of {count} stored in time")
            results["collector, live"] = count / (seen - published["first"])

            # Round 4: backlog.
            before = common.device_rows()
            for each in collectors:
                os.kill(each.pid, signal.SIGSTOP)
            try:
                publisher = common.start_publisher(
                    port, sets["backlog"], result_file=work / "collector-backlog.json"
                )
                publisher.wait(args.timeout)
            finally:
                released = time.time()
                for each in collectors:
                    os.kill(each.pid, signal.SIGCONT)
            rows, seen = common.wait_for_rows(before + count, args.timeout)
            if rows < before + count:
                raise SystemExit(f"backlog round: {rows - before} of {count} stored in time")
            results["collector, backlog"] = count / (seen - released)
        finally:
            locks.halt.set()
            if sampler is not None:
                common.stop_py_spy(sampler)
            for each in collectors:
                each.stop()
    results["load"] = common.load_average()
    print(
        f"collector: live {results['collector, live']:,.0f}/s, backlog "
        f"{results['collector, backlog']:,.0f}/s; load {results['load']}",
        flush=True,
    )
    for each in collectors:
        print(f"  {each.client_id}'s own total: {each.totals()}")
    print(f"  database sessions during the collector rounds: {locks.summary()}")
    if profile is not None and profile.exists():
        print_profile(profile)
    if spy and (work / "collector.collapsed").exists():
        print("\ncollector profile (py-spy, every thread, during the collector's rounds):")
        common.summarise_py_spy(work / "collector.collapsed")
    return results


def writer_only(args: argparse.Namespace) -> None:
    """``ingest.write_batch`` alone, in this process (see the module's docstring)."""
    import datetime as dt
    import statistics

    common.setup_django(fresh=args.fresh, url=args.database_url)
    from django.db import connection

    from machikoba.telemetry.events import Batch, StateEvent
    from machikoba.telemetry.ingest import write_batch
    from machikoba.telemetry.models import Machine

    keys = common.bench_machines(args.machines)
    ids = dict(Machine.objects.filter(key__in=keys).values_list("key", "id"))
    per_machine = max(1, args.messages // args.machines)
    messages = common.shop_messages(keys, seed=args.seed, per_machine=per_machine)
    # Stamped as the collector would receive them live: now, a millisecond apart.
    now = time.time()
    events = [
        StateEvent(
            ids[m.key],
            m.boot,
            m.seq,
            dt.datetime.fromtimestamp(now - (len(messages) - i) / 1000, dt.UTC),
            m.state,
            m.reason,
            m.count,
        )
        for i, m in enumerate(messages)
    ]
    print(
        f"write_batch in-process on {connection.vendor}: {args.machines} machines, "
        f"{len(events):,} events; load average {common.load_average()}",
        flush=True,
    )
    print(f"{'batch':>6} {'new events/s':>13} {'duplicates/s':>13}")
    for size in (500, 1000, 2000):
        common.reset_intervals()
        started = time.perf_counter()
        for start in range(0, len(events), size):
            write_batch(Batch(events=events[start : start + size]))
        new_rate = len(events) / (time.perf_counter() - started)
        half = events[: len(events) // 2]
        started = time.perf_counter()
        for start in range(0, len(half), size):
            write_batch(Batch(events=half[start : start + size]))
        duplicate_rate = len(half) / (time.perf_counter() - started)
        print(f"{size:>6} {new_rate:>13,.0f} {duplicate_rate:>13,.0f}", flush=True)

    # Late messages: the relink reads and rewrites every row from the one before the late
    # event to the machine's newest. One machine gets a week of history first (2,000 rows,
    # 4.5 minutes apart: within the collector's 7-day bound).
    machine_id = ids[keys[0]]
    history = [
        StateEvent(
            machine_id,
            "history",
            n,
            dt.datetime.fromtimestamp(now - (2000 - n) * 270, dt.UTC),
            ("producing", "idle", "setup", "alarm")[n % 4],
            "",
            n * 3,
        )
        for n in range(2000)
    ]
    for start in range(0, len(history), 500):
        write_batch(Batch(events=history[start : start + 500]))
    own = sorted([*history, *(e for e in events if e.machine_id == machine_id)], key=lambda e: e.at)
    print(f"late messages ({len(own):,} rows on the machine; median of 5, ms):")
    seq = 10_000_000
    for back in (0, 10, 100, 1000):
        timings = []
        for _ in range(5):
            seq += 1
            if back == 0:
                at = dt.datetime.now(dt.UTC)
            else:
                at = own[-back - 1].at + dt.timedelta(microseconds=seq % 997 + 1)
            event = StateEvent(machine_id, "late", seq, at, "idle", "", None)
            started = time.perf_counter()
            write_batch(Batch(events=[event]))
            timings.append((time.perf_counter() - started) * 1000)
        print(f"  one event {back:>4} rows back: {statistics.median(timings):8.1f}")
    for back in (0, 10, 50):
        batch = []
        for key in keys:
            machine = ids[key]
            mine = [e for e in events if e.machine_id == machine]
            seq += 1
            at = mine[max(0, len(mine) - back - 1)].at + dt.timedelta(microseconds=seq % 997 + 1)
            batch.append(StateEvent(machine, "late", seq, at, "idle", "", None))
        started = time.perf_counter()
        write_batch(Batch(events=batch))
        elapsed = (time.perf_counter() - started) * 1000
        label = f"a batch of {len(batch)} events, one per machine, {back:>3} rows back"
        print(f"  {label}: {elapsed:8.1f}")


def print_profile(path: Path, limit: int = 25) -> None:
    """Where the collector's main thread (the runner: merging, write_batch, acks) spent
    its time, by cumulative time and by own time."""
    stats = pstats.Stats(str(path))
    stats.strip_dirs()
    print("\ncollector profile (main thread), cumulative:")
    stats.sort_stats("cumulative").print_stats(limit)
    print("collector profile, own time:")
    stats.sort_stats("tottime").print_stats(limit)


if __name__ == "__main__":
    sys.exit(main())
