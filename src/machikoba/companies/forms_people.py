"""Forms of the people of a company: invite, change a role, hand over ownership. They
only parse input; ``services_people`` checks it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Membership
from machikoba.companies.models_people import InvitationChannel
from machikoba.core.forms import ServiceForm

ROLE_HELP = _(
    "経営者はメンバーの管理まで、事務・技術スタッフは見積や案件の編集まで、"
    "現場作業者は工程の記録ができます。"
)


class InviteForm(ServiceForm):
    role = forms.ChoiceField(
        label=_("役割"),
        choices=CompanyRole.choices,
        initial=CompanyRole.FLOOR_WORKER,
        widget=forms.RadioSelect(attrs={"class": "form-check"}),
        help_text=ROLE_HELP,
    )
    email = forms.CharField(
        label=_("招待する人のメールアドレス"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("招待のリンクをこのアドレスに送ります。リンクは 7 日間、一度だけ使えます。"),
    )
    # Which of the form's two buttons was pressed.
    channel = forms.ChoiceField(choices=InvitationChannel.choices, widget=forms.HiddenInput)


class RoleForm(ServiceForm):
    role = forms.ChoiceField(
        label=_("新しい役割"),
        choices=CompanyRole.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check"}),
        help_text=ROLE_HELP,
    )


class TransferForm(ServiceForm):
    to = forms.ChoiceField(
        label=_("経営者にするメンバー"), widget=forms.RadioSelect(attrs={"class": "form-check"})
    )
    step_down = forms.BooleanField(
        label=_("渡したあと、自分は「事務・技術スタッフ」になる"),
        required=False,
    )

    def __init__(self, *args: Any, candidates: Iterable[Membership] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        if isinstance(field, forms.ChoiceField):
            field.choices = [
                (str(m.pk), f"{m.user.get_full_name()} ({m.get_role_display()})")
                for m in candidates
            ]
