"""A worker's 日報 entries through the services: typed minutes, 「開始」/「終了」, the
steps an entry may be about, what it must say, idempotent retries and photos.

The shop (``factories_floor.floor``) has an owner, staff and a floor worker; its customer
has a job whose turning step the shop won and performs."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import jpeg_bytes
from machikoba.core.testing.factories_floor import (
    floor,
    floor_machines,
    in_house_step,
    make_report,
    partner_step,
    seeded_reasons,
)
from machikoba.network import services as network
from machikoba.network.choices import JobStatus
from machikoba.shopfloor import services_reports as services
from machikoba.shopfloor.choices import ReportStatus
from machikoba.shopfloor.error_codes_reports import ReportErrorCode
from machikoba.shopfloor.models_reports import DailyReport, ReportEntry, ReportPhoto
from machikoba.shopfloor.services_reports import EntryFields

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def shop(db):
    """The shop's machines, reasons, an in-house step and a step done for the customer."""
    people = floor()
    machines = floor_machines(people.shop)
    reasons = seeded_reasons(people.shop)
    own = in_house_step(people.owner, people.shop)
    for_partner, order = partner_step(
        customer=people.customer,
        customer_owner=people.customer_owner,
        shop=people.shop,
        shop_owner=people.owner,
    )
    return {
        "floor": people,
        "machines": machines,
        "reasons": reasons,
        "own": own,
        "partner": for_partner,
        "order": order,
        "worker": people.worker,
    }


def record(shop, *, step=None, key=None, actor=None, day=None, photos=(), **typed):
    fields = {"minutes": 90, "good": 20, **typed}
    return services.entry_record(
        actor=actor or shop["worker"],
        company=shop["floor"].shop,
        step=step or shop["own"],
        idempotency_key=key or uuid.uuid4(),
        fields=EntryFields(**fields),
        day=day,
        photos=photos,
    )


def refused(call) -> ApplicationError:
    with pytest.raises(ApplicationError) as error:
        call()
    return error.value


# --- what an entry may be about ---------------------------------------------------------


def test_a_worker_records_typed_minutes_on_an_in_house_step_and_a_partners_step(shop):
    nc = shop["machines"]["nc"]
    first = record(
        shop,
        equipment=nc,
        unit=2,
        minutes=90,
        good=19,
        defect=1,
        defect_reason=shop["reasons"]["defect:dimension"],
    ).entry
    second = record(shop, step=shop["partner"], minutes=45, good=30).entry
    report = DailyReport.objects.get()
    assert (report.worker, report.date, report.status) == (
        shop["worker"],
        timezone.localdate(),
        ReportStatus.DRAFT,
    )
    assert [e.pk for e in report.entries.all()] == [first.pk, second.pk]
    assert (first.equipment, first.unit, first.minutes, first.machine_time) == (nc, 2, 90, 90)
    assert (first.good, first.defect, first.defect_reason.code) == (19, 1, "dimension")
    assert (second.equipment, second.machine_time) == (None, 0)
    assert AuditEvent.objects.filter(verb="floor_entry.create").count() == 2


def test_a_step_of_another_companys_job_is_refused(shop):
    people = shop["floor"]
    theirs = in_house_step(people.customer_owner, people.customer, name="他社の軸")
    error = refused(lambda: record(shop, step=theirs))
    assert error.code == ReportErrorCode.STEP_NOT_PERFORMED
    assert "担当する工程ではない" in str(error.message)
    assert not ReportEntry.objects.exists()
    assert not DailyReport.objects.exists()


def test_a_step_of_our_own_job_that_a_partner_performs_is_refused(shop):
    """The customer's own in-house grinding (step 2 of the job the shop turns) is not the
    shop's work, though the shop sees the job."""
    grinding = shop["partner"].job.steps.get(position=2)
    assert grinding.performer == shop["floor"].customer
    error = refused(lambda: record(shop, step=grinding))
    assert error.code == ReportErrorCode.STEP_NOT_PERFORMED
    assert not ReportEntry.objects.exists()


def test_an_outsourced_step_of_the_shops_own_job_is_refused(shop):
    job = shop["own"].job
    plating = network.step_add(
        actor=shop["floor"].owner, job=job, process=shop["own"].process, in_house=False
    )
    assert plating.performer is None
    assert refused(lambda: record(shop, step=plating)).code == ReportErrorCode.STEP_NOT_PERFORMED


