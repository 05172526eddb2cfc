"""Reading what an MTConnect agent answers: ``MTConnectStreams`` (``/current``, ``/sample``)
and ``MTConnectError`` documents, of any schema version from 1.3 to 2.x.

Elements are matched by their local name, never by a fixed namespace: the namespace carries
the version (``urn:mtconnect.org:MTConnectStreams:1.3`` … ``:2.3``) and vendors add their
own for extensions. Only what the collector uses is kept: the header's instance and
sequence numbers, and each observation's device, data item, element, sequence, timestamp
and value (plus a condition's native code). A document that is not well-formed XML, or
whose header lacks its numbers, raises ``MalformedDocument``; one bad observation in a
good document is reported in ``StreamsDocument.problems`` and skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from lxml import etree

# The categories of a component stream's children, as element names.
CATEGORIES = frozenset({"Samples", "Events", "Condition"})
# A condition observation is one of these elements.
CONDITION_LEVELS = frozenset({"Normal", "Warning", "Fault", "Unavailable"})
UNAVAILABLE = "UNAVAILABLE"

_TIMESTAMP = re.compile(
    r"^(?P<base>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(?P<fraction>\d+))?(?P<zone>Z|[+-]\d\d:?\d\d)?$"
)


class MalformedDocument(ValueError):
    """The agent answered something that is not a usable MTConnect document."""


@dataclass(frozen=True, slots=True)
class Header:
    instance_id: str
    next_sequence: int
    first_sequence: int
    last_sequence: int
    version: str = ""
    buffer_size: int | None = None  # a /sample may ask for at most this many


@dataclass(frozen=True, slots=True)
class Observation:
    device: str
    uuid: str
    component: str
    category: str  # Samples | Events | Condition
    element: str  # Execution, PartCount … or Normal/Warning/Fault/Unavailable
    data_item_id: str
    sequence: int
    timestamp: dt.datetime
    value: str
    sub_type: str = ""
    # Conditions only: the condition's type (SYSTEM, LOGIC_PROGRAM …) and native code.
    condition_type: str = ""
    native_code: str = ""


@dataclass(slots=True)
class DeviceSeen:
    name: str
    uuid: str


@dataclass(slots=True)
class StreamsDocument:
    header: Header
    devices: list[DeviceSeen] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    # (device name, what was wrong) for observations that were skipped.
    problems: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ErrorDocument:
    codes: tuple[str, ...]
    message: str
    instance_id: str = ""

    @property
    def out_of_range(self) -> bool:
        return "OUT_OF_RANGE" in self.codes


def local_name(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):  # a comment or processing instruction
        return ""
    return tag.rpartition("}")[2]


def parse_timestamp(text: str | None) -> dt.datetime:
    """An MTConnect timestamp (ISO 8601, UTC, up to nanoseconds) as an aware datetime."""
    match = _TIMESTAMP.match((text or "").strip())
    if not match:
        raise ValueError(f"bad timestamp {str(text)[:40]!r}")
    fraction = (match["fraction"] or "0")[:6].ljust(6, "0")
    zone = match["zone"] or "Z"  # the standard says UTC; a few agents leave the Z out
    if zone == "Z":
        zone = "+00:00"
    elif ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    try:
        moment = dt.datetime.fromisoformat(f"{match['base']}.{fraction}{zone}")
    except ValueError as error:  # 2020-13-01, 25:00 …
        raise ValueError(f"bad timestamp {str(text)[:40]!r}") from error
    return moment.astimezone(dt.UTC)


def _parser() -> etree.XMLParser:
    # One parser per document: lxml parsers are not to be shared between threads. No
    # entities, no DTDs, no network: the agent is a device on the shop's network, not a
    # trusted party.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse(content: bytes) -> StreamsDocument | ErrorDocument:
    """The agent's answer as a streams or an error document, or ``MalformedDocument``."""
    try:
        root = etree.fromstring(content, parser=_parser())
    except (etree.XMLSyntaxError, ValueError) as error:
        raise MalformedDocument(f"not well-formed XML: {str(error)[:200]}") from error
    if root is None:
        raise MalformedDocument("empty document")
    name = local_name(root)
    if name == "MTConnectError":
        return _error_document(root)
    if name != "MTConnectStreams":
        raise MalformedDocument(f"unexpected document {name[:40]!r}")
    return _streams_document(root)


