"""Reading agents' documents of every schema version the collector supports (1.3 to 2.x):
elements matched by local name, error documents, and refusals of what is not a document."""

from __future__ import annotations

import datetime as dt

import pytest

from machikoba.telemetry.collector.mtconnect_xml import (
    ErrorDocument,
    MalformedDocument,
    StreamsDocument,
    parse,
    parse_timestamp,
)

STREAMS = """<?xml version="1.0" encoding="UTF-8"?>
<{prefix}MTConnectStreams xmlns{colon}{bare}="urn:mtconnect.org:MTConnectStreams:{version}"
    xmlns:x="urn:example.com:Vendor:1.0">
  <{prefix}Header creationTime="{day}T00:00:00Z" instanceId="1650000000" version="{version}.0"
      bufferSize="131072" nextSequence="1203" firstSequence="17" lastSequence="1202"/>
  <{prefix}Streams>
    <{prefix}DeviceStream name="VMC-3Axis" uuid="000">
      <{prefix}ComponentStream component="Device" name="VMC-3Axis" componentId="dev">
        <{prefix}Events>
          <{prefix}Availability dataItemId="avail" timestamp="{day}T00:00:01.1234567Z"
              sequence="1190">AVAILABLE</{prefix}Availability>
        </{prefix}Events>
      </{prefix}ComponentStream>
      <{prefix}ComponentStream component="Path" name="path" componentId="p1">
        <{prefix}Samples>
          <{prefix}PathFeedrate dataItemId="Frt" timestamp="{day}T00:00:02Z" sequence="1195"
              subType="ACTUAL">12.5</{prefix}PathFeedrate>
        </{prefix}Samples>
        <{prefix}Events>
          <!-- a comment an agent might leave -->
          <{prefix}Execution dataItemId="exec" timestamp="{day}T00:00:03.5Z"
              sequence="1200" name="execution">ACTIVE</{prefix}Execution>
          <{prefix}PartCount dataItemId="pc" timestamp="{day}T00:00:03Z" sequence="1199"
              subType="ALL">42</{prefix}PartCount>
          <x:MachineSpecific dataItemId="vendor" timestamp="{day}T00:00:03Z"
              sequence="1198">vendor value</x:MachineSpecific>
        </{prefix}Events>
        <{prefix}Condition>
          <{prefix}Fault dataItemId="logic" timestamp="{day}T00:00:04Z" sequence="1201"
              type="LOGIC_PROGRAM" nativeCode="A1203" nativeSeverity="2">Overtravel</{prefix}Fault>
          <{prefix}Normal dataItemId="motion" timestamp="{day}T00:00:04Z" sequence="1202"
              type="MOTION_PROGRAM"/>
        </{prefix}Condition>
      </{prefix}ComponentStream>
    </{prefix}DeviceStream>
  </{prefix}Streams>
</{prefix}MTConnectStreams>"""


# Any day: built from today (the parser has no notion of dates).
MIDNIGHT = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
DAY = f"{MIDNIGHT:%Y-%m-%d}"


def streams(version: str, prefix: str = "") -> bytes:
    return STREAMS.format(
        day=DAY,
        version=version,
        prefix=f"{prefix}:" if prefix else "",
        colon=":" if prefix else "",
        bare=prefix,
    ).encode()


@pytest.mark.parametrize(
    ("version", "prefix"), [("1.3", ""), ("1.7", "m"), ("2.0", ""), ("2.3", "mt")]
)
def test_streams_of_every_version_read_alike(version, prefix):
    document = parse(streams(version, prefix))

    assert isinstance(document, StreamsDocument)
    assert document.header.instance_id == "1650000000"
    assert (
        document.header.first_sequence,
        document.header.next_sequence,
        document.header.last_sequence,
    ) == (17, 1203, 1202)
    assert [(d.name, d.uuid) for d in document.devices] == [("VMC-3Axis", "000")]
    by_item = {o.data_item_id: o for o in document.observations}
    assert by_item["avail"].component == "Device"
    assert by_item["avail"].timestamp == MIDNIGHT + dt.timedelta(seconds=1, microseconds=123456)
    assert (by_item["exec"].element, by_item["exec"].value, by_item["exec"].sequence) == (
        "Execution",
        "ACTIVE",
        1200,
    )
    assert (by_item["pc"].sub_type, by_item["pc"].value) == ("ALL", "42")
    assert by_item["Frt"].category == "Samples"
    # A vendor's extension element is an observation like any other (the mapping ignores it).
    assert by_item["vendor"].element == "MachineSpecific"
    fault = by_item["logic"]
    assert (fault.category, fault.element, fault.native_code, fault.condition_type) == (
        "Condition",
        "Fault",
        "A1203",
        "LOGIC_PROGRAM",
    )
    assert by_item["motion"].element == "Normal"
    assert not document.problems


