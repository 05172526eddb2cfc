"""Shared pieces of the telemetry benchmarks (issue 22): the benchmark database, a private
Mosquitto, realistic state-change messages, a publisher process, the collector process.

Not a benchmark itself. Run as a script it is the publisher (a separate process, so that
publishing does not share a GIL with whatever receives)::

    .venv/bin/python bench/telemetry_bench_common.py publish --port P --messages m.jsonl \\
        [--speed 60] [--log log.jsonl] [--ready-file f]

Messages follow docs/telemetry.md: topic ``machikoba/v1/<machine key>/state``, payload
``{"seq", "boot", "ts", "state", "reason", "count"}``, QoS 1, MQTT v5.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "machikoba_bench_telemetry"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
TOPIC_ROOT = "machikoba/v1"
COMPANY_NAME = "ベンチマーク計測工業株式会社"


# --- realistic state changes --------------------------------------------------------------

# A 町工場 machine's states, how long it stays (mean minutes) and where it goes next.
DWELL_MINUTES = {
    "producing": 14.0,
    "idle": 4.0,
    "setup": 18.0,
    "unplanned_stop": 6.0,
    "alarm": 3.0,
    "planned_stop": 25.0,
}
NEXT = {
    "producing": [
        ("idle", 40),
        ("unplanned_stop", 22),
        ("setup", 15),
        ("alarm", 10),
        ("planned_stop", 13),
    ],
    "idle": [("producing", 70), ("setup", 20), ("planned_stop", 10)],
    "setup": [("producing", 90), ("idle", 10)],
    "unplanned_stop": [("producing", 85), ("idle", 15)],
    "alarm": [("producing", 60), ("unplanned_stop", 40)],
    "planned_stop": [("producing", 60), ("setup", 30), ("idle", 10)],
}
REASONS = {
    "unplanned_stop": ["material", "tool_change", "quality_check", "waiting_operator"],
    "alarm": ["A1203", "A0401", "EX0132", "SV0401"],
    "planned_stop": ["break", "lunch", "meeting"],
}


@dataclass(frozen=True, slots=True)
class Message:
    key: str
    boot: str
    seq: int
    ts: float  # epoch seconds
    state: str
    reason: str
    count: int

    @property
    def topic(self) -> str:
        return f"{TOPIC_ROOT}/{self.key}/state"

    def row(self) -> list:
        return [
            self.topic,
            self.key,
            self.boot,
            self.seq,
            self.ts,
            self.state,
            self.reason,
            self.count,
        ]


def payload(boot: str, seq: int, at: float, state: str, reason: str, count: int) -> str:
    return json.dumps(
        {
            "seq": seq,
            "boot": boot,
            "ts": dt.datetime.fromtimestamp(at, dt.UTC).isoformat(timespec="milliseconds"),
            "state": state,
            "reason": reason,
            "count": count,
        },
        separators=(",", ":"),
    )


def machine_stream(
    key: str, boot: str, rng: random.Random, start: float, until: float | None, limit: int | None
) -> list[Message]:
    """State changes of one machine from ``start`` (epoch s) until ``until`` or ``limit``
    messages: a Markov chain over ``NEXT`` with exponential dwell times, a part counter that
    advances while producing (cycle 30–120 s)."""
    messages: list[Message] = []
    state = rng.choice(["producing", "idle", "setup"])
    at = start + rng.uniform(0, 120)
    count = rng.randrange(0, 5000)
    cycle = rng.uniform(30, 120)
    seq = 1
    while (limit is None or len(messages) < limit) and (until is None or at < until):
        reason = rng.choice(REASONS[state]) if state in REASONS else ""
        messages.append(Message(key, boot, seq, at, state, reason, count))
        dwell = max(20.0, rng.expovariate(1 / (DWELL_MINUTES[state] * 60)))
        if state == "producing":
            count += int(dwell // cycle)
        at += dwell
        seq += 1
        names, weights = zip(*NEXT[state], strict=True)
        state = rng.choices(names, weights)[0]
    return messages


def shop_messages(
    keys: list[str],
    *,
    seed: int,
    per_machine: int | None = None,
    hours: float | None = None,
    end: float | None = None,
    boot_prefix: str = "b",
) -> list[Message]:
    """Every machine's state changes merged in time order. With ``per_machine`` the streams
    are shifted to end a minute before ``end`` (now); with ``hours`` they cover
    ``[end - hours, end)``."""
    rng = random.Random(seed)
    end = end or time.time()
    streams = []
    for key in keys:
        boot = f"{boot_prefix}{rng.getrandbits(32):08x}"
        if hours is not None:
            streams.append(machine_stream(key, boot, rng, end - hours * 3600, end, None))
        else:
            streams.append(machine_stream(key, boot, rng, 0.0, None, per_machine))
    messages = sorted((m for s in streams for m in s), key=lambda m: m.ts)
    if hours is None and messages:
        shift = end - 60 - messages[-1].ts
        messages = [
            Message(m.key, m.boot, m.seq, m.ts + shift, m.state, m.reason, m.count)
            for m in messages
        ]
    return messages


def write_messages(path: Path, messages: list[Message]) -> None:
    with path.open("w") as out:
        for m in messages:
            out.write(json.dumps(m.row()) + "\n")


# --- processes ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


# Mosquitto as it would run in production: persistence on, saved every 30 minutes and at
# shutdown (mosquitto's default). core.testing.mosquitto saves after every change so that a
# test may SIGKILL the broker; that costs a disk write per queued message (``--autosave``).
PRODUCTION_AUTOSAVE = "autosave_on_changes false\nautosave_interval 1800\n"


@contextlib.contextmanager
def private_mosquitto(
    *, save_every_change: bool = False, max_queued_messages: int = 0
) -> Iterator[int]:
    """A Mosquitto of our own on a free port (``core.testing.mosquitto.PrivateBroker``:
    its own config and persistence in a temp dir, unlimited in-flight window, by default
    no limit on the messages queued per client: Mosquitto's own default, 1,000, drops QoS 1
    messages for a client that is that far behind). Yields the port."""
    sys.path.insert(0, str(ROOT / "src"))
    from machikoba.core.testing.mosquitto import PrivateBroker

    extra = "" if save_every_change else PRODUCTION_AUTOSAVE
    with PrivateBroker(max_queued_messages=max_queued_messages, extra_config=extra) as broker:
        yield broker.port


def database_url(name: str = BENCH_DB) -> str:
    return f"{PG_SERVER}/{name}"


def ensure_database(name: str = BENCH_DB, *, fresh: bool = False) -> None:
    """Create our own benchmark database (``fresh``: drop it first). Touches no other."""
    import psycopg

    assert name.startswith("machikoba_bench_telemetry"), name
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(name: str = BENCH_DB, *, fresh: bool = False, url: str | None = None) -> str:
    """Point Django at the benchmark database (``url``: another one, e.g. a SQLite file),
    migrate it; returns its DATABASE_URL."""
    if url is None:
        ensure_database(name, fresh=fresh)
        url = database_url(name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "machikoba.config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return url


def bench_machines(count: int) -> list[str]:
    """``count`` MQTT machines of one benchmark company (made once); their keys."""
    from machikoba.companies.models import Company, Equipment
    from machikoba.core.testing.factories import CompanyFactory
    from machikoba.telemetry.choices import Source
    from machikoba.telemetry.models import Machine

    company = Company.objects.filter(name=COMPANY_NAME).first() or CompanyFactory(name=COMPANY_NAME)
    have = Machine.objects.filter(company=company).count()
    if have < count:
        equipment = Equipment.objects.create(company=company, kind="NC旋盤", count=count - have)
        Machine.objects.bulk_create(
            [
                Machine(
                    company=company,
                    equipment=equipment,
                    unit=unit,
                    name=f"BENCH-{have + unit:04d}",
                    source=Source.MQTT,
                    key=f"bench{have + unit:04d}{os.urandom(4).hex()}",
                    ideal_cycle_seconds=60,
                    counter_max=65535,
                )
                for unit in range(1, count - have + 1)
            ]
        )
    machines = Machine.objects.filter(company=company).order_by("name")[:count]
    Machine.objects.filter(company=company).exclude(id__in=[m.id for m in machines]).update(
        active=False
    )
    Machine.objects.filter(id__in=[m.id for m in machines]).update(active=True)
    return [m.key for m in machines]


def reset_intervals() -> None:
    """Empty what the collector writes (our own database only)."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    assert "bench" in name, name
    assert "telemetry" in name, name
    tables = ("telemetry_stateinterval", "telemetry_ingeststats", "telemetry_unknownsource")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names


