"""The filters of the platform admins' audit trail page (a GET form)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from machikoba.core.models import AUDIT_VERB_LABELS

StrOrPromise = str | Promise

# Object types offered in the filter: the platform's own models and the accounts'.
TARGET_APPS = ("machikoba", "auth", "account", "mfa", "socialaccount")


def _verb_choices() -> list[tuple[str, StrOrPromise]]:
    return [("", _("すべて"))] + [
        (verb, f"{label} ({verb})")
        for verb, label in sorted(AUDIT_VERB_LABELS.items(), key=lambda item: item[0])
    ]


def _target_type_choices() -> list[tuple[str, StrOrPromise]]:
    ours = {
        config.label
        for config in apps.get_app_configs()
        if config.name.startswith("machikoba.") or config.label in TARGET_APPS
    }
    choices: list[tuple[str, StrOrPromise]] = [("", _("すべて"))]
    for kind in ContentType.objects.filter(app_label__in=ours).order_by("app_label", "model"):
        model = kind.model_class()
        if model is not None:
            label = f"{model._meta.verbose_name} ({kind.app_label}.{kind.model})"
            choices.append((str(kind.pk), label))
    return choices


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        label=_("実行者 (メールアドレスの一部)"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-input", "type": "search"}),
    )
    company = forms.CharField(
        label=_("企業名 (一部)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-input", "type": "search"}),
    )
    company_id = forms.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, widget=forms.HiddenInput
    )
    verb = forms.ChoiceField(
        label=_("操作"), required=False, widget=forms.Select(attrs={"class": "form-input"})
    )
    target_type = forms.ChoiceField(
        label=_("対象の種類"), required=False, widget=forms.Select(attrs={"class": "form-input"})
    )
    target_id = forms.CharField(
        label=_("対象ID"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-input", "inputmode": "numeric"}),
    )
    date_from = forms.DateField(
        label=_("開始日"),
        required=False,
        widget=forms.DateInput(attrs={"class": "form-input", "type": "date"}),
    )
    date_to = forms.DateField(
        label=_("終了日"),
        required=False,
        widget=forms.DateInput(attrs={"class": "form-input", "type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["verb"].choices = _verb_choices()  # type: ignore[attr-defined]
        self.fields["target_type"].choices = _target_type_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("終了日は開始日以降にしてください。"))
        return data

    def filters(self) -> dict[str, Any]:
        """The valid filters, for the selector (empty ones left out)."""
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        if data.get("target_type"):
            data["target_type"] = int(data["target_type"])
        return {key: value for key, value in data.items() if value not in (None, "")}
