"""The annual KPI report for a ward's council (KPI年次報告) as an A4 PDF in Japanese, the
IPAexGothic font embedded (``core.pdf``): the fiscal year in 和暦, the day it was computed,
then each measure as KGI → KSI → outcome → outputs (value, target, traffic light,
numerator / denominator, the formula), a bullet chart of progress to target and the trend
of each indicator over the last five fiscal years, drawn with ``reportlab.graphics``.

It reads the figures as the reader sees them (``selectors.figures``): a figure from fewer
than 3 companies prints "—" and its reason, never its number; no company is named. A year
without records still gives a report, every figure "—" with its reason. The trend is
computed from the records for each year (the same suppression applies), not read from
stored snapshots, which keep no list of the companies behind a figure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from machikoba.core.dates import format_date, format_datetime
from machikoba.core.fiscal import (
    fiscal_year_bounds,
    fiscal_year_label,
    wareki_date,
    wareki_fiscal_year,
)
from machikoba.core.pdf import FONT, a4_document, grid, register_pdf_font, styles
from machikoba.kpi.choices import Level, Light
from machikoba.kpi.exports import ward_label
from machikoba.kpi.selectors.figures import DASH, Reader, Shown, figures_for, format_value, trees
from machikoba.wards.models import Municipality

TREND_YEARS = 5
LIGHT_COLOURS: dict[str, str] = {
    Light.GREEN: "#2E7D32",
    Light.AMBER: "#F9A825",
    Light.RED: "#C62828",
    Light.NONE: "#9E9E9E",
}
LIGHT_SHADES: dict[str, str] = {
    Light.GREEN: "#DCEFDC",
    Light.AMBER: "#FFF3CD",
    Light.RED: "#F8D7DA",
    Light.NONE: "#F2F2F2",
}
BAR = "#1F4E79"
GRID_GREY = "#BDBDBD"
PROGRESS_CAP = 150.0


@dataclass(frozen=True)
class AnnualReport:
    """What the report prints: this year's figures and the same indicators in each of the
    last five fiscal years (oldest first), as one reader sees them."""

    year: int
    ward: Municipality | None
    items: list[Shown]
    trend: dict[str, list[tuple[int, Shown]]]
    today: dt.date
    computed_at: dt.datetime

    @property
    def period(self) -> tuple[dt.date, dt.date] | None:
        """The days counted (None while the year has not begun)."""
        first, last = fiscal_year_bounds(self.year)
        last = min(last, self.today)
        return (first, last) if last >= first else None


def annual_report(
    reader: Reader, *, year: int, ward: Municipality | None, today: dt.date | None = None
) -> AnnualReport:
    """Every indicator of ``ward`` (None: every ward together) for ``year``, and their
    trend, computed now from the records."""
    today = today or timezone.localdate()
    wards = (ward.pk,) if ward is not None else None
    per_year: dict[int, list[Shown]] = {}
    for each in range(year - TREND_YEARS + 1, year + 1):
        per_year[each] = figures_for(reader.companies, year=each, wards=wards, today=today)
    trend: dict[str, list[tuple[int, Shown]]] = {}
    for each, items in per_year.items():
        for item in items:
            trend.setdefault(item.code, []).append((each, item))
    return AnnualReport(
        year=year,
        ward=ward,
        items=per_year[year],
        trend=trend,
        today=today,
        computed_at=timezone.now(),
    )


def _plain(value: Decimal | None) -> str:
    """A numerator or denominator: whole numbers grouped, others to one decimal."""
    if value is None:
        return DASH
    if value == value.to_integral_value():
        return number_format(value.quantize(Decimal(1)), 0, force_grouping=True)
    return number_format(value.quantize(Decimal("0.1"), ROUND_HALF_UP), 1, force_grouping=True)


def value_text(item: Shown) -> str:
    if item.value is None:
        return DASH
    return f"{item.text} {item.unit_text}"


def target_text(item: Shown) -> str:
    goal = item.result.goal
    if goal.target is None:
        return DASH
    text = f"{item.target_text} {item.unit_text}"
    if goal.target_year:
        text += " " + _("(%(year)s年度まで)") % {"year": goal.target_year}
    return text


def fraction_text(item: Shown) -> str:
    if item.hidden or item.numerator is None:
        return DASH
    if item.denominator is None:
        return _plain(item.numerator)
    return f"{_plain(item.numerator)} / {_plain(item.denominator)}"


def progress_text(item: Shown) -> str:
    """What the bullet chart writes beside a bar."""
    if item.value is None:
        return f"{DASH} {item.reason_text}"
    if item.progress is None:
        return _("目標なし")
    return _("目標の %(percent)s%%") % {"percent": f"{item.progress:.0f}"}


def _string(x: float, y: float, text: str, *, size: float = 7, **kw: Any) -> Any:
    from reportlab.graphics.shapes import String

    return String(x, y, text, fontName=FONT, fontSize=size, **kw)


def bullet_chart(items: list[Shown], width: float) -> Any:
    """Progress to target per indicator: a bar of the value in percent of the target
    (capped at 150 %), a line at the target (100 %) and a tick at the progress expected
    by now; "—" and the reason where there is no value."""
    from reportlab.graphics.shapes import Drawing, Line, Rect
    from reportlab.lib import colors

    register_pdf_font()
    label_w, text_w, row_h, axis_h = 44.0, 170.0, 15.0, 12.0
    chart_w = width - label_w - text_w
    height = row_h * len(items) + axis_h
    drawing = Drawing(width, height)

    def x_of(percent: float) -> float:
        return label_w + chart_w * max(0.0, min(PROGRESS_CAP, percent)) / PROGRESS_CAP

    for index, item in enumerate(items):
        y = height - (index + 1) * row_h
        drawing.add(_string(0, y + 5, item.code, size=7.5))
        band = {"strokeWidth": 0}
        drawing.add(Rect(label_w, y + 2, chart_w, 12, fillColor=colors.HexColor("#F2F2F2"), **band))
        drawing.add(
            Rect(
                label_w,
                y + 2,
                x_of(100) - label_w,
                12,
                fillColor=colors.HexColor("#E0E0E0"),
                **band,
            )
        )
        if item.progress is not None:
            colour = colors.HexColor(LIGHT_COLOURS.get(item.light, BAR))
            bar = x_of(item.progress) - label_w
            drawing.add(Rect(label_w, y + 5, bar, 6, fillColor=colour, strokeWidth=0))
        if item.expected_progress is not None:
            tick = x_of(item.expected_progress)
            drawing.add(
                Line(tick, y + 0.5, tick, y + 15.5, strokeColor=colors.black, strokeWidth=1)
            )
        target = x_of(100)
        drawing.add(Line(target, y + 2, target, y + 14, strokeColor=colors.black, strokeWidth=2))
        drawing.add(_string(label_w + chart_w + 6, y + 5, progress_text(item), size=6.5))
    for percent in (0, 50, 100, 150):
        drawing.add(_string(x_of(percent), 2, f"{percent}%", size=6, textAnchor="middle"))
    return drawing


def trend_chart(code: str, points: list[tuple[int, Shown]], width: float, height: float) -> Any:
    """One indicator over the fiscal years: a bar per year (its value written above, "—"
    without one), the target as a dashed line."""
    from reportlab.graphics.shapes import Drawing, Line, Rect
    from reportlab.lib import colors

    register_pdf_font()
    drawing = Drawing(width, height)
    unit = points[-1][1].unit_text if points else ""
    drawing.add(_string(2, height - 10, f"{code} ({unit})", size=7.5))
    values = [float(item.value) for _year, item in points if item.value is not None]
    target = points[-1][1].result.goal.target if points else None
    top = max([0.0, *values, float(target) if target is not None else 0.0])
    bottom = min([0.0, *values])
    if top == bottom:
        top = bottom + 1.0
    plot_bottom, plot_top = 20.0, height - 26.0
    left, right = 4.0, width - 4.0

    def y_of(value: float) -> float:
        return plot_bottom + (plot_top - plot_bottom) * (value - bottom) / (top - bottom)

    zero = y_of(0.0)
    slot = (right - left) / max(len(points), 1)
    for index, (year, item) in enumerate(points):
        centre = left + slot * (index + 0.5)
        drawing.add(_string(centre, 8, str(year), size=6, textAnchor="middle"))
        if item.value is None:
            drawing.add(_string(centre, zero + 3, DASH, size=7, textAnchor="middle"))
            continue
        y = y_of(float(item.value))
        drawing.add(
            Rect(
                centre - slot * 0.3,
                min(zero, y),
                slot * 0.6,
                abs(y - zero),
                fillColor=colors.HexColor(BAR),
                strokeWidth=0,
            )
        )
        label = format_value(item.value, item.definition.unit)
        drawing.add(_string(centre, max(zero, y) + 2, label, size=6, textAnchor="middle"))
    drawing.add(Line(left, zero, right, zero, strokeColor=colors.HexColor(GRID_GREY)))
    if target is not None:
        line = Line(left, y_of(float(target)), right, y_of(float(target)))
        line.strokeColor = colors.HexColor(LIGHT_COLOURS[Light.RED])
        line.strokeDashArray = [3, 2]
        drawing.add(line)
    return drawing


def _measure_table(items: list[Shown], style: Any) -> Any:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table

    tiny = ParagraphStyle("tiny", parent=style.small, fontSize=6.5, leading=8.5)

    def para(text: str, s: Any = None) -> Any:
        return Paragraph(text, s or style.small)

    rows: list[list[Any]] = [
        [
            para(_("区分")),
            para(_("指標・計算方法")),
            para(_("値")),
            para(_("目標")),
            para(_("状態")),
            para(_("分子 / 分母")),
        ]
    ]
    table_style = grid(font_size=8, shade="first_row")
    table_style.add("TOPPADDING", (0, 0), (-1, -1), 2)
    table_style.add("BOTTOMPADDING", (0, 0), (-1, -1), 2)
    for index, item in enumerate(items, start=1):
        definition = item.definition
        name = [
            para(f"<b>{escape(item.code)}</b> {escape(str(definition.display_name))}"),
            para(escape(str(definition.display_formula)), tiny),
        ]
        value = [para(escape(value_text(item)))]
        if item.value is None and item.reason_text:
            value.append(para(escape(str(item.reason_text)), tiny))
        rows.append(
            [
                para(escape(str(Level(definition.indicator.level).label))),
                name,
                value,
                para(escape(target_text(item))),
                para(escape(str(item.light_text))),
                para(escape(fraction_text(item))),
            ]
        )
        shade = colors.HexColor(LIGHT_SHADES.get(item.light, LIGHT_SHADES[Light.NONE]))
        table_style.add("BACKGROUND", (4, index), (4, index), shade)
    return Table(
        rows,
        colWidths=[18 * mm, 67 * mm, 24 * mm, 22 * mm, 16 * mm, 23 * mm],
        style=table_style,
        repeatRows=1,
    )


def _trend_grid(items: list[Shown], report: AnnualReport) -> Any:
    from reportlab.lib.units import mm
    from reportlab.platypus import Table, TableStyle

    cell_w, cell_h = 56 * mm, 27 * mm
    charts = [
        trend_chart(item.code, report.trend.get(item.code, []), cell_w - 2, cell_h - 2)
        for item in items
    ]
    rows = [charts[i : i + 3] for i in range(0, len(charts), 3)]
    rows[-1] += [""] * (3 - len(rows[-1]))
    return Table(
        rows,
        colWidths=[cell_w] * 3,
        rowHeights=[cell_h] * len(rows),
        style=TableStyle([("BOX", (0, 0), (-1, -1), 0.3, "#BDBDBD")]),
    )


def annual_report_pdf(report: AnnualReport) -> bytes:
    """The report as an A4 PDF, written in Japanese whatever the reader's language (it is
    the council's document)."""
    with translation.override("ja"):
        return _render(report)


