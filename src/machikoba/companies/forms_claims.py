"""Forms of a company's first account: the page a mailed link opens, the ward's decision
and the ward's ledger address. They only parse input; the services check it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from machikoba.core.forms import ServiceForm


class ClaimAccountForm(ServiceForm):
    name = forms.CharField(label=_("氏名"), max_length=100)
    password = forms.CharField(
        label=_("パスワード"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("10 文字以上。"),
    )


class ClaimRejectForm(ServiceForm):
    reason = forms.CharField(
        label=_("見送りの理由"),
        max_length=300,
        help_text=_("区の記録に残ります。申請者には「承認されなかった」ことだけを伝えます。"),
    )


class ContactEmailForm(ServiceForm):
    email = forms.CharField(
        label=_("登録メールアドレス (区の台帳)"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("空にすると消去します。"),
    )
