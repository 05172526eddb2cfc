"""Forms of what follows the selection. They only parse input; the services in
``subsidies.services`` (grants, reports, payments, value_added) check it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from machikoba.core.fiscal import fiscal_year_label
from machikoba.core.forms import ServiceForm
from machikoba.subsidies.choices import DocumentKind
from machikoba.subsidies.models import ExpenseCategory
from machikoba.wards.models import Municipality

NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}
YES_NO = [("yes", _("はい、実感した")), ("no", _("いいえ"))]
PROOF_ACCEPT = ".pdf,.png,.jpg,.jpeg"


def _yen(
    label: Any, *, required: bool = True, help_text: Any = "", required_message: Any = None
) -> forms.IntegerField:
    # No min_value: the services word the refusal of a negative figure.
    return forms.IntegerField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs=NUMERIC),
        error_messages={"required": required_message} if required_message else None,
    )


def _text(label: Any, *, rows: int = 3, max_length: int = 3000, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def _felt(label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=YES_NO,
        widget=forms.RadioSelect(attrs={"class": "form-check"}),
        error_messages={"required": _("「はい」か「いいえ」を選んでください。")},
    )


class GrantRequestForm(ServiceForm):
    confirm = forms.BooleanField(
        label=_("計画と金額を確かめました。内容に間違いありません。"), required=False
    )


class GrantDecideForm(ServiceForm):
    amount = _yen(
        _("交付決定額 (円)"),
        required=False,
        help_text=_("空のままなら申請額で決定します。申請額より多くはできません。"),
    )
    reason = _text(
        _("申請額より少なくする理由"),
        max_length=1500,
        required=False,
        help_text=_("少なくするときは必須です。交付決定通知書に載ります。"),
    )


class ChangeRequestForm(ServiceForm):
    description = _text(_("何をどう変えるか"), help_text=_("例: タブレットを3台から2台にする"))
    reason = _text(_("変える理由"))


class ChangeDecisionForm(ServiceForm):
    decision = forms.ChoiceField(
        label=_("判断"),
        choices=[("approve", _("承認する")), ("reject", _("承認しない"))],
        widget=forms.RadioSelect(attrs={"class": "form-check"}),
    )
    comment = _text(
        _("コメント"),
        max_length=2000,
        required=False,
        help_text=_("承認しないときは必須です。"),
    )
    decided_amount = _yen(
        _("変更後の交付決定額 (円)"),
        required=False,
        help_text=_("減らすときだけ入力します。増やすことはできません。"),
    )


class InspectionAcceptForm(ServiceForm):
    comment = _text(_("確定検査のコメント"), max_length=3000, required=False)


class InspectionReturnForm(ServiceForm):
    comment = _text(_("直してほしいところ"), max_length=3000)


class PaymentForm(ServiceForm):
    paid_on = forms.DateField(label=_("支払日"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("支出命令番号など"), max_length=60, required=False)


class ReportForm(ServiceForm):
    completed_on = forms.DateField(
        label=_("事業が終わった日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("最後の支払いや導入作業が終わった日です (提出には必須)。"),
    )
    felt_efficiency = _felt(_("業務効率化を実感しましたか"))
    felt_cost_reduction = _felt(_("コスト削減を実感しましたか"))
    felt_productivity = _felt(_("生産性向上を実感しましたか"))
    felt_other = forms.CharField(
        label=_("その他に実感した効果 (あれば)"), max_length=200, required=False
    )
    effect_actual = forms.DecimalField(
        label=_("導入後の実績値"),
        max_digits=12,
        decimal_places=1,
        required=False,
        help_text=_("効果をはかる指標の、導入後の値です (提出には必須)。"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
    )
    comment = _text(_("ひとこと (あれば)"), max_length=2000, required=False)

    def __init__(self, *args: Any, metric: str = "", unit: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if metric:
            self.fields["effect_actual"].help_text = _(
                "計画の指標「%(metric)s」の、導入後の値 (%(unit)s) を書いてください"
                " (提出には必須)。"
            ) % {"metric": metric, "unit": unit or "—"}

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "completed_on": data["completed_on"],
            "felt_efficiency": data["felt_efficiency"] == "yes",
            "felt_cost_reduction": data["felt_cost_reduction"] == "yes",
            "felt_productivity": data["felt_productivity"] == "yes",
            "felt_other": data["felt_other"],
            "effect_actual": data["effect_actual"],
            "comment": data["comment"],
        }


class ActualExpenseForm(ServiceForm):
    category = forms.ModelChoiceField(
        label=_("経費区分"), queryset=ExpenseCategory.objects.none(), empty_label=None
    )
    description = forms.CharField(
        label=_("何に使ったか"), max_length=200, help_text=_("例: 日報アプリ 1年分")
    )
    vendor = forms.CharField(label=_("支払先"), max_length=120)
    amount = _yen(_("金額 (税抜・円)"))
    paid_on = forms.DateField(label=_("支払日"), widget=forms.DateInput(attrs={"type": "date"}))
    receipt = forms.FileField(
        label=_("領収書・請求書 (PDF・写真)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": PROOF_ACCEPT}),
    )
    payment_proof = forms.FileField(
        label=_("支払の証憑 (振込記録など。PDF・写真)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": PROOF_ACCEPT}),
    )

    def __init__(self, *args: Any, stage_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (narrowing for mypy)
        field.queryset = ExpenseCategory.objects.filter(stage_id=stage_id).order_by("order", "pk")


class ProofForm(ServiceForm):
    kind = forms.ChoiceField(
        label=_("書類の種類"),
        choices=[
            (DocumentKind.RECEIPT.value, DocumentKind.RECEIPT.label),
            (DocumentKind.PAYMENT_PROOF.value, DocumentKind.PAYMENT_PROOF.label),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check"}),
    )
    file = forms.FileField(
        label=_("ファイル (PDF・写真)"),
        widget=forms.ClearableFileInput(attrs={"accept": PROOF_ACCEPT}),
    )


class ValueAddedForm(ServiceForm):
    sales = _yen(
        _("売上高 (円)"),
        help_text=_("その年度の売上の合計です。"),
        required_message=_("売上高を入力してください。"),
    )
    external_costs = _yen(
        _("外部購入費用 (円)"),
        help_text=_("原材料費・外注費・仕入れなど、社外から買ったものの合計です。"),
        required_message=_("外部購入費用を入力してください。"),
    )
    employees = forms.IntegerField(
        label=_("従業員数 (人)"),
        widget=forms.NumberInput(attrs=NUMERIC),
        help_text=_("年度末の人数です。社長おひとりなら 0 です。"),
        error_messages={"required": _("従業員数を入力してください。")},
    )


class SurveySendForm(ServiceForm):
    fiscal_year = forms.TypedChoiceField(label=_("対象の年度"), coerce=int, choices=[])
    municipality = forms.ModelChoiceField(
        label=_("区"), queryset=Municipality.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, years: list[int], wards: list[Municipality], **kwargs: Any):
        super().__init__(*args, **kwargs)
        year_field = self.fields["fiscal_year"]
        assert isinstance(year_field, forms.TypedChoiceField)  # noqa: S101 (narrowing)
        year_field.choices = [(year, fiscal_year_label(year)) for year in years]
        ward_field = self.fields["municipality"]
        assert isinstance(ward_field, forms.ModelChoiceField)  # noqa: S101 (narrowing)
        ward_field.queryset = Municipality.objects.filter(pk__in=[w.pk for w in wards])
        if len(wards) == 1:
            ward_field.widget = forms.HiddenInput()
            ward_field.initial = wards[0].pk