@pytest.mark.parametrize(
    "body",
    [
        # 1.x and 2.x: Errors around each Error.
        '<MTConnectError xmlns="urn:mtconnect.org:MTConnectError:1.3"><Header instanceId="7"'
        ' bufferSize="10"/><Errors><Error errorCode="OUT_OF_RANGE">\'from\' must be greater'
        " than 17</Error></Errors></MTConnectError>",
        # 1.0-style: the Error straight under the root.
        '<MTConnectError xmlns="urn:mtconnect.org:MTConnectError:1.1"><Header instanceId="7"/>'
        "<Error errorCode=\"OUT_OF_RANGE\">'from' must be greater than 17</Error>"
        "</MTConnectError>",
    ],
)
def test_error_documents_name_their_code(body):
    document = parse(body.encode())

    assert isinstance(document, ErrorDocument)
    assert document.out_of_range
    assert document.instance_id == "7"
    assert "greater than 17" in document.message


def test_an_error_that_is_not_out_of_range():
    document = parse(
        b'<MTConnectError xmlns="urn:mtconnect.org:MTConnectError:2.0"><Header instanceId="7"/>'
        b'<Errors><Error errorCode="NO_DEVICE">Could not find the device</Error></Errors>'
        b"</MTConnectError>"
    )

    assert isinstance(document, ErrorDocument)
    assert document.codes == ("NO_DEVICE",)
    assert not document.out_of_range


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"<MTConnectStreams><Header instanceId=", "not well-formed"),
        (b"", "not well-formed"),
        (b"<html><body>Bad gateway</body></html>", "unexpected document"),
        (b"<MTConnectStreams><Streams/></MTConnectStreams>", "no Header"),
        (
            b'<MTConnectStreams><Header nextSequence="1" firstSequence="1" lastSequence="0"/>'
            b"</MTConnectStreams>",
            "without instanceId",
        ),
        (
            b'<MTConnectStreams><Header instanceId="1" nextSequence="x" firstSequence="1"'
            b' lastSequence="0"/></MTConnectStreams>',
            "without sequence numbers",
        ),
        # An entity that would expand (a billion laughs) is not resolved.
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<MTConnectStreams>&b;</MTConnectStreams>",
            "no Header",
        ),
    ],
)
def test_what_is_not_a_document_is_malformed(body, why):
    with pytest.raises(MalformedDocument, match=why):
        parse(body)


def test_a_bad_observation_is_skipped_and_reported():
    body = streams("1.3").replace(b'sequence="1200"', b'sequence="twelve"')

    document = parse(body)

    assert isinstance(document, StreamsDocument)
    assert "exec" not in {o.data_item_id for o in document.observations}
    assert document.problems == [("VMC-3Axis", "exec: bad sequence")]


@pytest.mark.parametrize(
    ("suffix", "after_midnight"),
    [
        ("T00:00:00Z", dt.timedelta(0)),
        ("T00:00:00.1234567Z", dt.timedelta(microseconds=123456)),  # 100 ns digits cut
        ("T00:00:00.5", dt.timedelta(microseconds=500000)),  # no zone: UTC
        ("T09:00:00+09:00", dt.timedelta(0)),
        ("T09:00:00+0900", dt.timedelta(0)),
    ],
)
def test_timestamps(suffix, after_midnight):
    assert parse_timestamp(f"{DAY}{suffix}") == MIDNIGHT + after_midnight


@pytest.mark.parametrize(
    "text",
    ["", "yesterday", DAY, f"{MIDNIGHT.year}-13-01T00:00:00Z", f"{DAY}T25:00:00Z", None],
)
def test_bad_timestamps(text):
    with pytest.raises(ValueError, match="bad timestamp"):
        parse_timestamp(text)
