"""The records behind a figure (the drill-down), as much as the reader may see of them.

- A figure suppressed for the reader (from 1 or 2 companies) shows nothing but its
  reason: no row, no count.
- An officer of the figure's ward sees the records the ward holds (survey answers,
  graduations, advisor engagements, subsidy applications, completion reports, events,
  projects, matchings recorded at the lab) one by one with the company's name, and lab
  entries and bookings counted per company.
- Records confidential between companies (network matchings, joint orders, quotes and
  orders, a company's activity in the network) are only counted, by month or by kind of
  activity: never a pair of companies, a price or a drawing.
- The metro viewer, and an officer reading every ward together, see counts only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from machikoba.companies.models import Company
from machikoba.core.access import SUPPORT, VIEW
from machikoba.kpi.choices import Reason
from machikoba.kpi.computations.base import Record
from machikoba.kpi.evaluation import Result
from machikoba.kpi.selectors.figures import Reader, suppressed

# Kinds of record the network keeps between companies: counted, never listed.
CONFIDENTIAL_KINDS = frozenset(
    {"network", "joint_order", "rfq", "order", "company", "job", "board"}
)
# Kinds counted per company rather than listed one by one (a lab visit each).
PER_COMPANY_KINDS = frozenset({"entry", "booking"})
KIND_LABELS = {
    "survey": gettext_lazy("企業調査の回答"),
    "graduation": gettext_lazy("修了"),
    "engagement": gettext_lazy("アドバイザー派遣"),
    "application": gettext_lazy("補助金の申請"),
    "completion_report": gettext_lazy("事業完了報告"),
    "entry": gettext_lazy("ラボへの入館"),
    "booking": gettext_lazy("ラボの予約の利用 (入館記録のない日)"),
    "event": gettext_lazy("イベント・セミナー"),
    "project": gettext_lazy("連携プロジェクト"),
    "joint_order": gettext_lazy("共同受注"),
    "network": gettext_lazy("ネットワークでの初めての取引"),
    "lab": gettext_lazy("ラボ・イベントでのマッチング"),
    "company": gettext_lazy("ネットワークへの参加"),
}
# What a record's label or detail code means (other text is shown as it is).
DETAIL_LABELS = {
    "no_employees": gettext_lazy("従業員数の回答がないため計算に使っていません"),
    "no_figures": gettext_lazy("売上高などの回答が足りないため計算に使っていません"),
    "subsidy": gettext_lazy("1年以内に補助金を申請"),
    "follow_up": gettext_lazy("1年以内に投資したとフォローアップで回答"),
    "none": gettext_lazy("1年以内の投資の記録なし"),
    "recipient": gettext_lazy("補助金の交付先"),
    "other": gettext_lazy("補助金を受けていない企業"),
}
# A company's activity in the network (the detail of an M3.P2 record).
ACTIVITY_LABELS = {
    "job": gettext_lazy("案件を掲載"),
    "rfq": gettext_lazy("見積の依頼を受けた"),
    "order": gettext_lazy("発注・受注"),
    "board": gettext_lazy("掲示板・チームに参加"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def detail_label(text: str) -> str:
    return str(DETAIL_LABELS.get(text, text))


@dataclass(frozen=True)
class Row:
    """One record the ward holds, with its company."""

    day: dt.date | None
    kind: str
    company_id: int | None
    company_name: str
    linkable: bool  # the company's ward-office page is the reader's to open
    label: str
    detail: str
    counted: bool

    @property
    def kind_text(self) -> str:
        return kind_label(self.kind)


@dataclass(frozen=True)
class Tally:
    """Lab visits of one company (or of visitors of no company)."""

    company_id: int | None
    company_name: str
    linkable: bool
    kind: str
    count: int

    @property
    def kind_text(self) -> str:
        return kind_label(self.kind)


@dataclass(frozen=True)
class Bucket:
    """A count of records of one kind in one month (``month`` None: records without a
    date), in the numerator (``counted``) or only in the denominator (``others``)."""

    month: dt.date | None
    label: str
    counted: int
    others: int

    @property
    def total(self) -> int:
        return self.counted + self.others


@dataclass
class DrillDown:
    hidden: bool
    reason: str = ""
    detailed: bool = False
    rows: list[Row] = field(default_factory=list)
    tallies: list[Tally] = field(default_factory=list)
    buckets: list[Bucket] = field(default_factory=list)
    confidential: bool = False  # some records were only counted: confidential between companies
    share: bool = False  # the figure is a share: records outside the numerator count too
    partial: bool = False  # some records are not counted (the denominator's, a repeat)

    @property
    def empty(self) -> bool:
        return not (self.rows or self.tallies or self.buckets)


def _names(reader: Reader, ids: set[int]) -> tuple[dict[int, str], set[int]]:
    """The names of the companies ``ids`` the reader may see, and those whose ward-office
    page the reader may open."""
    if not ids:
        return {}, set()
    seen = Company.objects.for_user(reader.user, VIEW).filter(pk__in=ids)
    supported = Company.objects.for_user(reader.user, SUPPORT).filter(pk__in=ids)
    names = dict(seen.values_list("pk", "name"))
    linkable = dict(supported.values_list("pk", "name"))
    names.update(linkable)
    return names, set(linkable)


def _month(day: dt.date | None) -> dt.date | None:
    return day.replace(day=1) if day is not None else None


def _bucket_label(record: Record) -> str:
    if record.kind == "company":
        return str(ACTIVITY_LABELS.get(record.detail, KIND_LABELS["company"]))
    return kind_label(record.kind)


def _buckets(records: list[Record]) -> list[Bucket]:
    counted: Counter[tuple[dt.date | None, str]] = Counter()
    others: Counter[tuple[dt.date | None, str]] = Counter()
    for record in records:
        key = (_month(record.day), _bucket_label(record))
        (counted if record.counted else others)[key] += 1
    keys = sorted(
        set(counted) | set(others), key=lambda k: (k[0] is None, k[0] or dt.date.min, k[1])
    )
    return [
        Bucket(month, label, counted[(month, label)], others[(month, label)])
        for month, label in keys
    ]


def drilldown(reader: Reader, result: Result, ward_id: int | None) -> DrillDown:
    """The records behind ``result`` (a figure of the ward ``ward_id``, None for every ward
    together) as ``reader`` may see them."""
    figure = result.figure
    share = figure.denominator is not None
    partial = any(not r.counted for r in figure.records)
    if suppressed(result, reader.companies):
        return DrillDown(hidden=True, reason=str(Reason.FEW_COMPANIES.label))
    detailed = reader.sees_records_of(ward_id)
    listed: list[Record] = []
    tallied: list[Record] = []
    counted_only: list[Record] = []
    for record in figure.records:
        if not detailed or record.kind in CONFIDENTIAL_KINDS:
            counted_only.append(record)
        elif record.kind in PER_COMPANY_KINDS:
            tallied.append(record)
        else:
            listed.append(record)
    ids = {r.company for r in listed + tallied if r.company is not None}
    names, linkable = _names(reader, ids)
    unnamed = _("(企業名は表示できません)")

    def name_of(company: int | None) -> str:
        if company is None:
            return ""
        return names.get(company, unnamed)

    rows = [
        Row(
            r.day,
            r.kind,
            r.company,
            name_of(r.company),
            r.company in linkable,
            "" if r.label == r.kind else detail_label(r.label),
            detail_label(r.detail),
            r.counted,
        )
        for r in listed
    ]
    rows.sort(key=lambda row: (row.day is None, row.day or dt.date.min, row.company_name))
    per_company = Counter((r.company, r.kind) for r in tallied)
    tallies = [
        Tally(
            company,
            name_of(company) if company is not None else _("企業に属さない来館者"),
            company in linkable,
            kind,
            count,
        )
        for (company, kind), count in per_company.items()
    ]
    tallies.sort(key=lambda t: (-t.count, t.company_name, t.kind))
    return DrillDown(
        hidden=False,
        detailed=detailed,
        rows=rows,
        tallies=tallies,
        buckets=_buckets(counted_only),
        confidential=detailed and any(r.kind in CONFIDENTIAL_KINDS for r in figure.records),
        share=share,
        partial=partial,
    )


def month_text(month: dt.date | None) -> str:
    if month is None:
        return _("日付なし")
    return _("%(year)s年%(month)s月") % {"year": month.year, "month": month.month}


def csv_rows(drill: DrillDown) -> list[list[object]]:
    """The drill-down as the rows of one CSV file: a section per part, each with its
    header."""
    if drill.hidden:
        return [[_("表示できません"), drill.reason]]
    out: list[list[object]] = []
    yes, no = _("はい"), _("いいえ")
    if drill.rows:
        out.append([_("■ 記録の一覧")])
        out.append([_("日付"), _("種類"), _("企業"), _("内容"), _("詳細"), _("数える")])
        out += [
            [
                row.day.isoformat() if row.day else "",
                row.kind_text,
                row.company_name,
                row.label,
                row.detail,
                yes if row.counted else no,
            ]
            for row in drill.rows
        ]
    if drill.tallies:
        out.append([_("■ 企業ごとの件数")])
        out.append([_("企業"), _("種類"), _("件数")])
        out += [[t.company_name, t.kind_text, t.count] for t in drill.tallies]
    if drill.buckets:
        out.append([_("■ 月ごとの件数 (企業名は出しません)")])
        out.append([_("月"), _("種類"), _("数えた件数"), _("数えない件数")])
        out += [[month_text(b.month), b.label, b.counted, b.others] for b in drill.buckets]
    if not out:
        out.append([_("記録はありません")])
    return out
