import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from machikoba.core.forms import ServiceForm
from machikoba.core.money import format_yen
from machikoba.network.choices import PaymentMethod, QuantityUnit

DATE = {"type": "date"}


class JobForm(ServiceForm):
    part_name = forms.CharField(label=_("品名"), max_length=200)
    drawing_number = forms.CharField(label=_("図番"), max_length=100, required=False)
    material = forms.ModelChoiceField(
        label=_("材質"), queryset=None, required=False, empty_label=_("選んでください")
    )
    material_note = forms.CharField(
        label=_("材質 (補足)"),
        max_length=100,
        required=False,
        help_text=_("一覧にない材質や、調質・寸法などの補足。"),
    )
    quantity = forms.IntegerField(label=_("数量"), min_value=1)
    unit = forms.ChoiceField(
        label=_("数える単位"),
        choices=QuantityUnit.choices,
        initial=QuantityUnit.PIECE,
        help_text=_("シャフトなら 本、板なら 枚。現品票や注文書の数量にも使います。"),
    )
    size_mm = forms.IntegerField(
        label=_("部品の最大寸法 (mm)"),
        min_value=1,
        required=False,
        help_text=_("依頼先の候補は、この大きさを扱える企業に絞られます。"),
    )
    due_date = forms.DateField(label=_("納期"), widget=forms.DateInput(attrs=DATE))
    documents = forms.ModelMultipleChoiceField(
        label=_("図面・文書"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("見積依頼先には、ここで選んだ図面が閲覧のみで共有されます。"),
    )
    notes = forms.CharField(
        label=_("メモ"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, materials, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = materials
        self.fields["documents"].queryset = documents


class StepForm(ServiceForm):
    process = forms.ModelChoiceField(label=_("工程"), queryset=None)
    spec = forms.CharField(
        label=_("仕様"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("図面にない指示や注意点。"),
    )
    hardness = forms.CharField(
        label=_("硬さ"), max_length=40, required=False, help_text=_("例: HRC 58〜62")
    )
    plating_um = forms.DecimalField(
        label=_("めっき厚 (µm)"), required=False, min_value=0, max_digits=6, decimal_places=1
    )
    tolerance = forms.CharField(
        label=_("公差・はめあい"), max_length=40, required=False, help_text=_("例: φ20 h6")
    )
    tolerance_mm = forms.DecimalField(
        label=_("公差 (±mm)"),
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=4,
        help_text=_("依頼先の候補は、この精度を出せる企業に絞られます。例: 0.005"),
    )
    in_house = forms.BooleanField(label=_("社内で行う"), required=False)
    position = forms.IntegerField(
        label=_("順番"),
        min_value=1,
        required=False,
        help_text=_("空欄なら最後に追加します。"),
    )
    planned_start = forms.DateField(
        label=_("開始予定日"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    planned_end = forms.DateField(
        label=_("完了予定日"), required=False, widget=forms.DateInput(attrs=DATE)
    )

    def __init__(self, *args, processes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["process"].queryset = processes

    def spec_fields(self) -> dict:
        """The structured requirements that were filled in (JSON-ready)."""
        values = {
            name: self.cleaned_data.get(name) for name in ("hardness", "plating_um", "tolerance")
        }
        return {k: str(v).strip() for k, v in values.items() if v not in (None, "")}


class RfqForm(ServiceForm):
    steps = forms.ModelMultipleChoiceField(
        label=_("見積を依頼する工程"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    recipients = forms.ModelMultipleChoiceField(
        label=_("依頼先"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("複数選べます。"),
    )
    deadline = forms.DateTimeField(
        label=_("回答期限"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    message = forms.CharField(
        label=_("依頼内容"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    questions_public = forms.BooleanField(
        label=_("質問と回答を全員に公開する"), required=False, initial=True
    )

    def __init__(self, *args, steps, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steps"].queryset = steps
        self.fields["steps"].label_from_instance = lambda s: f"{s.position}. {s.process}"
        self.fields["recipients"].queryset = companies


class QuoteForm(ServiceForm):
    price = forms.IntegerField(label=_("金額 (円・税抜)"))
    lead_time_days = forms.IntegerField(label=_("納期 (受注からの日数)"))
    valid_until = forms.DateField(label=_("見積の有効期限"), widget=forms.DateInput(attrs=DATE))
    quantity_breaks = forms.CharField(
        label=_("数量別の金額 (任意)"),
        max_length=500,
        required=False,
        help_text=_("「数量:金額」をカンマで区切って。例: 100:90000, 300:240000"),
    )
    conditions = forms.CharField(
        label=_("条件"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_quantity_breaks(self) -> list[dict]:
        text = self.cleaned_data["quantity_breaks"].replace("、", ",").replace("：", ":")
        rows = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            quantity, _sep, price = part.partition(":")
            try:
                rows.append(
                    {
                        "quantity": int(quantity.strip()),
                        "price": int(price.strip().replace("円", "")),
                    }
                )
            except ValueError:
                raise forms.ValidationError(
                    _("「%(part)s」を読み取れません。「数量:金額」の形で入力してください。"),
                    params={"part": part},
                ) from None
        return rows


class DeclineForm(ServiceForm):
    reason = forms.CharField(label=_("辞退の理由"), max_length=500)


class AwardForm(ServiceForm):
    winner = forms.ModelChoiceField(
        label=_("発注先"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("発注先を選んでください。")},
    )
    delivery_date = forms.DateField(label=_("納期 (受領日)"), widget=forms.DateInput(attrs=DATE))
    delivery_place = forms.CharField(label=_("納入場所"), max_length=300)
    inspection_date = forms.DateField(label=_("検査完了日"), widget=forms.DateInput(attrs=DATE))
    payment_date = forms.DateField(
        label=_("支払期日"),
        widget=forms.DateInput(attrs=DATE),
        help_text=_("受領日から60日以内 (中小受託取引適正化法)。"),
    )
    payment_method = forms.ChoiceField(label=_("支払方法"), choices=PaymentMethod.choices)
    outcome_note = forms.CharField(
        label=_("選ばれなかった企業への連絡 (任意)"), max_length=500, required=False
    )

    def __init__(self, *args, recipients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["winner"].queryset = recipients
        self.fields["winner"].label_from_instance = lambda r: (
            _("%(company)s — %(price)s ・ 納期 %(days)s 日")
            % {
                "company": r.company.name,
                "price": format_yen(r.quote.price, get_language() or "ja"),
                "days": r.quote.lead_time_days,
            }
        )


class OrderChangeForm(ServiceForm):
    work_content = forms.CharField(
        label=_("給付の内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    quantity = forms.IntegerField(label=_("数量"), min_value=1)
    price = forms.IntegerField(label=_("代金 (円・税抜)"))
    delivery_date = forms.DateField(label=_("納期 (受領日)"), widget=forms.DateInput(attrs=DATE))
    delivery_place = forms.CharField(label=_("納入場所"), max_length=300)
    inspection_date = forms.DateField(label=_("検査完了日"), widget=forms.DateInput(attrs=DATE))
    payment_date = forms.DateField(
        label=_("支払期日"),
        widget=forms.DateInput(attrs=DATE),
        help_text=_("受領日から60日以内 (中小受託取引適正化法)。"),
    )
    payment_method = forms.ChoiceField(label=_("支払方法"), choices=PaymentMethod.choices)
    reason = forms.CharField(label=_("変更の理由"), max_length=500)


class ShipForm(ServiceForm):
    quantity = forms.IntegerField(label=_("出荷数"), min_value=1)


class ReceiveForm(ServiceForm):
    good_quantity = forms.IntegerField(label=_("良品数"), min_value=0)
    defect_quantity = forms.IntegerField(label=_("不良数"), min_value=0, initial=0)
    note = forms.CharField(label=_("メモ"), max_length=1000, required=False)


class EarlyStartForm(ServiceForm):
    reason = forms.CharField(
        label=_("理由"),
        max_length=300,
        help_text=_("例: 材料を別途支給済み、特急のため"),
    )


def default_deadline():
    return (timezone.localtime() + timezone.timedelta(days=3)).replace(
        hour=17, minute=0, second=0, microsecond=0
    )


class GuestLinkEmailForm(ServiceForm):
    email = forms.EmailField(label=_("送り先メールアドレス"), max_length=254)


class GuestAccountRequestForm(ServiceForm):
    """After answering through a one-time link: ask the ward for the company's first
    account. The e-mail address is where an officer's approval is sent, and only when
    the ward holds no address for the company."""

    name = forms.CharField(label=_("氏名"), max_length=100)
    email = forms.EmailField(
        label=_("メールアドレス"),
        max_length=254,
        required=False,
        help_text=_("区の台帳にメールアドレスがない場合、区の承認後にここへ連絡します。"),
    )
    phone = forms.CharField(
        label=_("電話番号"),
        max_length=30,
        required=False,
        help_text=_("区の担当者が確認のためにお電話することがあります。"),
    )
    note = forms.CharField(
        label=_("区へのひとこと (任意)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# The latest RFQ answer deadline the network plan accepts, in days from now.
PLAN_MAX_ANSWER_DAYS = 90


class PlanForm(ServiceForm):
    """The network plan's one action: the RFQ answer deadline (the plan starts the
    proposed steps after it) and a note for every shop asked."""

    deadline = forms.DateTimeField(
        label=_("回答期限"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("提案した工程は、回答期限の翌営業日に発注する前提で計画しています。"),
    )
    message = forms.CharField(
        label=_("依頼先へのひとこと (任意)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(_("回答期限には未来の日時を指定してください。"))
        if deadline > timezone.now() + dt.timedelta(days=PLAN_MAX_ANSWER_DAYS):
            # The plan counts working days up to it: a date years away is a typing
            # mistake, and would make the plan walk the calendar that far.
            raise forms.ValidationError(
                _("回答期限は %(days)s 日以内にしてください。") % {"days": PLAN_MAX_ANSWER_DAYS}
            )
        return deadline
