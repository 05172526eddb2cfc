"""One MTConnect agent followed for the machines that name it (``mtconnect`` runs one
``AgentPoller`` thread per agent; the module's docstring there describes the whole input).

Per agent: the cursor (``instanceId``, next sequence, gaps), each device's latest values
(``mtconnect_states.DeviceView``) and, per machine, what its stored rows say (``Track``):
a state row is written only where the normalised state differs from it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

import httpx
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from machikoba.telemetry.choices import MachineState, Rejection
from machikoba.telemetry.events import (
    MAX_BOOT,
    MAX_PAST,
    Batch,
    CursorUpdate,
    Heartbeat,
    Refusal,
    StateEvent,
    validated,
)
from machikoba.telemetry.ingest import COLLECTOR_BOOT
from machikoba.telemetry.models import SourceCursor, StateInterval

from .base import Sink
from .mtconnect_states import DeviceView, Normalised
from .mtconnect_xml import ErrorDocument, MalformedDocument, Observation, StreamsDocument, parse

logger = logging.getLogger(__name__)

# Observations asked for per /sample request.
SAMPLE_COUNT = 500
# A bigger answer is refused (a misconfigured URL serving a file, a hostile device).
MAX_DOCUMENT_BYTES = 16 * 2**20
ONE_MS = dt.timedelta(milliseconds=1)


class AgentUnreachable(Exception):
    """No HTTP answer: connection refused, timeout, reset."""


class AgentFailure(Exception):
    """An answer the poller cannot use now (an error document, a malformed document, an
    HTTP error): retried after a pause."""


@dataclass(frozen=True, slots=True)
class AgentMachine:
    id: int
    device: str  # the device's name or uuid, as the machine's config gives it


@dataclass(slots=True)
class Track:
    """A machine's stored rows as this source knows them: its latest device row (the
    state the stream last gave), and whether an offline row the collector's sweep wrote
    follows it (the machine was silent to us: the agent out of reach)."""

    state: str | None = None
    reason: str = ""
    at: dt.datetime | None = None
    # The sweep's offline row after the device row: (seq, start).
    offline_row: tuple[int, dt.datetime] | None = None

    @property
    def normalised(self) -> Normalised | None:
        return Normalised(self.state, self.reason) if self.state is not None else None


def stored_track(machine_id: int) -> Track:
    rows = StateInterval.objects.filter(machine_id=machine_id).order_by("-start", "-seq", "-boot")
    latest = rows.values_list("state", "reason", "start", "boot", "seq").first()
    if latest is None:
        return Track()
    state, reason, start, boot, seq = latest
    if boot != COLLECTOR_BOOT:
        return Track(state, reason, start)
    device = rows.exclude(boot=COLLECTOR_BOOT).values_list("state", "reason", "start").first()
    track = Track(*device) if device is not None else Track()
    if state == MachineState.OFFLINE:
        track.offline_row = (seq, start)
    return track


@dataclass(slots=True)
class _Group:
    """Observations of one device with one timestamp, evaluated together: an adapter's
    line sets several items at once, and the states in between are not real."""

    timestamp: dt.datetime
    first: int  # the group's first state observation
    sequence: int  # and its latest: the key of the row it may write


@dataclass(slots=True)
class PollerSettings:
    poll_seconds: float = 1.0
    http_timeout: float = 5.0
    sample_count: int = SAMPLE_COUNT
    heartbeat_seconds: float = 10.0
    max_backoff: float = 60.0
    reconcile_seconds: float = 60.0


class AgentPoller:
    """Follows one agent for the machines that name it (its own thread)."""

    def __init__(self, url: str, sink: Sink, settings: PollerSettings) -> None:
        self.url = url
        self.sink = sink
        self.settings = settings
        self._machines: tuple[AgentMachine, ...] = ()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pending_lock = threading.Lock()
        self._pending = 0
        self._failures = 0  # consecutive failed cycles (the pause doubles with each)
        # No connection is made until the first request (in the poller's thread).
        self._client = httpx.Client(timeout=settings.http_timeout, follow_redirects=False)
        self._forget()

    # --- thread ------------------------------------------------------------------------

    def set_machines(self, machines: list[AgentMachine]) -> None:
        self._machines = tuple(machines)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"mtconnect {self.url}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def poll_once(self) -> bool:
        """One step of the thread's loop, in the caller's thread (for a test that needs
        to stop at an exact point); whether the agent has nothing more for now."""
        caught_up, _wait = self._step()
        return caught_up

    def close(self) -> None:
        """Close the HTTP client of a poller driven by ``poll_once`` (the thread closes its
        own)."""
        self._client.close()

    def _run(self) -> None:
        with self._client:
            try:
                while not self._stop.is_set():
                    # Only the thread's own loop: in a caller's thread (``poll_once`` in a
                    # test's transaction) this would close the caller's connection.
                    close_old_connections()
                    _caught_up, wait = self._step()
                    self._stop.wait(wait)
            finally:
                connection.close()

    def _step(self) -> tuple[bool, float]:
        """One cycle, its failures handled: (whether caught up, seconds to wait)."""
        try:
            caught_up = self._cycle()
        except AgentUnreachable as error:
            if not self._failures:
                logger.warning("MTConnect agent %s unreachable: %s", self.url, error)
            self._connected = False
        except AgentFailure as error:
            logger.warning("MTConnect agent %s: %s", self.url, error)
        except DatabaseError:
            logger.exception("MTConnect agent %s: database error", self.url)
            self._forget()
        except Exception:
            # Never let one agent's surprise end the collector: start over from the
            # stored cursor after a pause.
            logger.exception("MTConnect agent %s: unexpected error", self.url)
            self._forget()
        else:
            if self._failures:
                logger.info("MTConnect agent %s answers again", self.url)
            self._failures = 0
            return caught_up, self.settings.poll_seconds if caught_up else 0.0
        self._failures += 1
        return False, self._backoff(self._failures)

    def _backoff(self, failures: int) -> float:
        base = max(self.settings.poll_seconds, 0.05)
        return float(min(self.settings.max_backoff, base * 2 ** min(failures, 12)))

    # --- state -------------------------------------------------------------------------

    def _forget(self) -> None:
        """Drop everything known in memory; the next cycle starts from the database."""
        self._cursor_loaded = False
        self._connected = False
        # Where the agent's stream stands for us (meaningful once ``_positioned``).
        self._positioned = False
        self._instance = ""
        self._next = 0
        self._connected_at = -1  # where the last /current left us
        self._buffer_size: int | None = None
        self._gaps = 0
        self._sent_cursor: tuple[str, int, int] | None = None
        self._views: dict[str, DeviceView] = {}
        self._names: dict[str, str] = {}  # device name or uuid → name
        self._tracks: dict[int, Track] = {}
        self._open_groups: dict[str, _Group] = {}
        self._missing: set[tuple[int, str]] = set()
        self._last_heartbeat = float("-inf")
        self._last_reconcile = time.monotonic()

    def _ack(self) -> None:
        with self._pending_lock:
            self._pending -= 1

    @property
    def pending(self) -> int:
        with self._pending_lock:
            return self._pending

    def _resume_point(self) -> int:
        """Where to go on from: the next sequence, or the start of a group still open at
        a page's end (resuming there rebuilds the values before it and reads it whole)."""
        return min([self._next, *(g.first for g in self._open_groups.values())])

    def _emit(self, batch: Batch) -> None:
        if self._positioned:
            cursor = (self._instance, self._resume_point(), self._gaps)
            if cursor != self._sent_cursor:
                batch.cursors.append(CursorUpdate(self.url, *cursor))
                self._sent_cursor = cursor
        if not len(batch):
            return
        with self._pending_lock:
            self._pending += 1
        try:
            self.sink(batch, self._ack)
        except BaseException:
            self._ack()
            raise

    # --- HTTP --------------------------------------------------------------------------

    def _fetch(
        self, path: str, params: dict[str, int] | None = None
    ) -> StreamsDocument | ErrorDocument:
        try:
            with self._client.stream("GET", f"{self.url}{path}", params=params) as response:
                chunks = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_DOCUMENT_BYTES:
                        self._malformed(f"{path}: answer larger than {MAX_DOCUMENT_BYTES} bytes")
                    chunks.append(chunk)
                status = response.status_code
        except httpx.RequestError as error:
            raise AgentUnreachable(f"{type(error).__name__}: {error}") from error
        content = b"".join(chunks)
        try:
            document = parse(content)
        except MalformedDocument as error:
            if status != 200:
                raise AgentFailure(f"{path}: HTTP {status}") from error
            self._malformed(f"{path}: {error}")
        if isinstance(document, StreamsDocument) and status != 200:
            raise AgentFailure(f"{path}: HTTP {status}")
        return document

    def _malformed(self, detail: str) -> None:
        """Count a malformed answer against every machine of the agent, and give up this
        cycle (the same range is asked for again after a pause)."""
        batch = Batch(refusals=[Refusal(Rejection.MALFORMED, detail, m.id) for m in self._machines])
        self._emit(batch)
        raise AgentFailure(f"malformed answer ({detail})")

    # --- the poll cycle ----------------------------------------------------------------

    def _cycle(self) -> bool:
        """One step; whether the agent has nothing more for now."""
        if not self._connected:
            self._connect()
            return False
        received_at = timezone.now()
        batch = Batch()
        if not self._open_groups:
            # Only between pages that end a line: a view half through one is no state.
            self._settle_new_machines(batch, received_at)
            if (
                time.monotonic() - self._last_reconcile >= self.settings.reconcile_seconds
                and self.pending == 0
            ):
                self._last_reconcile = time.monotonic()
                self._settle(batch, self._machines, received_at, from_db=True)
        start = self._next
        count = min(self.settings.sample_count, self._buffer_size or self.settings.sample_count)
        document = self._fetch("/sample", {"from": start, "count": count})
        if isinstance(document, ErrorDocument):
            self._emit(batch)
            if document.out_of_range and start != self._connected_at:
                # The buffer moved past us (or the agent restarted): /current tells which.
                logger.info("MTConnect agent %s: from=%d out of range", self.url, start)
                self._connected = False
                return False
            # Refused even right after /current: not a gap, an agent we do not understand.
            self._connected = False
            raise AgentFailure(f"/sample: {', '.join(document.codes)} {document.message}")
        header = document.header
        if header.instance_id[:MAX_BOOT] != self._instance or header.first_sequence > start:
            self._connected = False
            self._emit(batch)
            return False
        if header.next_sequence < start:
            logger.warning(
                "MTConnect agent %s: nextSequence %d went back before %d; resyncing",
                self.url,
                header.next_sequence,
                start,
            )
            self._connected = False
            self._emit(batch)
            return False
        self._learn_devices(document)
        more = header.next_sequence <= header.last_sequence
        self._apply(document, batch, received_at, start, header.next_sequence, more=more)
        self._next = header.next_sequence
        self._heartbeats(batch, received_at)
        self._emit(batch)
        return not more

    def _connect(self) -> None:
        document = self._fetch("/current")
        if isinstance(document, ErrorDocument):
            raise AgentFailure(f"/current: {', '.join(document.codes)} {document.message}")
        header = document.header
        instance = header.instance_id[:MAX_BOOT]
        if not self._cursor_loaded:
            stored = (
                SourceCursor.objects.filter(key=self.url)
                .values_list("instance", "next_sequence", "gaps")
                .first()
            )
            if stored is not None:
                self._instance, self._next, self._gaps = stored
                self._sent_cursor = stored
                self._positioned = True
            self._cursor_loaded = True
        view_document = document
        resume_at = header.next_sequence
        # From the start of a line left open at a page's end (as the stored cursor).
        cursor = self._resume_point()
        if self._positioned and self._instance == instance:
            if cursor == header.next_sequence:
                resume_at = cursor
            elif header.first_sequence <= cursor - 1 and cursor <= header.next_sequence:
                at = self._fetch("/current", {"at": cursor - 1})
                if isinstance(at, StreamsDocument) and at.header.instance_id == header.instance_id:
                    view_document, resume_at = at, cursor
                else:
                    self._gap(cursor, header.first_sequence, "no values to resume from")
            elif cursor < header.first_sequence:
                self._gap(cursor, header.first_sequence, "the agent's buffer overran")
            elif cursor < header.next_sequence:
                self._gap(cursor, header.first_sequence, "no values to resume from")
            else:
                logger.warning(
                    "MTConnect agent %s: cursor %d is ahead of the agent (%d); resyncing",
                    self.url,
                    cursor,
                    header.next_sequence,
                )
        elif self._positioned:
            logger.info(
                "MTConnect agent %s restarted (instance %s, was %s); resyncing",
                self.url,
                header.instance_id,
                self._instance,
            )
        self._instance = instance
        self._next = self._connected_at = resume_at
        self._positioned = True
        self._buffer_size = header.buffer_size
        self._views = {}
        self._names = {}
        self._open_groups = {}
        self._learn_devices(view_document)
        received_at = timezone.now()
        batch = Batch()
        self._refuse_problems(view_document, batch)
        for observation in sorted(view_document.observations, key=lambda o: o.sequence):
            self._apply_one(observation, batch)
        self._report_missing(batch)
        self._settle(batch, self._machines, received_at, from_db=self.pending == 0)
        self._heartbeats(batch, received_at, force=True)
        self._emit(batch)
        self._connected = True

    def _gap(self, cursor: int, first: int, why: str) -> None:
        self._gaps += 1
        logger.warning(
            "MTConnect agent %s: gap at sequence %d (agent's first is %d: %s); %d gaps so far; "
            "resyncing from /current",
            self.url,
            cursor,
            first,
            why,
            self._gaps,
        )

    # --- devices and machines ----------------------------------------------------------

    def _learn_devices(self, document: StreamsDocument) -> None:
        for device in document.devices:
            self._names[device.name] = device.name
            if device.uuid:
                self._names[device.uuid] = device.name
            self._views.setdefault(device.name, DeviceView())

    def _device_of(self, machine: AgentMachine) -> str | None:
        return self._names.get(machine.device)

    def _machines_of(self, device: str) -> list[AgentMachine]:
        return [m for m in self._machines if self._device_of(m) == device]

    def _report_missing(self, batch: Batch) -> None:
        """A machine naming a device the agent does not serve gets no data (and no
        heartbeat): said once per agent instance, in the log and on its counters."""
        for machine in self._machines:
            key = (machine.id, self._instance)
            if self._device_of(machine) is None and key not in self._missing:
                self._missing.add(key)
                detail = f"the MTConnect agent {self.url} has no device {machine.device!r}"
                logger.warning("%s (machine %d)", detail, machine.id)
                batch.refusals.append(Refusal(Rejection.MALFORMED, detail[:300], machine.id))

    def _track(self, machine_id: int) -> Track:
        track = self._tracks.get(machine_id)
        if track is None:
            track = self._tracks[machine_id] = stored_track(machine_id)
        return track

    # --- observations → events ---------------------------------------------------------

    def _refuse_problems(self, document: StreamsDocument, batch: Batch) -> None:
        for device, detail in document.problems:
            for machine in self._machines_of(device):
                batch.refusals.append(Refusal(Rejection.MALFORMED, detail, machine.id))

    def _apply_one(self, observation: Observation, batch: Batch) -> bool:
        view = self._views.setdefault(observation.device, DeviceView())
        try:
            return view.apply(observation)
        except ValueError as error:
            for machine in self._machines_of(observation.device):
                batch.refusals.append(Refusal(Rejection.MALFORMED, str(error), machine.id))
            return False

    def _apply(
        self,
        document: StreamsDocument,
        batch: Batch,
        received_at: dt.datetime,
        start: int,
        end: int,
        *,
        more: bool,
    ) -> None:
        """Apply the observations in sequence order; each device's group of one timestamp
        is evaluated when it ends. A group at the end of a page the agent cut short
        (``more``) may go on in the next page: it stays open until then, and the cursor
        stored meanwhile points at its start."""
        self._refuse_problems(document, batch)
        groups, self._open_groups = self._open_groups, {}
        observations = sorted(
            (o for o in document.observations if start <= o.sequence < end),
            key=lambda o: o.sequence,
        )
        for observation in observations:
            device = observation.device
            group = groups.get(device)
            if group is not None and group.timestamp != observation.timestamp:
                self._close(device, groups.pop(device), batch, received_at)
            if self._apply_one(observation, batch):
                if device in groups:
                    groups[device].sequence = observation.sequence
                else:
                    groups[device] = _Group(
                        observation.timestamp, observation.sequence, observation.sequence
                    )
        if more:
            self._open_groups = groups
            return
        for device, group in groups.items():
            self._close(device, group, batch, received_at)

    def _close(self, device: str, group: _Group, batch: Batch, received_at: dt.datetime) -> None:
        view = self._views[device]
        now = view.normalised()
        for machine in self._machines_of(device):
            if self._track(machine.id).normalised != now:
                self._write_state(
                    batch,
                    machine.id,
                    now,
                    view,
                    boot=self._instance,
                    seq=group.sequence,
                    at=group.timestamp,
                    received_at=received_at,
                )

    def _settle_new_machines(self, batch: Batch, received_at: dt.datetime) -> None:
        new = [m for m in self._machines if m.id not in self._tracks]
        if new:
            self._report_missing(batch)
            self._settle(batch, new, received_at, from_db=True)

    def _settle(
        self,
        batch: Batch,
        machines: Iterable[AgentMachine],
        received_at: dt.datetime,
        *,
        from_db: bool,
    ) -> None:
        """Write each machine's state where it differs from its stored rows: after
        /current (a start, a resync), for a machine just registered, and now and then to
        end an offline row the sweep wrote while the agent could not be reached.

        ``from_db``: read the stored rows again (only when every batch sent is committed)."""
        for machine in machines:
            device = self._device_of(machine)
            if device is None:
                continue
            if from_db:
                self._tracks[machine.id] = stored_track(machine.id)
            track = self._track(machine.id)
            view = self._views[device]
            now = view.normalised()
            since = view.last_timestamp
            if track.offline_row is not None and now.state != MachineState.OFFLINE:
                _seq, silent_from = track.offline_row
                if since is None or since <= silent_from:
                    # The agent's values have not moved since before the silence: the
                    # machine was in this state all along, only out of our sight. A sign
                    # of life inside the silence; ingest then drops the offline row.
                    batch.heartbeats.append(Heartbeat(machine.id, silent_from + ONE_MS))
                    track.offline_row = None
                    if track.normalised == now:
                        continue
                # else: the state is known from ``since`` on; it is written again (even if
                # the same as before the silence) so that the offline row ends there.
            elif track.normalised == now:
                continue
            seq = view.last_sequence
            if seq is None:  # the device gave no state item yet (then it is offline)
                seq = max(self._next - 1, 0)
            at = since or received_at
            if at < received_at - MAX_PAST:
                at = received_at  # older than the clock bound: known since now
            self._write_state(
                batch,
                machine.id,
                now,
                view,
                boot=self._instance,
                seq=seq,
                at=at,
                received_at=received_at,
            )

    def _write_state(
        self,
        batch: Batch,
        machine_id: int,
        now: Normalised,
        view: DeviceView,
        *,
        boot: str,
        seq: int,
        at: dt.datetime,
        received_at: dt.datetime,
    ) -> None:
        track = self._track(machine_id)
        if track.at is not None and at <= track.at:
            # A machine's rows follow each other in time: a controller clock that stepped
            # back (or an observation stamped before the last row) starts just after it.
            at = track.at + ONE_MS
        event = StateEvent(
            machine_id=machine_id,
            boot=boot,
            seq=seq,
            at=at,
            state=now.state,
            reason=now.reason,
            count=view.part_count,
        )
        checked = validated(event, received_at)
        if isinstance(checked, Refusal):
            batch.refusals.append(checked)
            return
        batch.events.append(checked)
        track.state, track.reason, track.at = now.state, now.reason, at
        if track.offline_row is not None and at > track.offline_row[1]:
            track.offline_row = None  # the new row follows (or, inside it, ends) the silence

    def _heartbeats(self, batch: Batch, received_at: dt.datetime, *, force: bool = False) -> None:
        if not force and time.monotonic() - self._last_heartbeat < self.settings.heartbeat_seconds:
            return
        self._last_heartbeat = time.monotonic()
        for machine in self._machines:
            if self._device_of(machine) is not None:
                batch.heartbeats.append(Heartbeat(machine.id, received_at))
