"""Failover drill: two collectors on one shared subscription, one killed (SIGKILL) mid-batch
and restarted with the same client id; nothing lost, nothing doubled (issue 22).

    .venv/bin/python bench/bench_telemetry_failover.py
    .venv/bin/python bench/bench_telemetry_failover.py --messages 12000 --rate 300 --kill-at 0.3

A private Mosquitto (``core.testing.mosquitto.PrivateBroker``), the PostgreSQL database
``machikoba_bench_telemetry`` (its interval tables emptied first), two ``manage.py
telemetry_collect`` processes, ``--client-id bench-failover-a`` and ``-b``, both ``--group
bench-failover``. A publisher process sends ``--messages`` realistic state changes of
``--machines`` machines at ``--rate`` a second (QoS 1, MQTT v5) and logs every message it
published as (machine key, boot, seq). When ``--kill-at`` of them are out, the drill waits
until collector A's database session is inside a transaction (it is writing a batch),
kills A with SIGKILL, and after ``--down`` seconds starts it again with the same client id
(as a supervisor would). When the publisher is done and the broker acknowledged every
message, the drill waits for the collectors to store everything (or ``--timeout``),
stops them, and compares the stored intervals with the publisher's log:

- lost: logged, not stored; extra: stored, never published; duplicated: a (machine, boot,
  seq) stored more than once (the unique key forbids it: checked anyway);
- every machine's chain: each row ends where the next begins, only the last one open;
- how many messages each collector stored (A before the kill = the rest), and how many
  redeliveries the writer recognised as duplicates.

Exit status 1, with the exact differences, if anything was lost, extra or doubled.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import psutil
import telemetry_bench_common as common


def session_state(pid: int) -> str | None:
    """The state of ``pid``'s PostgreSQL session (matched by its client port): "active",
    "idle in transaction", "idle"; ``None`` if it has none open."""
    from django.db import connection

    try:
        ports = [
            c.laddr.port
            for c in psutil.Process(pid).net_connections(kind="tcp")
            if c.raddr and c.raddr.port == 5432
        ]
    except psutil.NoSuchProcess:
        return None
    if not ports:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT state, xact_start IS NOT NULL FROM pg_stat_activity "
            "WHERE client_port = ANY(%s) AND datname = current_database()",
            [ports],
        )
        rows = cursor.fetchall()
    in_transaction = [state for state, xact in rows if xact]
    if in_transaction:
        return in_transaction[0]
    return rows[0][0] if rows else None


def stored_totals(collector: common.Collector) -> list[int]:
    """``stored`` of every "collector total" line in the collector's log (one per orderly
    stop)."""
    totals = []
    for line in collector.output().splitlines():
        if "collector total" in line and " stored " in line:
            totals.append(int(line.split(" stored ", 1)[1].split()[0]))
    return totals


def compare(log: Path) -> tuple[set, set, list, list[str]]:
    """(lost, extra, duplicated keys, broken chains) of the stored intervals against the
    publisher's log."""
    from django.db import connection

    published = set()
    for line in log.read_text().splitlines():
        key, boot, seq, _at = line.split("\t")
        published.add((key, boot, int(seq)))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.key, s.boot, s.seq FROM telemetry_stateinterval s "
            "JOIN telemetry_machine m ON m.id = s.machine_id WHERE s.boot <> 'collector'"
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT m.key, s.boot, s.seq, count(*) FROM telemetry_stateinterval s "
            "JOIN telemetry_machine m ON m.id = s.machine_id "
            "GROUP BY 1, 2, 3 HAVING count(*) > 1"
        )
        duplicated = cursor.fetchall()
        cursor.execute(
            """
            SELECT machine_id, id, "end", lead(start) OVER w AS next_start
            FROM telemetry_stateinterval
            WINDOW w AS (PARTITION BY machine_id ORDER BY start, seq, boot)
            """
        )
        broken = [
            f"machine {machine} row {row}: end {end} ≠ next start {following}"
            for machine, row, end, following in cursor.fetchall()
            if end != following
        ]
    stored = {(key, boot, seq) for key, boot, seq in rows}
    return published - stored, stored - published, duplicated, broken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--machines", type=int, default=200)
    parser.add_argument("--messages", type=int, default=6000)
    parser.add_argument("--rate", type=float, default=150.0, help="messages a second")
    parser.add_argument("--kill-at", type=float, default=0.4, help="share published first")
    parser.add_argument("--down", type=float, default=2.0, help="seconds A stays dead")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--batch-size", type=int, help="the collectors' --batch-size")
    parser.add_argument("--batch-ms", type=int, help="the collectors' --batch-ms")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument(
        "--broker-queue",
        type=int,
        default=0,
        help="Mosquitto's max_queued_messages (0: no limit; Mosquitto's default is 1000)",
    )
    parser.add_argument("--fresh", action="store_true", help="drop the benchmark DB first")
    args = parser.parse_args()

    url = common.setup_django(fresh=args.fresh)
    keys = common.bench_machines(args.machines)
    common.reset_intervals()
    work = Path(tempfile.mkdtemp(prefix="bench-telemetry-failover-"))
    per_machine = max(1, args.messages // args.machines)
    messages = common.shop_messages(keys, seed=args.seed, per_machine=per_machine)
    common.write_messages(work / "messages.jsonl", messages)
    count = len(messages)
    log = work / "published.tsv"
    print(
        f"{args.machines} machines, {count:,} state changes at {args.rate:g}/s; "
        f"collector A killed after {args.kill_at:.0%} and restarted {args.down:g} s later; "
        f"broker max_queued_messages {args.broker_queue or 'unlimited'}; "
        f"load average {common.load_average()}",
        flush=True,
    )

    def start(name: str) -> common.Collector:
        return common.start_collector(
            url,
            port,
            client_id=f"bench-failover-{name}",
            group="bench-failover",
            log=work / f"collector-{name}.log",
            batch_size=args.batch_size,
            batch_ms=args.batch_ms,
        )

    with common.private_mosquitto(max_queued_messages=args.broker_queue) as port:
        a, b = start("a"), start("b")
        try:
            a.wait_subscribed()
            b.wait_subscribed()
            started = time.time()
            publisher = common.start_publisher(
                port,
                work / "messages.jsonl",
                result_file=work / "published.json",
                rate=args.rate,
                log=log,
                client_id="bench-failover-publisher",
            )
            kill_after = count * args.kill_at / args.rate
            while time.time() - started < kill_after:
                time.sleep(0.05)
            state = None
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                state = session_state(a.pid)
                if state and state != "idle":
                    break
                time.sleep(0.005)
            rows_at_kill = common.device_rows()
            a.kill()
            killed_at = time.time() - started
            print(
                f"{killed_at:.1f} s: collector A (pid {a.pid}) killed with SIGKILL; its "
                f"database session was {state!r}; {rows_at_kill:,} intervals stored so far",
                flush=True,
            )
            time.sleep(args.down)
            a = common.Collector(start("a").process, a.log, a.client_id)
            a.wait_subscribed(after=1)
            print(f"{time.time() - started:.1f} s: collector A restarted (same client id)")
            publisher.wait(args.timeout)
            published_at = time.time() - started
            rows, _ = common.wait_for_rows(count, args.timeout)
            done_at = time.time() - started
            print(
                f"{published_at:.1f} s: publisher done; {done_at:.1f} s: {rows:,} of "
                f"{count:,} intervals stored",
                flush=True,
            )
        finally:
            a.stop()
            b.stop()
        counters = common.ingest_counters()

    logged = sum(1 for _ in log.open())
    lost, extra, duplicated, broken = compare(log)
    a_totals, b_totals = stored_totals(a), stored_totals(b)
    b_stored = b_totals[-1] if b_totals else 0
    a_after = a_totals[-1] if a_totals else 0
    a_before = rows - b_stored - a_after
    print()
    print(f"published (publisher's log): {logged:,}")
    print(f"stored intervals:            {rows:,}")
    print(f"lost = {len(lost)}")
    print(f"duplicated = {len(duplicated)}")
    print(f"extra (stored, never published) = {len(extra)}")
    print(f"broken chains (end ≠ next start) = {len(broken)}")
    print(
        f"stored by collector A before the kill: {a_before:,} (the rest), A after its restart: "
        f"{a_after:,}, B: {b_stored:,}"
    )
    print(
        f"redeliveries recognised as duplicates (IngestStats.duplicates): "
        f"{counters['duplicates']:,}; counters {counters}"
    )
    print(f"load average after: {common.load_average()}; work files in {work}")
    if lost or extra or duplicated or broken or logged != count:
        for label, items in (
            ("LOST", sorted(lost)),
            ("EXTRA", sorted(extra)),
            ("DUPLICATED", duplicated),
            ("BROKEN", broken),
        ):
            for item in list(items)[:50]:
                print(f"{label}: {item}")
            if len(items) > 50:
                print(f"{label}: … {len(items) - 50} more")
        if logged != count:
            print(f"PUBLISHER logged {logged} of {count} messages")
        print("FAILED")
        sys.exit(1)
    print("OK: zero lost, zero duplicated")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
