"""The annual KPI report (KPI年次報告): a PDF in Japanese with the IPAexGothic font
embedded, the 和暦 year in its title, the measures' trees with hand-computed values,
charts, "—" and the reason for a figure of fewer than 3 companies (its number never
printed), no company named, and a report even for a year without records."""

from __future__ import annotations

import os

import pypdfium2 as pdfium
import pytest
from django.conf import settings
from django.urls import reverse

from machikoba.accounts.choices import WardRole
from machikoba.core.fiscal import wareki_fiscal_year
from machikoba.core.testing.factories import OTA, WardRoleFactory
from machikoba.kpi.choices import Reason
from machikoba.kpi.evaluation import this_fiscal_year
from machikoba.kpi.report_pdf import annual_report, annual_report_pdf
from machikoba.kpi.selectors.figures import figures_for, format_value, reader_of
from machikoba.kpi.tests.test_exports import hand_built_year, metro_client, officer_client

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


def pdf_text(content: bytes) -> tuple[int, str]:
    document = pdfium.PdfDocument(content)
    try:
        pages = len(document)
        text = "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    return pages, text


def save_page_images(content: bytes, name: str) -> None:
    """Review images of the report's pages in var/test-artifacts/screens (best effort)."""
    folder = settings.BASE_DIR / "var" / "test-artifacts" / "screens"
    try:
        os.makedirs(folder, exist_ok=True)
        document = pdfium.PdfDocument(content)
        for index, page in enumerate(document):
            page.render(scale=1.5).to_pil().save(folder / f"{name}-{index + 1}.png")
        document.close()
    except (OSError, ImportError):  # pragma: no cover - images are for people only
        pass


@pytest.fixture
def data():
    return hand_built_year()


def test_the_report_prints_the_measures_with_hand_computed_values(data):
    year = data["year"]
    response = officer_client().get(reverse("kpi:report_pdf"), {"fy": year, "ward": OTA})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"kpi-report-{year}-{OTA}.pdf" in response["Content-Disposition"]
    content = response.content
    save_page_images(content, "kpi-report")
    assert b"IPAexGothic" in content
    assert b"/FontFile2" in content  # the TrueType program is embedded, not just named
    pages, text = pdf_text(content)
    assert pages >= 2
    assert f"{wareki_fiscal_year(year)} DX推進施策 KPI年次報告" in text
    assert "大田区" in text
    assert "集計日" in text
    for heading in (
        "① 意識改革と人材育成の伴走支援パッケージ",
        "② 導入ステージ別・課題解決型DX導入補助金",
        "③ 地域連携型DXエコシステム構築事業",
        "目標に対する進み具合",
        "年度ごとの推移",
    ):
        assert heading in text
    for code in ("M1.KGI", "M1.KSI", "M1.OUT", "M1.P1", "M2.KSI", "M3.P3"):
        assert code in text
    assert "75.0 %" in text  # M1.KSI: 3 of 4
    assert "3 / 4" in text  # its numerator / denominator
    assert "60.0 %" in text  # its target
    assert "順調" in text
    assert "目標の 125%" in text  # the bullet chart: 75 of 60
    assert "DXに「取り組んでいる」" in text  # the formula text
    assert "3 人" in text  # M1.P1: 3 graduations


def test_a_suppressed_figure_prints_a_dash_and_the_reason_never_its_number(data):
    year = data["year"]
    a, b, _c, _d = data["survey"]
    # The figure as A and B themselves would see it (they are the 2 companies behind it).
    insiders = figures_for(frozenset({a.pk, b.pk}), year=year, wards=None)
    growth = next(item for item in insiders if item.code == "M1.KGI")
    assert not growth.hidden
    assert growth.value is not None
    numbers = {
        growth.text,
        format_value(growth.numerator, "count"),
        format_value(growth.denominator, "count"),
    }
    assert {"6,098,571", "5,000,000"} <= numbers
    content = metro_client().get(reverse("kpi:report_pdf"), {"fy": year}).content
    _pages, text = pdf_text(content)
    assert str(Reason.FEW_COMPANIES.label) in text
    for number in numbers:
        assert number not in text
    assert "—" in text


def test_no_company_is_named(data):
    content = officer_client().get(reverse("kpi:report_pdf"), {"fy": data["year"]}).content
    _pages, text = pdf_text(content)
    assert "全区の合計" in text
    for company in (*data["survey"], *data["graduates"]):
        assert company.name not in text


def test_a_year_without_records_still_gives_a_report_of_reasons():
    response = officer_client().get(reverse("kpi:report_pdf"), {"fy": 2001})
    assert response.status_code == 200
    pages, text = pdf_text(response.content)
    assert pages >= 1
    assert "平成13年度 DX推進施策 KPI年次報告" in text
    assert str(Reason.NO_SURVEY.label) in text
    assert "—" in text


def test_next_year_not_begun_yet_gives_a_report_too():
    year = this_fiscal_year() + 1
    response = metro_client().get(reverse("kpi:report_pdf"), {"fy": year, "ward": OTA})
    assert response.status_code == 200
    _pages, text = pdf_text(response.content)
    assert "この年度はまだ始まっていません" in text


def test_the_report_is_in_japanese_whatever_the_readers_language(data):
    client = officer_client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = client.get(reverse("kpi:report_pdf"), {"fy": data["year"], "ward": OTA}).content
    _pages, text = pdf_text(content)
    assert "KPI年次報告" in text
    assert "75.0 %" in text


def test_the_trend_covers_five_fiscal_years(data):
    reader = reader_of(WardRoleFactory(role=WardRole.METRO_VIEWER).user)
    report = annual_report(reader, year=data["year"], ward=None)
    years = [year for year, _item in report.trend["M1.KSI"]]
    assert years == list(range(data["year"] - 4, data["year"] + 1))
    last = report.trend["M1.KSI"][-1][1]
    assert last.value == 75
    # The year before: the round holds figures but no DX answer.
    assert report.trend["M1.KSI"][-2][1].value is None
    assert annual_report_pdf(report).startswith(b"%PDF")


def _point(value, target=None, unit="percent"):
    """A stand-in for a shown figure, with only what the charts read."""
    from decimal import Decimal
    from types import SimpleNamespace

    number = None if value is None else Decimal(value)
    return SimpleNamespace(
        code="M1.KGI",
        value=number,
        unit_text="%",
        definition=SimpleNamespace(unit=unit),
        result=SimpleNamespace(goal=SimpleNamespace(target=target)),
        progress=None if number is None else max(0.0, float(number)),
        expected_progress=None,
        light="red",
        reason_text="" if number is not None else str(Reason.NO_DATA.label),
    )


def test_the_charts_draw_a_fall_and_a_gap_without_failing():
    from decimal import Decimal

    from reportlab.graphics import renderPDF

    from machikoba.kpi.report_pdf import bullet_chart, trend_chart

    points = [(2022, _point("-12.5", Decimal(15))), (2023, _point(None)), (2024, _point("3"))]
    chart = trend_chart("M1.KGI", points, 150, 80)
    bullets = bullet_chart([_point("-12.5"), _point(None)], 480)
    for drawing in (chart, bullets):
        assert renderPDF.drawToString(drawing).startswith(b"%PDF")
    assert trend_chart("M1.KGI", [], 150, 80).width == 150  # an indicator with no years
