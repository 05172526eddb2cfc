"""The one writer of machine data: batches of normalised messages into state intervals.

Every source calls ``write_batch`` (caller-trusted: the collector is the platform's own
process, not a user). One transaction per batch:

1. the batch's machines are locked (row locks on PostgreSQL; SQLite writes one at a time),
   so two collector processes sharing a subscription never interleave on one machine;
2. events already stored (same machine, boot and seq) are counted as duplicates and
   skipped, so at-least-once delivery stores each message once;
3. the new rows are inserted, and the ``end`` and ``parts`` of the rows around them are
   recomputed from their neighbours in (start, seq) order, so a message arriving late or
   out of order lands where it belongs;
4. per-machine counters (received, stored, duplicates, refusals, last seen), unknown keys
   and source cursors are updated in the same transaction.

If the process dies before the commit, nothing of the batch is stored, and the source has
not acknowledged it (MQTT) or moved its cursor (MTConnect): the messages come again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from .choices import MachineState, Rejection
from .events import OFFLINE_AFTER, Batch, Heartbeat, Refusal, StateEvent
from .models import IngestStats, Machine, SourceCursor, StateInterval, UnknownSource

logger = logging.getLogger(__name__)

# The boot id of the rows the collector writes itself (a machine gone silent).
COLLECTOR_BOOT = "collector"


@dataclass(frozen=True, slots=True)
class BatchResult:
    stored: int
    duplicates: int
    refused: int


def parts_made(
    start_count: int | None, end_count: int | None, counter_max: int | None
) -> int | None:
    """Parts made between two readings of a cumulative part counter.

    A counter that went down was reset (power cycle, a new boot: the parts since the reset
    are ``end_count``) or, on a counter that wraps at ``counter_max``, rolled over (when it
    was in the upper half of its range)."""
    if start_count is None or end_count is None:
        return None
    if end_count >= start_count:
        return end_count - start_count
    if counter_max and start_count > counter_max // 2 and end_count <= counter_max:
        return counter_max - start_count + 1 + end_count
    return end_count


@transaction.atomic
def write_batch(batch: Batch) -> BatchResult:
    """Store ``batch`` (see the module's docstring). Safe to call again with the same
    messages: they come back as duplicates."""
    machine_ids = sorted(
        {e.machine_id for e in batch.events}
        | {h.machine_id for h in batch.heartbeats}
        | {r.machine_id for r in batch.refusals if r.machine_id is not None}
    )
    machines = {
        m.id: m
        for m in Machine.objects.select_for_update()
        .filter(id__in=machine_ids)
        .order_by("id")
        .only("id", "counter_max")
    }
    events = _unique(e for e in batch.events if e.machine_id in machines)
    new_events, duplicates = _split_new(events)
    StateInterval.objects.bulk_create(
        [
            StateInterval(
                machine_id=e.machine_id,
                boot=e.boot,
                seq=e.seq,
                start=e.at,
                state=e.state,
                reason=e.reason,
                count=e.count,
            )
            for e in new_events
        ],
        batch_size=500,
    )
    by_machine: dict[int, list[StateEvent]] = defaultdict(list)
    for event in new_events:
        by_machine[event.machine_id].append(event)
    for machine_id, machine_events in by_machine.items():
        _relink(machines[machine_id], min(e.at for e in machine_events))
    _count(batch, machines, new_events, duplicates, len(batch.events) - len(events))
    _count_unknown(r for r in batch.refusals if r.kind == Rejection.UNKNOWN)
    for cursor in batch.cursors:
        SourceCursor.objects.update_or_create(
            key=cursor.key,
            defaults={
                "instance": cursor.instance,
                "next_sequence": cursor.next_sequence,
                "gaps": cursor.gaps,
            },
        )
    return BatchResult(len(new_events), len(duplicates), len(batch.refusals))


def _unique(events) -> list[StateEvent]:
    seen: dict[tuple[int, str, int], StateEvent] = {}
    for event in events:
        seen.setdefault((event.machine_id, event.boot, event.seq), event)
    return list(seen.values())


def _split_new(events: list[StateEvent]) -> tuple[list[StateEvent], list[StateEvent]]:
    by_machine: dict[int, set[int]] = defaultdict(set)
    for event in events:
        by_machine[event.machine_id].add(event.seq)
    stored: set[tuple[int, str, int]] = set()
    for machine_id, seqs in by_machine.items():
        stored.update(
            StateInterval.objects.filter(machine_id=machine_id, seq__in=seqs).values_list(
                "machine_id", "boot", "seq"
            )
        )
    new = [e for e in events if (e.machine_id, e.boot, e.seq) not in stored]
    old = [e for e in events if (e.machine_id, e.boot, e.seq) in stored]
    return new, old


def _relink(machine: Machine, earliest: dt.datetime) -> None:
    """Recompute ``end`` and ``parts`` from the row before ``earliest`` to the last row."""
    rows = StateInterval.objects.filter(machine=machine)
    before = rows.filter(start__lt=earliest).order_by("-start", "-seq").first()
    affected = list(
        rows.filter(start__gte=before.start if before else earliest).order_by("start", "seq")
    )
    changed = []
    for row, following in zip(affected, [*affected[1:], None], strict=True):
        end = following.start if following else None
        parts = parts_made(row.count, following.count, machine.counter_max) if following else None
        if row.end != end or row.parts != parts:
            row.end, row.parts = end, parts
            changed.append(row)
    StateInterval.objects.bulk_update(changed, ["end", "parts"], batch_size=500)


def _count(batch: Batch, machines, new_events, duplicates, repeated_in_batch: int) -> None:
    received: dict[int, int] = defaultdict(int)
    last_seen: dict[int, dt.datetime] = {}
    items: list[StateEvent | Heartbeat] = [*batch.events, *batch.heartbeats]
    for item in items:
        if item.machine_id not in machines:
            continue
        received[item.machine_id] += 1
        if item.machine_id not in last_seen or item.at > last_seen[item.machine_id]:
            last_seen[item.machine_id] = item.at
    stored: dict[int, int] = defaultdict(int)
    for event in new_events:
        stored[event.machine_id] += 1
    repeated: dict[int, int] = defaultdict(int)
    for event in duplicates:
        repeated[event.machine_id] += 1
    refused: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    last_error: dict[int, Refusal] = {}
    for refusal in batch.refusals:
        if refusal.machine_id is not None and refusal.machine_id in machines:
            refused[refusal.machine_id][refusal.kind] += 1
            last_error[refusal.machine_id] = refusal
    IngestStats.objects.bulk_create(
        [IngestStats(machine_id=machine_id) for machine_id in machines], ignore_conflicts=True
    )
    now = timezone.now()
    for machine_id in machines:
        changes: dict[str, object] = {
            "received": F("received") + received[machine_id] + sum(refused[machine_id].values()),
            "stored": F("stored") + stored[machine_id],
            "duplicates": F("duplicates") + repeated[machine_id],
        }
        for kind in (Rejection.MALFORMED, Rejection.SKEWED, Rejection.RATE_LIMITED):
            if refused[machine_id][kind]:
                changes[kind.value] = F(kind.value) + refused[machine_id][kind]
        if machine_id in last_seen:
            seen = last_seen[machine_id]
            changes["last_seen"] = Greatest(Coalesce(F("last_seen"), seen), seen)
        if machine_id in last_error:
            changes["last_error"] = last_error[machine_id].detail[:300]
            changes["last_error_at"] = now
        IngestStats.objects.filter(machine_id=machine_id).update(**changes)
    if repeated_in_batch:
        logger.debug("%d messages repeated within one batch", repeated_in_batch)


def _count_unknown(refusals) -> None:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for refusal in refusals:
        counts[(str(refusal.source or ""), refusal.key[:200])] += 1
    now = timezone.now()
    for (source, key), count in counts.items():
        updated = UnknownSource.objects.filter(source=source, key=key).update(
            count=F("count") + count, last_seen=now
        )
        if not updated:
            UnknownSource.objects.create(
                source=source, key=key, count=count, first_seen=now, last_seen=now
            )


def offline_batch(*, now: dt.datetime | None = None, after: dt.timedelta = OFFLINE_AFTER) -> Batch:
    """Offline rows for the active machines silent for longer than ``after``.

    The row starts at the machine's last sign of life and is keyed by it, so two collectors
    noticing the same silence write it once."""
    now = now or timezone.now()
    open_offline = StateInterval.objects.filter(
        end__isnull=True, state=MachineState.OFFLINE
    ).values("machine_id")
    silent = (
        IngestStats.objects.filter(machine__active=True, last_seen__lt=now - after)
        .exclude(machine_id__in=open_offline)
        .values_list("machine_id", "last_seen")
    )
    batch = Batch()
    for machine_id, last_seen in silent:
        if last_seen is None:  # pragma: no cover (filtered by last_seen__lt)
            continue
        batch.events.append(
            StateEvent(
                machine_id=machine_id,
                boot=COLLECTOR_BOOT,
                seq=int(last_seen.timestamp() * 1000),
                at=last_seen,
                state=MachineState.OFFLINE,
                reason="silent",
            )
        )
    return batch
