"""Forms of the metrics pages: a new shift, and the period and day asked for."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from machikoba.core.forms import ServiceForm


class ShiftForm(ServiceForm):
    name = forms.CharField(
        label=_("シフト名"),
        max_length=30,
        help_text=_("例: 日勤、夜勤、1直"),
        error_messages={"required": _("シフト名を入力してください。")},
    )
    start = forms.TimeField(
        label=_("開始時刻"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("開始時刻を入力してください。"),
            "invalid": _("時刻を 08:30 の形で入力してください。"),
        },
    )
    end = forms.TimeField(
        label=_("終了時刻"),
        help_text=_("開始より前の時刻なら、翌日のその時刻まで (夜勤)。"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("終了時刻を入力してください。"),
            "invalid": _("時刻を 17:30 の形で入力してください。"),
        },
    )
