"""Forms of the daily reports (日報): they parse what was typed; the services check it.

Every form that writes a new entry carries a hidden ``idempotency_key``, drawn when the
page is drawn: sending the same form twice (a retry on a flaky connection, a double tap)
sends the same key, and the service answers with the entry it already wrote."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from machikoba.core.forms import ServiceForm

from .choices import ReasonKind
from .models_reports import MAX_COUNT, MAX_ENTRY_MINUTES

NUMBER = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Any number of files (the service checks each one is a photo, and how many)."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        files = data if isinstance(data, list | tuple) else [data]
        return [single(item, initial) for item in files if item]


def _number(label: Any, *, maximum: int, minimum: int = 0, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=minimum,
        max_value=maximum,
        widget=forms.NumberInput(attrs=NUMBER),
        **kwargs,
    )


def _choose(form: forms.BaseForm, name: str, choices: list[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 (a form's own field)
    field.choices = choices


def _reason(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, required=False, coerce=int, empty_value=None)


class EntryForm(ServiceForm):
    """One piece of work: the step (fixed when the page is about one step), the machine,
    the minutes, the counts, the reasons, a note and photos."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    day = forms.DateField(required=False, widget=forms.HiddenInput)
    step = forms.TypedChoiceField(label=_("工程"), coerce=int)
    machine = forms.ChoiceField(label=_("設備"), required=False)
    minutes = _number(_("作業時間 (分)"), minimum=1, maximum=MAX_ENTRY_MINUTES)
    good = _number(_("良品数"), maximum=MAX_COUNT)
    defect = _number(_("不良数"), maximum=MAX_COUNT)
    defect_reason = _reason(_("不良の理由"))
    # The page says what a stop is under the pair of fields (not in a half-width column).
    stop_minutes = _number(_("停止時間 (分)"), maximum=MAX_ENTRY_MINUTES)
    stop_reason = _reason(_("停止の理由"))
    machine_minutes = _number(
        _("機械時間 (分)"),
        maximum=MAX_ENTRY_MINUTES,
        help_text=_("無人運転などで作業時間と違うときだけ。空欄なら作業時間と同じです。"),
    )
    notes = forms.CharField(
        label=_("メモ"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = PhotosField(
        label=_("写真"),
        required=False,
        help_text=_("不良や仕上がりの写真 (5枚まで)。"),
    )

    def __init__(
        self,
        *args: Any,
        steps: list[tuple[int, str]],
        machines: list[tuple[str, str]],
        stop_reasons: list[tuple[str, str]],
        defect_reasons: list[tuple[str, str]],
        fixed_step: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choose(self, "step", [("", _("工程を選んでください")), *steps])
        if fixed_step:
            self.fields["step"].widget = forms.HiddenInput()
        _choose(self, "machine", [("", _("使わない (手作業)")), *machines])
        _choose(self, "defect_reason", [("", _("選んでください")), *defect_reasons])
        _choose(self, "stop_reason", [("", _("選んでください")), *stop_reasons])


class StartForm(ServiceForm):
    """「開始」: the step and the machine; the time is now."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    step = forms.TypedChoiceField(coerce=int, widget=forms.HiddenInput)
    machine = forms.ChoiceField(label=_("設備"), required=False)

    def __init__(
        self,
        *args: Any,
        steps: list[tuple[int, str]],
        machines: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choose(self, "step", steps)
        _choose(self, "machine", [("", _("使わない (手作業)")), *machines])


def new_key() -> uuid.UUID:
    return uuid.uuid4()


class ReturnForm(ServiceForm):
    note = forms.CharField(
        label=_("差し戻す理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("作業者に届きます。何を直せばよいかを書いてください。"),
        error_messages={"required": _("差し戻す理由を書いてください (作業者に伝わります)。")},
    )


class ReasonForm(ServiceForm):
    kind = forms.ChoiceField(label=_("種類"), choices=ReasonKind.choices)
    label = forms.CharField(label=_("名前"), max_length=60)
    code = forms.CharField(
        label=_("コード"),
        max_length=64,
        help_text=_(
            "英数字で短く (例: setup)。機械が送る理由のコードと同じにすると、自動で結びつきます。"
        ),
    )
    planned = forms.BooleanField(
        label=_("計画停止 (昼休み・計画保全など、稼働率から除く停止)"), required=False
    )
    order = forms.IntegerField(label=_("並び順"), min_value=0, max_value=999, initial=0)


class ReasonEditForm(ServiceForm):
    label = forms.CharField(label=_("名前"), max_length=60)
    code = forms.CharField(label=_("コード"), max_length=64)
    planned = forms.BooleanField(
        label=_("計画停止 (昼休み・計画保全など、稼働率から除く停止)"), required=False
    )
    active = forms.BooleanField(
        label=_("使う (外すと、新しい日報では選べなくなります)"), required=False
    )
    order = forms.IntegerField(label=_("並び順"), min_value=0, max_value=999)


class CostRatesForm(ServiceForm):
    labour_yen_per_hour = forms.IntegerField(
        label=_("人の時間単価 (円/時)"),
        min_value=0,
        max_value=1_000_000,
        widget=forms.NumberInput(attrs=NUMBER),
        help_text=_("作業者1人の1時間あたりの費用 (賃金・社会保険などを含めた額)。"),
    )
    machine_yen_per_hour = forms.IntegerField(
        label=_("機械の時間単価 (円/時)"),
        min_value=0,
        max_value=1_000_000,
        widget=forms.NumberInput(attrs=NUMBER),
        help_text=_("設備1台を1時間動かす費用 (償却・電気代・工具などの目安)。"),
    )