def interval_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM telemetry_stateinterval")
        return cursor.fetchone()[0]


# Compressed time sends a machine's state changes seconds apart; the per-device flood limit
# (20 a second, bursts of 100) is for real sensors, so the benchmarks lift it and check
# that nothing was refused as rate-limited.
BENCH_LIMITS = {"TELEMETRY_RATE": "1000000", "TELEMETRY_BURST": "1000000"}


def collector_env(url: str, port: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": url,
            "PYTHONPATH": str(ROOT / "src"),
            "MACHIKOBA_ENV": "development",
            "DEBUG": "0",
            "LOG_LEVEL": "INFO",
            "MQTT_URL": f"mqtt://127.0.0.1:{port}",
            **BENCH_LIMITS,
            **(extra or {}),
        }
    )
    return env


@dataclass
class Collector:
    """One ``manage.py telemetry_collect`` process on the private broker, its output in
    ``log``."""

    process: subprocess.Popen
    log: Path
    client_id: str

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_subscribed(self, timeout: float = 60.0, after: int = 0) -> None:
        """Until the collector logged its subscription (the ``after``-th time: a restart
        appends to the same log)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.output().count("MQTT: subscribed") > after:
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"collector exited:\n{self.output()[-3000:]}")
            time.sleep(0.05)
        raise RuntimeError(f"collector not subscribed after {timeout} s:\n{self.output()[-3000:]}")

    def totals(self) -> str:
        lines = [line for line in self.output().splitlines() if "collector total" in line]
        return lines[-1].split("collector total: ", 1)[-1] if lines else "(no total logged)"

    def stop(self, timeout: float = 60.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)


def start_collector(
    url: str,
    port: int,
    *,
    client_id: str,
    log: Path,
    group: str = "bench",
    batch_size: int | None = None,
    batch_ms: int | None = None,
    profile: Path | None = None,
    env: dict[str, str] | None = None,
) -> Collector:
    """``manage.py telemetry_collect --mqtt --client-id … --group …`` (``profile``: under
    cProfile, written when it stops)."""
    command = [sys.executable]
    if profile is not None:
        command += ["-m", "cProfile", "-o", str(profile)]
    command += [
        str(ROOT / "manage.py"),
        "telemetry_collect",
        "--mqtt",
        "--client-id",
        client_id,
        "--group",
        group,
    ]
    if batch_size:
        command += ["--batch-size", str(batch_size)]
    if batch_ms:
        command += ["--batch-ms", str(batch_ms)]
    out = log.open("ab")
    process = subprocess.Popen(  # noqa: S603 - our own manage.py
        command,
        env=collector_env(url, port, env),
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    return Collector(process, log, client_id)


def device_rows() -> int:
    """Intervals stored from the devices' messages (the collector's own offline rows, boot
    ``collector``, left out)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM telemetry_stateinterval WHERE boot <> 'collector'")
        return cursor.fetchone()[0]


