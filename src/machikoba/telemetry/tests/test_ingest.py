"""The one writer (ingest.write_batch): idempotent, order-independent, counting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from machikoba.core.testing.factories_telemetry import make_machine
from machikoba.telemetry.choices import MachineState, Rejection, Source
from machikoba.telemetry.events import (
    MAX_FUTURE,
    MAX_PAST,
    OFFLINE_AFTER,
    Batch,
    CursorUpdate,
    Heartbeat,
    Refusal,
    StateEvent,
    validated,
)
from machikoba.telemetry.ingest import (
    COLLECTOR_BOOT,
    BatchResult,
    offline_batch,
    parts_made,
    write_batch,
)
from machikoba.telemetry.models import IngestStats, SourceCursor, StateInterval, UnknownSource

pytestmark = pytest.mark.django_db

S = dt.timedelta(seconds=1)


def at(base: dt.datetime, seconds: float) -> dt.datetime:
    return base + dt.timedelta(seconds=seconds)


def event(machine, seq, when, state=MachineState.PRODUCING, *, boot="b1", count=None, reason=""):
    return StateEvent(machine.id, boot, seq, when, state, reason, count)


def rows(machine):
    return list(
        StateInterval.objects.filter(machine=machine)
        .order_by("start", "seq", "boot")
        .values_list("start", "end", "state", "parts", "boot", "seq")
    )


def stats(machine) -> IngestStats:
    return IngestStats.objects.get(machine=machine)


@pytest.fixture
def base():
    return timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)


# --- idempotence and counting ---------------------------------------------------------


def test_the_same_batch_twice_is_stored_once_and_counted_as_duplicates(base):
    machine = make_machine()
    batch = Batch(
        events=[
            event(machine, 1, at(base, 0), MachineState.IDLE),
            event(machine, 2, at(base, 60), MachineState.PRODUCING),
            event(machine, 3, at(base, 300), MachineState.ALARM, reason="A1203"),
        ]
    )
    first = write_batch(batch)
    second = write_batch(batch)

    assert (first.stored, first.duplicates) == (3, 0)
    assert (second.stored, second.duplicates) == (0, 3)
    assert second.stored_keys == frozenset()
    assert rows(machine) == [
        (at(base, 0), at(base, 60), "idle", None, "b1", 1),
        (at(base, 60), at(base, 300), "producing", None, "b1", 2),
        (at(base, 300), None, "alarm", None, "b1", 3),
    ]
    assert StateInterval.objects.get(machine=machine, seq=3).reason == "A1203"
    counters = stats(machine)
    assert (counters.received, counters.stored, counters.duplicates) == (6, 3, 3)
    assert counters.last_seen == at(base, 300)


def test_a_message_repeated_within_one_batch_is_a_duplicate(base):
    machine = make_machine()
    one = event(machine, 7, at(base, 0))
    result = write_batch(Batch(events=[one, one, one]))
    assert (result.stored, result.duplicates) == (1, 2)
    counters = stats(machine)
    assert (counters.received, counters.stored, counters.duplicates) == (3, 1, 2)
    assert StateInterval.objects.filter(machine=machine).count() == 1


def test_heartbeats_move_last_seen_forward_only_and_store_no_row(base):
    machine = make_machine()
    write_batch(Batch(heartbeats=[Heartbeat(machine.id, at(base, 120))]))
    write_batch(Batch(heartbeats=[Heartbeat(machine.id, at(base, 60))]))  # late
    counters = stats(machine)
    assert counters.last_seen == at(base, 120)
    assert counters.received == 2
    assert not StateInterval.objects.filter(machine=machine).exists()


def test_counters_of_one_machine_leave_the_others_alone(base):
    busy, quiet = make_machine(), make_machine()
    write_batch(Batch(heartbeats=[Heartbeat(quiet.id, at(base, 0))]))
    write_batch(Batch(events=[event(busy, 1, at(base, 10))]))
    assert stats(quiet).received == 1
    assert stats(quiet).last_seen == at(base, 0)
    assert stats(busy).received == 1


def test_refusals_are_counted_per_machine_and_kind_with_the_last_error(base):
    machine = make_machine()
    write_batch(
        Batch(
            refusals=[
                Refusal(Rejection.MALFORMED, "not JSON", machine.id),
                Refusal(Rejection.MALFORMED, "unknown state 'x\x00'", machine.id),
                Refusal(Rejection.SKEWED, "ahead of the clock", machine.id),
                Refusal(Rejection.RATE_LIMITED, "flood", machine.id),
            ]
        )
    )
    counters = stats(machine)
    assert (counters.malformed, counters.skewed, counters.rate_limited) == (2, 1, 1)
    assert counters.received == 4
    assert counters.stored == 0
    assert counters.last_error == "flood"
    assert counters.last_error_at is not None
    # A NUL character (PostgreSQL refuses it) never breaks the batch.
    write_batch(Batch(refusals=[Refusal(Rejection.MALFORMED, "bad \x00 \ud800", machine.id)]))
    assert "\x00" not in stats(machine).last_error
    assert stats(machine).malformed == 3


def test_skewed_events_are_refused_by_validated_and_counted(base):
    machine = make_machine()
    now = timezone.now()
    ahead = validated(event(machine, 1, now + MAX_FUTURE + S), now)
    behind = validated(event(machine, 2, now - MAX_PAST - S), now)
    fine = validated(event(machine, 3, now + MAX_FUTURE - S), now)
    assert isinstance(ahead, Refusal)
    assert ahead.kind == Rejection.SKEWED
    assert isinstance(behind, Refusal)
    assert behind.kind == Rejection.SKEWED
    assert isinstance(fine, StateEvent)
    write_batch(Batch(events=[fine], refusals=[ahead, behind]))
    counters = stats(machine)
    assert (counters.skewed, counters.stored, counters.received) == (2, 1, 3)
    assert StateInterval.objects.filter(machine=machine).count() == 1


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"state": "running"}, "unknown state"),
        ({"at": dt.datetime(2030, 1, 1)}, "time zone"),  # noqa: DTZ001 - the point
        ({"reason": "x" * 65}, "too long"),
        ({"boot": "b" * 65}, "too long"),
        ({"reason": "a\x00b"}, "not allowed"),
        ({"boot": "\ud800"}, "not allowed"),
        ({"boot": COLLECTOR_BOOT}, "reserved"),
        ({"seq": -1}, "out of range"),
        ({"seq": 2**63}, "out of range"),
        ({"seq": True}, "integer"),
        ({"count": -5}, "counter"),
        ({"count": 2**63}, "counter"),
    ],
)
def test_validated_refuses_what_the_database_cannot_hold(change, why):
    now = timezone.now()
    fields = {"machine_id": 1, "boot": "b", "seq": 1, "at": now, "state": "idle"}
    fields.update(change)
    result = validated(StateEvent(**fields), now)
    assert isinstance(result, Refusal)
    assert result.kind == Rejection.MALFORMED
    assert why in result.detail


def test_unknown_keys_are_counted_per_source_and_key_never_stored():
    refusals = [
        Refusal(Rejection.UNKNOWN, "unknown", source=Source.MQTT, key="ghost"),
        Refusal(Rejection.UNKNOWN, "unknown", source=Source.MQTT, key="ghost"),
        Refusal(Rejection.UNKNOWN, "unknown", source=Source.OPCUA, key="ghost"),
    ]
    result = write_batch(Batch(refusals=refusals))
    assert result == BatchResult(stored=0, duplicates=0, refused=3)
    write_batch(Batch(refusals=refusals[:1]))
    counts = dict(UnknownSource.objects.values_list("source", "count"))
    assert counts == {"mqtt": 3, "opcua": 1}
    row = UnknownSource.objects.get(source="mqtt")
    assert row.first_seen <= row.last_seen
    assert not StateInterval.objects.exists()
    assert not IngestStats.objects.exists()


def test_events_of_a_machine_that_no_longer_exists_are_dropped(base):
    machine = make_machine()
    gone = make_machine()
    ghost = event(gone, 1, at(base, 0))
    gone.delete()
    result = write_batch(Batch(events=[ghost, event(machine, 1, at(base, 0))]))
    assert result.stored == 1
    assert StateInterval.objects.count() == 1


def test_cursors_move_with_the_batch_and_the_last_update_wins():
    write_batch(
        Batch(
            cursors=[
                CursorUpdate("http://agent:5000/mill", "inst-1", 100),
                CursorUpdate("http://agent:5000/mill", "inst-1", 250, gaps=1),
            ]
        )
    )
    cursor = SourceCursor.objects.get(key="http://agent:5000/mill")
    assert (cursor.instance, cursor.next_sequence, cursor.gaps) == ("inst-1", 250, 1)
    write_batch(Batch(cursors=[CursorUpdate("http://agent:5000/mill", "inst-2", 5)]))
    cursor.refresh_from_db()
    assert (cursor.instance, cursor.next_sequence, cursor.gaps) == ("inst-2", 5, 0)


# --- the order of arrival --------------------------------------------------------------


def test_a_late_message_lands_between_its_neighbours(base):
    machine = make_machine()
    write_batch(Batch(events=[event(machine, 1, at(base, 0), count=10)]))
    write_batch(Batch(events=[event(machine, 3, at(base, 600), MachineState.IDLE, count=40)]))
    write_batch(Batch(events=[event(machine, 2, at(base, 300), MachineState.ALARM, count=25)]))
    assert rows(machine) == [
        (at(base, 0), at(base, 300), "producing", 15, "b1", 1),
        (at(base, 300), at(base, 600), "alarm", 15, "b1", 2),
        (at(base, 600), None, "idle", None, "b1", 3),
    ]


messages = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=40),  # seconds after base (ties allowed)
        st.sampled_from(["b1", "b2"]),  # boot
        st.sampled_from(MachineState.values),
        st.one_of(st.none(), st.integers(min_value=0, max_value=70_000)),  # count
    ),
    min_size=1,
    max_size=10,
)


@pytest.fixture
def wrapping_machine():
    return make_machine(counter_max=65535)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=messages, data=st.data())
def test_any_permutation_and_duplication_gives_the_same_rows(base, wrapping_machine, spec, data):
    """Whatever order the messages arrive in, in whatever batches, however many times,
    the rows are those of the messages written in order once."""
    machine = wrapping_machine
    StateInterval.objects.filter(machine=machine).delete()
    IngestStats.objects.filter(machine=machine).delete()
    seqs: dict[str, int] = {}
    sent = []
    for seconds, boot, state, count in spec:
        seqs[boot] = seqs.get(boot, 0) + 1
        sent.append(event(machine, seqs[boot], at(base, seconds), state, boot=boot, count=count))
    write_batch(Batch(events=sorted(sent, key=lambda e: (e.at, e.seq, e.boot))))
    expected = rows(machine)
    assert len(expected) == len(sent)
    StateInterval.objects.filter(machine=machine).delete()

    arrivals = data.draw(st.permutations(sent + data.draw(st.lists(st.sampled_from(sent)))))
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(arrivals) - 1)), max_size=4)))
    for start, end in zip([0, *cuts], [*cuts, len(arrivals)], strict=True):
        write_batch(Batch(events=arrivals[start:end]))
    assert rows(machine) == expected
    counters = stats(machine)
    assert counters.stored == 2 * len(sent)  # in order once, then the arrivals
    assert counters.duplicates == len(arrivals) - len(sent)


# --- the part counter ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "counter_max", "same", "made"),
    [
        (100, 130, None, True, 30),
        (100, 100, None, True, 0),
        (20_000, 5, 65535, True, 5),  # lower half: a reset
        (65_000, 100, 65535, True, 636),  # upper half: rolled over at 65535
        (65_000, 100, None, True, 100),  # no wrap known: a reset
        (65_000, 100, 65535, False, 100),  # a new boot: a reset, whatever the half
        (None, 5, None, True, None),
        (5, None, None, True, None),
        (0, 2**40, None, True, None),  # beyond any real counter: unknown
        (65_537, 0, 65535, True, 0),  # above the stated maximum: not a wrap, a reset
    ],
)
def test_parts_made(start, end, counter_max, same, made):
    assert parts_made(start, end, counter_max, same_stream=same) == made


def test_counter_reset_and_rollover_in_stored_rows(base):
    machine = make_machine(counter_max=65535)
    write_batch(
        Batch(
            events=[
                event(machine, 1, at(base, 0), count=65_000),
                event(machine, 2, at(base, 60), MachineState.IDLE, count=100),  # rollover
                event(machine, 3, at(base, 120), count=130),
                event(machine, 1, at(base, 180), boot="b2", count=4),  # sensor restarted
                event(machine, 2, at(base, 240), MachineState.IDLE, boot="b2", count=9),
            ]
        )
    )
    assert [r[3] for r in rows(machine)] == [636, 30, 4, 5, None]


def test_parts_skip_the_collectors_offline_rows(base):
    """A producing machine falls silent; its counter's next reading counts for the state
    it was last seen in, not lost to the offline row."""
    machine = make_machine()
    write_batch(Batch(events=[event(machine, 1, at(base, 0), count=100)]))
    write_batch(Batch(events=[StateEvent(machine.id, COLLECTOR_BOOT, 1, at(base, 60), "offline")]))
    write_batch(Batch(events=[event(machine, 2, at(base, 900), MachineState.IDLE, count=150)]))
    assert rows(machine) == [
        (at(base, 0), at(base, 60), "producing", 50, "b1", 1),
        (at(base, 60), at(base, 900), "offline", None, COLLECTOR_BOOT, 1),
        (at(base, 900), None, "idle", None, "b1", 2),
    ]


def test_a_device_row_without_a_reading_leaves_parts_unknown(base):
    machine = make_machine()
    write_batch(
        Batch(
            events=[
                event(machine, 1, at(base, 0), count=100),
                event(machine, 2, at(base, 60), MachineState.IDLE),
                event(machine, 3, at(base, 120), count=150),
            ]
        )
    )
    assert [r[3] for r in rows(machine)] == [None, None, None]


# --- offline rows ----------------------------------------------------------------------


def test_offline_batch_writes_one_row_once_even_from_two_collectors(base):
    machine = make_machine()
    write_batch(
        Batch(
            events=[event(machine, 1, at(base, 0), count=5)],
            heartbeats=[Heartbeat(machine.id, at(base, 90))],
        )
    )
    now = at(base, 90) + OFFLINE_AFTER + S
    assert len(offline_batch(now=at(base, 90) + OFFLINE_AFTER - S).events) == 0
    # Two collectors notice the same silence at the same moment.
    first, second = offline_batch(now=now), offline_batch(now=now)
    assert len(first.events) == 1
    write_batch(first)
    write_batch(second)
    assert rows(machine) == [
        (at(base, 0), at(base, 90), "producing", None, "b1", 1),
        (at(base, 90), None, "offline", None, COLLECTOR_BOOT, int(at(base, 90).timestamp() * 1000)),
    ]
    # Already offline: nothing more, however often it is asked.
    assert offline_batch(now=now + dt.timedelta(hours=1)).events == []
    counters = stats(machine)
    assert (counters.received, counters.stored, counters.duplicates) == (2, 1, 0)


def test_offline_batch_ignores_inactive_and_never_heard_machines(base):
    retired = make_machine(active=False)
    make_machine()  # registered, never heard from: no counters, no offline row
    write_batch(Batch(heartbeats=[Heartbeat(retired.id, at(base, 0))]))
    assert offline_batch(now=at(base, 0) + OFFLINE_AFTER * 2).events == []


def test_an_offline_row_computed_before_a_message_arrived_is_not_written(base):
    machine = make_machine()
    write_batch(Batch(events=[event(machine, 1, at(base, 0))]))
    stale = offline_batch(now=at(base, 0) + OFFLINE_AFTER + S)
    assert len(stale.events) == 1
    # Another collector stores a late heartbeat first.
    write_batch(Batch(heartbeats=[Heartbeat(machine.id, at(base, 30))]))
    write_batch(stale)
    assert [r[2] for r in rows(machine)] == ["producing"]


def test_late_messages_remove_an_offline_row_they_contradict(base):
    """The collector was down, not the machine: messages from within OFFLINE_AFTER of the
    offline row's start, delivered late, remove it."""
    machine = make_machine()
    write_batch(Batch(events=[event(machine, 1, at(base, 0), count=0)]))
    write_batch(offline_batch(now=at(base, 0) + OFFLINE_AFTER + S))
    assert [r[2] for r in rows(machine)] == ["producing", "offline"]
    write_batch(
        Batch(
            heartbeats=[Heartbeat(machine.id, at(base, 60))],
            events=[event(machine, 2, at(base, 400), MachineState.IDLE, count=20)],
        )
    )
    assert rows(machine) == [
        (at(base, 0), at(base, 400), "producing", 20, "b1", 1),
        (at(base, 400), None, "idle", None, "b1", 2),
    ]


def test_a_real_silence_keeps_its_offline_row(base):
    machine = make_machine()
    write_batch(Batch(events=[event(machine, 1, at(base, 0))]))
    write_batch(offline_batch(now=at(base, 0) + OFFLINE_AFTER + S))
    # The sensor comes back ten minutes later and says what the machine does.
    write_batch(Batch(events=[event(machine, 2, at(base, 600), MachineState.IDLE)]))
    assert [(r[2], r[1]) for r in rows(machine)] == [
        ("producing", at(base, 0)),
        ("offline", at(base, 600)),
        ("idle", None),
    ]
