"""Forms of homework, graduation and the follow-up. They only parse input; the services
in ``programs.services`` check it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from machikoba.core.forms import ServiceForm
from machikoba.programs.choices import HomeworkKind, InvestmentKind, ProblemArea

SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]
YEN = {"inputmode": "numeric", "autocomplete": "off"}


def _yen_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=10_000_000_000,
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs=YEN),
    )


class WorksheetItemForm(ServiceForm):
    area = forms.ChoiceField(label=_("分野"), choices=ProblemArea.choices)
    problem = forms.CharField(
        label=_("困っていること"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例: 見積の作成に1件2時間かかり、回答が遅れて失注している"),
    )
    impact = forms.TypedChoiceField(
        label=_("影響の大きさ"),
        choices=SCORE_CHOICES,
        coerce=int,
        initial=3,
        widget=forms.RadioSelect(attrs={"class": "form-check"}),
        help_text=_("1 = 小さい、5 = 会社の売上や信用に大きく響く"),
    )
    effort = forms.TypedChoiceField(
        label=_("解決の手間"),
        choices=SCORE_CHOICES,
        coerce=int,
        initial=3,
        widget=forms.RadioSelect(attrs={"class": "form-check"}),
        help_text=_("1 = すぐできる、5 = 大きな投資や長い時間が必要"),
    )


class RoiForm(ServiceForm):
    tool = forms.CharField(
        label=_("導入するもの"),
        max_length=200,
        help_text=_("例: クラウド型の生産管理システム"),
    )
    investment_cost = _yen_field(_("導入費用 (円・税抜)"))
    yearly_running_cost = _yen_field(
        _("年間の運用費 (円)"), required=False, help_text=_("利用料や保守費。なければ 0")
    )
    hours_freed_per_year = forms.IntegerField(
        label=_("年間に減る作業時間 (時間)"),
        min_value=0,
        max_value=1_000_000,
        widget=forms.NumberInput(attrs=YEN),
        help_text=_("例: 1日30分 × 240日 = 120時間"),
    )
    hourly_wage = _yen_field(_("時間あたりの人件費 (円)"), help_text=_("例: 2500"))
    other_savings_per_year = _yen_field(
        _("その他の年間の削減額 (円)"),
        required=False,
        help_text=_("紙・印刷代、外注費など。なければ 0"),
    )


class PlanForm(ServiceForm):
    goal = forms.CharField(label=_("3年後のありたい姿"), max_length=300, required=False)
    current_state = forms.CharField(
        label=_("いまの課題"),
        max_length=1500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    actions = forms.CharField(
        label=_("取り組むこと (ツール・やり方)"),
        max_length=1500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    schedule = forms.CharField(
        label=_("進め方とスケジュール"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    budget = _yen_field(_("予算 (円・税抜)"), required=False)
    success_measures = forms.CharField(
        label=_("効果をはかる指標"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例: 見積の作成時間を1件2時間から30分に"),
    )
    person_in_charge = forms.CharField(label=_("社内の推進担当"), max_length=100, required=False)


class PlanDecisionForm(ServiceForm):
    decision = forms.ChoiceField(
        choices=[("accept", _("承認する")), ("return", _("差し戻す"))], widget=forms.HiddenInput
    )
    body = forms.CharField(
        label=_("コメント"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("差し戻すときは必須です。直してほしいところを書いてください。"),
    )


class CommentForm(ServiceForm):
    kind = forms.ChoiceField(choices=HomeworkKind.choices, widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("コメント"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FollowUpForm(ServiceForm):
    invested = forms.TypedChoiceField(
        label=_("修了してから、DXのための投資をしましたか"),
        choices=[("yes", _("はい、投資した")), ("no", _("いいえ、まだ"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect(attrs={"class": "form-check"}),
    )
    amount = _yen_field(
        _("投資した金額 (円・税抜)"), required=False, help_text=_("おおよそで構いません")
    )
    investment_kind = forms.ChoiceField(
        label=_("何に投資しましたか"),
        choices=[("", _("選んでください")), *InvestmentKind.choices],
        required=False,
    )
    invested_on = forms.DateField(
        label=_("投資した日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("おおよその日で構いません"),
    )
    description = forms.CharField(
        label=_("内容 (任意)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例: 生産管理システムを導入した"),
    )
    subsidy_reference = forms.CharField(
        label=_("補助金の申請番号 (任意)"),
        max_length=40,
        required=False,
        help_text=_("補助金を使ったときだけ"),
    )
