"""The export of a call's applications, read back as the officer's spreadsheet program
would: the CSV (UTF-8 with a BOM) and the .xlsx (openpyxl). Amounts are numbers, the
submission time is JST, a company name that Excel would run as a formula is escaped,
drafts and another ward's applications are not in it, and taking it is audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import (
    SUMIDA,
    CompanyFactory,
    force_login_with_mfa,
    give_totp,
    ward,
)
from machikoba.core.testing.factories_subsidies import (
    make_application,
    make_officer,
    make_paper_call,
)
from machikoba.subsidies.choices import ApplicationStatus as S
from machikoba.subsidies.models import Payment

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

JST = zoneinfo.ZoneInfo("Asia/Tokyo")
HEADER = [
    "受付番号",
    "申請企業",
    "ステージ",
    "状態",
    "補助対象経費 (円)",
    "申請額 (円)",
    "交付決定額 (円)",
    "確定額 (円)",
    "支払額 (円)",
    "提出日時 (日本時間)",
    "加点",
    "合計点",
]


@pytest.fixture
def officer_client(client):
    officer = make_officer()
    give_totp(officer)
    force_login_with_mfa(client, officer)
    client.officer = officer
    return client


@pytest.fixture
def call():
    call = make_paper_call()
    one = call.stages.get(number=1)
    # Submitted at 23:59:59 JST: the day in JST, not in UTC.
    late = dt.datetime.combine(timezone.localdate() - dt.timedelta(days=2), dt.time(23, 59, 59))
    make_application(
        one,
        CompanyFactory(name='=HYPERLINK("http://evil.example","x")', ward=call.municipality),
        status=S.SUBMITTED,
        reference="S-0001",
        eligible_cost=600_000,
        requested_amount=450_000,
        submitted_at=late.replace(tzinfo=JST),
    )
    paid = make_application(
        one,
        CompanyFactory(name="蒲田精機株式会社", ward=call.municipality),
        status=S.PAID,
        reference="S-0002",
        eligible_cost=800_000,
        requested_amount=500_000,
        decided_amount=500_000,
        confirmed_amount=480_000,
        submitted_at=late.replace(tzinfo=JST) + dt.timedelta(hours=1),  # the next day in JST
    )
    Payment.objects.create(application=paid, amount=480_000, paid_on=timezone.localdate())
    make_application(one, CompanyFactory(name="下書き工業"), status=S.DRAFT)
    sumida = make_paper_call(municipality=ward(SUMIDA))
    make_application(
        sumida.stages.get(number=1),
        CompanyFactory(name="墨田の会社"),
        status=S.SUBMITTED,
        requested_amount=100_000,
    )
    call.late = late
    return call


def _get(client, call, fmt):
    response = client.get(reverse("subsidies:office_call_export", args=[call.pk, fmt]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment;" in response["Content-Disposition"]
    return response


def test_the_csv_reads_back_with_numbers_jst_times_and_escaped_formulas(officer_client, call):
    response = _get(officer_client, call, "csv")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == HEADER
    day = call.late.strftime("%Y/%m/%d")
    next_day = (call.late + dt.timedelta(hours=1)).strftime("%Y/%m/%d")
    assert rows[1:] == [
        [
            "S-0001",
            '\'=HYPERLINK("http://evil.example","x")',
            "ステージ1 はじめの一歩",
            "提出済み (受付)",
            "600000",
            "450000",
            "",
            "",
            "",
            f"{day} 23:59",
            "0",
            "",
        ],
        [
            "S-0002",
            "蒲田精機株式会社",
            "ステージ1 はじめの一歩",
            "支払済み",
            "800000",
            "500000",
            "500000",
            "480000",
            "480000",
            f"{next_day} 00:59",
            "0",
            "",
        ],
    ]
    event = AuditEvent.objects.get(verb="subsidy_call.export")
    assert (event.actor, event.after) == (officer_client.officer, {"format": "csv"})


def test_the_xlsx_reads_back_the_same_rows(officer_client, call):
    response = _get(officer_client, call, "xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert len(rows) == 3
    first, second = rows[1], rows[2]
    assert first[1] == '\'=HYPERLINK("http://evil.example","x")'
    assert sheet.cell(row=2, column=2).data_type == "s"  # text, never a formula
    assert first[4:6] == [600_000, 450_000]  # numbers stay numbers
    assert second[4:9] == [800_000, 500_000, 500_000, 480_000, 480_000]
    assert first[9] == call.late.strftime("%Y/%m/%d 23:59")
    assert not any("墨田の会社" in str(cell) for row in rows for cell in row)
    assert not any("下書き工業" in str(cell) for row in rows for cell in row)
    assert AuditEvent.objects.filter(verb="subsidy_call.export", after={"format": "xlsx"}).exists()
