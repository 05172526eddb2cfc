"""A double tap, or a retry sent while the first request is still running, arrives as two
requests at the same moment with the same idempotency key: one entry is written, and both
answer with it. PostgreSQL only, like the other race tests."""

from __future__ import annotations

import uuid

from machikoba.core.testing.concurrency import needs_postgresql, race
from machikoba.core.testing.factories_floor import floor, in_house_step
from machikoba.shopfloor import services_reports as services
from machikoba.shopfloor.error_codes_reports import ReportErrorCode
from machikoba.shopfloor.models_reports import DailyReport, ReportEntry
from machikoba.shopfloor.services_reports import EntryFields

pytestmark = needs_postgresql


def test_the_same_entry_sent_twice_at_once_is_written_once(transactional_db):
    people = floor()
    step = in_house_step(people.owner, people.shop)
    key = uuid.uuid4()

    def send():
        return services.entry_record(
            actor=people.worker,
            company=people.shop,
            step=step,
            idempotency_key=key,
            fields=EntryFields(minutes=60, good=10),
        )

    results = race(send, send)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert ReportEntry.objects.count() == 1
    assert DailyReport.objects.count() == 1
    assert {r.entry.pk for r in results} == {ReportEntry.objects.get().pk}
    assert sorted(r.replayed for r in results) == [False, True]


def test_two_starts_at_once_leave_one_running_entry(transactional_db):
    people = floor()
    step = in_house_step(people.owner, people.shop)

    def start():
        return services.entry_start(
            actor=people.worker, company=people.shop, step=step, idempotency_key=uuid.uuid4()
        )

    results = race(start, start)
    assert ReportEntry.objects.filter(minutes__isnull=True).count() == 1
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1
    assert refused[0].code == ReportErrorCode.RUNNING_ELSEWHERE
