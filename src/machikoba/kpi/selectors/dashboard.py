"""What the dashboard pages show: the filters read from a query string (a bad value falls
back with a message, never an error), the three measures as KGI → KSI → outcome → outputs
trees, one indicator with its definition and its trend by fiscal year, and the wards side
by side. Who may read which wards is ``Reader``'s business (``selectors.figures``); the
records behind a figure are ``selectors.drilldown``'s."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404, QueryDict
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from machikoba.companies.models import ProcessCategory
from machikoba.core.access import VIEW
from machikoba.core.fiscal import fiscal_year_bounds
from machikoba.kpi.choices import Level, Light, Reason, SnapshotKind, Unit
from machikoba.kpi.computations.base import SIZE_BANDS
from machikoba.kpi.evaluation import (
    Result,
    current_definitions,
    evaluate,
    scope_for,
    this_fiscal_year,
)
from machikoba.kpi.models import Definition, Publication, Snapshot, Target
from machikoba.kpi.selectors.figures import (
    DASH,
    MIN_COMPANIES,
    Reader,
    Shown,
    figures_for,
    format_value,
    readable_wards,
    shown,
    trees,
)
from machikoba.wards.models import Municipality

FIRST_FISCAL_YEAR = 2000
YEARS_OFFERED = 10
TREND_YEARS = 5
ALL_WARDS = "all"
CODE_LENGTH = 6  # a municipality's code (地方公共団体コード)
# Comparing every indicator costs one computation per indicator and ward: past this many
# wards, the comparison of every indicator keeps the first ones (a single indicator may
# compare every ward).
MAX_WARDS_ALL_INDICATORS = 6
# A stored snapshot keeps the number of companies behind a figure, not the size of its
# smallest group: figures suppressed by group size are computed again instead.
GROUPED_COMPUTATIONS = frozenset({"recipient_growth_gap"})
SIZE_LABELS = {
    "1-9": gettext_lazy("1〜9人"),
    "10-29": gettext_lazy("10〜29人"),
    "30-": gettext_lazy("30人以上"),
}
LIGHT_CLASSES: dict[str, str] = {
    Light.GREEN: "bg-green-50 text-success-2",
    Light.AMBER: "bg-yellow-50 text-warning-orange-2",
    Light.RED: "bg-red-50 text-error-2",
    Light.NONE: "bg-solid-gray-50 text-solid-gray-600",
}


@dataclass
class Filters:
    """The scope a page shows: fiscal year, ward (None: every ward together) and company
    filters; ``problems`` says what was asked for and could not be used."""

    year: int
    ward: Municipality | None
    size: str = ""
    process: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def wards(self) -> tuple[int, ...] | None:
        return (self.ward.pk,) if self.ward is not None else None

    @property
    def ward_param(self) -> str:
        return self.ward.code if self.ward is not None else ALL_WARDS

    @property
    def filtered(self) -> bool:
        return bool(self.size or self.process)

    @property
    def query(self) -> str:
        """The query string that shows the same scope on another page."""
        params: dict[str, str | int] = {"fy": self.year, "ward": self.ward_param}
        if self.size:
            params["size"] = self.size
        if self.process:
            params["process"] = self.process
        return urlencode(params)


def _year(raw: str, today: dt.date, problems: list[str]) -> int:
    current = this_fiscal_year(today)
    raw = raw.strip()
    if not raw:
        return current
    if not raw.isascii() or not raw.isdigit() or len(raw) != 4:
        problems.append(
            _("年度は「2025」のように西暦の4桁で指定してください。今年度を表示しています。")
        )
        return current
    year = int(raw)
    if not FIRST_FISCAL_YEAR <= year <= current:
        problems.append(
            _("%(first)s年度から今年度までの年度を指定してください。今年度を表示しています。")
            % {"first": FIRST_FISCAL_YEAR}
        )
        return current
    return year


def default_ward(reader: Reader) -> Municipality | None:
    """An officer starts with their (first) ward, the metro viewer with every ward."""
    if reader.officer_wards:
        return Municipality.objects.filter(pk=reader.officer_wards[0]).first()
    return None


def _ward(reader: Reader, raw: str, problems: list[str]) -> Municipality | None:
    raw = raw.strip()
    if not raw:
        return default_ward(reader)
    if raw == ALL_WARDS:
        return None
    exact = raw.isascii() and raw.isdigit() and len(raw) == CODE_LENGTH
    ward = readable_wards(reader).filter(code=raw).first() if exact else None
    if ward is None:
        problems.append(_("指定の区の数字は表示できません。見られる区を表示しています。"))
        return default_ward(reader)
    return ward


def top_processes() -> list[ProcessCategory]:
    """The industry filter: the top of the process taxonomy."""
    return list(
        ProcessCategory.objects.for_user(None, VIEW)
        .filter(parent__isnull=True, is_active=True)
        .order_by("sort_order", "code")
    )


def filters_from(reader: Reader, params: QueryDict, *, today: dt.date) -> Filters:
    """The filters of a dashboard page's query string (``fy``, ``ward``, ``size``,
    ``process``); anything unusable is replaced by its default and reported."""
    problems: list[str] = []
    year = _year(params.get("fy", ""), today, problems)
    ward = _ward(reader, params.get("ward", ""), problems)
    size = params.get("size", "").strip()
    if size and size not in SIZE_BANDS:
        problems.append(_("従業員規模の指定が正しくないため、絞り込まずに表示しています。"))
        size = ""
    process = params.get("process", "").strip()
    if process and process not in {p.code for p in top_processes()}:
        problems.append(_("業種の指定が正しくないため、絞り込まずに表示しています。"))
        process = ""
    return Filters(year, ward, size, process, problems)


def year_choices(selected: int, today: dt.date) -> list[int]:
    current = this_fiscal_year(today)
    years = list(range(current, max(FIRST_FISCAL_YEAR, current - YEARS_OFFERED + 1) - 1, -1))
    if selected not in years:
        years.append(selected)
    return years


def ward_choices(reader: Reader) -> list[tuple[str, str]]:
    choices = [(ALL_WARDS, _("全区の合計"))]
    choices += [(w.code, w.display_name) for w in readable_wards(reader)]
    return choices


def size_choices() -> list[tuple[str, str]]:
    return [(key, str(SIZE_LABELS.get(key, key))) for key in SIZE_BANDS]


@dataclass
class Item:
    """One indicator on a page: what the reader may see of it, and how to draw it."""

    shown: Shown
    filters_ignored: bool = False

    @property
    def code(self) -> str:
        return self.shown.code

    @property
    def name(self) -> str:
        return self.shown.definition.display_name

    @property
    def level_text(self) -> str:
        return str(Level(self.shown.definition.indicator.level).label)

    @property
    def light_class(self) -> str:
        return LIGHT_CLASSES.get(self.shown.light, LIGHT_CLASSES[Light.NONE])

    @property
    def expected_text(self) -> str:
        if self.shown.hidden or self.shown.result.expected is None:
            return DASH
        return format_value(self.shown.result.expected, self.shown.definition.unit)

    @property
    def progress_text(self) -> str:
        progress = self.shown.progress
        return DASH if progress is None else f"{progress:.0f}"

    @property
    def expected_progress_text(self) -> str:
        expected = self.shown.expected_progress
        return DASH if expected is None else f"{expected:.0f}"

    @property
    def chart(self) -> bool:
        return self.shown.progress is not None


def _item(value: Shown, filtered: bool) -> Item:
    return Item(value, filtered and not value.result.figure.filters_apply)


@dataclass
class MeasureView:
    measure: int
    label: str
    kgi: Item | None
    ksi: Item | None
    outcome: Item | None
    outputs: list[Item]


@dataclass
class Dashboard:
    filters: Filters
    measures: list[MeasureView]
    as_of: dt.date
    current: bool


def dashboard(reader: Reader, filters: Filters, *, today: dt.date) -> Dashboard:
    """Every indicator of the filters' scope, as the three measures' trees."""
    if not reader.may_read(filters.wards):
        raise Http404
    items = figures_for(
        reader.companies,
        year=filters.year,
        wards=filters.wards,
        today=today,
        size=filters.size,
        process=filters.process,
    )

    def wrap(value: Shown | None) -> Item | None:
        return _item(value, filters.filtered) if value is not None else None

    measures = [
        MeasureView(
            tree.measure,
            tree.label,
            wrap(tree.kgi),
            wrap(tree.ksi),
            wrap(tree.outcome),
            [_item(o, filters.filtered) for o in tree.outputs],
        )
        for tree in trees(items)
    ]
    last = fiscal_year_bounds(filters.year)[1]
    return Dashboard(filters, measures, min(today, last), today <= last)


# --- one indicator -----------------------------------------------------------------


def definition_of(code: str) -> Definition:
    """The current definition of the indicator ``code``; 404 for an unknown code."""
    for definition in current_definitions():
        if definition.indicator.code == code:
            return definition
    raise Http404


@dataclass(frozen=True)
class TrendPoint:
    year: int
    value: Decimal | None
    text: str
    reason: str
    stored: bool  # read from the year's final snapshot (else computed now)


@dataclass
class IndicatorPage:
    item: Item
    result: Result
    filters: Filters
    trend: list[TrendPoint]
    as_of: dt.date
    current: bool

    @property
    def definition(self) -> Definition:
        return self.result.definition

    @property
    def numerator_text(self) -> str:
        return _plain_text(self.item.shown.numerator)

    @property
    def denominator_text(self) -> str:
        return _plain_text(self.item.shown.denominator)

    @property
    def baseline_text(self) -> str:
        return format_value(self.result.goal.baseline, self.definition.unit)

    @property
    def trend_data(self) -> dict[str, object]:
        """The trend for the chart script (``json_script``)."""
        return {
            "years": [str(point.year) for point in self.trend],
            # One decimal, as the page prints figures (the chart labels its points).
            "values": [
                round(float(p.value), 1) if p.value is not None else None for p in self.trend
            ],
            "target": float(self.result.goal.target) if self.result.goal.target else None,
            "unit": self.item.shown.unit_text,
        }


def _plain_text(number: Decimal | None) -> str:
    if number is None:
        return DASH
    if number == number.to_integral_value():
        return format_value(number, Unit.COUNT)
    return format_value(number, Unit.PERCENT)


def _snapshot_point(snapshot: Snapshot, definition: Definition) -> TrendPoint | None:
    """A year's stored final figure, or None when it must be computed again (a figure
    suppressed by the size of a group, which the snapshot does not keep)."""
    if definition.computation in GROUPED_COMPUTATIONS:
        return None
    few = 0 < snapshot.company_count < MIN_COMPANIES
    if few:
        return TrendPoint(snapshot.fiscal_year, None, DASH, str(Reason.FEW_COMPANIES.label), True)
    text = format_value(snapshot.value, definition.unit)
    reason = ""
    if snapshot.value is None and snapshot.reason in Reason.values:
        reason = str(Reason(snapshot.reason).label)
    return TrendPoint(snapshot.fiscal_year, snapshot.value, text, reason, True)


def trend(
    reader: Reader, definition: Definition, filters: Filters, *, today: dt.date
) -> list[TrendPoint]:
    """The last fiscal years up to the filters' year: the stored final snapshot of the
    definition's version where one exists (without company filters), else computed now."""
    first = max(FIRST_FISCAL_YEAR, filters.year - TREND_YEARS + 1)
    years = list(range(first, filters.year + 1))
    stored: dict[int, Snapshot] = {}
    if not filters.filtered:
        rows = Snapshot.objects.for_user(reader.user, VIEW).filter(
            definition=definition, fiscal_year__in=years, kind=SnapshotKind.FINAL
        )
        rows = (
            rows.filter(municipality=filters.ward)
            if filters.ward
            else rows.filter(municipality__isnull=True)
        )
        stored = {row.fiscal_year: row for row in rows}
    points = []
    for year in years:
        point = _snapshot_point(stored[year], definition) if year in stored else None
        if point is None:
            scope = scope_for(
                year, filters.wards, today=today, size=filters.size, process=filters.process
            )
            value = shown(evaluate(definition, scope), reader.companies)
            point = TrendPoint(year, value.value, value.text, value.reason_text, False)
        points.append(point)
    return points


