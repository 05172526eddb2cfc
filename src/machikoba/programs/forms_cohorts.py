"""Forms of the participant's side of the programmes: applying, declining, the roll-call.
They only parse input; ``services.applications`` and ``services.attendance`` check it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from machikoba.accounts.models import User
from machikoba.core.forms import ServiceForm
from machikoba.programs.choices import AttendanceStatus


class ApplyForm(ServiceForm):
    motivation = forms.CharField(
        label=_("受講の目的 (任意)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("いま困っていること、講座で身につけたいことを一言で。講師が準備に使います。"),
    )
    participant = forms.ChoiceField(
        label=_("受講する人"),
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-check"}),
        help_text=_("会社のメンバーから、この講座を受講する人を選んでください。"),
    )

    def __init__(self, *args: Any, nominees: Iterable[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if nominees is None:  # the dojo: the owner applies for themself
            del self.fields["participant"]
        else:
            field = self.fields["participant"]
            field.required = True
            field.choices = [(str(user.pk), user.get_full_name()) for user in nominees]  # type: ignore[attr-defined]


class DeclineForm(ServiceForm):
    reason = forms.CharField(
        label=_("受講不可の理由"),
        max_length=300,
        required=False,  # the service says why an empty reason is refused
        widget=forms.TextInput(),
        help_text=_("企業にそのまま伝わります。"),
    )


class RollCallForm(ServiceForm):
    application = forms.CharField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=AttendanceStatus.choices)
    note = forms.CharField(label=_("メモ"), max_length=200, required=False)
