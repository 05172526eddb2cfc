from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from machikoba.core.forms import ServiceForm

from .choices import PLAN_OBJECTIVE_CHOICES, TIME_LIMIT_CHOICES, WEEKDAY_CHOICES, PlanObjective
from .models import MAX_STEP_MINUTES


class PlanForm(ServiceForm):
    objective = forms.ChoiceField(
        label=_("何を優先して計画しますか"),
        choices=PLAN_OBJECTIVE_CHOICES,
        initial=PlanObjective.DUE_DATES,
        widget=forms.RadioSelect,
    )
    time_limit = forms.TypedChoiceField(
        label=_("計画を考える時間"),
        choices=TIME_LIMIT_CHOICES,
        coerce=int,
        initial=30,
        help_text=_("長く考えるほど、よい計画が見つかることがあります。ふつうは 30 秒で十分です。"),
    )


class CalendarForm(ServiceForm):
    day_start = forms.TimeField(
        label=_("始業時刻"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    day_end = forms.TimeField(
        label=_("終業時刻"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("稼働する曜日"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("稼働する曜日を一つ以上選んでください。")},
    )
    shutdown_dates = forms.CharField(
        label=_("休業日 (祝日以外)"),
        required=False,
        help_text=_("1 行に 1 日、2026-12-29 の形で。祝日は自動で休みになります。"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_shutdown_dates(self) -> list[dt.date]:
        days = []
        for line in self.cleaned_data["shutdown_dates"].replace(",", "\n").splitlines():
            text = line.strip()
            if not text:
                continue
            try:
                days.append(dt.date.fromisoformat(text.replace("/", "-")))
            except ValueError:
                raise ValidationError(
                    _("「%(text)s」は日付として読めません。2026-12-29 の形で入力してください。"),
                    params={"text": text},
                ) from None
        return days


class StepWorkForm(ServiceForm):
    minutes = forms.IntegerField(
        label=_("加工時間 (分)"),
        required=False,
        min_value=1,
        max_value=MAX_STEP_MINUTES,
        help_text=_("段取りを含む機械の時間。空欄なら見込みで計画します。"),
    )
    equipment = forms.ModelMultipleChoiceField(
        label=_("使う設備"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("選ばなければ、工程に合う設備 (設備一覧の工程) から選びます。"),
    )

    def __init__(self, *args, equipment_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["equipment"].queryset = equipment_queryset


class MoveForm(ServiceForm):
    machine = forms.ChoiceField(label=_("設備"))
    day = forms.DateField(label=_("日付"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(
        label=_("開始時刻"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(self, *args, machines: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["machine"].choices = machines