def indicator_result(reader: Reader, code: str, filters: Filters, *, today: dt.date) -> Result:
    """One indicator in the filters' scope (404 for a scope the reader may not read)."""
    if not reader.may_read(filters.wards):
        raise Http404
    scope = scope_for(
        filters.year, filters.wards, today=today, size=filters.size, process=filters.process
    )
    return evaluate(definition_of(code), scope)


def indicator_page(reader: Reader, code: str, filters: Filters, *, today: dt.date) -> IndicatorPage:
    result = indicator_result(reader, code, filters, today=today)
    definition = result.definition
    item = _item(shown(result, reader.companies), filters.filtered)
    last = fiscal_year_bounds(filters.year)[1]
    return IndicatorPage(
        item,
        result,
        filters,
        trend(reader, definition, filters, today=today),
        min(today, last),
        today <= last,
    )


# --- wards side by side ------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    label: str
    ward: Municipality | None


@dataclass
class CompareRow:
    definition: Definition
    cells: list[Item]

    @property
    def code(self) -> str:
        return self.definition.indicator.code

    @property
    def name(self) -> str:
        return self.definition.display_name


@dataclass
class Comparison:
    year: int
    code: str
    columns: list[Column]
    rows: list[CompareRow]
    choices: list[Municipality]
    chosen: list[str]
    problems: list[str]
    as_of: dt.date

    @property
    def cards(self) -> list[tuple[Column, list[tuple[CompareRow, Item]]]]:
        """The same figures grouped by ward (a card each on a phone)."""
        return [
            (column, [(row, row.cells[index]) for row in self.rows])
            for index, column in enumerate(self.columns)
        ]


