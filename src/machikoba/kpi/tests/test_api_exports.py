"""The KPI API's downloads give what the pages' downloads give (the same exporters): the
indicators' CSV byte for byte and their Excel cell for cell, the wards side by side, the
annual report's text, the records behind an indicator (companies named for the officer of
their ward, only counted for the metro viewer); a year not begun and an unknown ward are
refused with their code. The public page's API shows what the public page shows and
nothing more: counts, small numbers as "—", no company, no record, no company count.

The year is last fiscal year (ended), built by hand in ``test_exports.hand_built_year``."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from machikoba.accounts.choices import WardRole
from machikoba.apitokens.services import token_create
from machikoba.core.testing.factories import OTA, SUMIDA, WardRoleFactory, ward
from machikoba.core.testing.matrix import MEMBER, OFFICER
from machikoba.kpi.evaluation import this_fiscal_year
from machikoba.kpi.selectors.public import PUBLIC_CODES, public_page
from machikoba.kpi.tests.test_exports import (
    HEADER,
    by_code,
    csv_rows,
    hand_built_year,
    metro_client,
    officer_client,
)
from machikoba.kpi.tests.test_public_page import FEW, publish
from machikoba.kpi.tests.test_report_pdf import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def data():
    return hand_built_year()


def _sheet_values(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_indicators_csv_is_the_pages_csv(data):
    client = officer_client()
    params = {"fy": data["year"], "ward": OTA}
    page = client.get(reverse("kpi:export_csv"), params)
    api = client.get(reverse("api:kpi_export"), params)
    assert api.status_code == 200
    assert api["Content-Type"] == page["Content-Type"]
    assert api["Content-Type"].startswith("text/csv")
    assert api["Content-Disposition"] == page["Content-Disposition"]
    assert api["Cache-Control"] == "private, no-store"
    assert api.content == page.content
    header = next(csv.reader(io.StringIO(api.content.decode("utf-8-sig"))))
    assert header == HEADER
    ksi = by_code(csv_rows(api.content))["M1.KSI"]
    assert (ksi["区"], ksi["値"], ksi["分子"], ksi["分母"]) == ("大田区", "75", "3", "4")
    growth = by_code(csv_rows(api.content))["M1.KGI"]  # 2 companies: suppressed
    assert (growth["値"], growth["理由"]) == ("", FEW)


def test_the_indicators_excel_is_the_pages_excel(data):
    client = metro_client()
    params = {"fy": data["year"], "ward": OTA}
    page = client.get(reverse("kpi:export_xlsx"), params)
    api = client.get(reverse("api:kpi_export"), {**params, "format": "xlsx"})
    assert api.status_code == 200
    assert api["Content-Type"] == XLSX
    assert api["Content-Disposition"] == page["Content-Disposition"]
    rows = _sheet_values(api.content)
    assert rows == _sheet_values(page.content)
    assert list(rows[0]) == HEADER
    ksi = next(row for row in rows if row[1] == "M1.KSI")
    assert ksi[6] == 75


def test_every_ward_together_without_a_ward(data):
    client = officer_client()
    page = client.get(reverse("kpi:export_csv"), {"fy": data["year"]})
    for ward_param in ({}, {"ward": "all"}):
        api = client.get(reverse("api:kpi_export"), {"fy": data["year"], **ward_param})
        assert api.status_code == 200
        assert api.content == page.content
    assert {row["区"] for row in csv_rows(page.content)} == {"全区の合計"}


def test_the_wards_side_by_side_are_the_pages(data):
    officer = officer_client()
    params = {"fy": data["year"]}
    api = officer.get(reverse("api:kpi_export_wards"), params)
    assert api.status_code == 200
    assert api.content == officer.get(reverse("kpi:export_wards_csv"), params).content
    wards = {row["区コード"] for row in csv_rows(api.content)}
    assert wards == {OTA, ""}  # the officer's ward, then every ward together
    metro = metro_client()
    excel = metro.get(reverse("api:kpi_export_wards"), {**params, "format": "xlsx"})
    assert excel["Content-Type"] == XLSX
    page = metro.get(reverse("kpi:export_wards_xlsx"), params)
    assert _sheet_values(excel.content) == _sheet_values(page.content)
    assert {row[0] for row in _sheet_values(excel.content)[1:]} >= {OTA, SUMIDA}


def test_the_annual_report_is_the_pages_report(data):
    client = officer_client()
    params = {"fy": data["year"], "ward": OTA}
    api = client.get(reverse("api:kpi_report_pdf"), params)
    assert api.status_code == 200
    assert api["Content-Type"] == "application/pdf"
    assert f"kpi-report-{data['year']}-{OTA}.pdf" in api["Content-Disposition"]
    assert api.content.startswith(b"%PDF")
    pages, text = pdf_text(api.content)
    page_pages, page_text = pdf_text(client.get(reverse("kpi:report_pdf"), params).content)
    # The two files are computed a moment apart: their "calculated at" minute may differ.
    stamp = re.compile(r"計算日時 \d{4}/\d{2}/\d{2} \d{2}:\d{2}")
    assert "計算日時" in text
    assert (pages, stamp.sub("計算日時", text)) == (page_pages, stamp.sub("計算日時", page_text))
    assert "大田区" in text
    for company in data["survey"]:
        assert company.name not in text


def test_the_records_csv_is_the_pages_and_names_companies_only_for_the_officer(data):
    year = data["year"]
    officer = officer_client()
    params = {"fy": year, "ward": OTA}
    api = officer.get(reverse("api:kpi_indicator_records_csv", args=["M1.KSI"]), params)
    assert api.status_code == 200
    assert api["Content-Type"].startswith("text/csv")
    assert (
        api["Content-Disposition"]
        == (
            officer.get(reverse("kpi:indicator_csv", args=["M1.KSI"]), params)[
                "Content-Disposition"
            ]
        )
    )
    assert api.content == (
        officer.get(reverse("kpi:indicator_csv", args=["M1.KSI"]), params).content
    )
    rows = list(csv.reader(io.StringIO(api.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["指標", "M1.KSI"]
    assert rows[2][:2] == ["年度", str(year)]
    assert rows[3][1] == "75.0"  # the value as the page prints it
    text = api.content.decode("utf-8-sig")
    for company in data["survey"]:
        assert company.name in text
    metro = metro_client()
    counted = metro.get(reverse("api:kpi_indicator_records_csv", args=["M1.KSI"]), params)
    assert counted.status_code == 200
    assert counted.content == (
        metro.get(reverse("kpi:indicator_csv", args=["M1.KSI"]), params).content
    )
    for company in data["survey"]:
        assert company.name not in counted.content.decode("utf-8-sig")


def test_unusable_filters_of_the_records_fall_back_and_the_file_says_its_year(data):
    response = officer_client().get(
        reverse("api:kpi_indicator_records_csv", args=["M1.KSI"]), {"fy": 2099}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[2][:2] == ["年度", str(this_fiscal_year())]


def test_a_year_not_begun_and_an_unknown_ward_are_refused_with_their_code(data):
    client = officer_client()
    later = client.get(reverse("api:kpi_export"), {"fy": this_fiscal_year() + 2})
    assert not 200 <= later.status_code < 300
    assert later.json()["code"] == "kpi_fiscal_year_invalid"
    assert "年度は" in later.json()["message"]
    assert "fy" in later.json()["fields"]
    report = client.get(reverse("api:kpi_report_pdf"), {"fy": this_fiscal_year() + 2})
    assert report.json()["code"] == "kpi_fiscal_year_invalid"
    # Next year has begun nowhere yet, but the pages give it (a report of reasons).
    assert client.get(reverse("api:kpi_export"), {"fy": this_fiscal_year() + 1}).status_code == 200
    other = officer_client(SUMIDA).get(reverse("api:kpi_export"), {"ward": OTA})
    assert other.status_code == 404
    assert other.json()["code"] == "kpi_ward_not_readable"
    assert b"M1.KSI" not in other.content
    malformed = client.get(reverse("api:kpi_export"), {"ward": "大田区"})
    assert malformed.status_code == 422


def test_a_ward_token_downloads_its_wards_figures(data):
    grant = WardRoleFactory(role=WardRole.OFFICER, municipality=ward(OTA))
    _, secret = token_create(
        actor=grant.user, name="集計", scopes=["kpi:read"], lifetime_days=1, ward_role=grant
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.get(reverse("api:kpi_export"), {"fy": data["year"], "ward": OTA})
    assert response.status_code == 200
    assert by_code(csv_rows(response.content))["M1.KSI"]["値"] == "75"
    _, narrow = token_create(
        actor=grant.user, name="別", scopes=["programs:read"], lifetime_days=1, ward_role=grant
    )
    refused = Client(HTTP_AUTHORIZATION=f"Bearer {narrow}").get(reverse("api:kpi_export"))
    assert refused.status_code == 403
    assert refused.json()["code"] == "token_scope"


# --- the public page -----------------------------------------------------------------------


def test_the_public_api_is_the_public_page_and_names_no_company(world):
    from machikoba.kpi.tests.test_public_page import graduations
    from machikoba.programs.choices import ProgramKind

    lone = world.company
    graduations(ProgramKind.DOJO, [lone], per_company=2)  # one company: suppressed
    publish()
    body_by_actor = {}
    for name, client in (
        ("visitor", Client()),
        ("member", world.client_for(MEMBER)),
        ("officer", world.client_for(OFFICER)),
    ):
        response = client.get(reverse("api:kpi_public", args=[OTA]))
        assert response.status_code == 200, name
        body_by_actor[name] = response.json()
    body = body_by_actor["visitor"]
    # Whoever asks gets the visitor's page.
    assert body_by_actor["member"] == body == body_by_actor["officer"]
    assert (body["ward"], body["ward_name"]) == (OTA, "大田区")
    assert body["introduction"] == "区の取り組み"
    assert body["fiscal_year"] == this_fiscal_year()
    page = public_page(OTA, today=timezone.localdate())
    assert [s["label"] for s in body["sections"]] == [s.label for s in page.sections]
    figures = {f["code"]: f for s in body["sections"] for f in s["figures"]}
    assert set(figures) == set(PUBLIC_CODES)
    dojo = figures["M1.P1"]
    assert (dojo["before_value"], dojo["before_text"], dojo["before_reason"]) == (None, "—", FEW)
    expected = {f.code: f for s in page.sections for f in s.figures}
    for code, figure in figures.items():
        assert figure["text"] == expected[code].now.text, code
        assert figure["before_text"] == expected[code].before.text, code
    # Nothing the dashboard adds: no numerator, no company count, no record, no company.
    text = str(body)
    for private in ("numerator", "denominator", "company_count", "records", "company"):
        assert private not in text, private
    assert lone.name not in text


def test_a_ward_that_does_not_publish_has_no_public_api(world):
    visitor = Client()
    assert visitor.get(reverse("api:kpi_public", args=[OTA])).status_code == 404
    publish(enabled=False)
    withdrawn = visitor.get(reverse("api:kpi_public", args=[OTA]))
    assert withdrawn.status_code == 404
    assert withdrawn.json()["code"] == "not_found"
    assert world.client_for(OFFICER).get(reverse("api:kpi_public", args=[OTA])).status_code == 404
    publish(SUMIDA)
    assert visitor.get(reverse("api:kpi_public", args=[SUMIDA])).status_code == 200
    assert visitor.get("/api/kpi/public/ota").status_code == 422