def test_a_step_of_a_cancelled_job_is_refused(shop):
    job = shop["own"].job
    job.status = JobStatus.CANCELLED
    job.save()
    shop["own"].refresh_from_db()
    assert refused(lambda: record(shop)).code == ReportErrorCode.JOB_CANCELLED


def test_a_finished_step_takes_work_of_its_last_day_but_not_of_a_later_day(shop, frozen_clock):
    """Decided: work is reported on the day it was done. The day a step was finished still
    takes entries (the report is written in the evening); a later day does not."""
    owner = shop["floor"].owner
    step = shop["own"]
    network.step_start(actor=owner, step=step)
    network.step_finish(actor=owner, step=step)
    step.refresh_from_db()
    assert record(shop, step=step).entry.report.date == timezone.localdate()

    frozen_clock.move_to(timezone.now() + dt.timedelta(days=1))
    step.refresh_from_db()
    error = refused(lambda: record(shop, step=step))
    assert error.code == ReportErrorCode.STEP_FINISHED
    assert ReportEntry.objects.count() == 1


def test_someone_outside_the_company_writes_nothing(shop):
    error = refused(lambda: record(shop, actor=shop["floor"].customer_owner))
    assert error.code == ReportErrorCode.NOT_A_MEMBER
    assert not DailyReport.objects.exists()


# --- what an entry must say ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code", "field"),
    [
        ({"minutes": None}, ReportErrorCode.MINUTES_MISSING, "minutes"),
        ({"defect": 2}, ReportErrorCode.DEFECT_REASON_MISSING, "defect_reason"),
        ({"stop_minutes": 15}, ReportErrorCode.STOP_REASON_MISSING, "stop_reason"),
        (
            {"minutes": 30, "stop_minutes": 40, "stop_reason": "stop:setup"},
            ReportErrorCode.ENTRY_INVALID,
            "stop_minutes",
        ),
        ({"minutes": 0}, ReportErrorCode.ENTRY_INVALID, "minutes"),
        ({"minutes": 24 * 60 + 1}, ReportErrorCode.ENTRY_INVALID, "minutes"),
        ({"equipment": "nc", "unit": 3}, ReportErrorCode.MACHINE_UNKNOWN, "machine"),
        ({"equipment": "theirs"}, ReportErrorCode.MACHINE_UNKNOWN, "machine"),
        (
            {"defect": 1, "defect_reason": "stop:setup"},
            ReportErrorCode.REASON_UNKNOWN,
            "defect_reason",
        ),
        (
            {"stop_minutes": 5, "stop_reason": "theirs"},
            ReportErrorCode.REASON_UNKNOWN,
            "stop_reason",
        ),
    ],
)
def test_bad_input_is_refused_on_its_field_and_writes_nothing(shop, typed, code, field):
    theirs_machine = floor_machines(shop["floor"].customer)["nc"]
    theirs_reason = seeded_reasons(shop["floor"].customer)["stop:setup"]
    values = dict(typed)
    if values.get("equipment") == "nc":
        values["equipment"] = shop["machines"]["nc"]
    elif values.get("equipment") == "theirs":
        values["equipment"] = theirs_machine
    for name in ("defect_reason", "stop_reason"):
        if values.get(name) == "theirs":
            values[name] = theirs_reason
        elif isinstance(values.get(name), str):
            values[name] = shop["reasons"][values[name]]
    error = refused(lambda: record(shop, **values))
    assert error.code == code
    assert field in error.fields
    assert not ReportEntry.objects.exists()


def test_a_retired_reason_is_not_offered_for_new_entries(shop):
    setup = shop["reasons"]["stop:setup"]
    setup.active = False
    setup.save()
    error = refused(lambda: record(shop, stop_minutes=10, stop_reason=setup))
    assert error.code == ReportErrorCode.REASON_UNKNOWN


def test_a_day_more_than_a_week_ago_is_refused(shop):
    error = refused(lambda: record(shop, day=timezone.localdate() - dt.timedelta(days=8)))
    assert error.code == ReportErrorCode.DATE_INVALID
    assert record(shop, day=timezone.localdate() - dt.timedelta(days=7)).entry.pk


