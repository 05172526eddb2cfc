"""A simulated shop: machines that publish realistic state changes through the real MQTT
broker, exactly as a retrofit signal-tower or current sensor would (docs/telemetry.md), for
the demo (``make demo`` runs it beside the collector) and for the benchmarks.

**The machine** (``MachineModel``) is Markov-ish. In working time it produces in runs of
minutes (a lognormal run, its part counter rising by one every cycle time), stops briefly
between runs (idle: measuring, chips), now and then raises an alarm with a reason code (a
worn tool, a spindle overload) or stops for want of material, and sets up (段取り) when its
batch is done. Lunch is a planned stop; after hours a machine is switched off (a planned
stop), except one that runs unattended (a bar feeder), which keeps producing until its
batch is done. The calendar comes from the company (``shop_hours``: the shop floor app
registers its working calendar; Monday to Friday 8:30–17:30, lunch 12:00–13:00 and no
祝日 otherwise).

**The sensor** publishes every change on ``machikoba/v1/<key>/state`` as
``{"seq", "boot", "ts", "state", "reason", "count"}`` (QoS 1, MQTT v5) and a heartbeat
``{"ts"}`` on ``machikoba/v1/<key>/heartbeat`` every ``HEARTBEAT_SECONDS``. One boot id per
simulator start (shared by its machines), ``seq`` rising from 0 per machine and boot, and
the counter starting at 0 with each boot, as a sensor's own pulse counter does.

**Time** may be compressed (``speed``): the simulated clock runs ``speed`` times faster and
is set so that the run ends at the present, so no timestamp lies in the future (the
collector refuses those); at speed 1 the clock is the real one. Under compression the
timestamps lag the wall clock by up to ``seconds × (speed − 1)``, so a collector's offline
sweep (``ingest.offline_batch``) may take the machines for silent meanwhile. With
``stamp="wall"`` every message is stamped when it is sent instead: the machines then live
``speed`` times faster (a run of 20 minutes lasts 20 seconds at speed 60), which is what a
load test wants (the same messages per simulated hour, no timestamp out of the clock bound).

**Determinism**: with a seed, each machine's sequence of states, reasons, durations and
counts depends only on the seed, its key and the simulated start time (never on the other
machines); the boot id is new at every start regardless, so two runs never collide.

The publisher log (``log_path``) has one JSON line per message the broker acknowledged:
``{"key", "topic", "kind", "payload"}``, so a benchmark can compare what was stored with
what was sent.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import logging
import math
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import jpholiday
import paho.mqtt.client as mqtt
from django.utils import timezone

from .choices import MachineState
from .collector.mqtt import broker_address
from .collector.payload import HEARTBEAT, PREFIX, STATE

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30
DEFAULT_CYCLE_SECONDS = 60.0
# A machine's real cycle is slower than its ideal one (the OEE's performance loss).
CYCLE_FACTOR = 1.18
# Share of the machines that run unattended after hours (a bar feeder, a pallet changer).
UNATTENDED_SHARE = 0.3
# Reason codes: those of a company's default reason list (shopfloor.internal_reports), and
# a CNC alarm number a reason list may name.
LUNCH, OFF_SHIFT, SETUP = "lunch", "off_shift", "setup"
ALARM_REASONS = (("tooling", 5), ("AL1203", 3), ("breakdown", 1))
STOP_REASONS = (("material", 4), ("", 1))
BATCH_SIZES = (30, 50, 80, 100, 120, 150, 200, 300)
FOREVER = dt.timedelta(days=3650)


# --- the calendar --------------------------------------------------------------------------


WORK, LUNCH_BREAK, OFF = "work", "lunch", "off"


@dataclass(frozen=True)
class ShopHours:
    """When a shop works: one stretch a working day with a lunch break inside it."""

    day_start: dt.time = dt.time(8, 30)
    day_end: dt.time = dt.time(17, 30)
    lunch_start: dt.time | None = dt.time(12, 0)
    lunch_end: dt.time | None = dt.time(13, 0)
    weekdays: frozenset[int] = frozenset(range(5))
    shutdowns: frozenset[dt.date] = frozenset()
    holidays: bool = True  # 祝日 are off
    # Around the clock, every day, no lunch (benchmarks: a constant load).
    all_day: bool = False

    @classmethod
    def around_the_clock(cls) -> ShopHours:
        return cls(all_day=True, lunch_start=None, lunch_end=None)

    def working_day(self, day: dt.date) -> bool:
        if self.all_day:
            return True
        return (
            day.weekday() in self.weekdays
            and day not in self.shutdowns
            and not (self.holidays and jpholiday.is_holiday(day))
        )

    def _lunch(self) -> tuple[dt.time, dt.time] | None:
        """The lunch break, when it lies inside the working day."""
        if self.lunch_start is None or self.lunch_end is None:
            return None
        if self.day_start <= self.lunch_start < self.lunch_end <= self.day_end:
            return self.lunch_start, self.lunch_end
        return None

    def period(self, moment: dt.datetime) -> str:
        """``WORK``, ``LUNCH_BREAK`` or ``OFF`` at ``moment`` (aware; read in local time)."""
        if self.all_day:
            return WORK
        local = timezone.localtime(moment)
        if not self.working_day(local.date()):
            return OFF
        now = local.time()
        if not self.day_start <= now < self.day_end:
            return OFF
        lunch = self._lunch()
        if lunch is not None and lunch[0] <= now < lunch[1]:
            return LUNCH_BREAK
        return WORK

    def next_boundary(self, moment: dt.datetime) -> dt.datetime:
        """The next moment after ``moment`` at which the period may change."""
        local = timezone.localtime(moment)
        tz = local.tzinfo
        if self.all_day:
            return moment + FOREVER
        midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0), tz)
        times = [self.day_start, self.day_end, *(self._lunch() or ())]
        candidates = [dt.datetime.combine(local.date(), t, tz) for t in times]
        return min([c for c in candidates if c > local] + [midnight])

    def work_minutes(self, day: dt.date) -> float:
        """Working minutes of ``day`` (lunch left out)."""
        if not self.working_day(day):
            return 0.0
        if self.all_day:
            return 24 * 60.0
        minutes = _minutes_between(self.day_start, self.day_end)
        lunch = self._lunch()
        if lunch is not None:
            minutes -= _minutes_between(*lunch)
        return minutes


def _minutes_between(start: dt.time, end: dt.time) -> float:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


HoursReader = Callable[[int], ShopHours]
_hours_reader: HoursReader | None = None


def register_shop_hours(reader: HoursReader) -> None:
    """A higher app (the shop floor, which owns the working calendar) tells the simulator
    a company's hours: ``reader(company_id) -> ShopHours``."""
    global _hours_reader
    _hours_reader = reader


