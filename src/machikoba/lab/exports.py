"""The lab's statistics as a file: a CSV (UTF-8 with a BOM, one section per table, a blank
line between them) or an Excel workbook (one sheet per table), Japanese headers. Built
from the page object (``selectors.stats.LabStats``) alone, so the file shows what the page
shows: counts, hours and rates; no company name but an item's exhibitor; no price.

Text cells go through ``core.exports.csv_safe`` (an item or event name is typed by
someone else and must not become a formula in an officer's spreadsheet)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from machikoba.core.dates import format_date
from machikoba.core.exports import SPREADSHEET_TYPES, csv_safe, csv_writer
from machikoba.core.fiscal import fiscal_year_label
from machikoba.lab.selectors.stats import LabStats

EXPORT_FORMATS = ("csv", "xlsx")
# Characters Excel refuses in a sheet's name.
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "・"))


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[Any]]


def _blank(value: float | None) -> Any:
    """A figure, or an empty cell where there is none (no open hours, nobody registered)."""
    return "" if value is None else value


def definitions() -> list[tuple[str, str]]:
    """What each figure counts, as the page's legend says it."""
    return [
        (
            _("入館 (延べ)"),
            _(
                "入退館の記録のうち「入館」の件数。同じ人が同じ日に2回入館すれば2件。"
                "受付で記録したアカウントのない来館者、イベントへの来場も含みます。"
                "入館できなかった記録と退館の記録は数えません。"
            ),
        ),
        (
            _("予約の利用"),
            _("利用中・利用済みになった予約の件数 (ベンダーのデモの枠の予約を含みます)。"),
        ),
        (
            _("延べ利用者数"),
            _(
                "入館 (延べ) に、入館の記録がない日に予約を利用した人を1人・1日につき1と"
                "して加えた数 (KPI: 町工場DXラボ 年間利用者数)。入館した日の予約の利用は"
                "入館で数えているため、二重には数えません。"
            ),
        ),
        (
            _("利用企業数 (実数)"),
            _(
                "入館 (来館者の登録企業を含む) と予約の利用の企業の数。月ごと・年度ごとに"
                "1社を1と数えます。"
            ),
        ),
        (
            _("稼働率"),
            _(
                "利用時間 ÷ (期間の開館時間 × 同時に予約できる数)。デモの枠は予約の数に"
                "かかわらず1回として数えます。今年度は今日までの開館時間です。"
            ),
        ),
        (
            _("講習の修了"),
            _("修了日が年度内の修了記録の件数。取り消された記録は数えません。"),
        ),
        (
            _("イベント"),
            _(
                "年度内に開催した (受付中の状態で開始時刻を過ぎた) イベント。申込みは"
                "キャンセル待ち・キャンセルを除く数、出席率 = 出席 ÷ 申込み。"
            ),
        ),
        (
            _("マッチング"),
            _(
                "区のマッチングのうち、合意日が年度内で成立したもの。デジタル仲間まわしの"
                "初めての取引は、区の企業が関わる初めての受注の件数です。"
            ),
        ),
    ]