def test_a_submitted_report_takes_no_more_entries(shop):
    record(shop)
    services.report_submit(actor=shop["worker"], report=DailyReport.objects.get())
    error = refused(lambda: record(shop))
    assert error.code == ReportErrorCode.LOCKED
    assert ReportEntry.objects.count() == 1


# --- idempotency ----------------------------------------------------------------------------


def test_the_same_submission_twice_writes_one_entry_and_answers_with_it(shop):
    key = uuid.uuid4()
    first = record(shop, key=key, minutes=90)
    again = record(shop, key=key, minutes=90)
    assert not first.replayed
    assert again.replayed
    assert again.entry.pk == first.entry.pk
    assert ReportEntry.objects.count() == 1
    assert AuditEvent.objects.filter(verb="floor_entry.create").count() == 1


def test_a_retry_finds_its_entry_even_after_the_report_was_submitted(shop):
    key = uuid.uuid4()
    first = record(shop, key=key)
    services.report_submit(actor=shop["worker"], report=first.entry.report)
    again = record(shop, key=key)
    assert (again.replayed, again.entry.pk) == (True, first.entry.pk)


def test_another_persons_key_is_refused(shop):
    key = uuid.uuid4()
    record(shop, key=key)
    error = refused(lambda: record(shop, key=key, actor=shop["floor"].staff))
    assert error.code == ReportErrorCode.KEY_USED
    assert ReportEntry.objects.count() == 1


def test_a_start_sent_twice_starts_once(shop):
    key = uuid.uuid4()
    company = shop["floor"].shop

    def start():
        return services.entry_start(
            actor=shop["worker"], company=company, step=shop["own"], idempotency_key=key
        )

    first, again = start(), start()
    assert again.replayed
    assert again.entry.pk == first.entry.pk
    assert ReportEntry.objects.count() == 1


# --- 開始 / 終了 ----------------------------------------------------------------------------


def start(shop, step=None, **fields):
    return services.entry_start(
        actor=shop["worker"],
        company=shop["floor"].shop,
        step=step or shop["own"],
        idempotency_key=uuid.uuid4(),
        fields=EntryFields(**fields) if fields else None,
    ).entry


def test_start_then_stop_records_the_minutes_between(shop, frozen_clock):
    entry = start(shop, equipment=shop["machines"]["manual"])
    assert entry.running
    assert entry.started_at == timezone.now()
    frozen_clock.move_to(timezone.now() + dt.timedelta(minutes=47, seconds=10))
    stopped = services.entry_stop(actor=shop["worker"], entry=entry)
    assert (stopped.running, stopped.minutes) == (False, 48)  # rounded up
    assert stopped.ended_at == timezone.now()
    # A second 終了 (a retry) changes nothing.
    frozen_clock.move_to(timezone.now() + dt.timedelta(minutes=30))
    assert services.entry_stop(actor=shop["worker"], entry=entry).minutes == 48


def test_one_running_entry_at_a_time(shop):
    start(shop)
    error = refused(lambda: start(shop, step=shop["partner"]))
    assert error.code == ReportErrorCode.RUNNING_ELSEWHERE
    assert ReportEntry.objects.count() == 1


def test_a_start_forgotten_for_more_than_a_day_must_be_typed(shop, frozen_clock):
    entry = start(shop)
    frozen_clock.move_to(timezone.now() + dt.timedelta(hours=25))
    error = refused(lambda: services.entry_stop(actor=shop["worker"], entry=entry))
    assert error.code == ReportErrorCode.TOO_LONG
    # Typing the minutes ends it.
    fixed = services.entry_update(
        actor=shop["worker"], entry=entry, fields=EntryFields(minutes=480, good=10)
    )
    assert (fixed.running, fixed.minutes) == (False, 480)


def test_stopping_an_entry_that_was_typed_is_refused(shop):
    entry = record(shop).entry
    error = refused(lambda: services.entry_stop(actor=shop["worker"], entry=entry))
    assert error.code == ReportErrorCode.NOT_RUNNING


