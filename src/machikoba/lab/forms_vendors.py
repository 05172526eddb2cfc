"""Forms of the vendors' pages. They only parse input (a date and two times into aware
datetimes, an exhibit's id into an item); the services check it and refuse with a
message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from machikoba.core.forms import ServiceForm
from machikoba.core.ids import parse_id
from machikoba.lab.models import Item

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")


class DemoSlotForm(ServiceForm):
    item = forms.ChoiceField(label=_("デモをする展示品"))
    date = forms.DateField(label=_("日付"), widget=DATE)
    start = forms.TimeField(label=_("開始の時刻"), widget=TIME)
    end = forms.TimeField(label=_("終了の時刻"), widget=TIME)
    seats = forms.IntegerField(
        label=_("定員 (社)"),
        min_value=1,
        max_value=50,
        initial=3,
        help_text=_("1社につき1席です。"),
    )
    note = forms.CharField(
        label=_("内容"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例: 段取り替えの記録を現場のタブレットで入力するところをお見せします。"),
    )

    def __init__(self, *args: Any, exhibits: Iterable[Item] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exhibits = {item.pk: item for item in exhibits}
        field = self.fields["item"]
        if isinstance(field, forms.ChoiceField):  # it is; the type checker is told so
            field.choices = [
                (str(item.pk), f"{item.name} ({item.lab.name})") for item in self.exhibits.values()
            ]

    def clean_item(self) -> Item:
        item = self.exhibits.get(parse_id(self.cleaned_data["item"]) or 0)
        if item is None:  # the choices hold only the listed ids; a stale page's id
            raise forms.ValidationError(_("展示品を選んでください。"))
        return item

    def times(self) -> tuple[dt.datetime, dt.datetime]:
        """The start and end as aware datetimes on the chosen day (local time)."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        starts = dt.datetime.combine(data["date"], data["start"], tzinfo=zone)
        ends = dt.datetime.combine(data["date"], data["end"], tzinfo=zone)
        return starts, ends


class ReasonForm(ServiceForm):
    reason = forms.CharField(
        label=_("理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class CancelDemoForm(ServiceForm):
    reason = forms.CharField(
        label=_("中止の理由 (予約した企業に届きます)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConsultationForm(ServiceForm):
    subject = forms.CharField(
        label=_("件名"), max_length=120, help_text=_("例: 5台のNC旋盤の稼働を見える化したい")
    )
    message = forms.CharField(
        label=_("相談内容"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("いまのやり方、困っていること、台数や人数、予算の目安などを書いてください。"),
    )


class AnswerForm(ServiceForm):
    answer = forms.CharField(
        label=_("回答"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )


class TrialRequestForm(ServiceForm):
    message = forms.CharField(
        label=_("使いたい業務"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("例: 見積から受注までの流れを、事務の2人で1か月試したい。"),
    )


class TrialApproveForm(ServiceForm):
    starts_on = forms.DateField(label=_("試用開始日"), widget=DATE)
    ends_on = forms.DateField(label=_("試用終了日"), widget=DATE)
    licence_note = forms.CharField(
        label=_("ライセンスの案内"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("ログイン方法、使える機能、サポートの連絡先などを書いてください。"),
    )
