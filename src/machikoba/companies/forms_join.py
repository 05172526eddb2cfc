"""Forms of joining: the search, the way to prove the claim, the code, and a new company.
They only parse input; the services check it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from machikoba.companies.choices import JoinMethod
from machikoba.core.forms import ServiceForm


class JoinSearchForm(forms.Form):
    q = forms.CharField(
        label=_("法人番号・電話番号・会社名"),
        max_length=100,
        required=False,
        help_text=_(
            "法人番号 (13 桁) か、区に届けている電話番号か、会社名の一部を入れてください。"
        ),
    )


class JoinMethodForm(ServiceForm):
    method = forms.ChoiceField(label=_("確認の方法"), widget=forms.RadioSelect)
    evidence = forms.FileField(
        label=_("登記事項証明書など (区の担当者の確認を選んだとき)"),
        required=False,
        help_text=_("PDF・JPEG・PNG、10 MB まで。訪問で確認する場合は不要です。"),
    )
    note = forms.CharField(
        label=_("区へのひとこと (任意)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, methods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [(m, JoinMethod(m).label) for m in methods]
        if methods:
            self.fields["method"].initial = methods[0]


class JoinCodeForm(ServiceForm):
    code = forms.CharField(
        label=_("確認コード (6 桁)"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class JoinNewCompanyForm(ServiceForm):
    name = forms.CharField(label=_("会社名 (個人事業主は屋号)"), max_length=200)
    name_kana = forms.CharField(label=_("フリガナ"), max_length=200, required=False)
    corporate_number = forms.CharField(
        label=_("法人番号 (13 桁)"),
        max_length=20,
        required=False,
        help_text=_("個人事業主の方は空欄のままにしてください。"),
    )
    postal_code = forms.CharField(label=_("郵便番号"), max_length=8)
    address_line = forms.CharField(label=_("町名・番地・建物"), max_length=200)
    method = forms.ChoiceField(
        label=_("確認の方法"),
        widget=forms.RadioSelect,
        choices=[
            (JoinMethod.LETTER.value, JoinMethod.LETTER.label),
            (JoinMethod.OFFICER.value, JoinMethod.OFFICER.label),
        ],
        initial=JoinMethod.LETTER.value,
    )
    evidence = forms.FileField(
        label=_("登記事項証明書など (区の担当者の確認を選んだとき)"), required=False
    )