def wait_for_rows(
    target: int, timeout: float, poll: float = 0.05, stall: float | None = None
) -> tuple[int, float]:
    """Poll the stored device rows until there are ``target`` (or ``timeout``, or ``stall``
    seconds without a new row); (rows, wall time the last new row was seen)."""
    deadline = time.monotonic() + timeout
    rows = device_rows()
    seen = time.time()
    progress = time.monotonic()
    while rows < target and time.monotonic() < deadline:
        if stall is not None and time.monotonic() - progress > stall:
            break
        time.sleep(poll)
        now_rows = device_rows()
        if now_rows != rows:
            rows, seen, progress = now_rows, time.time(), time.monotonic()
    return rows, seen


def ingest_counters() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(received), 0), coalesce(sum(stored), 0), "
            "coalesce(sum(duplicates), 0), coalesce(sum(malformed), 0), "
            "coalesce(sum(skewed), 0), coalesce(sum(rate_limited), 0) "
            "FROM telemetry_ingeststats"
        )
        names = ("received", "stored", "duplicates", "malformed", "skewed", "rate_limited")
        return dict(zip(names, map(int, cursor.fetchone()), strict=True))


def py_spy() -> str | None:
    """The py-spy binary (``PY_SPY``, else on PATH), if there is one."""
    found = os.environ.get("PY_SPY") or shutil.which("py-spy")
    return found if found and Path(found).exists() else None


