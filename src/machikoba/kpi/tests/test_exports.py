"""The KPI exports against a hand-built year: CSV and Excel rows of every indicator with
the values computed by hand (3 dojo graduations; 3 of 4 survey answers engaged in DX), a
figure of 2 companies exported empty with its reason, the wards side by side, escaped
formulas, and bad parameters refused with a message (never a 500).

The year is last fiscal year (ended, so nothing depends on today's date within it)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from machikoba.accounts.choices import WardRole
from machikoba.core.fiscal import fiscal_year_bounds
from machikoba.core.testing.factories import (
    OTA,
    SUMIDA,
    CompanyFactory,
    WardRoleFactory,
    force_login_with_mfa,
    give_totp,
    ward,
)
from machikoba.core.testing.factories_programs import (
    ApplicationFactory,
    CohortFactory,
    ProgramFactory,
)
from machikoba.kpi.choices import DxEngagement, Reason, ResponseStatus, RoundStatus
from machikoba.kpi.evaluation import this_fiscal_year
from machikoba.kpi.models import Definition, SurveyResponse, SurveyRound
from machikoba.programs.choices import ProgramKind
from machikoba.programs.models import Graduation
from machikoba.wards.models import Municipality

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

HEADER = [
    "区",
    "コード",
    "指標",
    "区分",
    "施策",
    "年度",
    "値",
    "分子",
    "分母",
    "単位",
    "目標",
    "目標年度",
    "状態",
    "理由",
    "企業数",
    "定義の版",
]
FEW = str(Reason.FEW_COMPANIES.label)
# The survey's figures (yen, employees) of the two companies that answered them in both
# years: value added per employee rises from 35,000,000 / 7 to 42,690,000 / 7.
FIGURES_NOW = {"A": (40_690_000, 16_000_000, 4), "B": (30_000_000, 12_000_000, 3)}
FIGURES_THEN = {"A": (36_000_000, 16_000_000, 4), "B": (27_000_000, 12_000_000, 3)}


def survey_round(municipality: Municipality, year: int) -> SurveyRound:
    return SurveyRound.objects.create(
        municipality=municipality,
        fiscal_year=year,
        status=RoundStatus.CLOSED,
        due_on=fiscal_year_bounds(year)[0] + dt.timedelta(days=90),
        sent_at=timezone.now(),
    )


def answer(round_: SurveyRound, company, engagement: str = "", figures=None) -> SurveyResponse:
    sales, costs, employees = figures or (None, None, None)
    return SurveyResponse.objects.create(
        round=round_,
        company=company,
        status=ResponseStatus.SUBMITTED,
        dx_engagement=engagement,
        sales=sales,
        external_costs=costs,
        employees=employees,
        requested_at=timezone.now(),
        submitted_at=timezone.now(),
    )


def graduate(cohort, company, day: dt.date) -> Graduation:
    application = ApplicationFactory(cohort=cohort, company=company)
    return Graduation.objects.create(
        application=application,
        company=company,
        program_kind=cohort.program.kind,
        graduated_on=day,
        sessions_attended=4,
        sessions_total=5,
        certificate_code=secrets.token_hex(8),
    )


def hand_built_year() -> dict:
    """Last fiscal year in 大田区, with figures computed by hand:

    - M1.KSI: 4 companies answered the DX question, 3 engaged (2 done, 1 considering):
      3 / 4 = 75 %.
    - M1.KGI: only A and B gave their figures both years: a figure of 2 companies,
      suppressed for anyone outside them.
    - M1.P1: 3 dojo graduations of 3 companies in the year: 3 people.
    """
    year = this_fiscal_year() - 1
    ota = ward(OTA)
    names = ["回答甲精機株式会社", "回答乙工業株式会社", "回答丙製作所", "回答丁鍍金"]
    a, b, c, d = (CompanyFactory(name=name) for name in names)
    now = survey_round(ota, year)
    answer(now, a, DxEngagement.DONE, FIGURES_NOW["A"])
    answer(now, b, DxEngagement.CONSIDERING, FIGURES_NOW["B"])
    answer(now, c, DxEngagement.DONE)
    answer(now, d, DxEngagement.NOT_YET)
    then = survey_round(ota, year - 1)
    answer(then, a, figures=FIGURES_THEN["A"])
    answer(then, b, figures=FIGURES_THEN["B"])
    cohort = CohortFactory(
        program=ProgramFactory(municipality=ota, kind=ProgramKind.DOJO), fiscal_year=year
    )
    first = fiscal_year_bounds(year)[0]
    graduates = [CompanyFactory(name=f"修了{n}精工株式会社") for n in "ABC"]
    for offset, company in enumerate(graduates):
        graduate(cohort, company, first + dt.timedelta(days=60 + offset))
    return {"year": year, "survey": (a, b, c, d), "graduates": graduates}


def officer_client(municipality_code: str = OTA) -> Client:
    user = WardRoleFactory(role=WardRole.OFFICER, municipality=ward(municipality_code)).user
    give_totp(user)
    client = Client()
    force_login_with_mfa(client, user)
    return client


def metro_client() -> Client:
    client = Client()
    client.force_login(WardRoleFactory(role=WardRole.METRO_VIEWER).user)
    return client


def csv_rows(content: bytes) -> list[dict[str, str]]:
    assert content.startswith("\ufeff".encode())  # Excel reads UTF-8 with the BOM
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def by_code(rows: list[dict]) -> dict[str, dict]:
    return {row["コード"]: row for row in rows}


@pytest.fixture
def data():
    return hand_built_year()


def test_csv_has_every_indicator_with_hand_computed_values(data):
    year = data["year"]
    response = officer_client().get(reverse("kpi:export_csv"), {"fy": year, "ward": OTA})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"kpi-{year}-{OTA}.csv" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    content = response.content
    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header == HEADER
    rows = csv_rows(content)
    assert len(rows) == Definition.objects.values("indicator").distinct().count() == 18
    rows_by_code = by_code(rows)

    ksi = rows_by_code["M1.KSI"]
    assert ksi["区"] == "大田区"
    assert ksi["区分"] == "KSI"
    assert ksi["施策"].startswith("①")
    assert ksi["年度"] == str(year)
    assert (ksi["値"], ksi["分子"], ksi["分母"], ksi["単位"]) == ("75", "3", "4", "%")
    assert (ksi["目標"], ksi["状態"], ksi["理由"], ksi["企業数"]) == ("60", "順調", "", "4")
    assert ksi["定義の版"] == "1"

    graduations = rows_by_code["M1.P1"]
    assert (graduations["値"], graduations["分子"], graduations["分母"]) == ("3", "3", "")
    assert graduations["企業数"] == "3"
    assert graduations["目標"] == ""  # the paper's count targets are for all wards together
    assert graduations["状態"] == "判定なし"

    growth = rows_by_code["M1.KGI"]  # 2 companies: suppressed
    assert (growth["値"], growth["分子"], growth["分母"], growth["企業数"]) == ("", "", "", "")
    assert growth["理由"] == FEW
    assert growth["状態"] == "判定なし"

    leaders = rows_by_code["M1.P2"]  # no leader course: a count of zero is a number
    assert (leaders["値"], leaders["理由"]) == ("0", "")


def test_csv_leaks_no_company_name_nor_the_suppressed_figure(data):
    content = officer_client().get(reverse("kpi:export_csv"), {"fy": data["year"]}).content
    text = content.decode("utf-8-sig")
    for company in (*data["survey"], *data["graduates"]):
        assert company.name not in text
    # Per head this year 42,690,000 / 7 = 6,098,571; last year 35,000,000 / 7 = 5,000,000.
    for number in ("6098571", "5000000", "21.97"):
        assert number not in text


def test_all_wards_together_carry_the_papers_targets(data):
    rows = by_code(csv_rows(metro_client().get(reverse("kpi:export_csv")).content))
    assert all(row["区"] == "全区の合計" for row in rows.values())
    rows = by_code(
        csv_rows(metro_client().get(reverse("kpi:export_csv"), {"fy": data["year"]}).content)
    )
    assert (rows["M1.P1"]["値"], rows["M1.P1"]["目標"]) == ("3", "100")
    assert rows["M1.KSI"]["値"] == "75"


def test_xlsx_holds_the_same_rows_as_numbers(data):
    response = officer_client().get(reverse("kpi:export_xlsx"), {"fy": data["year"], "ward": OTA})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"kpi-{data['year']}-{OTA}.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    lines = list(sheet.iter_rows(values_only=True))
    assert list(lines[0]) == HEADER
    rows = {line[1]: dict(zip(HEADER, line, strict=True)) for line in lines[1:]}
    assert len(rows) == 18
    ksi = rows["M1.KSI"]
    assert (ksi["値"], ksi["分子"], ksi["分母"], ksi["目標"]) == (75, 3, 4, 60)
    assert isinstance(ksi["値"], int)
    assert ksi["年度"] == data["year"]
    assert ksi["状態"] == "順調"
    growth = rows["M1.KGI"]
    assert (growth["値"], growth["分子"], growth["企業数"]) == (None, None, None)
    assert growth["理由"] == FEW
    assert rows["M1.P1"]["値"] == 3


def test_the_metro_viewer_compares_the_wards_side_by_side(data):
    response = metro_client().get(reverse("kpi:export_wards_csv"), {"fy": data["year"]})
    assert response.status_code == 200
    assert f"kpi-wards-{data['year']}.csv" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    wards = Municipality.objects.count()
    assert len(rows) == (wards + 1) * 18  # every ward, then every ward together
    cell = {(row["区コード"], row["コード"]): row for row in rows}
    assert cell[(OTA, "M1.KSI")]["値"] == "75"
    assert cell[(OTA, "M1.P1")]["値"] == "3"
    assert cell[(OTA, "M1.KGI")]["値"] == ""
    assert cell[(OTA, "M1.KGI")]["理由"] == FEW
    assert cell[(SUMIDA, "M1.KSI")]["値"] == ""
    assert cell[(SUMIDA, "M1.KSI")]["理由"] == str(Reason.NO_SURVEY.label)
    assert cell[(SUMIDA, "M1.P1")]["値"] == "0"
    assert cell[("", "M1.P1")]["区"] == "全区の合計"
    assert cell[("", "M1.P1")]["目標"] == "100"
    for company in data["survey"]:
        assert company.name not in text


def test_an_officer_sees_their_own_ward_side_by_side_with_the_total(data):
    response = officer_client().get(reverse("kpi:export_wards_xlsx"), {"fy": data["year"]})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    codes = {line[0] for line in sheet.iter_rows(min_row=2, values_only=True)}
    assert codes == {OTA, None}  # 大田区 and the total: never another ward's figures


def test_a_formula_in_a_text_cell_is_escaped(data):
    Definition.objects.filter(indicator__code="M3.P3").update(name='=HYPERLINK("http://x","y")')
    client = officer_client()
    rows = by_code(csv_rows(client.get(reverse("kpi:export_csv"), {"ward": OTA}).content))
    assert rows["M3.P3"]["指標"] == '\'=HYPERLINK("http://x","y")'
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("kpi:export_xlsx"), {"ward": OTA}).content)
    ).active
    names = [line[2] for line in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x","y")' in names


def test_a_year_without_records_exports_dashes_with_reasons():
    rows = by_code(csv_rows(officer_client().get(reverse("kpi:export_csv"), {"fy": 2001}).content))
    assert len(rows) == 18
    assert rows["M1.KSI"]["値"] == ""
    assert rows["M1.KSI"]["理由"] == str(Reason.NO_SURVEY.label)
    assert rows["M1.P1"]["値"] == "0"


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"fy": "abc"}, 400, "西暦4桁"),
        ({"fy": "99999"}, 400, "西暦4桁"),
        ({"fy": "1999"}, 400, "西暦4桁"),
        ({"fy": "２０２５"}, 400, "西暦4桁"),
        ({"ward": "unknown"}, 404, "区が見つからない"),
        ({"ward": "999999"}, 404, "区が見つからない"),
        ({"ward": SUMIDA}, 404, "区が見つからない"),  # a ward the officer does not serve
    ],
)
@pytest.mark.parametrize("route", ["kpi:export_csv", "kpi:export_xlsx", "kpi:report_pdf"])
def test_bad_parameters_are_refused_with_a_message(route, params, status, message):
    response = officer_client().get(reverse(route), params)
    assert response.status_code == status
    assert message in response.content.decode()


def test_bad_year_of_the_wards_export_is_refused():
    response = metro_client().get(reverse("kpi:export_wards_csv"), {"fy": "abc"})
    assert response.status_code == 400
    assert "西暦4桁" in response.content.decode()


def test_next_year_not_started_yet_is_a_file_of_reasons():
    rows = by_code(
        csv_rows(
            officer_client().get(reverse("kpi:export_csv"), {"fy": this_fiscal_year() + 1}).content
        )
    )
    assert rows["M1.P1"]["値"] == ""
    assert rows["M1.P1"]["理由"] == str(Reason.NOT_STARTED.label)
