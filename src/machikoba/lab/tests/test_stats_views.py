"""The statistics page and its export: the figures of the selector on the page and in the
file (Japanese headers, one section or sheet per table), the year picker, bad input (a
clear message, never a 500), no company name beyond an item's exhibitor, no price."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from machikoba.core.fiscal import fiscal_year, fiscal_year_bounds
from machikoba.core.testing.factories import CompanyFactory, force_login_with_mfa
from machikoba.core.testing.factories_lab import (
    make_item,
    make_lab,
    make_lab_staff,
    make_training,
    make_vendor,
    open_day,
)
from machikoba.core.testing.factories_lab_stats import (
    at,
    desk_visitor,
    enter,
    held_event,
    matching,
    member,
    register,
    training_record,
    used_booking,
)
from machikoba.core.testing.matrix import OFFICER
from machikoba.lab.choices import ItemKind, MatchingSource, RegistrationStatus

pytestmark = pytest.mark.django_db

FY = fiscal_year(timezone.localdate()) - 1
FIRST, LAST = fiscal_year_bounds(FY)
VISITING_COMPANY = "入館だけの蒲田工業"
BOOKING_COMPANY = "予約だけの糀谷製作所"
MATCHED_COMPANY = "マッチした六郷精密"


@pytest.fixture
def lab():
    return make_lab()


@pytest.fixture
def year_of_rows(lab):
    """A little of everything in the last fiscal year."""
    day = open_day(lab, 1, after=FIRST)
    vendor = make_vendor(name="出展ベンダー株式会社")
    cobot = make_item(lab)
    kit = make_item(lab, kind=ItemKind.IOT_KIT, name="=IoTキット", exhibitor=vendor)
    person = member(CompanyFactory(name=VISITING_COMPANY))
    enter(lab, at(day, 9), user=person)
    enter(lab, at(day, 13), user=person)
    enter(lab, at(day, 10), visitor=desk_visitor(lab, name="受付 花子"))
    used_booking(cobot, member(CompanyFactory(name=BOOKING_COMPANY)), at(day, 10), hours=3)
    used_booking(kit, person, at(day, 14))
    training_record(make_training(lab, [cobot]), person, day)
    seminar = held_event(lab, at(day, 15), title="協働ロボット入門", capacity=10)
    register(seminar, status=RegistrationStatus.ATTENDED, rating=5)
    register(seminar)
    matching(
        lab,
        day,
        source=MatchingSource.EVENT,
        parties=(CompanyFactory(name=MATCHED_COMPANY), CompanyFactory()),
    )
    return {"cobot": cobot, "kit": kit, "seminar": seminar}


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(lab, **query):
    url = reverse("lab:stats", args=[lab.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def export_url(lab, fmt, year=FY):
    return reverse("lab:stats_export", args=[lab.pk, fmt]) + f"?year={year}"


def test_the_page_shows_the_years_figures(lab, year_of_rows):
    response = client_of(make_lab_staff()).get(page_url(lab, year=FY))
    assert response.status_code == 200
    stats = response.context["stats"]
    assert (stats.fiscal_year, stats.visits, stats.entries, stats.companies) == (FY, 4, 3, 2)
    html = response.content.decode()
    april = f"visits-{FIRST:%Y-%m}"
    assert f'data-testid="{april}"' in html
    assert "協働ロボット入門" in html
    assert "=IoTキット" in html
    assert "出展: 出展ベンダー株式会社" in html  # an item's exhibitor: the only company shown
    for name in (VISITING_COMPANY, BOOKING_COMPANY, MATCHED_COMPANY, "受付 花子"):
        assert name not in html
    assert "円" not in html.split('id="main"')[1]  # no price anywhere in the page body
    assert "延べ利用者数" in html
    assert "数え方" in html
    assert "同じ人が同じ日に2回入館すれば2件" in html  # the definition is on the page


def test_without_a_year_the_current_year_is_shown(lab):
    response = client_of(make_lab_staff()).get(page_url(lab))
    assert response.context["stats"].fiscal_year == fiscal_year(timezone.localdate())
    assert response.context["year_problem"] == ""


@pytest.mark.parametrize("year", ["abc", "２０２５", "12345", "-1", "1999", "0", "2025.5"])
def test_a_bad_year_shows_a_message_and_the_current_year(lab, year):
    response = client_of(make_lab_staff()).get(page_url(lab, year=year))
    assert response.status_code == 200
    assert response.context["stats"].fiscal_year == fiscal_year(timezone.localdate())
    assert "年度" in response.context["year_problem"]
    assert 'data-testid="year-problem"' in response.content.decode()


def test_a_year_to_come_is_refused_with_a_message(lab):
    next_year = fiscal_year(timezone.localdate()) + 1
    response = client_of(make_lab_staff()).get(page_url(lab, year=next_year))
    assert response.context["stats"].fiscal_year == next_year - 1
    assert "今年度までの年度を指定してください" in response.context["year_problem"]


def test_the_picker_offers_five_years_and_marks_the_one_shown(lab):
    response = client_of(make_lab_staff()).get(page_url(lab, year=FY))
    html = response.content.decode()
    current = fiscal_year(timezone.localdate())
    for year in range(current - 4, current + 1):
        assert f'<option value="{year}"' in html
    assert f'<option value="{FY}" selected>' in html


def test_the_csv_has_a_section_per_table_with_japanese_headers(lab, year_of_rows):
    response = client_of(make_lab_staff()).get(export_url(lab, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    titles = [row[0] for row in rows if row and row[0].startswith("■ ")]
    assert titles == [
        "■ 概要",
        "■ 月別の利用",
        "■ 機器の稼働率",
        "■ 講習の修了",
        "■ イベントの参加",
        "■ マッチング",
        "■ 3か月後の確認",
    ]
    month_header = rows[rows.index(["■ 月別の利用"]) + 1]
    assert month_header[0] == "月"
    assert "延べ利用者数" in month_header
    total = next(row for row in rows if row and row[0] == "年度計")
    assert total[1:] == ["3", "2", "1", "4", "2"]  # entries, used, without entry, visits, firms
    assert [row[0] for row in rows if row and "IoTキット" in row[0]] == ["'=IoTキット"]
    for name in (VISITING_COMPANY, BOOKING_COMPANY, MATCHED_COMPANY, "受付 花子"):
        assert name not in text


def test_the_workbook_has_a_sheet_per_table(lab, year_of_rows):
    response = client_of(make_lab_staff()).get(export_url(lab, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "概要",
        "月別の利用",
        "機器の稼働率",
        "講習の修了",
        "イベントの参加",
        "マッチング",
        "3か月後の確認",
    ]
    items = workbook["機器の稼働率"]
    header = [cell.value for cell in items[1]]
    assert header[0] == "機器・ソフトウェア"
    assert "稼働率 (%)" in header
    by_name = {row[0]: row for row in items.iter_rows(min_row=2, values_only=True)}
    cobot = by_name[year_of_rows["cobot"].name]
    assert cobot[header.index("利用時間 (時間)")] == 3.0  # a number, not text
    assert "'=IoTキット" in by_name
    events = workbook["イベントの参加"]
    (row,) = list(events.iter_rows(min_row=2, values_only=True))
    assert row[0] == "協働ロボット入門"
    assert row[4:7] == (2, 1, 50.0)


def test_an_unknown_export_format_is_not_found(lab):
    response = client_of(make_lab_staff()).get(export_url(lab, "pdf"))
    assert response.status_code == 404


def test_an_export_with_a_bad_year_goes_back_to_the_page_with_the_message(lab):
    response = client_of(make_lab_staff()).get(export_url(lab, "csv", year="abc"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("lab:stats", args=[lab.pk])
    assert "西暦の4桁" in response.content.decode()


def test_the_wards_officer_reads_the_page_and_the_export(lab, year_of_rows, world):
    client = Client()
    force_login_with_mfa(client, world.users[OFFICER])
    assert client.get(page_url(lab, year=FY)).context["stats"].visits == 4
    assert client.get(export_url(lab, "csv")).status_code == 200


def test_an_event_of_a_year_before_is_not_on_the_page(lab):
    held_event(lab, at(FIRST - dt.timedelta(days=3), 14), title="前年度のセミナー")
    response = client_of(make_lab_staff()).get(page_url(lab, year=FY))
    assert "前年度のセミナー" not in response.content.decode()
    assert 'data-testid="no-events"' in response.content.decode()
