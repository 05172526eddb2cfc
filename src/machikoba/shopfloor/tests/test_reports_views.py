"""The 日報 pages as a phone sends them: the entry form (retries and double taps write
once), refusals with their message and nothing written, 「開始」/「終了」, the link on a
traveler tag's page, the review, reasons and costs pages, and their query counts."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from machikoba.companies.services import company_deactivate
from machikoba.core.notifications import KINDS
from machikoba.core.testing.factories import UserFactory, jpeg_bytes
from machikoba.core.testing.factories_floor import (
    floor,
    floor_machines,
    in_house_step,
    make_entry,
    make_report,
    partner_step,
    seeded_reasons,
)
from machikoba.shopfloor.choices import ReportStatus
from machikoba.shopfloor.labels_reports import NOTIFICATION_KINDS
from machikoba.shopfloor.models import machine_key
from machikoba.shopfloor.models_reports import DailyReport, Reason, ReportEntry, ReportPhoto

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _labels(monkeypatch):
    for kind, texts in NOTIFICATION_KINDS.items():
        monkeypatch.setitem(KINDS, kind, texts)


@pytest.fixture
def shop(db):
    people = floor()
    machines = floor_machines(people.shop)
    reasons = seeded_reasons(people.shop)
    own = in_house_step(people.owner, people.shop, name="段付きシャフト")
    for_customer, _order = partner_step(
        customer=people.customer,
        customer_owner=people.customer_owner,
        shop=people.shop,
        shop_owner=people.owner,
    )
    return people, machines, reasons, own, for_customer


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def entry_data(step, **values):
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "step": str(step.pk),
        "minutes": "90",
        "good": "20",
        "defect": "",
        "stop_minutes": "",
    }
    data.update({k: str(v) for k, v in values.items()})
    return data


def media_files(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


# --- the entry form ---------------------------------------------------------------------------


def test_the_same_post_twice_writes_one_entry_and_both_answers_show_it(shop):
    people, _machines, _reasons, own, _partner = shop
    client = client_for(people.worker)
    url = reverse("shopfloor:report_entry_new")
    data = entry_data(own)
    first = client.post(url, data)
    again = client.post(url, data)  # the retry of a flaky connection, or a double tap
    entry = ReportEntry.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == f"/floor/reports/today/#entry-{entry.pk}"
    assert flashed(first) == ["作業を記録しました。"]
    assert "もう記録されています" in flashed(again)[-1]
    page = client.get(reverse("shopfloor:report_today")).content.decode()
    assert page.count(f'data-testid="entry-{entry.pk}"') == 1


def test_the_form_draws_a_new_key_each_time(shop):
    people, *_rest, own, _partner = shop
    client = client_for(people.worker)
    url = reverse("shopfloor:report_from_step", args=[own.pk])
    keys = [client.get(url).context["form"].initial["idempotency_key"] for _ in range(2)]
    assert keys[0] != keys[1]
    html = client.get(url).content.decode()
    assert 'name="idempotency_key"' in html


def test_a_defect_without_its_reason_comes_back_on_the_form_and_writes_nothing(shop):
    people, _machines, _reasons, own, _partner = shop
    response = client_for(people.worker).post(
        reverse("shopfloor:report_from_step", args=[own.pk]), entry_data(own, defect=3)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "不良があるときは、不良の理由を選んでください。" in html
    assert not ReportEntry.objects.exists()
    assert not DailyReport.objects.exists()


def test_typed_nonsense_is_a_field_error(shop):
    people, _machines, _reasons, own, _partner = shop
    response = client_for(people.worker).post(
        reverse("shopfloor:report_entry_new"), entry_data(own, minutes="abc", good="-1")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"minutes", "good"} <= set(errors)
    assert not ReportEntry.objects.exists()


def test_a_machine_a_defect_reason_and_a_photo(shop, settings):
    people, machines, reasons, own, _partner = shop
    nc = machines["nc"]
    photo = SimpleUploadedFile("defect.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = client_for(people.worker).post(
        reverse("shopfloor:report_from_step", args=[own.pk]),
        {
            **entry_data(own, defect=2, defect_reason=reasons["defect:scratch"].pk),
            "machine": machine_key(nc.pk, 2),
            "photos": [photo],
        },
    )
    assert response.status_code == 302
    entry = ReportEntry.objects.get()
    assert (entry.equipment, entry.unit, entry.defect, entry.defect_reason.code) == (
        nc,
        2,
        2,
        "scratch",
    )
    assert ReportPhoto.objects.filter(entry=entry).count() == 1
    assert len(media_files(settings)) == 1
    # The photo is served through the access layer: the worker and a supervisor, not the
    # customer whose job it is.
    photo_url = reverse("shopfloor:report_photo", args=[entry.photos.get().pk])
    assert client_for(people.owner).get(photo_url)["Content-Type"] == "image/jpeg"
    assert client_for(people.customer_owner).get(photo_url).status_code == 404


def test_a_bad_photo_is_said_and_nothing_is_written(shop, settings):
    people, _machines, _reasons, own, _partner = shop
    fake = SimpleUploadedFile("part.jpg", b"%PDF-1.7 not a photo", content_type="image/jpeg")
    response = client_for(people.worker).post(
        reverse("shopfloor:report_from_step", args=[own.pk]),
        {**entry_data(own), "photos": [fake]},
    )
    assert response.status_code == 200
    assert "画像として読み込めませんでした" in response.content.decode()
    assert not ReportEntry.objects.exists()
    assert media_files(settings) == []


def test_an_oversized_photo_is_refused_while_streaming(shop, settings):
    people, _machines, _reasons, own, _partner = shop
    settings.MACHIKOBA_MAX_PHOTO_BYTES = 200_000
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "PNG")
    huge = SimpleUploadedFile("huge.png", buffer.getvalue() + b"\0" * 1_000_000)
    response = client_for(people.worker).post(
        reverse("shopfloor:report_from_step", args=[own.pk]),
        {**entry_data(own), "photos": [huge]},
    )
    assert response.status_code == 200
    assert "写真が大きすぎます" in response.content.decode()
    assert not ReportEntry.objects.exists()
    assert media_files(settings) == []


# --- steps that are not the shop's -------------------------------------------------------------


def test_a_step_the_shop_outsourced_is_refused_with_its_reason(shop):
    """The shop sees its own job's turning, which a partner performs: its page says that
    it is not the shop's work, and a POST writes nothing."""
    people, *_rest = shop
    outsourced, _order = partner_step(
        customer=people.shop,
        customer_owner=people.owner,
        shop=people.customer,
        shop_owner=people.customer_owner,
        name="外注した軸",
    )
    client = client_for(people.worker)
    url = reverse("shopfloor:report_from_step", args=[outsourced.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("shopfloor:report_today")
    assert "担当する工程ではない" in flashed(response)[0]
    client.post(url, entry_data(outsourced))
    assert not ReportEntry.objects.exists()


def test_a_step_of_another_companys_job_is_not_found(shop):
    people, *_rest = shop
    theirs = in_house_step(people.customer_owner, people.customer, name="他社の秘密の軸")
    client = client_for(people.worker)
    assert client.get(reverse("shopfloor:report_from_step", args=[theirs.pk])).status_code == 404
    # Nor can it be slipped into the list form.
    response = client.post(reverse("shopfloor:report_entry_new"), entry_data(theirs))
    assert response.status_code == 200
    assert "step" in response.context["form"].errors
    assert not ReportEntry.objects.exists()


# --- 開始 / 終了 and editing ------------------------------------------------------------------


def test_start_stop_and_fill_in_the_counts(shop, frozen_clock):
    people, machines, _reasons, own, _partner = shop
    client = client_for(people.worker)
    page = client.get(reverse("shopfloor:report_from_step", args=[own.pk]))
    start = page.context["start_form"]
    response = client.post(
        reverse("shopfloor:report_entry_start"),
        {
            "start-idempotency_key": str(start.initial["idempotency_key"]),
            "start-step": str(own.pk),
            "start-machine": machine_key(machines["manual"].pk, 1),
        },
    )
    entry = ReportEntry.objects.get()
    assert entry.running
    assert "開始しました" in flashed(response)[0]
    # The tag's page now offers 終了, not a second start.
    page = client.get(reverse("shopfloor:report_from_step", args=[own.pk]))
    assert page.context["start_form"] is None
    assert 'data-testid="running-stop"' in page.content.decode()

    frozen_clock.move_to(timezone.now() + dt.timedelta(minutes=62))
    response = client.post(reverse("shopfloor:report_entry_stop", args=[entry.pk]))
    assert response["Location"] == reverse("shopfloor:report_entry_edit", args=[entry.pk])
    entry.refresh_from_db()
    assert entry.minutes == 62
    form = client.get(response["Location"]).context["form"]
    data = {k: "" if v is None else str(v) for k, v in form.initial.items()}
    data.update(good="15")
    client.post(response["Location"], data)
    entry.refresh_from_db()
    assert (entry.minutes, entry.good, entry.equipment) == (62, 15, machines["manual"])


def test_a_supervisor_opening_a_workers_entry_sees_the_report(shop):
    people, _machines, _reasons, own, _partner = shop
    entry = make_entry(make_report(people.shop, people.worker), own)
    response = client_for(people.owner).get(reverse("shopfloor:report_entry_edit", args=[entry.pk]))
    assert response["Location"] == reverse("shopfloor:report_detail", args=[entry.report_id])


# --- the traveler tag's page ------------------------------------------------------------------


def test_the_tag_page_links_to_the_report_for_the_performers_people_only(shop):
    people, _machines, _reasons, _own, for_customer = shop
    url = reverse("network:handoff", args=[for_customer.pk])
    link = reverse("shopfloor:report_from_step", args=[for_customer.pk])
    for person in (people.worker, people.owner):
        assert link in client_for(person).get(url).content.decode()
    # The customer sees the tag of its own job, but does not perform the step.
    assert link not in client_for(people.customer_owner).get(url).content.decode()


# --- the review ------------------------------------------------------------------------------


def test_the_supervisor_returns_then_approves(shop, django_capture_on_commit_callbacks):
    people, _machines, _reasons, own, _partner = shop
    worker = client_for(people.worker)
    worker.post(reverse("shopfloor:report_entry_new"), entry_data(own))
    report = DailyReport.objects.get()
    worker.post(reverse("shopfloor:report_submit", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED

    owner = client_for(people.owner)
    review = owner.get(reverse("shopfloor:report_review")).content.decode()
    assert f'data-testid="review-card-{report.pk}"' in review
    response = owner.post(reverse("shopfloor:report_return", args=[report.pk]), {"note": ""})
    assert "差し戻す理由を書いてください" in flashed(response)[0]
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(
            reverse("shopfloor:report_return", args=[report.pk]),
            {"note": "良品数を数え直してください", "next": "https://evil.example/"},
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    today = worker.get(reverse("shopfloor:report_today")).content.decode()
    assert "良品数を数え直してください" in today
    assert "直した日報を提出する" in today

    worker.post(reverse("shopfloor:report_submit", args=[report.pk]))
    response = owner.post(reverse("shopfloor:report_approve", args=[report.pk]))
    assert response["Location"] == reverse("shopfloor:report_review")
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED


# --- master data and costs --------------------------------------------------------------------


def test_reasons_page_adds_and_refuses_a_duplicate(shop):
    people, *_rest = shop
    client = client_for(people.staff)
    url = reverse("shopfloor:reasons")
    data = {"kind": "stop", "code": "coolant", "label": "クーラント", "order": "3"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 200
    assert "このコードはもう使われています" in response.content.decode()
    assert Reason.objects.filter(code="coolant").count() == 1
    # A floor worker reads the list but adds nothing.
    worker = client_for(people.worker)
    assert "クーラント" in worker.get(url).content.decode()
    assert worker.post(url, {**data, "code": "x"}).status_code == 403


def test_the_costs_page(shop):
    people, machines, _reasons, _own, for_customer = shop
    owner = client_for(people.owner)
    html = owner.get(reverse("shopfloor:job_costs")).content.decode()
    assert 'data-testid="rates-missing"' in html
    owner.post(
        reverse("shopfloor:cost_rates"),
        {"labour_yen_per_hour": "3000", "machine_yen_per_hour": "1500"},
    )
    report = make_report(people.shop, people.worker, status=ReportStatus.APPROVED)
    make_entry(report, for_customer, minutes=60, equipment=machines["nc"])
    html = owner.get(reverse("shopfloor:job_costs")).content.decode()
    assert 'data-testid="rates-missing"' not in html
    assert "4,500円" in html  # 3,000 + 1,500
    assert "54,000円" in html
    assert "49,500円" in html
    response = owner.post(
        reverse("shopfloor:cost_rates"),
        {"labour_yen_per_hour": "-5", "machine_yen_per_hour": "x"},
    )
    assert response.status_code == 200
    assert {"labour_yen_per_hour", "machine_yen_per_hour"} <= set(response.context["form"].errors)


# --- query counts -----------------------------------------------------------------------------


def _busy_day(people, own, machines, reasons, day, entries):
    for person in (people.worker, people.staff):
        report = make_report(people.shop, person, day=day, status=ReportStatus.SUBMITTED)
        for _ in range(entries):
            make_entry(
                report,
                own,
                equipment=machines["nc"],
                defect=1,
                defect_reason=reasons["defect:scratch"],
                stop_minutes=5,
                stop_reason=reasons["stop:setup"],
            )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_review_day_and_cost_pages_do_not_grow_queries_with_rows(shop):
    people, machines, reasons, own, _partner = shop
    today = timezone.localdate()
    _busy_day(people, own, machines, reasons, today, entries=1)
    owner = client_for(people.owner)
    urls = [
        reverse("shopfloor:report_review"),
        reverse("shopfloor:report_today"),
        reverse("shopfloor:job_costs"),
        reverse("shopfloor:report_detail", args=[DailyReport.objects.first().pk]),
    ]
    owner.get(urls[0])  # the session, the caches
    few = [_queries(owner, url) for url in urls]
    for back in range(1, 4):
        _busy_day(people, own, machines, reasons, today - dt.timedelta(days=back), entries=4)
    many = [_queries(owner, url) for url in urls]
    assert many == few
    assert max(many) <= 30


def test_a_deactivated_company_reads_its_reports_and_writes_none(db):
    """In the grace period its people read (no 500 from the first-use seeding) and every
    write is refused with its message."""
    people = floor()
    step = in_house_step(people.owner, people.shop)
    company_deactivate(actor=UserFactory(is_staff=True, is_superuser=True), company=people.shop)
    client = client_for(people.worker)
    for name in ("report_today", "reasons", "report_mine"):
        assert client.get(reverse(f"shopfloor:{name}")).status_code == 200
    url = reverse("shopfloor:report_from_step", args=[step.pk])
    response = client.get(url)
    assert response.status_code == 200
    response = client.post(url, entry_data(step))
    assert response.status_code == 200
    assert "利用停止中のため、日報は読むだけで、書けません" in response.content.decode()
    assert not ReportEntry.objects.exists()
    assert not Reason.objects.exists()