def comparison(reader: Reader, params: QueryDict, *, today: dt.date) -> Comparison:
    """The wards chosen (``ward`` repeated) side by side with every ward together, for
    one indicator (``indicator``) or all of them; each cell suppressed on its own."""
    problems: list[str] = []
    year = _year(params.get("fy", ""), today, problems)
    choices = list(readable_wards(reader))
    by_code = {ward.code: ward for ward in choices}
    asked = [code.strip() for code in params.getlist("ward") if code.strip()][:50]
    chosen = [by_code[code] for code in dict.fromkeys(asked) if code in by_code]
    if len(chosen) != len(set(asked)):
        problems.append(_("見られない区、または存在しない区の指定は外しました。"))
    if not asked:
        chosen = (
            choices[:2] if reader.is_metro else [w for w in choices if w.pk in reader.officer_wards]
        )
    definitions = current_definitions()
    code = params.get("indicator", "").strip()
    if code and code not in {d.indicator.code for d in definitions}:
        problems.append(_("指標の指定が正しくないため、すべての指標を表示しています。"))
        code = ""
    if code:
        definitions = [d for d in definitions if d.indicator.code == code]
    elif len(chosen) > MAX_WARDS_ALL_INDICATORS:
        problems.append(
            _(
                "すべての指標を比べられるのは%(count)s区までです。最初の%(count)s区を表示しています。"
                "多くの区を比べるときは指標を1つ選んでください。"
            )
            % {"count": MAX_WARDS_ALL_INDICATORS}
        )
        chosen = chosen[:MAX_WARDS_ALL_INDICATORS]
    columns = [Column(w.display_name, w) for w in chosen] + [Column(_("全区の合計"), None)]
    scopes = [scope_for(year, (c.ward.pk,) if c.ward else None, today=today) for c in columns]
    rows = [
        CompareRow(
            definition,
            [
                _item(shown(evaluate(definition, scope), reader.companies), False)
                for scope in scopes
            ],
        )
        for definition in definitions
    ]
    last = fiscal_year_bounds(year)[1]
    return Comparison(
        year, code, columns, rows, choices, [w.code for w in chosen], problems, min(today, last)
    )


