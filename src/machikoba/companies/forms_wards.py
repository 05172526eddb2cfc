"""The officer's form for a company's ward: confirm it, or correct it to another ward the
officer serves, or to none (outside every registered ward). The service checks it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from machikoba.core.forms import ServiceForm

OUTSIDE = "outside"


class WardAssignForm(ServiceForm):
    ward = forms.ChoiceField(label=_("所管の自治体"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("メモ (任意)"),
        max_length=200,
        required=False,
        help_text=_("訂正の理由など。区の記録に残ります。"),
    )

    def __init__(self, *args, wards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].choices = [
            *[(str(w.pk), w.display_name) for w in wards],
            (OUTSIDE, _("登録自治体の外 (どの区にも属さない)")),
        ]