def start_py_spy(binary: str, pid: int, output: Path, rate: int = 100) -> subprocess.Popen:
    """Sample every thread of ``pid`` until ``stop_py_spy`` (collapsed stacks)."""
    return subprocess.Popen(  # noqa: S603 - a profiler the user pointed to
        [
            binary,
            "record",
            "--pid",
            str(pid),
            "--format",
            "raw",
            "--threads",
            "--nonblocking",
            "--rate",
            str(rate),
            "-o",
            str(output),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_py_spy(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def summarise_py_spy(path: Path, limit: int = 30) -> None:
    """Shares of samples: per thread, then per function (cumulative and own), project code
    and the libraries it calls, file names shortened."""
    import re
    from collections import Counter

    own: Counter[str] = Counter()
    cumulative: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        samples = int(number)
        frames = stack.split(";")
        total += samples
        threads[re.sub(r"\(\d+\)", "", frames[0]).strip()] += samples
        names = [re.sub(r" \(/.*?([^/]+/[^/]+\.py):(\d+)\)", r" (\1)", f) for f in frames[1:]]
        if names:
            own[names[-1]] += samples
        for name in set(names):
            cumulative[name] += samples
    if not total:
        print("  (no samples)")
        return
    print(f"  {total} samples")
    for thread, samples in threads.most_common():
        print(f"  {samples / total:6.1%}  {thread}")
    print("  cumulative:")
    boring = ("threading.py", "<frozen", "contextlib.py", "Thread.", "<module>")
    shown = 0
    for name, samples in cumulative.most_common():
        if any(b in name for b in boring):
            continue
        print(f"  {samples / total:6.1%}  {name}")
        shown += 1
        if shown >= limit:
            break
    print("  own time:")
    for name, samples in own.most_common(limit // 2):
        print(f"  {samples / total:6.1%}  {name}")


class LockSampler(threading.Thread):
    """Samples, every ``every`` seconds, the benchmark database's other client sessions:
    how many run a statement and how many of those wait for a lock (the collectors' row
    locks on their machines), to tell contention from a lack of CPU."""

    def __init__(self, name: str = BENCH_DB, every: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.name = name
        self.every = every
        self.halt = threading.Event()
        self.samples: list[tuple[int, int]] = []

    def run(self) -> None:
        import psycopg

        with psycopg.connect(database_url(self.name), autocommit=True) as conn:
            while not self.halt.is_set():
                row = conn.execute(
                    "SELECT count(*) FILTER (WHERE state = 'active'), "
                    "count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock') "
                    "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
                    "AND backend_type = 'client backend' "
                    "AND query NOT LIKE 'SELECT count(*) FROM telemetry_stateinterval%%'",
                    [self.name],
                ).fetchone()
                self.samples.append((row[0], row[1]))
                self.halt.wait(self.every)

    def summary(self) -> str:
        if not self.samples:
            return "no samples"
        busy = [s for s in self.samples if s[0]]
        waiting = [s for s in self.samples if s[1]]
        return (
            f"{len(self.samples)} samples: a collector session running a statement in "
            f"{len(busy) / len(self.samples):.0%}, one waiting for a lock in "
            f"{len(waiting) / len(self.samples):.0%} "
            f"({len(waiting) / max(len(busy), 1):.0%} of the busy samples)"
        )


def load_average() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def start_publisher(
    port: int,
    messages_file: Path,
    *,
    result_file: Path,
    speed: float | None = None,
    rate: float | None = None,
    log: Path | None = None,
    client_id: str = "bench-publisher",
) -> subprocess.Popen:
    command = [
        sys.executable,
        str(Path(__file__)),
        "publish",
        "--port",
        str(port),
        "--messages",
        str(messages_file),
        "--result",
        str(result_file),
        "--client-id",
        client_id,
    ]
    if speed:
        command += ["--speed", str(speed)]
    if rate:
        command += ["--rate", str(rate)]
    if log:
        command += ["--log", str(log)]
    return subprocess.Popen(command, cwd=ROOT)  # noqa: S603 - this file


@dataclass
class Received:
    count: int
    started: float  # live: the first publish; backlog: when the subscriber was let go
    first: float
    last: float
    payload_bytes: int

    @property
    def rate(self) -> float:
        """Messages a second from the first to the last received."""
        return self.count / max(self.last - self.first, 1e-9)

    @property
    def rate_from_start(self) -> float:
        return self.count / max(self.last - self.started, 1e-9)


def bare_subscriber(
    port: int,
    messages_file: Path,
    expected: int,
    *,
    result_file: Path,
    backlog: bool = False,
    timeout: float = 300,
) -> tuple[Received, dict]:
    """Mosquitto's own delivery rate: a bare paho subscriber (MQTT v5, QoS 1, the same
    shared-subscription filter as the collector, each message acknowledged as paho does
    after ``on_message``) receives what the publisher process sends.

    ``backlog``: the subscriber is connected and subscribed but its network loop is held
    while every message is published and acknowledged by the broker, then let go (the
    rate of a consumer catching up, without the publisher's pace in it)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    state = {"count": 0, "first": 0.0, "last": 0.0, "bytes": 0}
    done = threading.Event()
    subscribed = threading.Event()

    def on_message(client, userdata, message):
        now = time.time()
        if not state["count"]:
            state["first"] = now
        state["count"] += 1
        state["bytes"] += len(message.payload)
        state["last"] = now
        if state["count"] >= expected:
            done.set()

    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"bench-bare-{'backlog' if backlog else 'live'}",
        protocol=mqtt.MQTTv5,
    )
    client.on_message = on_message
    client.on_subscribe = lambda *a: subscribed.set()
    client.on_connect = lambda c, *a: c.subscribe(f"$share/bare/{TOPIC_ROOT}/+/+", qos=1)
    client.connect("127.0.0.1", port, keepalive=60, clean_start=True)
    deadline = time.monotonic() + 10
    while not subscribed.is_set() and time.monotonic() < deadline:
        client.loop(0.05)
    if not subscribed.is_set():
        raise RuntimeError("bare subscriber: no SUBACK")
    if backlog:
        publisher = start_publisher(
            port, messages_file, result_file=result_file, client_id="bench-publisher-bare"
        )
        publisher.wait(timeout)
        started = time.time()
        client.loop_start()
    else:
        client.loop_start()
        publisher = start_publisher(
            port, messages_file, result_file=result_file, client_id="bench-publisher-bare"
        )
    done.wait(timeout)
    publisher.wait(60)
    client.loop_stop()
    client.disconnect()
    published = json.loads(result_file.read_text())
    if not backlog:
        started = published["first"]
    return (
        Received(state["count"], started, state["first"], state["last"], state["bytes"]),
        published,
    )


# --- the publisher process ----------------------------------------------------------------


def _publish_main(argv: list[str]) -> None:
    import argparse

    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--messages", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--client-id", default="bench-publisher")
    parser.add_argument(
        "--speed", type=float, help="compressed time: message i goes out at its ts / speed"
    )
    parser.add_argument("--rate", type=float, help="a steady rate, messages a second")
    parser.add_argument(
        "--log", type=Path, help="append (key, boot, seq, ts) of every message published"
    )
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.messages.read_text().splitlines()]

    # Acks are counted, not matched (paho calls on_publish holding the lock publish()
    # takes). No in-flight limit: paho's queue beyond max_inflight is rescanned on every
    # ack, which is quadratic for a burst (20,000 messages: 14,000/s unlimited, about
    # 3,000/s with a window of 500 or 1,000).
    total = len(rows)
    flow = threading.Condition()
    counter = {"acks": 0}

    def on_publish(client, userdata, mid, reason_code, properties):
        with flow:
            counter["acks"] += 1
            if counter["acks"] >= total:
                flow.notify_all()

    connected = threading.Event()
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=args.client_id, protocol=mqtt.MQTTv5
    )
    client.on_connect = lambda *a: connected.set()
    client.on_publish = on_publish
    client.max_inflight_messages_set(0)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", args.port, keepalive=60)
    client.loop_start()
    if not connected.wait(10):
        raise SystemExit("publisher: no connection")
    log = args.log.open("a") if args.log else None
    # A burst is built before the clock starts (stamped now, a microsecond apart).
    bodies = None
    if not args.speed and not args.rate:
        start = time.time()
        bodies = [payload(*row[2:4], start + i * 1e-6, *row[5:8]) for i, row in enumerate(rows)]
    first = time.time()
    base_ts = rows[0][4] if rows else 0.0
    size = 0
    # Every message is stamped with the wall clock when it goes out (compressed time
    # shortens the dwell times, never moves a stamp away from now: the collector refuses
    # clocks beyond its bound and marks silent machines offline by the wall clock).
    for index, (topic, key, boot, seq, sim_ts, state, reason, count) in enumerate(rows):
        if args.speed:
            due = first + (sim_ts - base_ts) / args.speed
        elif args.rate:
            due = first + index / args.rate
        else:
            due = 0.0
        delay = due - time.time()
        if delay > 0:
            time.sleep(delay)
        now = time.time()
        body = bodies[index] if bodies else payload(boot, seq, now, state, reason, count)
        size += len(body)
        client.publish(topic, body, qos=1)
        if log:
            log.write(f"{key}\t{boot}\t{seq}\t{now:.3f}\n")
    last = time.time()
    if log:
        log.close()
    with flow:
        flow.wait_for(lambda: counter["acks"] >= total, timeout=600)
    all_acked = time.time()
    client.loop_stop()
    client.disconnect()
    args.result.write_text(
        json.dumps(
            {
                "first": first,
                "last": last,
                "acked": all_acked,
                "published": total,
                "broker_acks": counter["acks"],
                "payload_bytes": size,
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["publish"]:
        _publish_main(sys.argv[2:])
    else:
        raise SystemExit(__doc__)
