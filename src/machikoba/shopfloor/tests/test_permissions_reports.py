"""Permission matrix for every 日報 route. A worker reads and writes their own reports;
the company's owners and staff read all of them and review them; nobody outside the
company (another company, a ward officer of its ward or another, the metro viewer, the
company's advisor, its owner's instructor, a platform admin) gets anything.

Company pages answer for the active company: another company (a vendor, a bank) sees its
own, empty, page there. Rows of ``world.company`` are "not found" for everyone outside."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from machikoba.core.notifications import KINDS
from machikoba.core.testing.factories import jpeg_bytes
from machikoba.core.testing.factories_floor import (
    in_house_step,
    make_entry,
    make_report,
    seeded_reasons,
)
from machikoba.core.testing.matrix import (
    ADVISOR,
    ANONYMOUS,
    DONE,
    FLOOR_WORKER,
    INSTRUCTOR,
    LAB_STAFF,
    LOGIN,
    MEMBER,
    METRO_VIEWER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    REDIRECT,
    REFUSED,
    REVIEWER,
    STAFF,
    Case,
    assert_case,
    expect,
)
from machikoba.network.models import Step
from machikoba.shopfloor.choices import ReportStatus
from machikoba.shopfloor.labels_reports import NOTIFICATION_KINDS
from machikoba.shopfloor.models_reports import (
    CostRates,
    DailyReport,
    Reason,
    ReportEntry,
    ReportPhoto,
)

pytestmark = pytest.mark.clock_sensitive

NO_COMPANY = {
    OFFICER: 403,
    OTHER_WARD_OFFICER: 403,
    METRO_VIEWER: 403,
    ADVISOR: 403,
    INSTRUCTOR: 403,
    REVIEWER: 403,
    LAB_STAFF: 403,
    "admin": 403,
}
# Pages of the active company (a vendor's or a bank's people see their own).
COMPANY_PAGES = expect(200, **{ANONYMOUS: LOGIN, **NO_COMPANY})
SUPERVISOR_PAGES = expect(200, **{ANONYMOUS: LOGIN, FLOOR_WORKER: 403, **NO_COMPANY})
# Rows of world.company's reports.
OWN_ROWS = expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200})
WORKERS_ENTRY = expect(
    404, **{ANONYMOUS: LOGIN, MEMBER: REDIRECT, STAFF: REDIRECT, FLOOR_WORKER: 200}
)
WORKERS_WRITE = expect(
    404, **{ANONYMOUS: LOGIN, MEMBER: REFUSED, STAFF: REFUSED, FLOOR_WORKER: DONE}
)
REVIEW = expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, FLOOR_WORKER: 403})
SUPERVISOR_EDIT = expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 403})
SUPERVISOR_SAVE = expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, FLOOR_WORKER: 403})


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _labels(monkeypatch):
    """The 日報's notification kinds, as ``ShopfloorConfig.ready`` registers them
    (``test_reports_review`` checks that it does)."""
    for kind, texts in NOTIFICATION_KINDS.items():
        monkeypatch.setitem(KINDS, kind, texts)


def _floor(w) -> SimpleNamespace:
    """world.company's 日報 (made again in each actor's savepoint): the floor worker's
    draft of today with an entry and a photo, their submitted report of yesterday, and a
    running entry on a draft of two days ago."""
    worker = w.users[FLOOR_WORKER]
    today = timezone.localdate()
    step = Step.objects.filter(job__company=w.company, job__part_name="秘密の軸").first()
    if step is None:
        step = in_house_step(w.users[MEMBER], w.company, name="秘密の軸")
        reasons = seeded_reasons(w.company)
        draft = make_report(w.company, worker)
        entry = make_entry(draft, step, minutes=75, good=12)
        photo = ReportPhoto(entry=entry)
        photo.image.save("part.jpg", ContentFile(jpeg_bytes()), save=True)
        submitted = make_report(
            w.company, worker, day=today - dt.timedelta(days=1), status=ReportStatus.SUBMITTED
        )
        make_entry(submitted, step, minutes=30)
        older = make_report(w.company, worker, day=today - dt.timedelta(days=2))
        make_entry(
            older,
            step,
            minutes=None,
            started_at=timezone.now() - dt.timedelta(hours=1),
        )
        del reasons
    reports = DailyReport.objects.filter(company=w.company, worker=worker)
    draft = reports.get(date=today)
    return SimpleNamespace(
        step=step,
        draft=draft,
        entry=draft.entries.get(),
        photo=ReportPhoto.objects.get(entry__report=draft),
        submitted=reports.get(status=ReportStatus.SUBMITTED),
        running=ReportEntry.objects.get(report__company=w.company, minutes__isnull=True),
        reason=Reason.objects.filter(company=w.company).first(),
    )


def _url(name, part=None):
    if part is None:
        return lambda w: reverse(f"shopfloor:{name}")
    return lambda w: reverse(f"shopfloor:{name}", args=[getattr(_floor(w), part).pk])


def _entry_data(w, key="1b0e7a3c-5d7b-4f55-8a6e-0c3a1d2b4c5d"):
    floor = _floor(w)
    return {
        "idempotency_key": key,
        "step": str(floor.step.pk),
        "minutes": "45",
        "good": "10",
        "defect": "0",
        "stop_minutes": "0",
    }


def _entries(w):
    return ReportEntry.objects.count()


MATRIX = [
    Case("shopfloor:report_today", _url("report_today"), COMPANY_PAGES),
    Case("shopfloor:report_mine", _url("report_mine"), COMPANY_PAGES),
    Case("shopfloor:report_review", _url("report_review"), SUPERVISOR_PAGES),
    Case(
        "shopfloor:report_entry_new",
        lambda w: reverse("shopfloor:report_entry_new") + f"?step={_floor(w).step.pk}",
        COMPANY_PAGES,
    ),
    Case(
        "shopfloor:report_entry_new",
        _url("report_entry_new"),
        # Another company's people are offered none of world.company's steps: the form
        # comes back with the refusal.
        expect(
            200,
            **{
                ANONYMOUS: LOGIN,
                MEMBER: DONE,
                STAFF: DONE,
                FLOOR_WORKER: DONE,
                **NO_COMPANY,
            },
        ),
        method="POST",
        data=_entry_data,
        effect=_entries,
    ),
    Case(
        "shopfloor:report_entry_start",
        _url("report_entry_start"),
        # The floor worker already has a running entry (of two days ago); owner and staff
        # start theirs.
        expect(
            REFUSED,
            **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, **NO_COMPANY},
        ),
        method="POST",
        data=lambda w: {
            "start-idempotency_key": "2c1f8b4d-6e8c-4a66-9b7f-1d4b2e3c5d6e",
            "start-step": str(_floor(w).step.pk),
        },
        effect=_entries,
    ),
    Case(
        "shopfloor:report_from_step",
        _url("report_from_step", "step"),
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200, **NO_COMPANY}),
    ),
    Case(
        "shopfloor:report_from_step",
        _url("report_from_step", "step"),
        expect(
            404,
            **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, FLOOR_WORKER: DONE, **NO_COMPANY},
        ),
        method="POST",
        data=_entry_data,
        effect=_entries,
    ),
    Case("shopfloor:report_entry_edit", _url("report_entry_edit", "entry"), WORKERS_ENTRY),
    Case(
        "shopfloor:report_entry_edit",
        _url("report_entry_edit", "entry"),
        WORKERS_WRITE,
        method="POST",
        data=lambda w: {**_entry_data(w, str(_floor(w).entry.idempotency_key)), "minutes": "50"},
        effect=lambda w: ReportEntry.objects.filter(minutes=50).count(),
    ),
    Case(
        "shopfloor:report_entry_stop",
        _url("report_entry_stop", "running"),
        WORKERS_WRITE,
        method="POST",
        effect=lambda w: ReportEntry.objects.filter(minutes__isnull=True).count(),
    ),
    Case(
        "shopfloor:report_entry_delete",
        _url("report_entry_delete", "entry"),
        WORKERS_WRITE,
        method="POST",
        effect=_entries,
    ),
    Case("shopfloor:report_photo", _url("report_photo", "photo"), OWN_ROWS),
    Case(
        "shopfloor:report_photo_delete",
        _url("report_photo_delete", "photo"),
        WORKERS_WRITE,
        method="POST",
        effect=lambda w: ReportPhoto.objects.count(),
    ),
    Case("shopfloor:report_detail", _url("report_detail", "draft"), OWN_ROWS),
    Case(
        "shopfloor:report_submit",
        _url("report_submit", "draft"),
        WORKERS_WRITE,
        method="POST",
        effect=lambda w: DailyReport.objects.filter(status=ReportStatus.SUBMITTED).count(),
    ),
    Case(
        "shopfloor:report_approve",
        _url("report_approve", "submitted"),
        REVIEW,
        method="POST",
        effect=lambda w: DailyReport.objects.filter(status=ReportStatus.APPROVED).count(),
    ),
    Case(
        "shopfloor:report_return",
        _url("report_return", "submitted"),
        REVIEW,
        method="POST",
        data=lambda w: {"note": "数量を確認してください"},
        effect=lambda w: DailyReport.objects.filter(status=ReportStatus.RETURNED).count(),
    ),
    Case("shopfloor:reasons", _url("reasons"), COMPANY_PAGES),
    Case(
        "shopfloor:reasons",
        _url("reasons"),
        # Owners and staff of any company add to their own company's list.
        expect(DONE, **{ANONYMOUS: LOGIN, FLOOR_WORKER: 403, **NO_COMPANY}),
        method="POST",
        data=lambda w: {"kind": "stop", "code": "coolant", "label": "クーラント", "order": "3"},
        effect=lambda w: Reason.objects.filter(code="coolant").count(),
    ),
    Case("shopfloor:reason_edit", _url("reason_edit", "reason"), SUPERVISOR_EDIT),
    Case(
        "shopfloor:reason_edit",
        _url("reason_edit", "reason"),
        SUPERVISOR_SAVE,
        method="POST",
        data=lambda w: {
            "code": _floor(w).reason.code,
            "label": "名前を変えた",
            "active": "on",
            "order": "1",
        },
        effect=lambda w: Reason.objects.filter(label="名前を変えた").count(),
    ),
    Case("shopfloor:cost_rates", _url("cost_rates"), SUPERVISOR_PAGES),
    Case(
        "shopfloor:cost_rates",
        _url("cost_rates"),
        expect(DONE, **{ANONYMOUS: LOGIN, FLOOR_WORKER: 403, **NO_COMPANY}),
        method="POST",
        data=lambda w: {"labour_yen_per_hour": "3000", "machine_yen_per_hour": "1500"},
        effect=lambda w: CostRates.objects.count(),
    ),
    Case("shopfloor:job_costs", _url("job_costs"), SUPERVISOR_PAGES),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)


def test_nobody_outside_the_company_reads_its_reports_or_costs(world):
    floor = _floor(world)
    CostRates.objects.create(company=world.company, labour_yen_per_hour=4321)
    for actor in (OTHER_COMPANY, OFFICER, OTHER_WARD_OFFICER, METRO_VIEWER, ADVISOR, "admin"):
        client = world.client_for(actor)
        for name in ("report_today", "report_review", "report_mine", "job_costs", "reasons"):
            html = client.get(reverse(f"shopfloor:{name}")).content.decode()
            assert "秘密の軸" not in html, (actor, name)
            assert "4,321" not in html, (actor, name)
        assert client.get(
            reverse("shopfloor:report_detail", args=[floor.draft.pk])
        ).status_code in (
            403,
            404,
        )
    # The company's owner does read them: the refusals above were theirs.
    owner = world.client_for(MEMBER)
    assert "秘密の軸" in owner.get(reverse("shopfloor:report_review")).content.decode()
    assert "4,321" in owner.get(reverse("shopfloor:job_costs")).content.decode()