def _child(element: etree._Element, name: str) -> etree._Element | None:
    for child in element:
        if local_name(child) == name:
            return child
    return None


def _error_document(root: etree._Element) -> ErrorDocument:
    codes: list[str] = []
    messages: list[str] = []
    for element in root.iter():
        if local_name(element) == "Error":
            codes.append((element.get("errorCode") or "").strip().upper())
            messages.append((element.text or "").strip())
    header = _child(root, "Header")
    instance = (header.get("instanceId") or "") if header is not None else ""
    return ErrorDocument(tuple(codes), "; ".join(m for m in messages if m)[:300], instance)


def _header(root: etree._Element) -> Header:
    element = _child(root, "Header")
    if element is None:
        raise MalformedDocument("no Header")
    instance = (element.get("instanceId") or "").strip()
    if not instance:
        raise MalformedDocument("Header without instanceId")
    try:
        next_sequence = int(element.get("nextSequence") or "")
        first = int(element.get("firstSequence") or "")
        last = int(element.get("lastSequence") or "")
    except ValueError as error:
        raise MalformedDocument("Header without sequence numbers") from error
    if min(next_sequence, first, last) < 0:
        raise MalformedDocument("negative sequence numbers in Header")
    try:
        buffer_size: int | None = int(element.get("bufferSize") or "")
    except ValueError:
        buffer_size = None
    if buffer_size is not None and buffer_size < 1:
        buffer_size = None
    return Header(instance, next_sequence, first, last, element.get("version") or "", buffer_size)


def _streams_document(root: etree._Element) -> StreamsDocument:
    document = StreamsDocument(_header(root))
    streams = _child(root, "Streams")
    if streams is None:
        return document
    for device in streams:
        if local_name(device) != "DeviceStream":
            continue
        name = device.get("name") or ""
        uuid = device.get("uuid") or ""
        document.devices.append(DeviceSeen(name, uuid))
        for component in device:
            if local_name(component) != "ComponentStream":
                continue
            kind = component.get("component") or ""
            for category in component:
                category_name = local_name(category)
                if category_name not in CATEGORIES:
                    continue
                for element in category:
                    element_name = local_name(element)
                    if not element_name:
                        continue
                    try:
                        observation = _observation(
                            name, uuid, kind, category_name, element_name, element
                        )
                    except ValueError as error:
                        document.problems.append((name, str(error)[:200]))
                        continue
                    document.observations.append(observation)
    return document


def _observation(
    device: str,
    uuid: str,
    component: str,
    category: str,
    element_name: str,
    element: etree._Element,
) -> Observation:
    data_item_id = element.get("dataItemId") or ""
    if not data_item_id:
        raise ValueError(f"{element_name} without dataItemId")
    try:
        sequence = int(element.get("sequence") or "")
    except ValueError as error:
        raise ValueError(f"{data_item_id}: bad sequence") from error
    if sequence < 0:
        raise ValueError(f"{data_item_id}: negative sequence")
    timestamp = parse_timestamp(element.get("timestamp"))
    if category == "Condition":
        if element_name not in CONDITION_LEVELS:
            raise ValueError(f"{data_item_id}: unknown condition level {element_name[:40]!r}")
        return Observation(
            device=device,
            uuid=uuid,
            component=component,
            category=category,
            element=element_name,
            data_item_id=data_item_id,
            sequence=sequence,
            timestamp=timestamp,
            value=element_name.upper(),
            sub_type=element.get("subType") or "",
            condition_type=(element.get("type") or "").upper(),
            native_code=(element.get("nativeCode") or "").strip(),
        )
    # A data set or table (2.x) has entries, not text; the collector uses neither.
    value = (element.text or "").strip()
    return Observation(
        device=device,
        uuid=uuid,
        component=component,
        category=category,
        element=element_name,
        data_item_id=data_item_id,
        sequence=sequence,
        timestamp=timestamp,
        value=value,
        sub_type=element.get("subType") or "",
    )
