"""The OPC UA input of the collector: asyncua subscriptions to the machines' servers.

``OpcUaSource`` runs its own asyncio loop in a thread. It groups the active ``opcua``
machines by endpoint and keeps one client connection per server, with one subscription
(data-change notifications) on every node the machines name. What the notifications
mean is decided in ``opcua_mapping`` (pure functions); this module does the network,
the reconnection and the database reads:

- at each (re)connection it reads the server's start time (the stream name, ``boot``),
  reads the current value of every node, compares the machines' states with their open
  rows in the database (so that a value sent again is not a new interval, and a machine
  marked offline meanwhile gets its state back), then subscribes;
- every ``heartbeat_seconds`` that the server answered a publish request (a data change
  or a keep-alive), each machine with a known state gets a heartbeat;
- a lost connection is retried with exponential backoff (``reconnect_min_seconds`` up to
  ``reconnect_max_seconds``); meanwhile no heartbeat, and the runner's offline sweep marks
  the machines offline.

docs/telemetry-opcua.md describes the config and the choices.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import math
import random
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from asyncua import Client, Node, ua
from django.db import close_old_connections, connections

from machikoba.telemetry.choices import Rejection, Source
from machikoba.telemetry.events import Batch, Refusal
from machikoba.telemetry.models import StateInterval

from .base import MachineDirectory, Sink
from .opcua_mapping import (
    Change,
    EndpointEngine,
    Known,
    MachinePlan,
    StoredRow,
    boot_token,
    plan_of,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Values queued per monitored item between two publish responses: a state that flips
# twice within one publishing interval is seen twice.
QUEUE_SIZE = 16
# A client session the server may drop when the collector vanished (kill -9) this long ago.
SESSION_TIMEOUT_MS = 120_000


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class OpcUaSource:
    """The ``opcua`` machines' input (see the module's docstring)."""

    name = Source.OPCUA.value

    def __init__(
        self,
        directory: MachineDirectory | None = None,
        publishing_ms: int = 500,
        *,
        heartbeat_seconds: float = 10.0,
        refresh_seconds: float = 30.0,
        reconnect_min_seconds: float = 1.0,
        reconnect_max_seconds: float = 30.0,
        request_timeout: float = 4.0,
    ) -> None:
        self.directory = directory or MachineDirectory(Source.OPCUA)
        self.publishing_ms = max(int(publishing_ms), 10)
        self.heartbeat_seconds = heartbeat_seconds
        self.refresh_seconds = refresh_seconds
        self.reconnect_min_seconds = reconnect_min_seconds
        self.reconnect_max_seconds = max(reconnect_max_seconds, reconnect_min_seconds)
        self.request_timeout = request_timeout
        # The last (state, reason) sent per machine, across reconnections.
        self._known: dict[int, Known] = {}
        # Machines whose bad config was already reported (and the config reported).
        self._reported: dict[int, str] = {}
        self._sink: Sink | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_flag = threading.Event()
        self._stopping = asyncio.Event()
        self._db_pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._connected: set[str] = set()
        self._connections = 0

    # -- the runner's interface --------------------------------------------------------

    def start(self, sink: Sink) -> None:
        """Start the source's thread and return."""
        if self._thread is not None:
            raise RuntimeError("the OPC UA source is already started")
        self._sink = sink
        self._thread = threading.Thread(target=self._run, name="collector-opcua", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Disconnect from every server and end the thread (within ``timeout``)."""
        self._stop_flag.set()
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop already closed
                loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                logger.warning("the OPC UA source did not stop within %.0f s", timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def connected(self) -> frozenset[str]:
        """The endpoints connected and subscribed right now."""
        with self._lock:
            return frozenset(self._connected)

    @property
    def connections(self) -> int:
        """How many times a connection was established (reconnections included)."""
        with self._lock:
            return self._connections

    # -- the thread ----------------------------------------------------------------------

    def _run(self) -> None:
        self._db_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="collector-opcua-db")
        try:
            asyncio.run(self._main())
        except Exception:
            logger.exception("the OPC UA source stopped on an error")
        finally:
            self._db_pool.submit(connections.close_all).result()
            self._db_pool.shutdown(wait=True)
            self._loop = None

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self._stop_flag.is_set():
            return
        workers: dict[str, tuple[tuple[MachinePlan, ...], asyncio.Task[None]]] = {}
        try:
            while not self._stop_flag.is_set():
                try:
                    plans, refusals = await self._db(self._load_plans)
                except Exception:
                    logger.exception("could not read the OPC UA machines")
                else:
                    self._send(refusals)
                    self._restart_changed(workers, plans)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.refresh_seconds)
        finally:
            tasks = [task for _plans, task in workers.values()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _restart_changed(
        self,
        workers: dict[str, tuple[tuple[MachinePlan, ...], asyncio.Task[None]]],
        plans: dict[str, tuple[MachinePlan, ...]],
    ) -> None:
        for endpoint in list(workers):
            running, task = workers[endpoint]
            if plans.get(endpoint) != running or task.done():
                task.cancel()
                del workers[endpoint]
        for endpoint, machines in plans.items():
            if endpoint not in workers:
                worker = _EndpointWorker(self, endpoint, machines)
                task = asyncio.create_task(worker.run(), name=f"opcua {endpoint}")
                workers[endpoint] = (machines, task)

    async def _db(self, function: Callable[..., T], *args: Any) -> T:
        """Run a database read in the source's one database thread (the ORM is not for
        an event loop's thread)."""
        if self._db_pool is None:
            raise RuntimeError("the OPC UA source is not running")
        job = partial(_with_fresh_connection, function, *args)
        return await asyncio.get_running_loop().run_in_executor(self._db_pool, job)

    def _send(self, batch: Batch) -> None:
        if not len(batch) or self._sink is None:
            return
        try:
            self._sink(batch)
        except Exception:
            logger.exception("the collector's sink refused an OPC UA batch")

    # -- database reads (in the database thread) -------------------------------------------

    def _load_plans(self) -> tuple[dict[str, tuple[MachinePlan, ...]], Batch]:
        """The valid machines by endpoint; a machine with a bad config is reported once
        (a refusal, so its page shows why it stays silent) until its config changes."""
        by_endpoint: dict[str, list[MachinePlan]] = {}
        refusals = Batch()
        for info in self.directory.all():
            plan = plan_of(info)
            if isinstance(plan, str):
                marker = repr(sorted(info.config.items())) if isinstance(info.config, dict) else ""
                if self._reported.get(info.id) != marker:
                    self._reported[info.id] = marker
                    logger.warning("OPC UA machine %s: %s", info.id, plan)
                    refusals.refusals.append(Refusal(Rejection.MALFORMED, plan, info.id))
                continue
            self._reported.pop(info.id, None)
            by_endpoint.setdefault(plan.endpoint, []).append(plan)
        plans = {
            endpoint: tuple(sorted(machines, key=lambda plan: plan.machine_id))
            for endpoint, machines in by_endpoint.items()
        }
        return plans, refusals

    @staticmethod
    def _open_rows(machine_ids: Iterable[int]) -> dict[int, StoredRow]:
        rows = (
            StateInterval.objects.filter(machine_id__in=list(machine_ids), end__isnull=True)
            .order_by("machine_id", "-start", "-seq")
            .values_list("machine_id", "state", "reason", "start", "boot", "seq")
        )
        stored: dict[int, StoredRow] = {}
        for machine_id, state, reason, start, boot, seq in rows:
            stored.setdefault(machine_id, StoredRow(state, reason, start, boot, seq))
        return stored

    async def open_rows(self, machine_ids: Iterable[int]) -> dict[int, StoredRow]:
        try:
            return await self._db(self._open_rows, list(machine_ids))
        except Exception:
            # Without the database's view, compare with what this process sent.
            logger.exception("could not read the open intervals of OPC UA machines")
            return {}

    def _connected_to(self, endpoint: str, up: bool) -> None:
        with self._lock:
            if up:
                self._connected.add(endpoint)
                self._connections += 1
            else:
                self._connected.discard(endpoint)


def _with_fresh_connection(function: Callable[..., T], *args: Any) -> T:
    # A long-lived thread outside the request cycle: drop a connection past its age or
    # broken (the database restarted) before using it.
    close_old_connections()
    return function(*args)


class _Handler:
    """asyncua's subscription handler: notifications go to the worker's queue."""

    def __init__(self, queue: asyncio.Queue[Change], lost: asyncio.Event) -> None:
        self.queue = queue
        self.lost = lost
        self.keys: dict[ua.NodeId, str] = {}

    def datachange_notification(self, node: Node, val: Any, data: Any) -> None:
        key = self.keys.get(node.nodeid)
        if key is not None:
            self.queue.put_nowait(Change.of(key, data.monitored_item.Value, utcnow()))

    def status_change_notification(self, status: ua.StatusChangeNotification) -> None:
        # BadShutdown, BadTimeout: the server or the connection dropped the subscription.
        if status.Status is not None and not status.Status.is_good():
            self.lost.set()


class _EndpointWorker:
    """One server: connect, read, subscribe, follow; on a loss, back off and again."""

    def __init__(self, source: OpcUaSource, endpoint: str, plans: tuple[MachinePlan, ...]) -> None:
        self.source = source
        self.endpoint = endpoint
        self.engine = EndpointEngine(endpoint, plans, source._known)

    async def run(self) -> None:
        delay = self.source.reconnect_min_seconds
        while True:
            subscribed = False
            try:
                subscribed = await self._session()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.info("OPC UA %s: %s", self.endpoint, _describe(exc))
            finally:
                self.source._connected_to(self.endpoint, False)
            if subscribed:
                delay = self.source.reconnect_min_seconds
            await asyncio.sleep(delay * random.uniform(1.0, 1.2))  # noqa: S311 - jitter
            delay = min(delay * 2, self.source.reconnect_max_seconds)

    def _subscription_parameters(self) -> ua.CreateSubscriptionParameters:
        publishing = self.source.publishing_ms
        # A keep-alive at least twice per heartbeat period when nothing changes.
        keepalive = max(1, math.ceil(self.source.heartbeat_seconds * 500 / publishing))
        params = ua.CreateSubscriptionParameters()
        params.RequestedPublishingInterval = publishing
        params.RequestedMaxKeepAliveCount = keepalive
        params.RequestedLifetimeCount = keepalive * 10
        params.MaxNotificationsPerPublish = 10_000
        params.PublishingEnabled = True
        params.Priority = 0
        return params

    async def _session(self) -> bool:
        """One connection, until it is lost (returns whether it got as far as the
        subscription) or the task is cancelled."""
        source, engine = self.source, self.engine
        client = Client(self.endpoint, timeout=source.request_timeout)
        client.session_timeout = SESSION_TIMEOUT_MS
        lost = asyncio.Event()
        queue: asyncio.Queue[Change] = asyncio.Queue()
        handler = _Handler(queue, lost)

        async def connection_lost(exc: Exception) -> None:
            lost.set()

        client.connection_lost_callback = connection_lost
        tasks: list[asyncio.Task[Any]] = []
        try:
            await client.connect()
            start_time = await _start_time(client)
            engine.reset(boot_token(self.endpoint, start_time))
            nodes = {key: client.get_node(key) for key in engine.nodes}
            handler.keys = {node.nodeid: key for key, node in nodes.items()}
            # Read, then subscribe: a change in between comes as the subscription's first
            # notification, newer than what was read (the other way round, an old
            # notification could follow the newer value read).
            received_at = utcnow()
            values = await client.read_attributes(list(nodes.values()))
            snapshot = [
                Change.of(key, value, received_at) for key, value in zip(nodes, values, strict=True)
            ]
            subscription = await client.create_subscription(
                self._subscription_parameters(), handler
            )
            results = await subscription.subscribe_data_change(
                list(nodes.values()), queuesize=QUEUE_SIZE
            )
            stored = await source.open_rows(engine.machine_ids())
            batch = engine.prime(snapshot, stored, received_at)
            for read, result in zip(snapshot, results, strict=True):
                if isinstance(result, ua.StatusCode) and read.good:
                    # Read but not monitored: its machines' states cannot be followed. (A
                    # node that could not be read either was refused once, by prime.)
                    batch.extend(engine.unreadable(read.node, f"not monitored ({result.name})"))
            batch.extend(engine.heartbeats(utcnow()))
            source._send(batch)
            source._connected_to(self.endpoint, True)
            logger.info("OPC UA %s: subscribed (%s)", self.endpoint, engine.boot)
            tasks = [
                asyncio.create_task(self._follow(queue)),
                asyncio.create_task(self._beat(subscription)),
                asyncio.create_task(lost.wait()),
            ]
            done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                error = task.exception()
                if error is not None:
                    raise error
            logger.info("OPC UA %s: connection lost", self.endpoint)
            return True
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await _disconnect(client)

    async def _follow(self, queue: asyncio.Queue[Change]) -> None:
        """Data changes, a publish response at a time (what is queued together)."""
        engine = self.engine
        while True:
            changes = [await queue.get()]
            while not queue.empty():
                changes.append(queue.get_nowait())
            batch = engine.changes(changes)
            if engine.recheck:
                machine_ids, engine.recheck = set(engine.recheck), set()
                stored = await self.source.open_rows(machine_ids)
                batch.extend(engine.prime([], stored, utcnow(), machine_ids))
            self.source._send(batch)

    async def _beat(self, subscription: Any) -> None:
        """Heartbeats while the server answers; now and then a look at the store, which
        may have marked a machine offline (a runner's sweep racing a reconnection)."""
        source, engine = self.source, self.engine
        loop = asyncio.get_running_loop()
        last_publish = subscription.last_publish_at
        next_check = loop.time() + source.refresh_seconds
        while True:
            await asyncio.sleep(source.heartbeat_seconds)
            published = subscription.last_publish_at
            if published is not None and published != last_publish:
                last_publish = published
                source._send(engine.heartbeats(utcnow()))
            if loop.time() >= next_check:
                next_check = loop.time() + source.refresh_seconds
                stored = await source.open_rows(engine.machine_ids())
                source._send(engine.prime([], stored, utcnow()))


async def _start_time(client: Client) -> dt.datetime | None:
    node = client.get_node(ua.ObjectIds.Server_ServerStatus_StartTime)
    try:
        value = await node.read_value()
    except (ua.UaError, OSError, TimeoutError):
        return None
    return value if isinstance(value, dt.datetime) else None


async def _disconnect(client: Client) -> None:
    try:
        await asyncio.wait_for(client.disconnect(), 3)
    except (Exception, asyncio.CancelledError):
        logger.debug("OPC UA disconnect", exc_info=True)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]