def test_only_the_worker_stops_or_changes_their_entry(shop):
    entry = start(shop)
    owner = shop["floor"].owner
    assert refused(lambda: services.entry_stop(actor=owner, entry=entry)).code == (
        ReportErrorCode.NOT_WORKER
    )
    assert (
        refused(
            lambda: services.entry_update(actor=owner, entry=entry, fields=EntryFields(minutes=5))
        ).code
        == ReportErrorCode.NOT_WORKER
    )
    assert refused(lambda: services.entry_delete(actor=owner, entry=entry)).code == (
        ReportErrorCode.NOT_WORKER
    )
    assert ReportEntry.objects.get().running


def test_a_typed_entry_keeps_its_minutes_on_update(shop):
    entry = record(shop).entry
    error = refused(
        lambda: services.entry_update(
            actor=shop["worker"], entry=entry, fields=EntryFields(minutes=None)
        )
    )
    assert error.code == ReportErrorCode.MINUTES_MISSING


def test_an_entry_keeps_its_retired_reason_when_corrected(shop):
    scratch = shop["reasons"]["defect:scratch"]
    entry = record(shop, defect=1, defect_reason=scratch).entry
    scratch.active = False
    scratch.save()
    fixed = services.entry_update(
        actor=shop["worker"],
        entry=entry,
        fields=EntryFields(minutes=100, good=20, defect=1, defect_reason=scratch),
    )
    assert (fixed.minutes, fixed.defect_reason) == (100, scratch)


# --- photos ---------------------------------------------------------------------------------


def photo(name="part.jpg", content=None):
    return SimpleUploadedFile(name, content or jpeg_bytes(), content_type="image/jpeg")


def stored_files(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_a_photo_is_re_encoded_and_stored_with_the_entry(shop, settings):
    from PIL import Image

    png = SimpleUploadedFile("scratch.png", _png(), content_type="image/png")
    entry = record(shop, photos=[photo(), png]).entry
    photos = list(ReportPhoto.objects.filter(entry=entry))
    assert len(photos) == 2
    for stored in photos:
        assert stored.image.name.startswith("floor/reports/")
        with stored.image.open("rb") as handle:
            assert Image.open(handle).format == "JPEG"
    assert len(stored_files(settings)) == 2


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (40, 30), (200, 10, 10, 128)).save(out, "PNG")
    return out.getvalue()


def test_a_bad_image_writes_no_entry_and_no_file(shop, settings):
    fake = SimpleUploadedFile("part.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    error = refused(lambda: record(shop, photos=[photo(), fake]))
    assert error.code == ReportErrorCode.PHOTO_INVALID
    assert "画像として読み込めません" in str(error.message)
    assert "photos" in error.fields
    assert not ReportEntry.objects.exists()
    assert not ReportPhoto.objects.exists()
    assert stored_files(settings) == []


def test_at_most_five_photos_an_entry(shop, settings):
    entry = record(shop, photos=[photo() for _ in range(4)]).entry
    error = refused(
        lambda: services.entry_update(
            actor=shop["worker"],
            entry=entry,
            fields=EntryFields(minutes=90),
            photos=[photo(), photo()],
        )
    )
    assert error.code == ReportErrorCode.PHOTO_LIMIT
    assert ReportPhoto.objects.count() == 4
    assert len(stored_files(settings)) == 4


def test_deleting_an_entry_removes_its_photos_files_after_commit(
    shop, settings, django_capture_on_commit_callbacks
):
    entry = record(shop, photos=[photo()]).entry
    assert len(stored_files(settings)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_delete(actor=shop["worker"], entry=entry)
    assert not ReportEntry.objects.exists()
    assert stored_files(settings) == []


def test_deleting_one_photo(shop, settings, django_capture_on_commit_callbacks):
    entry = record(shop, photos=[photo(), photo()]).entry
    first = entry.photos.first()
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_photo_delete(actor=shop["worker"], photo=first)
    assert ReportPhoto.objects.count() == 1
    assert len(stored_files(settings)) == 1


def test_a_returned_report_of_an_old_day_is_still_fixed(shop):
    """Ten days ago is outside the week a worker may backfill, but a report sent back is
    fixed whatever its day."""
    old = timezone.localdate() - dt.timedelta(days=10)
    report = make_report(
        shop["floor"].shop,
        shop["worker"],
        day=old,
        status=ReportStatus.RETURNED,
        reviewer=shop["floor"].owner,
    )
    entry = record(shop, day=old).entry
    assert entry.report == report
