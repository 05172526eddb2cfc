"""Forms of the yearly company survey. They only parse input (figures as people type them:
「1,200,000」, full-width digits, 「△500,000」 for a loss); the services in
``kpi.services.surveys`` check it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from machikoba.companies.choices import DXStage
from machikoba.core.fiscal import fiscal_year_label
from machikoba.core.forms import ServiceForm
from machikoba.kpi.choices import DxEngagement, ExpectedSupport, ValueAddedMethod
from machikoba.kpi.services.surveys import SIGNED_FIGURES, figure_labels
from machikoba.wards.models import Municipality

DATE_FORMAT = "%Y-%m-%d"
# Digits and separators as a Japanese keyboard may type them.
_WIDE = str.maketrans("０１２３４５６７８９，．－", "0123456789,.-")
_MINUS_SIGNS = ("△", "▲", "−", "-")
YES_NO = [("yes", _("はい、感じている")), ("no", _("いいえ、感じていない"))]
DEFAULT_DUE_DAYS = 30


class GroupedNumberInput(forms.TextInput):
    """A text box that shows a stored whole number with thousands separators
    (84,000,000), as people write yen; what they typed comes back as typed."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return super().format_value(value)


class WholeNumberField(forms.Field):
    """A whole number as typed: thousands separators, full-width digits, 「円」「人」 and
    (where ``signed``) a leading minus, △ or ▲ are accepted; anything else, a decimal
    included, is refused with ``invalid``."""

    def __init__(self, *, signed: bool = False, **kwargs: Any) -> None:
        self.signed = signed
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        text = str(value).translate(_WIDE).strip()
        for suffix in ("円", "人", "名"):
            text = text.removesuffix(suffix).strip()
        text = text.replace(",", "").replace(" ", "")
        negative = False
        if self.signed and text.startswith(_MINUS_SIGNS):
            negative = True
            text = text[1:]
        if not text.isascii() or not text.isdigit():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        number = int(text)
        return -number if negative else number


def _figure_field(name: str) -> WholeNumberField:
    label = figure_labels()[name]
    signed = name in SIGNED_FIGURES
    attrs = {"autocomplete": "off"}
    if not signed:
        attrs["inputmode"] = "numeric"
    if name == "employees":
        return WholeNumberField(
            label=_("従業員数 (人)"),
            help_text=_("決算期末の人数です。役員・パートを含み、社長おひとりの会社は 1 です。"),
            widget=GroupedNumberInput(attrs=attrs),
            error_messages={
                "required": _("従業員数を入力してください。"),
                "invalid": _("従業員数は整数で入力してください (例: 12)。"),
            },
        )
    helps = {
        "sales": _("決算書の売上高です。"),
        "external_costs": _(
            "原材料費・外注費・仕入れ・消耗品など、社外から買ったものの合計です。"
            "売上高を上回ることもあります。"
        ),
        "operating_profit": _("赤字のときは -500,000 や △500,000 のように入力してください。"),
        "personnel_costs": _("給料・賞与・法定福利費などの合計です。"),
    }
    return WholeNumberField(
        label=_("%(label)s (円)") % {"label": label},
        signed=signed,
        help_text=helps.get(name, ""),
        widget=GroupedNumberInput(attrs=attrs),
        error_messages={
            "required": _("%(label)sを入力してください。") % {"label": label},
            "invalid": _("%(label)sは円単位の整数で入力してください (例: 1,200,000)。")
            % {"label": label},
        },
    )


class SurveyAnswerForm(ServiceForm):
    """The company's answer: four DX questions, then the figures of the round's method."""

    dx_engagement = forms.ChoiceField(
        label=_("DXへの取り組み"),
        choices=DxEngagement.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("DXへの取り組みを選んでください。")},
    )
    dx_stage = forms.TypedChoiceField(
        label=_("DXの段階"),
        choices=DXStage.choices,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("いまの会社にいちばん近いものを選んでください。"),
        error_messages={"required": _("DXの段階を選んでください。")},
    )
    dx_needed = forms.TypedChoiceField(
        label=_("DXの必要性を感じていますか"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("DXの必要性を感じるかどうかを選んでください。")},
    )
    expected_support = forms.MultipleChoiceField(
        label=_("区に期待する支援"),
        choices=ExpectedSupport.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("当てはまるものをすべて選んでください (なければ選ばなくて構いません)。"),
    )

    def __init__(self, *args: Any, figures: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.figures = figures
        for name in figures:
            self.fields[name] = _figure_field(name)

    def dx_fields(self) -> list[forms.BoundField]:
        return [
            self[name] for name in ("dx_engagement", "dx_stage", "dx_needed", "expected_support")
        ]

    def figure_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.figures]


def _due_field() -> forms.DateField:
    return forms.DateField(
        label=_("回答期限"),
        input_formats=[DATE_FORMAT, "%Y/%m/%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT),
        error_messages={
            "required": _("回答期限を入力してください。"),
            "invalid": _("回答期限を正しい日付で入力してください。"),
        },
    )


def _message_field() -> forms.CharField:
    return forms.CharField(
        label=_("企業へのお知らせ"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("調査の目的やお願いを書けます (回答ページの上に表示します)。"),
    )


def _method_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("付加価値額の計算方法"),
        choices=ValueAddedMethod.choices,
        initial=ValueAddedMethod.DEDUCTION,
        widget=forms.RadioSelect,
        help_text=_(
            "控除法は売上高・外部購入費用・従業員数の3つを尋ねます。"
            "加算法は営業利益・人件費など6つと従業員数を尋ねます。"
        ),
        error_messages={"required": _("付加価値額の計算方法を選んでください。")},
    )


class RoundCreateForm(ServiceForm):
    municipality = forms.ModelChoiceField(
        label=_("区"), queryset=Municipality.objects.none(), empty_label=None
    )
    fiscal_year = forms.TypedChoiceField(
        label=_("調査の年度"),
        coerce=int,
        choices=[],
        help_text=_("調査をする年度です。回答は各社の直近の決算期の数字です。"),
        error_messages={
            "required": _("調査の年度を選んでください。"),
            "invalid_choice": _("調査の年度は一覧の中から選んでください。"),
        },
    )

    def __init__(
        self, *args: Any, years: list[int], wards: list[Municipality], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["method"] = _method_field()
        self.fields["due_on"] = _due_field()
        self.fields["message"] = _message_field()
        year_field = self.fields["fiscal_year"]
        assert isinstance(year_field, forms.TypedChoiceField)  # noqa: S101 (narrowing)
        year_field.choices = [(year, fiscal_year_label(year)) for year in years]
        if years:
            year_field.initial = years[0]
        ward_field = self.fields["municipality"]
        assert isinstance(ward_field, forms.ModelChoiceField)  # noqa: S101 (narrowing)
        ward_field.queryset = Municipality.objects.filter(pk__in=[w.pk for w in wards])
        if len(wards) == 1:
            ward_field.widget = forms.HiddenInput()
            ward_field.initial = wards[0].pk
        self.fields["due_on"].initial = timezone.localdate() + dt.timedelta(days=DEFAULT_DUE_DAYS)


class RoundEditForm(ServiceForm):
    def __init__(self, *args: Any, draft: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if draft:
            self.fields["method"] = _method_field()
        self.fields["due_on"] = _due_field()
        self.fields["message"] = _message_field()


class RoundCloseForm(ServiceForm):
    confirm = forms.BooleanField(
        label=_("回答の受付を締め切ります (締め切ると、企業は回答も訂正もできません)"),
        error_messages={"required": _("締め切る前に、確認の欄にチェックを入れてください。")},
    )