# --- a ward's own targets ----------------------------------------------------------


def officer_ward(reader: Reader, raw: str) -> Municipality:
    """The ward whose targets the page sets: one the reader serves as an officer (the
    first by default); 404 for anyone else's."""
    wards = Municipality.objects.filter(pk__in=reader.officer_wards).order_by("code")
    raw = raw.strip()
    ward = wards.filter(code=raw).first() if raw else wards.first()
    if ward is None:
        raise Http404
    return ward


@dataclass
class TargetRow:
    definition: Definition
    own: Target | None

    @property
    def code(self) -> str:
        return self.definition.indicator.code

    @property
    def paper_target_text(self) -> str:
        return format_value(self.definition.target, self.definition.unit)

    @property
    def paper_baseline_text(self) -> str:
        return format_value(self.definition.baseline, self.definition.unit)

    @property
    def unit_text(self) -> str:
        return str(Unit(self.definition.unit).label)

    @property
    def initial(self) -> dict[str, str]:
        if self.own is None:
            return {}
        return {
            "target": _plain(self.own.target),
            "target_year": str(self.own.target_year or ""),
            "baseline": _plain(self.own.baseline),
            "baseline_year": str(self.own.baseline_year or ""),
        }


def _plain(number: Decimal | None) -> str:
    if number is None:
        return ""
    return format(number.normalize(), "f")


def target_rows(reader: Reader, ward: Municipality) -> list[TargetRow]:
    own = {
        t.indicator_id: t
        for t in Target.objects.for_user(reader.user, VIEW).filter(municipality=ward)
    }
    return [TargetRow(d, own.get(d.indicator_id)) for d in current_definitions()]


def publication_of(reader: Reader, ward: Municipality) -> Publication | None:
    return Publication.objects.for_user(reader.user, VIEW).filter(municipality=ward).first()