def stats_tables(stats: LabStats) -> list[Table]:
    """The statistics as tables: a summary, then one table per section of the page."""
    summary = Table(
        _("概要"),
        [_("項目"), _("値")],
        [
            [_("ラボ"), stats.lab.name],
            [_("年度"), fiscal_year_label(stats.fiscal_year, get_language() or "ja")],
            [
                _("集計期間"),
                f"{format_date(stats.first_day)}〜{format_date(stats.period_end)}",
            ],
            [_("延べ利用者数"), stats.visits],
            [_("入館 (延べ)"), stats.entries],
            [_("予約の利用"), stats.bookings_used],
            [_("利用企業数 (実数)"), stats.companies],
            [_("講習の修了 (件)"), stats.training_passes],
            [_("イベント開催数"), stats.events_held],
            [_("マッチング成立 (ラボ・イベント)"), stats.matchings_total],
            [_("デジタル仲間まわしの初めての取引"), _blank(stats.network_first_awards)],
            *[[f"{_('定義')}: {name}", text] for name, text in definitions()],
        ],
    )
    months = Table(
        _("月別の利用"),
        [
            _("月"),
            _("入館 (延べ)"),
            _("予約の利用"),
            _("うち入館記録のない日の利用 (人・日)"),
            _("延べ利用者数"),
            _("利用企業数 (実数)"),
        ],
        [
            [
                f"{m.month:%Y-%m}",
                m.entries,
                m.bookings_used,
                m.bookings_without_entry,
                m.visits,
                m.companies,
            ]
            for m in stats.months
        ]
        + [
            [
                _("年度計"),
                stats.entries,
                stats.bookings_used,
                stats.bookings_without_entry,
                stats.visits,
                stats.companies,
            ]
        ],
    )
    items = Table(
        _("機器の稼働率"),
        [
            _("機器・ソフトウェア"),
            _("種類"),
            _("出展ベンダー"),
            _("同時に予約できる数"),
            _("利用時間 (時間)"),
            _("開館時間 (時間)"),
            _("稼働率 (%)"),
            _("予約の利用 (件)"),
            _("無断キャンセル (件)"),
        ],
        [
            [
                i.name,
                i.kind,
                i.exhibitor,
                i.capacity,
                i.hours_used,
                i.open_hours,
                _blank(i.utilisation),
                i.bookings_used,
                i.no_shows,
            ]
            for i in stats.items
        ],
    )
    trainings = Table(
        _("講習の修了"),
        [_("講習"), _("修了 (件)"), _("修了者 (人)")],
        [[t.name, t.passes, t.people] for t in stats.trainings],
    )
    events = Table(
        _("イベントの参加"),
        [
            _("イベント"),
            _("種類"),
            _("開催日"),
            _("定員"),
            _("申込み"),
            _("出席"),
            _("出席率 (%)"),
            _("アンケート回答数"),
            _("アンケートの平均 (5点満点)"),
        ],
        [
            [
                e.title,
                e.kind,
                format_date(timezone.localtime(e.starts_at).date()),
                e.capacity,
                e.registered,
                e.attended,
                _blank(e.attendance_rate),
                e.surveys,
                _blank(e.survey_average),
            ]
            for e in stats.events
        ],
    )
    matchings = Table(
        _("マッチング"),
        [_("きっかけ"), _("成立件数")],
        [[m.label, m.count] for m in stats.matchings]
        + [
            [_("デジタル仲間まわし (初めての取引)"), _blank(stats.network_first_awards)],
            [_("合計"), stats.matchings_with_network],
        ],
    )
    follow = stats.follow_ups
    follow_ups = Table(
        _("3か月後の確認"),
        [_("回答"), _("件数")],
        [
            [_("取引・導入につながった"), follow.yes],
            [_("検討・交渉中"), follow.in_progress],
            [_("つながらなかった"), follow.no],
            [_("未回答 (確認日を過ぎたもの)"), follow.unanswered],
            [_("確認日がまだ来ていない"), follow.not_due],
        ],
    )
    return [summary, months, items, trainings, events, matchings, follow_ups]


def _csv(tables: Sequence[Table]) -> bytes:
    out = io.StringIO()
    writer = csv_writer(out)
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([f"■ {table.title}"])
        writer.writerow(table.header)
        writer.writerows(table.rows)
    # The BOM makes Excel read the file as UTF-8 instead of Shift_JIS.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(tables: Sequence[Table]) -> bytes:
    from openpyxl import Workbook  # loaded only when a workbook is asked for
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(table.title.translate(_SHEET_FORBIDDEN)[:31])
        sheet.freeze_panes = "A2"
        sheet.column_dimensions[get_column_letter(1)].width = 36
        for column in range(2, len(table.header) + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 14
        for line in (table.header, *table.rows):
            cells = []
            for value in line:
                cell = WriteOnlyCell(sheet, value=csv_safe(value))
                if isinstance(value, str):
                    cell.data_type = "s"  # stored as text: never reinterpreted
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def stats_file(stats: LabStats, file_format: str) -> tuple[bytes, str]:
    """The statistics as a ``csv`` or ``xlsx`` file, and its content type."""
    tables = stats_tables(stats)
    if file_format == "csv":
        return _csv(tables), SPREADSHEET_TYPES["csv"]
    if file_format == "xlsx":
        return _xlsx(tables), SPREADSHEET_TYPES["xlsx"]
    raise ValueError(f"unknown export format {file_format!r}")


def stats_filename(stats: LabStats, file_format: str) -> str:
    return _("ラボの統計_%(lab)s_%(year)s年度.%(ext)s") % {
        "lab": stats.lab.name,
        "year": stats.fiscal_year,
        "ext": file_format,
    }
