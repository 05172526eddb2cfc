"""A small MTConnect agent for the tests: it replays recorded SHDR (what an adapter sends
an agent) and answers ``/probe``, ``/current`` and ``/sample`` as cppagent does, over real
HTTP on a free local port.

- The device model is read from a ``MTConnectDevices`` file (``data/okuma_devices.xml``, from
  cppagent's demo); each data item's SHDR key is its ``name`` (or ``id``). The same model
  can serve several devices (names and ids prefixed), as one agent serves a shop.
- ``feed(device, lines)`` takes SHDR lines: ``timestamp|key|value|key|value…``, a
  condition taking five fields (``key|level|nativeCode|nativeSeverity|qualifier|text``).
  Asset commands (``@ASSET@`` …, with their ``--multiline--`` bodies) and ``*`` protocol
  lines are skipped, unknown keys ignored, and an event or condition equal to the current
  value is dropped (cppagent's duplicate filter). Each observation gets the next sequence.
- ``shifted(path, end_at)``: a recorded file's lines with their timestamps moved so the
  latest is ``end_at`` (now by default): the collector's clock bound accepts them.
- The buffer holds ``buffer_size`` observations; ``/sample?from`` below its first sequence
  is an ``OUT_OF_RANGE`` error, as ``/current?at`` outside it.
- ``supports_at=False`` plays an old agent that refuses ``/current?at``.
- ``restart()`` starts a new instance (new ``instanceId``, sequences from 1, every item
  UNAVAILABLE); ``go_down()`` / ``come_back()`` close and reopen the port (same URL);
  ``corrupt_next(n)`` answers the next n requests with broken XML, ``refuse_next(n, code)``
  with an error document.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import threading
import urllib.parse
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from lxml import etree

DATA = Path(__file__).resolve().parent / "data"
DEVICES_XML = DATA / "okuma_devices.xml"
OKUMA_EXCERPT = DATA / "okuma_excerpt.shdr"
SCENARIO = DATA / "scenario_states.shdr"

_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?$")
_instances = itertools.count(int(dt.datetime.now(dt.UTC).timestamp()))


def parse_shdr_time(text: str) -> dt.datetime:
    base, _, fraction = text.rstrip("Z").partition(".")
    micro = (fraction or "0")[:6].ljust(6, "0")
    return dt.datetime.fromisoformat(f"{base}.{micro}+00:00")


def format_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def shifted(path: Path, end_at: dt.datetime | None = None) -> list[str]:
    """The lines of a recorded SHDR file, timestamps moved so that the latest is
    ``end_at`` (now); the order of the lines (and their gaps in time) is kept."""
    lines = path.read_text(encoding="utf-8").splitlines()
    stamps = [
        parse_shdr_time(line.split("|", 1)[0])
        for line in lines
        if _TIMESTAMP.match(line.split("|", 1)[0])
    ]
    shift = (end_at or dt.datetime.now(dt.UTC)) - max(stamps)
    out = []
    for line in lines:
        head, sep, rest = line.partition("|")
        if _TIMESTAMP.match(head):
            line = f"{format_time(parse_shdr_time(head) + shift)}{sep}{rest}"
        out.append(line)
    return out


@dataclass(frozen=True, slots=True)
class DataItem:
    id: str
    key: str
    type: str
    sub_type: str
    category: str  # SAMPLE | EVENT | CONDITION
    component: str
    component_id: str
    component_name: str
    device: str

    @property
    def element(self) -> str:
        # EXECUTION → Execution, PART_COUNT → PartCount (the Streams element name).
        return "".join(word.capitalize() for word in self.type.split(":")[-1].split("_"))


@dataclass(frozen=True, slots=True)
class Observation:
    sequence: int
    item: DataItem
    timestamp: dt.datetime
    value: str  # for a condition: its level (NORMAL, WARNING, FAULT, UNAVAILABLE)
    native_code: str = ""
    native_severity: str = ""
    qualifier: str = ""


class _State:
    """The latest observation of each data item (and each active condition)."""

    def __init__(self) -> None:
        self.values: dict[str, Observation] = {}
        self.conditions: dict[str, dict[str, Observation]] = {}

    def copy(self) -> _State:
        other = _State()
        other.values = dict(self.values)
        other.conditions = {key: dict(value) for key, value in self.conditions.items()}
        return other

    def is_duplicate(self, observation: Observation) -> bool:
        item = observation.item
        if item.category == "SAMPLE":
            return False
        if item.category == "CONDITION":
            active = self.conditions.get(item.id, {})
            if observation.value == "NORMAL" and not observation.native_code:
                return "" in active and active[""].value == "NORMAL" and len(active) == 1
            current = active.get(observation.native_code)
            return current is not None and current.value == observation.value
        current = self.values.get(item.id)
        return current is not None and current.value == observation.value

    def apply(self, observation: Observation) -> None:
        item = observation.item
        if item.category != "CONDITION":
            self.values[item.id] = observation
            return
        active = self.conditions.setdefault(item.id, {})
        code = observation.native_code
        if observation.value in ("NORMAL", "UNAVAILABLE") and not code:
            active.clear()
            active[""] = observation
            return
        if not code:
            active.clear()
        if observation.value == "NORMAL":
            active.pop(code, None)
            if not active:
                active[""] = observation
            return
        active.pop("", None)
        active[code] = observation

    def observations(self) -> list[Observation]:
        out = list(self.values.values())
        for active in self.conditions.values():
            out.extend(active.values())
        return out


class DeviceModel:
    """Data items of the devices the agent serves, from a MTConnectDevices file."""

    def __init__(self, path: Path, devices: Sequence[tuple[str, str]]) -> None:
        root = etree.parse(str(path)).getroot()
        template = next(root.iter("{*}Device"))
        self.devices: list[tuple[str, str, etree._Element]] = []
        self.items: dict[str, dict[str, DataItem]] = {}  # device → SHDR key → item
        for index, (name, uuid) in enumerate(devices):
            element = etree.fromstring(etree.tostring(template))
            prefix = "" if index == 0 else f"{name}_"
            element.set("name", name)
            element.set("uuid", uuid)
            element.set("id", f"{prefix}{element.get('id')}")
            for node in element.iter():
                if node is not element and node.get("id"):
                    node.set("id", f"{prefix}{node.get('id')}")
            self.devices.append((name, uuid, element))
            self.items[name] = {}
            for data_item in element.iter("{*}DataItem"):
                component = data_item.getparent().getparent()
                item = DataItem(
                    id=data_item.get("id"),
                    key=data_item.get("name") or data_item.get("id"),
                    type=data_item.get("type"),
                    sub_type=data_item.get("subType") or "",
                    category=data_item.get("category"),
                    component=etree.QName(component).localname,
                    component_id=component.get("id"),
                    component_name=component.get("name") or "",
                    device=name,
                )
                self.items[name][item.key] = item

    def uuid(self, device: str) -> str:
        return next(uuid for name, uuid, _element in self.devices if name == device)


def parse_shdr(items: dict[str, DataItem], line: str, now: dt.datetime) -> list[tuple]:
    """(item, timestamp, value, code, severity, qualifier) for each value of one line."""
    fields = line.split("|")
    if len(fields) < 3:
        return []
    stamp = parse_shdr_time(fields[0]) if _TIMESTAMP.match(fields[0]) else now
    out = []
    index = 1
    while index < len(fields):
        key = fields[index]
        item = items.get(key)
        if item is not None and item.category == "CONDITION":
            level, code, severity, qualifier = (fields[index + 1 : index + 5] + [""] * 4)[:4]
            out.append((item, stamp, level.upper() or "NORMAL", code, severity, qualifier))
            index += 6
            continue
        value = fields[index + 1] if index + 1 < len(fields) else ""
        if item is not None:
            out.append((item, stamp, value, "", "", ""))
        index += 2
    return out


class MTConnectTestAgent:
    """The agent: ``start()`` it (or use it as a context manager), point machines at
    ``url``, ``feed`` it SHDR."""

    def __init__(
        self,
        devices: Sequence[tuple[str, str]] = (("OKUMA", "OKUMA.123456"),),
        *,
        devices_xml: Path = DEVICES_XML,
        buffer_size: int = 4096,
        version: str = "2.0",
        started_at: dt.datetime | None = None,
        supports_at: bool = True,
    ) -> None:
        self.model = DeviceModel(devices_xml, devices)
        self.buffer_size = buffer_size
        self.version = version
        self.supports_at = supports_at  # an old agent refuses /current?at
        self.requests: list[str] = []
        self._lock = threading.RLock()
        self._corrupt = 0
        self._errors: list[str] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self._begin(started_at or dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))

    # --- lifecycle ---------------------------------------------------------------------

    def __enter__(self) -> MTConnectTestAgent:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        handler = type("Handler", (_Handler,), {"agent": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    go_down = stop
    come_back = start

    def restart(self, at: dt.datetime | None = None) -> None:
        """A new instance of the agent: new instanceId, empty buffer, all UNAVAILABLE."""
        with self._lock:
            self._begin(at or dt.datetime.now(dt.UTC))

    def _begin(self, at: dt.datetime) -> None:
        with self._lock:
            self.instance_id = str(next(_instances))
            self._buffer: deque[Observation] = deque()
            self._base = _State()  # the values before the buffer's first observation
            self._latest = _State()
            self._next = 1
            for name, _uuid, _element in self.model.devices:
                for item in self.model.items[name].values():
                    self._add(Observation(0, item, at, "UNAVAILABLE"))

    def corrupt_next(self, count: int = 1) -> None:
        with self._lock:
            self._corrupt += count

    def refuse_next(self, count: int = 1, code: str = "INTERNAL_ERROR") -> None:
        """Answer the next ``count`` requests with an MTConnect error document (HTTP 500)."""
        with self._lock:
            self._errors.extend([code] * count)

    # --- data --------------------------------------------------------------------------

    @property
    def first_sequence(self) -> int:
        with self._lock:
            return self._buffer[0].sequence if self._buffer else self._next

    @property
    def next_sequence(self) -> int:
        with self._lock:
            return self._next

    def feed(self, device: str, lines: Iterable[str]) -> list[int]:
        """Take SHDR lines for ``device``; the sequences given to what was kept."""
        items = self.model.items[device]
        sequences = []
        multiline: str | None = None
        with self._lock:
            now = dt.datetime.now(dt.UTC)
            for line in lines:
                if multiline is not None:
                    if line.strip() == multiline:
                        multiline = None
                    continue
                if line.startswith("*") or not line.strip():
                    continue
                fields = line.split("|")
                if len(fields) > 1 and fields[1].startswith("@"):
                    marker = next((f for f in fields if f.startswith("--multiline--")), None)
                    multiline = marker
                    continue
                for item, stamp, value, code, severity, qualifier in parse_shdr(items, line, now):
                    observation = Observation(0, item, stamp, value, code, severity, qualifier)
                    if not self._latest.is_duplicate(observation):
                        sequences.append(self._add(observation))
        return sequences

    def now_line(self, text: str) -> str:
        """``text`` (``key|value…``) stamped with the current time."""
        return f"{format_time(dt.datetime.now(dt.UTC))}|{text}"

    def _add(self, observation: Observation) -> int:
        observation = replace(observation, sequence=self._next)
        self._next += 1
        self._buffer.append(observation)
        self._latest.apply(observation)
        while len(self._buffer) > self.buffer_size:
            self._base.apply(self._buffer.popleft())
        return observation.sequence

    # --- documents ---------------------------------------------------------------------

    def _header(self, root: etree._Element, **extra: str) -> None:
        first = self._buffer[0].sequence if self._buffer else self._next
        attributes = {
            "creationTime": format_time(dt.datetime.now(dt.UTC)),
            "sender": "machikoba-test-agent",
            "instanceId": self.instance_id,
            "version": f"{self.version}.0",
            "bufferSize": str(self.buffer_size),
            "nextSequence": str(self._next),
            "firstSequence": str(first),
            "lastSequence": str(self._next - 1),
        }
        attributes.update(extra)
        etree.SubElement(root, self._tag("Header"), attributes)

    def _namespace(self, kind: str) -> str:
        return f"urn:mtconnect.org:MTConnect{kind}:{self.version}"

    def _tag(self, name: str) -> str:
        return f"{{{self._ns}}}{name}"

    def streams(self, observations: list[Observation], **header: str) -> bytes:
        self._ns = self._namespace("Streams")
        root = etree.Element(self._tag("MTConnectStreams"), nsmap={None: self._ns, "m": self._ns})
        self._header(root, **header)
        streams = etree.SubElement(root, self._tag("Streams"))
        by_device: dict[str, dict[str, list[Observation]]] = {}
        for observation in sorted(observations, key=lambda o: o.sequence):
            item = observation.item
            by_device.setdefault(item.device, {}).setdefault(item.component_id, []).append(
                observation
            )
        for name, uuid, _element in self.model.devices:
            device = etree.SubElement(streams, self._tag("DeviceStream"), name=name, uuid=uuid)
            for component_observations in by_device.get(name, {}).values():
                item = component_observations[0].item
                component = etree.SubElement(
                    device,
                    self._tag("ComponentStream"),
                    component=item.component,
                    name=item.component_name,
                    componentId=item.component_id,
                )
                for category, tag in (
                    ("SAMPLE", "Samples"),
                    ("EVENT", "Events"),
                    ("CONDITION", "Condition"),
                ):
                    chosen = [o for o in component_observations if o.item.category == category]
                    if chosen:
                        parent = etree.SubElement(component, self._tag(tag))
                        for observation in chosen:
                            self._observation(parent, observation)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def _observation(self, parent: etree._Element, observation: Observation) -> None:
        item = observation.item
        attributes = {
            "dataItemId": item.id,
            "timestamp": format_time(observation.timestamp),
            "sequence": str(observation.sequence),
        }
        if item.key != item.id:
            attributes["name"] = item.key
        if item.sub_type:
            attributes["subType"] = item.sub_type
        if item.category == "CONDITION":
            attributes["type"] = item.type
            if observation.native_code:
                attributes["nativeCode"] = observation.native_code
            if observation.native_severity:
                attributes["nativeSeverity"] = observation.native_severity
            if observation.qualifier:
                attributes["qualifier"] = observation.qualifier
            element = etree.SubElement(
                parent, self._tag(observation.value.capitalize()), attributes
            )
            return
        element = etree.SubElement(parent, self._tag(item.element), attributes)
        element.text = observation.value

    def error(self, code: str, message: str) -> bytes:
        self._ns = self._namespace("Error")
        root = etree.Element(self._tag("MTConnectError"), nsmap={None: self._ns})
        self._header(root)
        errors = etree.SubElement(root, self._tag("Errors"))
        etree.SubElement(errors, self._tag("Error"), errorCode=code).text = message
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def probe(self) -> bytes:
        self._ns = self._namespace("Devices")
        root = etree.Element(self._tag("MTConnectDevices"), nsmap={None: self._ns})
        self._header(root)
        devices = etree.SubElement(root, self._tag("Devices"))
        for _name, _uuid, element in self.model.devices:
            devices.append(etree.fromstring(etree.tostring(element)))
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, bytes]:
        with self._lock:
            self.requests.append(
                path + ("?" + urllib.parse.urlencode(query, doseq=True) if query else "")
            )
            if self._errors and path in ("/current", "/sample"):
                return 500, self.error(self._errors.pop(0), "the agent could not answer")
            if self._corrupt and path in ("/current", "/sample"):
                self._corrupt -= 1
                return 200, b'<?xml version="1.0"?><MTConnectStreams><Header instanceId="1" '
            try:
                numbers = {key: int(values[-1]) for key, values in query.items()}
            except ValueError:
                return 400, self.error("INVALID_REQUEST", "query parameters must be integers")
            first = self._buffer[0].sequence if self._buffer else self._next
            if path == "/probe":
                return 200, self.probe()
            if path == "/current":
                at = numbers.get("at")
                if at is None:
                    return 200, self.streams(self._latest.observations())
                if not self.supports_at:
                    return 400, self.error("UNSUPPORTED", "'at' is not supported")
                if not first <= at < self._next:
                    return 400, self.error(
                        "OUT_OF_RANGE", f"'at' must be between {first} and {self._next - 1}"
                    )
                state = self._base.copy()
                for observation in self._buffer:
                    if observation.sequence > at:
                        break
                    state.apply(observation)
                return 200, self.streams(state.observations(), nextSequence=str(at + 1))
            if path == "/sample":
                start = numbers.get("from", first)
                count = numbers.get("count", 100)
                if count <= 0 or count > self.buffer_size:
                    return 400, self.error("OUT_OF_RANGE", "'count' out of range")
                if not first <= start <= self._next:
                    return 400, self.error(
                        "OUT_OF_RANGE", f"'from' must be between {first} and {self._next}"
                    )
                end = min(start + count, self._next)
                chosen = [o for o in self._buffer if start <= o.sequence < end]
                return 200, self.streams(chosen, nextSequence=str(end))
            return 404, self.error("UNSUPPORTED", f"{path} is not served here")


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.0: one request per connection, so go_down() leaves no connection open.
    agent: MTConnectTestAgent

    def do_GET(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        status, body = self.agent.answer(parts.path, urllib.parse.parse_qs(parts.query))
        self.send_response(status)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass
