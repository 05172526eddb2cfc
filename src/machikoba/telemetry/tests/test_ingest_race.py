"""Two collectors writing at the same moment (PostgreSQL row locks): the messages of one
machine, split between them in any way, give the rows one writer would; counters and
unknown keys add up, and nobody deadlocks or fails."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from machikoba.core.testing.concurrency import needs_postgresql, race
from machikoba.core.testing.factories_telemetry import make_machine
from machikoba.telemetry.choices import Rejection, Source
from machikoba.telemetry.events import Batch, Heartbeat, Refusal, StateEvent
from machikoba.telemetry.ingest import offline_batch, write_batch
from machikoba.telemetry.models import IngestStats, StateInterval, UnknownSource

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("transactional_db"),
    needs_postgresql,
]


def chain(machine):
    return list(
        StateInterval.objects.filter(machine=machine)
        .order_by("start", "seq")
        .values_list("seq", "start", "end", "parts")
    )


def test_two_writers_interleaving_one_machines_messages_build_one_chain():
    machines = [make_machine(), make_machine()]
    start = timezone.now() - dt.timedelta(hours=1)
    events = [
        StateEvent(m.id, "b", seq, start + dt.timedelta(seconds=seq), "idle", count=seq * 3)
        for seq in range(60)
        for m in machines
    ]
    # Round robin, as a shared subscription deals them: each writer gets every other one,
    # in batches that reach the same machines in the same moment.
    halves = [events[0::2], events[1::2]]

    def writer(mine):
        def write():
            for index in range(0, len(mine), 10):
                write_batch(Batch(events=mine[index : index + 10]))
            return True

        return write

    assert race(writer(halves[0]), writer(halves[1])) == [True, True]
    for machine in machines:
        rows = chain(machine)
        assert [seq for seq, *_ in rows] == list(range(60))
        assert all(a[2] == b[1] for a, b in itertools.pairwise(rows))
        assert rows[-1][2] is None
        assert all(parts == 3 for *_, parts in rows[:-1])
        counters = IngestStats.objects.get(machine=machine)
        assert (counters.received, counters.stored, counters.duplicates) == (60, 60, 0)


def test_the_same_batch_from_two_writers_at_once_is_stored_once():
    machine = make_machine()
    start = timezone.now() - dt.timedelta(minutes=10)
    batch = Batch(
        events=[
            StateEvent(machine.id, "b", s, start + dt.timedelta(seconds=s), "setup")
            for s in range(20)
        ],
        heartbeats=[Heartbeat(machine.id, start + dt.timedelta(seconds=30))],
        refusals=[Refusal(Rejection.UNKNOWN, "unknown", source=Source.MQTT, key="ghost")],
    )
    results = race(lambda: write_batch(batch), lambda: write_batch(batch))
    assert sorted((r.stored, r.duplicates) for r in results) == [(0, 20), (20, 0)]
    assert StateInterval.objects.filter(machine=machine).count() == 20
    counters = IngestStats.objects.get(machine=machine)
    assert (counters.received, counters.stored, counters.duplicates) == (42, 20, 20)
    assert UnknownSource.objects.get(key="ghost").count == 2


def test_two_collectors_sweeping_for_silence_at_once_write_one_offline_row():
    machine = make_machine()
    heard = timezone.now() - dt.timedelta(minutes=10)
    write_batch(Batch(events=[StateEvent(machine.id, "b", 1, heard, "producing")]))
    results = race(lambda: write_batch(offline_batch()), lambda: write_batch(offline_batch()))
    assert not any(isinstance(r, Exception) for r in results)
    assert list(StateInterval.objects.filter(machine=machine).values_list("state", flat=True)) == [
        "producing",
        "offline",
    ]
