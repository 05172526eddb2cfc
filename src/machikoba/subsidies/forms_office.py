"""The office's forms: a call, a stage, an expense category, a required attachment, a
rubric line, a bonus point. They only parse input (times as entered, in JST; yen with or
without commas); ``services.calls`` checks it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from machikoba.core.forms import ServiceForm
from machikoba.subsidies.choices import BonusKind
from machikoba.wards.models import Municipality

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATE_FORMAT = "%Y-%m-%d"
NUMBER = {"inputmode": "numeric", "autocomplete": "off"}
MAX_YEN = 100_000_000_000


def _datetime_field(label: Any, help_text: Any = "") -> forms.DateTimeField:
    """A date and time picked with the phone's own picker, read as Japan time."""
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        error_messages={
            "required": _("日時を入力してください。"),
            "invalid": _("日時を正しく入力してください。"),
        },
    )


def _date_field(label: Any, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        input_formats=[DATE_FORMAT, "%Y/%m/%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT),
        error_messages={
            "required": _("日付を入力してください。"),
            "invalid": _("日付を正しく入力してください。"),
        },
    )


class YenField(forms.IntegerField):
    """Yen as typed: 「1,500,000」 or 「1500000円」 (full-width digits too)."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = value.translate(str.maketrans("０１２３４５６７８９，", "0123456789,"))
            value = value.replace(",", "").replace("円", "").replace("¥", "").strip()
        return super().to_python(value)


def _yen_field(label: Any, *, required: bool = True, help_text: Any = "") -> YenField:
    return YenField(
        label=label,
        required=required,
        help_text=help_text,
        min_value=0,
        max_value=MAX_YEN,
        widget=forms.TextInput(attrs=NUMBER),
        error_messages={
            "required": _("金額を入力してください。"),
            "invalid": _("金額は数字で入力してください (例: 500,000)。"),
            "min_value": _("0 円以上にしてください。"),
            "max_value": _("金額が大きすぎます。"),
        },
    )


def _number_field(
    label: Any, *, min_value: int, max_value: int, required: bool = True, **kwargs: Any
) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=min_value,
        max_value=max_value,
        required=required,
        widget=forms.NumberInput(attrs=NUMBER),
        error_messages={
            "required": _("数を入力してください。"),
            "invalid": _("半角の数字で入力してください。"),
            "min_value": _("%(limit_value)s 以上にしてください。"),
            "max_value": _("%(limit_value)s 以下にしてください。"),
        },
        **kwargs,
    )


def _text(label: Any, max_length: int, *, required: bool = True, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={"required": _("入力してください。")},
        **kwargs,
    )


class LockableForm(ServiceForm):
    """A form some of whose fields may no longer change: they are shown, greyed, with
    their current value (``locked``), and a disabled field keeps its initial value."""

    def __init__(self, *args: Any, locked: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in locked:
            if name in self.fields:
                self.fields[name].disabled = True


class CallForm(LockableForm):
    municipality = forms.ChoiceField(
        label=_("実施する区"), widget=forms.RadioSelect(attrs={"class": "form-check"})
    )
    fiscal_year = _number_field(
        _("年度"), min_value=2000, max_value=2100, help_text=_("西暦で。例: 2027 (2027年4月〜)")
    )
    name = _text(_("公募の名称"), 120, help_text=_("例: DX導入補助金 (令和9年度)"))
    description = _text(
        _("説明 (任意)"),
        4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("申請する企業に見せる説明です。"),
    )
    budget = _yen_field(_("予算額 (円)"), help_text=_("ステージの予算の合計は、これ以下にします。"))
    opens_at = _datetime_field(_("受付開始 (日本時間)"))
    closes_at = _datetime_field(
        _("受付締切 (日本時間)"), help_text=_("この時刻を1秒でも過ぎた提出は受け付けません。")
    )
    screening_on = _date_field(_("審査日"), help_text=_("受付締切の日以降。"))
    decision_on = _date_field(_("採択決定日"), help_text=_("審査日以降。"))
    requires_gbiz_verified = forms.BooleanField(
        label=_("GビズID (プライム) で確認された代表者の提出に限る"), required=False
    )

    def __init__(
        self, *args: Any, wards: Iterable[Municipality] = (), with_ward: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.ward_choices = {str(w.pk): w for w in wards}
        if not with_ward:
            del self.fields["municipality"]
            return
        field = self.fields["municipality"]
        if not isinstance(field, forms.ChoiceField):  # declared so above
            raise TypeError("municipality")
        field.choices = [(key, w.display_name) for key, w in self.ward_choices.items()]
        if len(self.ward_choices) == 1:
            field.initial = next(iter(self.ward_choices))

    def clean_municipality(self) -> Municipality:
        return self.ward_choices[self.cleaned_data["municipality"]]


class StageForm(LockableForm):
    number = _number_field(_("ステージの番号"), min_value=1, max_value=9)
    name = _text(_("名称"), 80, help_text=_("例: はじめの一歩"))
    purpose = _text(
        _("対象となる取組 (任意)"), 2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    rate_numerator = _number_field(_("補助率の分子"), min_value=1, max_value=100)
    rate_denominator = _number_field(
        _("補助率の分母"), min_value=1, max_value=100, help_text=_("3/4 なら 分子 3・分母 4。")
    )
    cap = _yen_field(_("補助上限額 (円)"))
    min_project_cost = _yen_field(
        _("補助対象経費の下限 (円)"), help_text=_("これに満たない事業は対象外です (なければ 0)。")
    )
    rounding = _number_field(
        _("端数の切捨て単位 (円)"),
        min_value=1,
        max_value=1_000_000,
        help_text=_("補助金額をこの単位で切り捨てます。例: 1000"),
    )
    budget = _yen_field(_("このステージの予算額 (円)"))
    requires_expert_evaluation = forms.BooleanField(
        label=_("専門家による計画の評価書を必須にする"), required=False
    )
    allows_partners = forms.BooleanField(
        label=_("大学・公設試験研究機関などとの連携を認める"), required=False
    )


class CategoryForm(ServiceForm):
    code = forms.SlugField(
        label=_("コード"),
        max_length=40,
        help_text=_("半角英数字とハイフン。例: software"),
        error_messages={
            "required": _("コードを入力してください。"),
            "invalid": _("コードは半角の英数字・ハイフン・アンダースコアで入力してください。"),
        },
    )
    name = _text(_("経費区分"), 80, help_text=_("例: 機械装置・システム構築費"))
    help_text = _text(_("説明 (任意)"), 300, required=False)
    max_share_percent = _number_field(
        _("補助対象経費に占める割合の上限 (%)"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=_("なければ空欄。例: 専門家経費は 20"),
    )
    max_amount = _yen_field(_("区分の上限額 (円)"), required=False, help_text=_("なければ空欄。"))
    quotes_required = _number_field(
        _("必要な見積書の数"),
        min_value=0,
        max_value=5,
        initial=1,
        help_text=_("1 行ごとに必要な見積書の数。相見積なら 2。"),
    )


class AttachmentForm(ServiceForm):
    name = _text(_("書類の名称"), 120, help_text=_("例: 直近2期分の決算書"))
    help_text = _text(_("説明 (任意)"), 300, required=False)


class RubricForm(ServiceForm):
    name = _text(_("審査項目"), 120, help_text=_("例: 課題の明確さ"))
    description = _text(_("観点 (任意)"), 400, required=False)
    max_score = _number_field(_("配点"), min_value=1, max_value=100, initial=10)


class BonusForm(ServiceForm):
    kind = forms.ChoiceField(
        label=_("確認の方法"),
        choices=BonusKind.choices,
        initial=BonusKind.CLAIMED,
        widget=forms.RadioSelect(attrs={"class": "form-check"}),
    )
    name = _text(_("加点項目"), 120, help_text=_("例: 賃上げの表明"))
    description = _text(_("説明 (任意)"), 400, required=False)
    points = _number_field(_("加点"), min_value=1, max_value=100, initial=3)
