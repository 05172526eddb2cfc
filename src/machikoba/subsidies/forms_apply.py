"""Forms of the applicant's side: they only parse input; ``services.applications`` checks
and saves it. Drafts may be saved half-filled, so nothing here is required that a draft
may leave empty: the confirmation step says what a submission still needs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from machikoba.companies.models import Company
from machikoba.core.forms import ServiceForm
from machikoba.subsidies.models import AttachmentRequirement, ExpenseCategory, Stage

NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}
DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}
MAX_YEN = 10_000_000_000


def _yen(label: Any, *, help_text: Any = "", required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_YEN,
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs=NUMERIC),
    )


def _date(label: Any, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _text(label: Any, *, rows: int = 0, max_length: int, help_text: Any = "") -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        widget=widget,
    )


class StartForm(ServiceForm):
    """An advisor names the company they apply for (an owner's is their own)."""

    company = forms.ModelChoiceField(
        label=_("申請する会社"), queryset=Company.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, companies: list[Company], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["company"]
        if isinstance(field, forms.ModelChoiceField):
            ids = [company.pk for company in companies]
            field.queryset = Company.objects.filter(pk__in=ids).order_by("name")


class CompanyStepForm(ServiceForm):
    baseline_sales = _yen(
        _("直近の売上高 (円)"), help_text=_("直近の決算 (1年分) の売上高。例: 120000000")
    )
    baseline_external_costs = _yen(
        _("直近の外部購入費用 (円)"),
        help_text=_("原材料費・外注費・仕入れなど、社外から買ったものの合計"),
    )
    baseline_employees = forms.IntegerField(
        label=_("従業員数"),
        min_value=0,
        max_value=100_000,
        required=False,
        widget=forms.NumberInput(attrs=NUMERIC),
    )


class PlanStepForm(ServiceForm):
    title = _text(_("事業の名称"), max_length=120, help_text=_("例: 日報の電子化"))
    problem = _text(
        _("解決したい課題"),
        rows=4,
        max_length=3000,
        help_text=_("例: 手書きの日報の集計に毎月20時間かかっている"),
    )
    tool = _text(
        _("導入するツール・取組"),
        rows=3,
        max_length=3000,
        help_text=_("例: クラウドの日報アプリとタブレット3台"),
    )
    expected_effect = _text(_("期待する効果"), rows=3, max_length=3000)
    effect_metric = _text(
        _("効果を測る指標"), max_length=80, help_text=_("例: 日報の集計にかかる時間")
    )
    effect_unit = _text(_("単位"), max_length=20, help_text=_("例: 時間/月"))
    effect_before = forms.DecimalField(
        label=_("今の値"),
        required=False,
        max_digits=12,
        decimal_places=1,
        widget=forms.NumberInput(attrs={**DECIMAL, "step": "0.1"}),
    )
    effect_after = forms.DecimalField(
        label=_("導入後の目標値"),
        required=False,
        max_digits=12,
        decimal_places=1,
        widget=forms.NumberInput(attrs={**DECIMAL, "step": "0.1"}),
    )
    yearly_saving = _yen(
        _("年間の削減見込み (円)"), help_text=_("わかる範囲で。なくても提出できます")
    )
    planned_start = _date(_("事業の開始予定日"), _("交付決定のあとの日にしてください"))
    planned_end = _date(_("事業の完了予定日"))
    partners = _text(
        _("連携先 (大学・公設試験研究機関など)"),
        rows=2,
        max_length=1000,
        help_text=_("連携する相手と、それぞれの役割"),
    )

    def __init__(self, *args: Any, stage: Stage, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not stage.allows_partners:
            del self.fields["partners"]


def category_label(category: ExpenseCategory) -> str:
    if category.quotes_required >= 2:
        return str(_("%(name)s (相見積が必要: %(n)s通)")) % {
            "name": category.name,
            "n": category.quotes_required,
        }
    return category.name


class ExpenseForm(ServiceForm):
    """One expense line; on the add form also its quotes (the second one for 相見積)."""

    category = forms.ModelChoiceField(
        label=_("経費区分"), queryset=ExpenseCategory.objects.none(), empty_label=None
    )
    description = forms.CharField(
        label=_("内容"), max_length=200, required=False, help_text=_("例: 日報アプリの年間利用料")
    )
    vendor = forms.CharField(
        label=_("発注先"), max_length=120, required=False, help_text=_("見積書を出した会社")
    )
    amount = forms.IntegerField(
        label=_("金額 (税抜・円)"),
        min_value=1,
        max_value=MAX_YEN,
        required=False,
        widget=forms.NumberInput(attrs=NUMERIC),
    )
    quote = forms.FileField(
        label=_("見積書"),
        required=False,
        help_text=_("PDF または写真 (PNG・JPEG)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/png,image/jpeg"}),
    )
    quote2 = forms.FileField(
        label=_("2通目の見積書 (相見積)"),
        required=False,
        help_text=_("相見積が必要な経費区分のときは、別の会社の見積書も付けてください"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/png,image/jpeg"}),
    )

    def __init__(
        self, *args: Any, stage: Stage, with_files: bool = True, prefix_id: str = "", **kwargs: Any
    ) -> None:
        if prefix_id:
            kwargs.setdefault("auto_id", f"id_{prefix_id}_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = ExpenseCategory.objects.filter(stage=stage).order_by("order", "pk")
            field.label_from_instance = category_label  # type: ignore[method-assign,assignment]  # django-stubs types it as a method
        if not with_files:
            del self.fields["quote"]
            del self.fields["quote2"]
        elif not stage.categories.filter(quotes_required__gte=2).exists():
            del self.fields["quote2"]

    def filled(self) -> bool:
        """Whether anything of a line was typed in (an empty add form is not a line)."""
        data = self.cleaned_data
        return any(data.get(name) not in (None, "") for name in ("description", "vendor", "amount"))

    def quotes(self) -> list[Any]:
        return [self.cleaned_data.get(n) for n in ("quote", "quote2") if self.cleaned_data.get(n)]


class QuoteForm(ServiceForm):
    file = forms.FileField(
        label=_("見積書を追加"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/png,image/jpeg"}),
    )


class DocumentsStepForm(ServiceForm):
    """Step ④: a file input for each required attachment (and the expert's evaluation
    where the stage requires one); files left empty are not asked again."""

    def __init__(
        self,
        *args: Any,
        requirements: list[AttachmentRequirement],
        expert: bool,
        expert_name: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.requirements = {f"requirement_{r.pk}": r for r in requirements}
        for name, requirement in self.requirements.items():
            self.fields[name] = forms.FileField(
                label=requirement.name,
                required=False,
                help_text=requirement.help_text or _("PDF または写真 (PNG・JPEG)"),
                widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/png,image/jpeg"}),
            )
        if expert:
            self.fields["expert_evaluation"] = forms.FileField(
                label=_("専門家による計画の評価書"),
                required=False,
                help_text=_("専門家 (ITコーディネータ・中小企業診断士など) が計画を評価した書面"),
                widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/png,image/jpeg"}),
            )
            self.fields["expert_name"] = forms.CharField(
                label=_("計画を評価した専門家"),
                required=False,
                max_length=120,
                initial=expert_name,
                help_text=_("名前と所属。例: 城南 花子 (ITコーディネータ)"),
            )

    def uploads(self) -> list[tuple[AttachmentRequirement | None, Any]]:
        """(requirement, file) for each file chosen; None for the expert's evaluation."""
        chosen: list[tuple[AttachmentRequirement | None, Any]] = []
        for name, requirement in self.requirements.items():
            if self.cleaned_data.get(name):
                chosen.append((requirement, self.cleaned_data[name]))
        if self.cleaned_data.get("expert_evaluation"):
            chosen.append((None, self.cleaned_data["expert_evaluation"]))
        return chosen


class WithdrawForm(ServiceForm):
    reason = forms.CharField(
        label=_("取り下げる理由 (任意)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