def _overview_table(items: list[Shown], style: Any) -> Any:
    """Every indicator on one page: code, name, value, target and traffic light."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table

    def para(text: str) -> Any:
        return Paragraph(escape(text), style.small)

    rows: list[list[Any]] = [
        [para(_("コード")), para(_("指標")), para(_("値")), para(_("目標")), para(_("状態"))]
    ]
    table_style = grid(font_size=8, shade="first_row")
    for index, item in enumerate(items, start=1):
        value = value_text(item)
        if item.value is None and item.reason_text:
            value += f" ({item.reason_text})"
        rows.append(
            [
                para(item.code),
                para(str(item.definition.display_name)),
                para(value),
                para(target_text(item)),
                para(str(item.light_text)),
            ]
        )
        shade = colors.HexColor(LIGHT_SHADES.get(item.light, LIGHT_SHADES[Light.NONE]))
        table_style.add("BACKGROUND", (4, index), (4, index), shade)
    return Table(
        rows,
        colWidths=[16 * mm, 78 * mm, 36 * mm, 24 * mm, 16 * mm],
        style=table_style,
        repeatRows=1,
    )


def _render(report: AnnualReport) -> bytes:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, Spacer, Table

    style = styles()
    heading = ParagraphStyle("heading", parent=style.body, fontSize=13, leading=19)
    subheading = ParagraphStyle("subheading", parent=style.body, fontSize=10.5, leading=15)
    title = _("%(year)s DX推進施策 KPI年次報告") % {"year": wareki_fiscal_year(report.year)}
    period = report.period
    period_text = (
        f"{format_date(period[0])} 〜 {format_date(period[1])}"
        if period is not None
        else _("この年度はまだ始まっていません")
    )
    summary = [
        [_("対象"), ward_label(report.ward)],
        [_("年度"), fiscal_year_label(report.year, "ja")],
        [_("集計の期間"), period_text],
        [
            _("集計日"),
            f"{wareki_date(report.today)} ({_('計算日時')} {format_datetime(report.computed_at)})",
        ],
    ]
    story: list[Any] = [
        Paragraph(escape(title), style.title),
        Spacer(1, 4 * mm),
        Table(
            [[label, Paragraph(escape(str(value)), style.body)] for label, value in summary],
            colWidths=[32 * mm, 138 * mm],
            style=grid(),
        ),
        Spacer(1, 3 * mm),
        Paragraph(
            escape(
                _(
                    "各指標は記録から計算した値です。状態は、目標に向けて今の時点で必要な値と"
                    "比べた判定です (順調・やや遅れ・遅れ、目標や値がなければ判定なし)。"
                    "3社未満の企業から計算した数字は、企業が特定されないよう「—」と表示し、"
                    "理由を添えています。値がない指標も「—」と理由を示しています。"
                )
            ),
            style.small,
        ),
        Spacer(1, 4 * mm),
        Paragraph(escape(_("指標の一覧")), heading),
        Spacer(1, 2 * mm),
    ]
    if report.items:
        story.append(_overview_table(report.items, style))
    else:
        story.append(Paragraph(escape(_("指標が登録されていません。")), style.body))
    width = 170 * mm
    for tree in trees(report.items):
        items = tree.all
        story += [
            PageBreak(),
            Paragraph(escape(str(tree.label)), heading),
            Spacer(1, 2 * mm),
            _measure_table(items, style),
            Spacer(1, 4 * mm),
            Paragraph(escape(_("目標に対する進み具合")), subheading),
            Paragraph(
                escape(
                    _(
                        "棒: 目標に対する値の割合 (150%まで)。太い縦線: 目標 (100%)。"
                        "細い縦線: 今の時点で目標に沿うために必要な値。"
                    )
                ),
                style.small,
            ),
            Spacer(1, 2 * mm),
            bullet_chart(items, width),
            Spacer(1, 4 * mm),
            Paragraph(
                escape(_("年度ごとの推移 (直近%(n)s年度)") % {"n": TREND_YEARS}),
                subheading,
            ),
            Paragraph(
                escape(_("棒: 各年度の値 (「—」は値がない年度)。点線: 目標。")),
                style.small,
            ),
            Spacer(1, 2 * mm),
            _trend_grid(items, report),
        ]
    story += [
        Spacer(1, 6 * mm),
        Paragraph(
            escape(
                _("作成日: %(date)s ・ machikoba KPIダッシュボード")
                % {"date": format_date(report.today)}
            ),
            style.small,
        ),
    ]
    return a4_document(story, title=title)
