"""Kinds and states of the KPI dashboard: indicator levels, units, periods, snapshot kinds,
traffic lights, the reasons a value is missing, and the company survey's answers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Measure(models.IntegerChoices):
    DOJO = 1, _("① 意識改革と人材育成の伴走支援パッケージ")
    SUBSIDY = 2, _("② 導入ステージ別・課題解決型DX導入補助金")
    ECOSYSTEM = 3, _("③ 地域連携型DXエコシステム構築事業")


class Level(models.TextChoices):
    KGI = "kgi", _("KGI")
    KSI = "ksi", _("KSI")
    OUTCOME = "outcome", _("KPI (アウトカム)")
    OUTPUT = "output", _("KPI (アウトプット)")


# The order of a measure's tree, root first: KGI → KSI → outcome → outputs.
LEVEL_ORDER = (Level.KGI, Level.KSI, Level.OUTCOME, Level.OUTPUT)


class Unit(models.TextChoices):
    PERCENT = "percent", _("%")
    POINTS = "points", _("ポイント")
    COUNT = "count", _("件")
    COMPANIES = "companies", _("社")
    PEOPLE = "people", _("人")
    VISITS = "visits", _("人 (延べ)")


class Period(models.TextChoices):
    FISCAL_YEAR = "fiscal_year", _("年度ごと (4月〜3月)")
    CUMULATIVE = "cumulative", _("累計 (複数年度)")


class SnapshotKind(models.TextChoices):
    TO_DATE = "to_date", _("年度途中 (今日まで)")
    FINAL = "final", _("確定 (年度末)")


class Light(models.TextChoices):
    """A figure's traffic light against its target (progress expected by now)."""

    GREEN = "green", _("順調")
    AMBER = "amber", _("やや遅れ")
    RED = "red", _("遅れ")
    NONE = "none", _("判定なし")


class Reason(models.TextChoices):
    """Why a value is ``null``: shown as "—" with this text, never as a number."""

    NO_DATA = "no_data", _("この期間の記録がありません")
    ZERO_DENOMINATOR = "zero_denominator", _("割る数が0です (対象の企業がありません)")
    NO_EMPLOYEES = "no_employees", _("従業員数の回答がありません (従業員数0は計算に使えません)")
    NO_COMPARISON = "no_comparison", _("比べる年度の回答がありません")
    NO_SURVEY = "no_survey", _("この年度の企業調査がありません")
    FEW_COMPANIES = "few_companies", _("3社未満の企業の数字のため表示しません")
    BROKEN_DEFINITION = "broken_definition", _("指標の定義に誤りがあり計算できません")
    NOT_STARTED = "not_started", _("この年度はまだ始まっていません")


class ValueAddedMethod(models.TextChoices):
    """How 付加価値額 follows from a company's answers (a survey round keeps the method
    it was sent with, so earlier years stay comparable)."""

    DEDUCTION = "deduction", _("控除法 (売上高 − 外部購入費用)")
    ADDITION = (
        "addition",
        _("加算法 (営業利益 + 人件費 + 減価償却費 + 賃借料 + 支払利息 + 租税公課)"),
    )


class DxEngagement(models.TextChoices):
    """The survey's question behind the KSI (the paper's 「取組済み」「検討中」, asked as the
    SMRJ survey asks it); the DX stage 0–4 is a separate question."""

    DONE = "done", _("取り組んでいる (取組済み)")
    CONSIDERING = "considering", _("取り組みを検討している (検討中)")
    NOT_YET = "not_yet", _("取り組んでいない・予定もない")


class ExpectedSupport(models.TextChoices):
    SUBSIDY = "subsidy", _("補助金・助成金")
    TRAINING = "training", _("研修・人材育成")
    ADVISOR = "advisor", _("専門家の派遣・相談")
    LAB = "lab", _("機器を試せる場 (DXラボ)")
    MATCHING = "matching", _("企業間の連携・マッチング")
    FINANCE = "finance", _("融資")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("準備中")
    OPEN = "open", _("回答受付中")
    CLOSED = "closed", _("締切済み")


class ResponseStatus(models.TextChoices):
    REQUESTED = "requested", _("回答待ち")
    SUBMITTED = "submitted", _("回答済み")
