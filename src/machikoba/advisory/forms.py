"""Forms of the advisor dispatch. They only parse input (a date and two times into aware
datetimes, ids into choices); the services check it and refuse with a message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from machikoba.advisory.choices import AdvisorKind, Better
from machikoba.core.forms import ServiceForm

CHECK = {"class": "form-check"}


class ChoicesForm(ServiceForm):
    def _choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        if isinstance(field, forms.ChoiceField):  # every field named here is one
            field.choices = choices


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class AdvisorForm(ChoicesForm):
    email = forms.EmailField(
        label=_("アカウントのメールアドレス"),
        max_length=254,
        help_text=_("ご本人が machikoba に作ったアカウントのメールアドレスです。"),
    )
    kind = forms.ChoiceField(
        label=_("専門の種類"),
        choices=AdvisorKind.choices,
        widget=forms.RadioSelect(attrs=CHECK),
    )
    organisation = forms.CharField(label=_("所属"), max_length=120, required=False)
    specialties = forms.CharField(
        label=_("得意分野"),
        max_length=300,
        required=False,
        help_text=_("例: 生産管理, IoT, 原価計算"),
    )
    wards = forms.MultipleChoiceField(
        label=_("担当できる区"), widget=forms.CheckboxSelectMultiple(attrs=CHECK)
    )
    capacity = forms.IntegerField(label=_("同時に担当できる社数"), min_value=1, max_value=20)
    hourly_fee = forms.IntegerField(label=_("時間単価 (円・税抜)"), min_value=0, max_value=100_000)
    active = forms.BooleanField(label=_("いま派遣できる"), required=False, initial=True)

    def __init__(
        self, *args: Any, wards: Iterable[Any] = (), editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._choices("wards", [(str(w.pk), w.name) for w in wards])
        if editing:
            del self.fields["email"]


class RequestForm(ChoicesForm):
    topics = forms.CharField(
        label=_("相談したい分野"),
        max_length=300,
        help_text=_("例: 見積の作り方, 生産管理, 在庫管理"),
    )
    description = forms.CharField(
        label=_("相談の内容"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("いま困っていること、アドバイザーと一緒に変えたいことを書いてください。"),
    )


class ProposeForm(RequestForm):
    company = forms.ChoiceField(label=_("提案する企業"), widget=forms.RadioSelect(attrs=CHECK))
    graduation = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = ["company", "topics", "description", "graduation"]

    def __init__(self, *args: Any, companies: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("company", [(str(c.pk), c.name) for c in companies])


class ReasonForm(ServiceForm):
    reason = forms.CharField(
        label=_("理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class AssignForm(ChoicesForm):
    advisors = forms.MultipleChoiceField(
        label=_("担当するアドバイザー"), widget=forms.CheckboxSelectMultiple(attrs=CHECK)
    )
    lead = forms.ChoiceField(
        label=_("主担当"),
        required=False,
        widget=forms.RadioSelect(attrs=CHECK),
        help_text=_("選ばなければ、上で最初に選んだ人が主担当です。"),
    )
    starts_on = forms.DateField(label=_("開始日"), widget=DATE)
    ends_on = forms.DateField(
        label=_("終了予定日"), widget=DATE, help_text=_("目安は開始から6か月です。")
    )

    def __init__(self, *args: Any, candidates: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = []
        for row in candidates:
            label = _("%(name)s (%(kind)s・担当中 %(load)s / %(capacity)s 社)") % {
                "name": row.advisor.user.get_full_name(),
                "kind": row.advisor.get_kind_display(),
                "load": row.load,
                "capacity": row.capacity,
            }
            choices.append((str(row.advisor.pk), label))
        self._choices("advisors", choices)
        self._choices(
            "lead", [(str(row.advisor.pk), row.advisor.user.get_full_name()) for row in candidates]
        )


class DatesForm(ServiceForm):
    starts_on = forms.DateField(label=_("開始日"), widget=DATE)
    ends_on = forms.DateField(label=_("終了予定日"), widget=DATE)


class CloseForm(ServiceForm):
    summary = forms.CharField(
        label=_("支援のまとめ"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("何を変え、どんな効果があったか、これから企業が続けることを書いてください。"),
    )


class VisitForm(ServiceForm):
    date = forms.DateField(label=_("訪問した日"), widget=DATE)
    start = forms.TimeField(label=_("開始の時刻"), widget=TIME)
    end = forms.TimeField(label=_("終了の時刻"), widget=TIME)
    work_done = forms.CharField(
        label=_("実施内容"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_steps = forms.CharField(
        label=_("次回までの宿題・次のステップ"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def times(self) -> tuple[dt.datetime, dt.datetime]:
        """The start and end as aware datetimes on the visit's date (local time)."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        starts = dt.datetime.combine(data["date"], data["start"], tzinfo=zone)
        ends = dt.datetime.combine(data["date"], data["end"], tzinfo=zone)
        return starts, ends


class MeasurementForm(ServiceForm):
    name = forms.CharField(
        label=_("指標"), max_length=100, help_text=_("例: 見積作成時間, リードタイム, 稼働率")
    )
    unit = forms.CharField(label=_("単位"), max_length=20, help_text=_("例: 分, 日, %"))
    better = forms.ChoiceField(
        label=_("良い向き"), choices=Better.choices, widget=forms.RadioSelect(attrs=CHECK)
    )
    before_value = forms.DecimalField(
        label=_("導入前の値"), max_digits=12, decimal_places=2, min_value=0
    )
    before_on = forms.DateField(label=_("導入前の測定日"), widget=DATE)


class AfterForm(ServiceForm):
    after_value = forms.DecimalField(
        label=_("導入後の値"), max_digits=12, decimal_places=2, min_value=0
    )
    after_on = forms.DateField(label=_("導入後の測定日"), widget=DATE)


class NoteForm(ServiceForm):
    note = forms.CharField(
        label=_("メモ"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class EvidenceForm(ServiceForm):
    title = forms.CharField(label=_("件名"), max_length=120)
    file = forms.FileField(
        label=_("ファイル (PDF・PNG・JPEG)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
