"""The dashboard's selectors on a hand-built year (last fiscal year, ended, so nothing
depends on today within it): the filters and their fall-backs, the trees, the
drill-down (names for the ward's officer, counts only for the metro viewer and for
records confidential between companies, nothing at all for a suppressed figure), the
trend from stored snapshots, and the wards side by side."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404, QueryDict
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.core.fiscal import fiscal_year_bounds
from machikoba.core.testing.factories import (
    OTA,
    SUMIDA,
    CompanyFactory,
    MembershipFactory,
    WardRoleFactory,
    ward,
)
from machikoba.kpi.choices import (
    DxEngagement,
    Reason,
    ResponseStatus,
    RoundStatus,
    SnapshotKind,
)
from machikoba.kpi.computations.base import Figure, Record
from machikoba.kpi.evaluation import evaluate, scope_for, this_fiscal_year
from machikoba.kpi.models import Snapshot, SurveyResponse, SurveyRound
from machikoba.kpi.selectors import dashboard as selectors
from machikoba.kpi.selectors.drilldown import csv_rows, drilldown
from machikoba.kpi.selectors.figures import Reader, reader_of
from machikoba.wards.models import Municipality

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

FEW = str(Reason.FEW_COMPANIES.label)


def survey_round(municipality: Municipality, year: int) -> SurveyRound:
    return SurveyRound.objects.create(
        municipality=municipality,
        fiscal_year=year,
        status=RoundStatus.CLOSED,
        due_on=fiscal_year_bounds(year)[0] + dt.timedelta(days=90),
        sent_at=timezone.now(),
    )


def answer(round_: SurveyRound, company, engagement: str) -> SurveyResponse:
    return SurveyResponse.objects.create(
        round=round_,
        company=company,
        status=ResponseStatus.SUBMITTED,
        dx_engagement=engagement,
        requested_at=timezone.now(),
        submitted_at=timezone.now(),
    )


ANSWERS = (
    ("調査甲精機株式会社", DxEngagement.DONE),
    ("調査乙工業株式会社", DxEngagement.CONSIDERING),
    ("調査丙製作所", DxEngagement.DONE),
    ("調査丁鍍金", DxEngagement.NOT_YET),
)


def dx_survey(code: str = OTA, answers=ANSWERS, year: int | None = None) -> list:
    """A survey round of ``code`` with one submitted answer per (name, engagement):
    by default 3 of 4 engaged (75 %)."""
    year = year if year is not None else this_fiscal_year() - 1
    municipality = ward(code)
    round_ = survey_round(municipality, year)
    companies = []
    for name, engagement in answers:
        company = CompanyFactory(name=name, ward=municipality)
        answer(round_, company, engagement)
        companies.append(company)
    return companies


def officer(code: str = OTA) -> Reader:
    user = WardRoleFactory(role=WardRole.OFFICER, municipality=ward(code)).user
    reader = reader_of(user)
    assert reader is not None
    return reader


def metro() -> Reader:
    reader = reader_of(WardRoleFactory(role=WardRole.METRO_VIEWER).user)
    assert reader is not None
    return reader


def query(**params) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in params.items():
        if isinstance(value, list):
            data.setlist(key, value)
        else:
            data[key] = value
    return data


TODAY = timezone.localdate


def test_nobody_else_is_a_reader(world):
    member = MembershipFactory().user
    assert reader_of(member) is None


# --- filters -----------------------------------------------------------------------


def test_filters_default_to_the_officers_ward_and_this_year():
    filters = selectors.filters_from(officer(), query(), today=TODAY())
    assert filters.ward == ward(OTA)
    assert filters.year == this_fiscal_year()
    assert filters.problems == []
    assert "ward=131113" in filters.query


def test_the_metro_viewer_starts_with_every_ward_together():
    filters = selectors.filters_from(metro(), query(), today=TODAY())
    assert filters.ward is None
    assert filters.wards is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"fy": "abc"}, "4桁"),
        ({"fy": "２０２５"}, "4桁"),
        ({"fy": "1999"}, "年度から今年度まで"),
        ({"fy": "9999"}, "年度から今年度まで"),
        ({"ward": "999999"}, "指定の区"),
        ({"ward": SUMIDA}, "指定の区"),  # another ward's figures: not this officer's
        ({"ward": "13111'--"}, "指定の区"),
        ({"ward": OTA + "0000"}, "指定の区"),
        ({"size": "huge"}, "従業員規模"),
        ({"process": "nothing.like.this"}, "業種"),
    ],
)
def test_a_bad_filter_falls_back_with_a_message(params, expected):
    filters = selectors.filters_from(officer(), query(**params), today=TODAY())
    assert filters.year == this_fiscal_year()
    assert filters.ward == ward(OTA)
    assert (filters.size, filters.process) == ("", "")
    assert len(filters.problems) == 1
    assert expected in filters.problems[0]


def test_good_filters_are_kept():
    process = selectors.top_processes()[0]
    year = this_fiscal_year() - 2
    filters = selectors.filters_from(
        metro(),
        query(fy=str(year), ward=SUMIDA, size="10-29", process=process.code),
        today=TODAY(),
    )
    assert (filters.year, filters.ward, filters.size, filters.process) == (
        year,
        ward(SUMIDA),
        "10-29",
        process.code,
    )
    assert filters.problems == []
    assert filters.filtered


def test_an_officer_may_ask_for_every_ward_together():
    filters = selectors.filters_from(officer(), query(ward="all"), today=TODAY())
    assert filters.ward is None


# --- the trees ---------------------------------------------------------------------


def test_the_dashboard_is_three_trees_of_six_indicators():
    dx_survey()
    reader = officer()
    year = this_fiscal_year() - 1
    filters = selectors.filters_from(reader, query(fy=str(year)), today=TODAY())
    board = selectors.dashboard(reader, filters, today=TODAY())
    assert [m.measure for m in board.measures] == [1, 2, 3]
    assert not board.current
    assert board.as_of == fiscal_year_bounds(year)[1]
    first = board.measures[0]
    assert (first.kgi.code, first.ksi.code, first.outcome.code) == ("M1.KGI", "M1.KSI", "M1.OUT")
    assert [o.code for o in first.outputs] == ["M1.P1", "M1.P2", "M1.P3"]
    ksi = first.ksi
    assert (ksi.shown.text, ksi.shown.unit_text) == ("75.0", "%")
    assert ksi.shown.light == "green"
    assert ksi.chart
    assert ksi.progress_text == "125"
    assert first.kgi.shown.text == "—"
    assert first.kgi.shown.reason_text


def test_the_dashboard_of_a_ward_the_reader_may_not_read_is_not_found():
    reader = officer(SUMIDA)
    filters = selectors.Filters(this_fiscal_year(), ward(OTA))
    with pytest.raises(Http404):
        selectors.dashboard(reader, filters, today=TODAY())
    with pytest.raises(Http404):
        selectors.indicator_page(reader, "M1.KSI", filters, today=TODAY())


# --- the drill-down ----------------------------------------------------------------


def _ksi_result(code: str = OTA, year: int | None = None):
    year = year if year is not None else this_fiscal_year() - 1
    filters = selectors.Filters(year, ward(code))
    return selectors.indicator_result(officer(code), "M1.KSI", filters, today=TODAY())


def test_the_wards_officer_sees_the_companies_behind_the_ksi():
    companies = dx_survey()
    reader = officer()
    drill = drilldown(reader, _ksi_result(), ward(OTA).pk)
    assert not drill.hidden
    assert drill.detailed
    assert drill.share
    assert sorted(r.company_name for r in drill.rows) == sorted(c.name for c in companies)
    assert all(r.linkable for r in drill.rows)  # the ward's own companies
    counted = {r.company_name: r.counted for r in drill.rows}
    assert counted["調査丁鍍金"] is False
    assert counted["調査甲精機株式会社"] is True
    assert drill.buckets == []


def test_the_metro_viewer_sees_counts_by_month_only():
    companies = dx_survey()
    result = _ksi_result()
    drill = drilldown(metro(), result, ward(OTA).pk)
    assert not drill.detailed
    assert drill.rows == []
    assert drill.tallies == []
    assert sum(b.counted for b in drill.buckets) == 3
    assert sum(b.others for b in drill.buckets) == 1
    text = repr(csv_rows(drill))
    assert not any(c.name in text for c in companies)


def test_another_wards_officer_reading_every_ward_sees_counts_only():
    companies = dx_survey()
    year = this_fiscal_year() - 1
    reader = officer(SUMIDA)
    filters = selectors.Filters(year, None)
    result = selectors.indicator_result(reader, "M1.KSI", filters, today=TODAY())
    drill = drilldown(reader, result, None)
    assert drill.rows == []
    assert sum(b.total for b in drill.buckets) == 4
    assert not any(c.name in repr(csv_rows(drill)) for c in companies)


def test_a_figure_of_two_companies_shows_nothing_but_its_reason():
    two = (("小規模甲株式会社", DxEngagement.DONE), ("小規模乙株式会社", DxEngagement.NOT_YET))
    companies = dx_survey(answers=two)
    result = _ksi_result()
    for reader in (officer(), metro()):
        drill = drilldown(reader, result, ward(OTA).pk)
        assert drill.hidden
        assert drill.reason == FEW
        assert drill.empty
        rows = csv_rows(drill)
        assert rows == [["表示できません", FEW]]
        assert not any(c.name in repr(rows) for c in companies)


def test_a_figure_of_two_companies_is_shown_to_those_companies_own_people():
    two = (("小規模甲株式会社", DxEngagement.DONE), ("小規模乙株式会社", DxEngagement.NOT_YET))
    first, second = dx_survey(answers=two)
    user = WardRoleFactory(role=WardRole.OFFICER, municipality=ward(OTA)).user
    for company in (first, second):
        MembershipFactory(user=user, company=company)
    reader = reader_of(user)
    assert not drilldown(reader, _ksi_result(), ward(OTA).pk).hidden


def _result_with(records: list[Record]):
    """A real M3.OUT result whose figure is replaced by ``records`` (the network's
    records need orders, awards … the drill-down only reads the records)."""
    definition = selectors.definition_of("M3.OUT")
    result = evaluate(definition, scope_for(this_fiscal_year() - 1, (ward(OTA).pk,)))
    counted = [r for r in records if r.counted]
    result.figure = Figure(
        numerator=Decimal(len(counted)),
        value=Decimal(len(counted)),
        companies=frozenset(r.company for r in counted if r.company),
        records=records,
    )
    return result


def test_records_confidential_between_companies_are_counted_never_listed():
    a, b, c, d, e, f = (CompanyFactory(name=f"取引{n}株式会社") for n in "ABCDEF")
    first = fiscal_year_bounds(this_fiscal_year() - 1)[0]
    may, june = first + dt.timedelta(days=35), first + dt.timedelta(days=70)
    records = [
        Record("network", may, a.pk, "network"),
        Record("network", may, b.pk, "network", counted=False),
        Record("network", june, c.pk, "network"),
        Record("network", june, d.pk, "network", counted=False),
        Record("lab", june, e.pk, "lab"),
        Record("lab", june, f.pk, "lab", counted=False),
    ]
    drill = drilldown(officer(), _result_with(records), ward(OTA).pk)
    assert drill.detailed
    assert drill.confidential
    # The lab's own matchings are the ward's records; the network's pairs are not.
    assert sorted(r.company_name for r in drill.rows) == ["取引E株式会社", "取引F株式会社"]
    assert [(b.month, b.counted, b.others) for b in drill.buckets] == [
        (may.replace(day=1), 1, 1),
        (june.replace(day=1), 1, 1),
    ]
    text = repr(csv_rows(drill))
    for company in (a, b, c, d):
        assert company.name not in text


def test_lab_visits_are_counted_per_company():
    a, b, c = (CompanyFactory(name=f"来館{n}株式会社") for n in "ABC")
    day = fiscal_year_bounds(this_fiscal_year() - 1)[0] + dt.timedelta(days=10)
    records = [Record("entry", day, a.pk, "entry")] * 3 + [
        Record("entry", day, b.pk, "entry"),
        Record("booking", day, c.pk, "booking"),
        Record("entry", day, None, "entry"),
    ]
    drill = drilldown(officer(), _result_with(records), ward(OTA).pk)
    assert drill.rows == []
    tallies = {(t.company_name, t.kind): t.count for t in drill.tallies}
    assert tallies[("来館A株式会社", "entry")] == 3
    assert tallies[("来館C株式会社", "booking")] == 1
    assert tallies[("企業に属さない来館者", "entry")] == 1


# --- the trend ---------------------------------------------------------------------


def test_the_trend_reads_final_snapshots_and_computes_the_rest():
    dx_survey()
    year = this_fiscal_year() - 1
    reader = officer()
    definition = selectors.definition_of("M1.KSI")
    common = {
        "definition": definition,
        "municipality": ward(OTA),
        "kind": SnapshotKind.FINAL,
        "computed_at": timezone.now(),
    }
    Snapshot.objects.create(
        fiscal_year=year - 1,
        as_of=fiscal_year_bounds(year - 1)[1],
        value=Decimal("55.5"),
        company_count=12,
        **common,
    )
    Snapshot.objects.create(
        fiscal_year=year - 2,
        as_of=fiscal_year_bounds(year - 2)[1],
        value=Decimal("50"),
        company_count=2,
        **common,
    )
    filters = selectors.Filters(year, ward(OTA))
    points = {p.year: p for p in selectors.trend(reader, definition, filters, today=TODAY())}
    assert sorted(points) == list(range(year - 4, year + 1))
    assert (points[year - 1].text, points[year - 1].stored) == ("55.5", True)
    assert (points[year - 2].text, points[year - 2].reason) == ("—", FEW)
    assert (points[year].text, points[year].stored) == ("75.0", False)
    assert points[year - 3].value is None
    assert points[year - 3].reason


def test_a_filtered_trend_never_reads_the_unfiltered_snapshots():
    year = this_fiscal_year() - 1
    definition = selectors.definition_of("M1.KSI")
    Snapshot.objects.create(
        definition=definition,
        municipality=ward(OTA),
        kind=SnapshotKind.FINAL,
        fiscal_year=year,
        as_of=fiscal_year_bounds(year)[1],
        value=Decimal("99"),
        company_count=30,
        computed_at=timezone.now(),
    )
    filters = selectors.Filters(year, ward(OTA), size="30-")
    points = selectors.trend(officer(), definition, filters, today=TODAY())
    assert all(not p.stored for p in points)


# --- wards side by side -----------------------------------------------------------


def test_the_metro_viewer_compares_two_wards_with_the_total():
    dx_survey()
    dx_survey(SUMIDA, answers=ANSWERS[:2])  # 2 companies in 墨田区: suppressed there
    year = this_fiscal_year() - 1
    comparison = selectors.comparison(
        metro(), query(fy=str(year), ward=[OTA, SUMIDA], indicator="M1.KSI"), today=TODAY()
    )
    assert comparison.problems == []
    assert [c.label for c in comparison.columns] == ["大田区", "墨田区", "全区の合計"]
    (row,) = comparison.rows
    assert [cell.shown.text for cell in row.cells] == ["75.0", "—", "83.3"]  # 5 of 6 together
    assert row.cells[1].shown.reason_text == FEW
    cards = comparison.cards
    assert [column.label for column, _pairs in cards] == ["大田区", "墨田区", "全区の合計"]


def test_an_officer_compares_only_their_ward_and_the_total():
    reader = officer()
    comparison = selectors.comparison(
        reader, query(ward=[OTA, SUMIDA], indicator="M1.P1"), today=TODAY()
    )
    assert [c.label for c in comparison.columns] == ["大田区", "全区の合計"]
    assert comparison.problems
    assert "外しました" in comparison.problems[0]
    default = selectors.comparison(reader, query(), today=TODAY())
    assert [c.label for c in default.columns] == ["大田区", "全区の合計"]
    assert len(default.rows) == 18


def test_every_indicator_for_many_wards_keeps_the_first_ones():
    codes = list(Municipality.objects.order_by("code").values_list("code", flat=True)[:8])
    comparison = selectors.comparison(metro(), query(ward=codes, indicator="M3.P1"), today=TODAY())
    assert len(comparison.columns) == 9
    capped = selectors.comparison(metro(), query(ward=codes, fy="abc"), today=TODAY())
    assert len(capped.columns) == selectors.MAX_WARDS_ALL_INDICATORS + 1
    assert len(capped.problems) == 2


def test_an_unknown_indicator_compares_every_indicator_with_a_message():
    comparison = selectors.comparison(metro(), query(indicator="M9.XYZ"), today=TODAY())
    assert comparison.code == ""
    assert len(comparison.rows) == 18
    assert comparison.problems


# --- targets -----------------------------------------------------------------------


def test_the_targets_page_is_only_for_the_wards_officers():
    reader = officer()
    assert selectors.officer_ward(reader, "") == ward(OTA)
    assert selectors.officer_ward(reader, OTA) == ward(OTA)
    with pytest.raises(Http404):
        selectors.officer_ward(reader, SUMIDA)
    with pytest.raises(Http404):
        selectors.officer_ward(metro(), "")
    rows = selectors.target_rows(reader, ward(OTA))
    assert len(rows) == 18
    assert all(r.own is None for r in rows)
