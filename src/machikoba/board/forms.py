from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from machikoba.board.choices import Audience
from machikoba.core.forms import ServiceForm
from machikoba.core.money import format_yen
from machikoba.network.choices import PaymentMethod

DATE = {"type": "date"}
ROUTE_SLOTS = 6


class RequestForm(ServiceForm):
    part_name = forms.CharField(label=_("品名"), max_length=200)
    drawing_number = forms.CharField(
        label=_("図番"),
        max_length=100,
        required=False,
        help_text=_("承認した企業だけが見られます。"),
    )
    material = forms.ModelChoiceField(
        label=_("材質"), queryset=None, required=False, empty_label=_("選んでください")
    )
    material_note = forms.CharField(label=_("材質 (補足)"), max_length=100, required=False)
    quantity = forms.IntegerField(label=_("数量"), min_value=1)
    due_date = forms.DateField(label=_("納期"), widget=forms.DateInput(attrs=DATE))
    answer_by = forms.DateField(label=_("回答期限"), widget=forms.DateInput(attrs=DATE))
    area = forms.CharField(
        label=_("地域"),
        max_length=60,
        required=False,
        help_text=_("掲示板に出る納入地域です (例: 東京都大田区)。空欄なら自社の所在地。"),
    )
    delivery_place = forms.CharField(
        label=_("納入場所"),
        max_length=300,
        required=False,
        help_text=_("承認した企業だけが見られます。空欄なら自社の住所。"),
    )
    description = forms.CharField(
        label=_("詳しい内容"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("承認した企業だけが見られます。"),
    )
    documents = forms.ModelMultipleChoiceField(
        label=_("図面・文書"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("秘密保持に同意して承認された企業だけが、閲覧のみで見られます。"),
    )
    audience = forms.ChoiceField(
        label=_("公開先"),
        choices=Audience.choices,
        initial=Audience.BOARD,
        widget=forms.RadioSelect,
    )
    invited = forms.ModelMultipleChoiceField(
        label=_("依頼する企業"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("「選んだ企業だけ」のときに選んでください。"),
    )

    def __init__(self, *args, materials, documents, processes, shops, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = materials
        self.fields["documents"].queryset = documents
        self.fields["invited"].queryset = shops
        self.route_fields = []
        for slot in range(1, ROUTE_SLOTS + 1):
            self.fields[f"process_{slot}"] = forms.ModelChoiceField(
                label=_("工程 %(n)d") % {"n": slot},
                queryset=processes,
                required=False,
                empty_label=_("選んでください") if slot == 1 else _("(なし)"),
            )
            self.fields[f"spec_{slot}"] = forms.CharField(
                label=_("工程 %(n)d の仕様") % {"n": slot}, max_length=500, required=False
            )

    def route(self) -> list[tuple]:
        return [
            (self.cleaned_data[f"process_{slot}"], self.cleaned_data[f"spec_{slot}"].strip())
            for slot in range(1, ROUTE_SLOTS + 1)
            if self.cleaned_data.get(f"process_{slot}")
        ]


class JobPostForm(ServiceForm):
    steps = forms.ModelMultipleChoiceField(
        label=_("掲示する工程"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    answer_by = forms.DateField(label=_("回答期限"), widget=forms.DateInput(attrs=DATE))
    description = forms.CharField(
        label=_("詳しい内容"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("承認した企業だけが見られます。"),
    )

    def __init__(self, *args, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steps"].queryset = steps


class HandForm(ServiceForm):
    price = forms.IntegerField(
        label=_("参考価格 (円・税抜)"),
        min_value=1,
        required=False,
        help_text=_("発注企業だけが見られます。"),
    )
    lead_time_days = forms.IntegerField(
        label=_("参考納期 (日数)"), min_value=1, max_value=365, required=False
    )
    comment = forms.CharField(
        label=_("コメント"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例: 焼入れ後の研削まで対応できます。"),
    )


class AdmissionForm(ServiceForm):
    agree = forms.BooleanField(
        label=_("上の秘密保持の条項に同意します"),
        required=True,
        error_messages={"required": _("詳細を見るには、秘密保持の条項への同意が必要です。")},
    )


class InviteForm(ServiceForm):
    company = forms.ModelChoiceField(label=_("招待する企業"), queryset=None)

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies


class MemberQuoteForm(ServiceForm):
    price = forms.IntegerField(label=_("担当工程の金額 (円・税抜)"), min_value=1)
    delivery_date = forms.DateField(label=_("担当工程の完了日"), widget=forms.DateInput(attrs=DATE))
    note = forms.CharField(label=_("メモ"), max_length=500, required=False)


class TermsForm(ServiceForm):
    margin = forms.IntegerField(label=_("幹事の取りまとめ費 (円・税抜)"), min_value=0)
    payment_days = forms.IntegerField(
        label=_("メンバーへの支払い (受領後の日数)"),
        min_value=0,
        max_value=60,
        help_text=_("中小受託取引適正化法により 60 日以内です。"),
    )
    share_split = forms.BooleanField(
        label=_("内訳をメンバー全員に見せる"),
        required=False,
        help_text=_("オフのとき、メンバーは自社の行だけを見られます。"),
    )


class TeamQuoteForm(ServiceForm):
    lead_time_days = forms.IntegerField(label=_("納期 (受注からの日数)"), min_value=1)
    valid_until = forms.DateField(label=_("見積の有効期限"), widget=forms.DateInput(attrs=DATE))
    conditions = forms.CharField(
        label=_("条件"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(ServiceForm):
    reason = forms.CharField(label=_("理由"), max_length=500)


class AwardForm(ServiceForm):
    team = forms.ModelChoiceField(
        label=_("発注するチーム"),
        queryset=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("発注するチームを選んでください。")},
    )
    delivery_place = forms.CharField(label=_("納入場所"), max_length=300)
    inspection_date = forms.DateField(label=_("検査完了日"), widget=forms.DateInput(attrs=DATE))
    payment_date = forms.DateField(
        label=_("支払期日"),
        widget=forms.DateInput(attrs=DATE),
        help_text=_("受領日 (納期) から 60 日以内。"),
    )
    payment_method = forms.ChoiceField(label=_("支払方法"), choices=PaymentMethod.choices)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["team"].label_from_instance = lambda team: (
            _("%(lead)s のチーム — %(price)s ・ %(days)s 日")
            % {
                "lead": team.lead.name,
                "price": format_yen(team.price, get_language() or "ja"),
                "days": team.lead_time_days,
            }
        )


class BuyerForm(ServiceForm):
    name = forms.CharField(label=_("企業名"), max_length=200)
    prefecture = forms.CharField(label=_("都道府県"), max_length=10)
    municipality = forms.CharField(label=_("市区町村"), max_length=50)
    address_line = forms.CharField(label=_("町名・番地・建物"), max_length=200, required=False)