def shop_hours(company_id: int) -> ShopHours:
    return _hours_reader(company_id) if _hours_reader is not None else ShopHours()


# --- the machine ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MachineSpec:
    """One simulated machine: its MQTT key, its real mean cycle time, and whether it runs
    unattended after hours."""

    key: str
    name: str = ""
    cycle_seconds: float = DEFAULT_CYCLE_SECONDS
    unattended: bool = False
    counter_max: int | None = None
    company_id: int | None = None


@dataclass(frozen=True)
class Change:
    """The machine entered ``state`` at ``at``; its counter then read ``count``."""

    at: dt.datetime
    state: str
    reason: str
    count: int


def _weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]


class MachineModel:
    """The state changes of one machine from ``start`` on (``changes()``, endless)."""

    def __init__(
        self, spec: MachineSpec, hours: ShopHours, rng: random.Random, start: dt.datetime
    ) -> None:
        self.spec = spec
        self.hours = hours
        self.rng = rng
        self.start = start
        self.total = 0  # parts made since the boot
        self.batch_left = self._new_batch()
        self._carry = 0.0  # seconds of a cycle begun in the previous run

    def _new_batch(self) -> int:
        # A machine left to run unattended is given long batches (a full bar feeder).
        return self.rng.choice(BATCH_SIZES) * (4 if self.spec.unattended else 1)

    @property
    def count(self) -> int:
        """The counter as the sensor reports it (wrapping at ``counter_max``)."""
        limit = self.spec.counter_max
        return self.total % (limit + 1) if limit else self.total

    def changes(self) -> Iterator[Change]:
        at = self.start
        state, reason = self._first(at)
        while True:
            yield Change(at, state, reason, self.count)
            while True:
                end = at + self._duration(state)
                boundary = self.hours.next_boundary(at)
                forced = boundary <= end
                end = min(end, boundary)
                if state == MachineState.PRODUCING:
                    self._produce((end - at).total_seconds())
                at = end
                following = self._next(state, at, forced=forced)
                if following != (state, reason):
                    state, reason = following
                    break

    def _produce(self, seconds: float) -> None:
        done = self._carry + seconds
        parts = min(self.batch_left, int(done // self.spec.cycle_seconds))
        self._carry = done - parts * self.spec.cycle_seconds if parts < self.batch_left else 0.0
        self.total += parts
        self.batch_left -= parts

    def _first(self, at: dt.datetime) -> tuple[str, str]:
        period = self.hours.period(at)
        if period == LUNCH_BREAK:
            return MachineState.PLANNED_STOP, LUNCH
        if period == OFF and not self.spec.unattended:
            return MachineState.PLANNED_STOP, OFF_SHIFT
        roll = self.rng.random()
        if period == WORK and roll < 0.15:
            return MachineState.SETUP, SETUP
        if roll < 0.3:
            return MachineState.IDLE, ""
        return MachineState.PRODUCING, ""

    def _duration(self, state: str) -> dt.timedelta:
        rng = self.rng
        if state == MachineState.PRODUCING:
            run = rng.lognormvariate(math.log(18 * 60), 0.6)  # median 18 min
            # A hair more than the batch needs, so that rounding never leaves a part over.
            rest = self.batch_left * self.spec.cycle_seconds - self._carry + 0.01
            seconds = max(self.spec.cycle_seconds, min(run, rest))
        elif state == MachineState.IDLE:
            seconds = rng.uniform(60, 360)
        elif state == MachineState.ALARM:
            seconds = min(3600.0, max(60.0, rng.lognormvariate(math.log(6 * 60), 0.7)))
        elif state == MachineState.UNPLANNED_STOP:
            seconds = rng.uniform(5 * 60, 25 * 60)
        elif state == MachineState.SETUP:
            seconds = rng.uniform(20 * 60, 50 * 60)
        else:  # a planned stop lasts until the period changes
            return FOREVER
        return dt.timedelta(seconds=round(seconds, 3))

    def _next(self, state: str, at: dt.datetime, *, forced: bool) -> tuple[str, str]:
        period = self.hours.period(at)
        if period == LUNCH_BREAK:
            return MachineState.PLANNED_STOP, LUNCH
        if period == OFF and not self.spec.unattended:
            return MachineState.PLANNED_STOP, OFF_SHIFT
        if state == MachineState.SETUP and forced and period == OFF:
            # The operator finishes setting up a machine that is to run through the night.
            return MachineState.SETUP, SETUP
        if state == MachineState.SETUP and not forced:
            self.batch_left = self._new_batch()
            return MachineState.PRODUCING, ""
        if self.batch_left <= 0:
            # Nobody sets up a machine after hours: it waits for the morning.
            return (MachineState.IDLE, "") if period == OFF else (MachineState.SETUP, SETUP)
        if state == MachineState.PRODUCING and not forced:
            roll = self.rng.random()
            if roll < (0.8 if period == OFF else 0.65):
                return MachineState.IDLE, ""
            if roll < 0.88 or period == OFF:
                return MachineState.ALARM, _weighted(self.rng, ALARM_REASONS)
            return MachineState.UNPLANNED_STOP, _weighted(self.rng, STOP_REASONS)
        if state == MachineState.SETUP:  # cut short by the end of the day: resumed later
            return MachineState.SETUP, SETUP
        return MachineState.PRODUCING, ""


def machine_rng(seed: int | str | None, key: str) -> random.Random:
    """The machine's own random stream: from the seed and its key only."""
    if seed is None:
        return random.Random(secrets.randbits(64))  # noqa: S311 - a simulation, no secret
    return random.Random(f"{seed}:{key}")  # noqa: S311 - a simulation, no secret


def machine_changes(
    spec: MachineSpec,
    hours: ShopHours,
    *,
    start: dt.datetime,
    end: dt.datetime,
    seed: int | str | None,
) -> list[Change]:
    """The changes of ``spec`` from ``start`` until before ``end`` (for history)."""
    changes = []
    for change in MachineModel(spec, hours, machine_rng(seed, spec.key), start).changes():
        if change.at >= end:
            break
        changes.append(change)
    return changes


def runs_unattended(key: str) -> bool:
    """Whether the machine with MQTT key ``key`` runs unattended after hours: about
    ``UNATTENDED_SHARE`` of the machines, the same ones at every start."""
    return machine_rng("unattended", key).random() < UNATTENDED_SHARE


def unattended_keys(
    machines: Sequence[tuple[str, Decimal | float | None, int | None]],
) -> set[str]:
    """Of ``machines`` (key, ideal cycle seconds, company id; in the order they were
    registered), those that run unattended after hours: in each company its fastest
    machine (the first of them: a bar-fed lathe), so that a shop's board moves at night
    too, and the others ``runs_unattended`` names."""
    fastest: dict[int | None, tuple[float, str]] = {}
    for key, cycle, company_id in machines:
        seconds = float(cycle) if cycle else DEFAULT_CYCLE_SECONDS
        if company_id not in fastest or seconds < fastest[company_id][0]:
            fastest[company_id] = (seconds, key)
    chosen = {key for _seconds, key in fastest.values()}
    return chosen | {key for key, _cycle, _company in machines if runs_unattended(key)}


def spec_for(
    *,
    key: str,
    name: str = "",
    ideal_cycle_seconds: Decimal | float | None,
    counter_max: int | None = None,
    company_id: int | None = None,
    unattended: bool | None = None,
) -> MachineSpec:
    """A simulated machine for a registered one: a real cycle somewhat slower than the
    ideal; unattended after hours as ``runs_unattended`` says, unless said."""
    ideal = float(ideal_cycle_seconds) if ideal_cycle_seconds else DEFAULT_CYCLE_SECONDS
    if unattended is None:
        unattended = runs_unattended(key)
    return MachineSpec(
        key=key,
        name=name,
        cycle_seconds=round(ideal * CYCLE_FACTOR, 3),
        unattended=unattended,
        counter_max=counter_max,
        company_id=company_id,
    )


# --- publishing ----------------------------------------------------------------------------


def broker_problem(url: str, timeout: float = 3.0) -> str:
    """Why no MQTT broker accepts a connection at ``url`` ("" when one does)."""
    try:
        host, port, tls, username, password = broker_address(url)
    except ValueError as error:
        return str(error)
    accepted = threading.Event()
    refused: list[str] = []
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=f"machikoba-check-{secrets.token_hex(4)}",
        protocol=mqtt.MQTTv5,
    )
    if tls:
        client.tls_set()
    if username:
        client.username_pw_set(username, password)

    def on_connect(client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            refused.append(str(reason_code))
        accepted.set()

    client.on_connect = on_connect
    try:
        client.connect(host, port, keepalive=10)
    except OSError as error:
        return f"{host}:{port} does not answer ({error.strerror or error})"
    client.loop_start()
    try:
        if not accepted.wait(timeout):
            return f"{host}:{port} answers but is not an MQTT broker"
        if refused:
            return f"the broker at {host}:{port} refused the connection ({refused[0]})"
        return ""
    finally:
        client.disconnect()
        client.loop_stop()


def timestamp(moment: dt.datetime) -> str:
    """ISO 8601 with the offset, in the shop's time zone, to the millisecond."""
    return timezone.localtime(moment).isoformat(timespec="milliseconds")


def state_topic(key: str) -> str:
    return f"{PREFIX}{key}/{STATE}"


def heartbeat_topic(key: str) -> str:
    return f"{PREFIX}{key}/{HEARTBEAT}"


@dataclass
class SimulatorStats:
    states: int = 0
    heartbeats: int = 0
    acknowledged: int = 0
    unacknowledged: int = 0
    boot: str = ""


@dataclass(order=True)
class _Due:
    at: dt.datetime
    order: int
    index: int = field(compare=False)
    kind: str = field(compare=False)


class PublisherLog:
    """The messages the broker acknowledged, one JSON object a line."""

    def __init__(self, path: str | Path | None) -> None:
        self._lock = threading.Lock()
        self._file: IO[str] | None = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115 - closed in close()

    def write(self, record: dict[str, Any]) -> None:
        if self._file is None:
            return
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            self._file.write(line + "\n")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class Simulator:
    """Runs ``specs`` against the broker at ``url`` (see the module's docstring)."""

    def __init__(
        self,
        specs: Sequence[MachineSpec],
        *,
        url: str,
        speed: float = 1.0,
        seed: int | str | None = None,
        log_path: str | Path | None = None,
        hours: Callable[[MachineSpec], ShopHours] | None = None,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
        connect_timeout: float = 10.0,
        stamp: str = "sim",
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        if stamp not in ("sim", "wall"):
            raise ValueError("stamp is sim or wall")
        self.stamp = stamp
        self.specs = list(specs)
        self.url = url
        self.speed = float(speed)
        self.seed = seed
        self.hours = hours or (lambda spec: shop_hours(spec.company_id or 0))
        self.heartbeat = dt.timedelta(seconds=heartbeat_seconds)
        self.connect_timeout = connect_timeout
        self.boot = f"sim-{secrets.token_hex(6)}"
        self.stats = SimulatorStats(boot=self.boot)
        self.log = PublisherLog(log_path)
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._lock = threading.Lock()
        self._pending: dict[int, dict[str, Any]] = {}
        self._early: set[int] = set()
        self._client = self._make_client()

    def stop(self) -> None:
        """Stop publishing (from another thread or a signal handler)."""
        self._stop.set()

    # --- the run -------------------------------------------------------------------------

    def run(self, seconds: float | None = None) -> SimulatorStats:
        """Publish for ``seconds`` of wall time (until ``stop()`` without), then wait for
        the broker's acknowledgements and disconnect."""
        if seconds is None and self.speed != 1:
            raise ValueError("a compressed run needs its length (seconds)")
        wall_start = time.monotonic()
        now = timezone.now()
        # Compressed, the simulated span ends at the present (see the module's docstring).
        sim_start = now - dt.timedelta(seconds=(seconds or 0) * (self.speed - 1))
        try:
            self._connect()
            self._loop(sim_start, wall_start, seconds)
        finally:
            self._finish()
        return self.stats

    def _loop(self, sim_start: dt.datetime, wall_start: float, seconds: float | None) -> None:
        streams: list[Iterator[Change]] = []
        seqs: list[int] = []
        due: list[_Due] = []
        order = 0
        for index, spec in enumerate(self.specs):
            rng = machine_rng(self.seed, spec.key)
            model = MachineModel(spec, self.hours(spec), rng, sim_start)
            streams.append(model.changes())
            seqs.append(0)
            # Heartbeats spread over the interval, so that 200 sensors do not beat at once.
            first_beat = (
                sim_start + self.heartbeat * machine_rng(self.seed, f"beat:{spec.key}").random()
            )
            due.append(_Due(sim_start, order := order + 1, index, STATE))
            due.append(_Due(first_beat, order := order + 1, index, HEARTBEAT))
        heapq.heapify(due)
        upcoming: dict[int, Change] = {}
        end = None if seconds is None else wall_start + seconds
        while due and not self._stop.is_set():
            item = heapq.heappop(due)
            wall_due = wall_start + (item.at - sim_start).total_seconds() / self.speed
            if end is not None and wall_due > end:
                break
            delay = wall_due - time.monotonic()
            if delay > 0 and self._stop.wait(delay):
                break
            spec = self.specs[item.index]
            if item.kind == HEARTBEAT:
                self._publish(spec, HEARTBEAT, {"ts": self._stamp(item.at)})
                self.stats.heartbeats += 1
                heapq.heappush(
                    due, _Due(item.at + self.heartbeat, order := order + 1, item.index, HEARTBEAT)
                )
                continue
            change = upcoming.pop(item.index, None) or next(streams[item.index])
            self._publish(
                spec,
                STATE,
                {
                    "seq": seqs[item.index],
                    "boot": self.boot,
                    "ts": self._stamp(change.at),
                    "state": change.state,
                    "reason": change.reason,
                    "count": change.count,
                },
            )
            seqs[item.index] += 1
            self.stats.states += 1
            following = next(streams[item.index])
            upcoming[item.index] = following
            heapq.heappush(due, _Due(following.at, order := order + 1, item.index, STATE))

    def _stamp(self, at: dt.datetime) -> str:
        return timestamp(timezone.now() if self.stamp == "wall" else at)

    # --- MQTT ----------------------------------------------------------------------------

    def _make_client(self) -> mqtt.Client:
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=f"machikoba-simulator-{self.boot}",
            protocol=mqtt.MQTTv5,
        )
        _host, _port, tls, username, password = broker_address(self.url)
        if tls:
            client.tls_set()
        if username:
            client.username_pw_set(username, password)
        client.max_inflight_messages_set(1000)
        client.max_queued_messages_set(0)
        client.reconnect_delay_set(min_delay=1, max_delay=10)
        client.suppress_exceptions = True
        client.on_connect = self._on_connect
        client.on_publish = self._on_publish
        return client

    def _connect(self) -> None:
        host, port, _tls, _user, _password = broker_address(self.url)
        try:
            self._client.connect(host, port, keepalive=30)
        except OSError as error:
            raise ConnectionError(
                f"the MQTT broker at {host}:{port} does not answer: {error}"
            ) from error
        self._client.loop_start()
        if not self._connected.wait(self.connect_timeout):
            self._client.loop_stop()
            raise ConnectionError(f"the MQTT broker at {host}:{port} did not accept the connection")
        logger.info(
            "simulator: %d machines on %s:%s, boot %s", len(self.specs), host, port, self.boot
        )

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            logger.warning("simulator: the broker refused the connection: %s", reason_code)
            return
        self._connected.set()

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        with self._lock:
            record = self._pending.pop(mid, None)
            if record is None:  # acknowledged before publish() returned its id
                self._early.add(mid)
            else:
                self._acknowledged(record)

    def _acknowledged(self, record: dict[str, Any]) -> None:
        """Count and log ``record`` (under ``self._lock``)."""
        self.stats.acknowledged += 1
        self.log.write(record)

    def _publish(self, spec: MachineSpec, kind: str, body: dict[str, Any]) -> None:
        topic = state_topic(spec.key) if kind == STATE else heartbeat_topic(spec.key)
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        info = self._client.publish(topic, text, qos=1)
        record = {"key": spec.key, "topic": topic, "kind": kind, "payload": body}
        with self._lock:
            if info.mid in self._early:
                self._early.discard(info.mid)
                self._acknowledged(record)
            else:
                self._pending[info.mid] = record

    def _finish(self, timeout: float = 30.0) -> None:
        """Wait for the broker to acknowledge what was sent, then disconnect."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._pending:
                    break
            time.sleep(0.05)
        with self._lock:
            self.stats.unacknowledged = len(self._pending)
        if self._connected.is_set():
            self._client.disconnect()
        self._client.loop_stop()
        self.log.close()
