from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from machikoba.apitokens.areas import AREAS, READ, WRITE
from machikoba.apitokens.selectors import TokenOwner
from machikoba.core.forms import ApplicationErrorFormMixin

LEVELS = [("", _("使わない")), (READ, _("読み取りのみ")), (WRITE, _("読み取りと書き込み"))]


class TokenForm(ApplicationErrorFormMixin, forms.Form):
    name = forms.CharField(
        label=_("名前"),
        max_length=100,
        help_text=_("どのプログラムで使うか分かる名前。例：生産管理システム連携"),
    )
    owner = forms.ChoiceField(label=_("誰として使うか"))
    lifetime_days = forms.IntegerField(
        label=_("有効期間（日）"),
        min_value=1,
        max_value=365,
        initial=90,
        help_text=_("1日から365日まで。期限が来たら新しいトークンを発行してください。"),
    )

    def __init__(self, *args, owners: list[TokenOwner], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.owners = {owner.value: owner for owner in owners}
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ChoiceField)  # noqa: S101 (declared above)
        owner_field.choices = [(o.value, o.label) for o in owners]
        for area, label in AREAS.items():
            self.fields[f"area_{area}"] = forms.ChoiceField(
                label=label, choices=LEVELS, required=False
            )

    def area_fields(self):
        return [self[f"area_{area}"] for area in AREAS]

    def clean(self):
        data = super().clean()
        scopes = [f"{area}:{data[f'area_{area}']}" for area in AREAS if data.get(f"area_{area}")]
        if not scopes:
            raise forms.ValidationError(_("使う範囲を一つ以上選んでください。"))
        data["scopes"] = scopes
        owner = self.owners.get(data.get("owner", ""))
        data["company"] = owner.company if owner else None
        data["ward_role"] = owner.ward_role if owner else None
        return data
