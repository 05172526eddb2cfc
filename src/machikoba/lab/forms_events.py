"""Forms of the lab's events: an event (lab staff), its cancellation, a desk visitor's
registration, and the survey. They only parse input; ``services.events``,
``services.registrations`` and ``services.surveys`` check it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from machikoba.companies.models import Company
from machikoba.core.forms import ServiceForm
from machikoba.lab.choices import EventKind
from machikoba.lab.models import Lab, Training
from machikoba.lab.models_visits import Visitor

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.Field:
    """A date and time picked with the phone's own picker (``datetime-local``)."""
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        error_messages={
            "required": _("日時を入力してください。"),
            "invalid": _("日時を正しく入力してください。"),
        },
    )


def _choices(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):  # the class declares it so
        raise TypeError(name)
    return field


class EventForm(ServiceForm):
    lab = forms.ChoiceField(label=_("ラボ"))
    kind = forms.ChoiceField(
        label=_("種類"),
        choices=EventKind.choices,
        initial=EventKind.SEMINAR,
        widget=forms.RadioSelect(attrs={"class": "form-check"}),
    )
    title = forms.CharField(
        label=_("タイトル"),
        max_length=120,
        error_messages={"required": _("タイトルを入力してください。")},
        help_text=_("例: はじめての協働ロボット活用セミナー"),
    )
    description = forms.CharField(
        label=_("内容 (任意)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("対象、持ち物、当日の流れなど。一覧と詳細に表示します。"),
    )
    training = forms.ChoiceField(
        label=_("講習 (種類が「機器の講習」のとき必須)"),
        required=False,
        help_text=_("出席者の修了を記録すると、この講習で予約できるようになる機器を予約できます。"),
    )
    starts_at = _datetime_field(_("開始"))
    ends_at = _datetime_field(_("終了"))
    place = forms.CharField(
        label=_("会場 (任意)"),
        max_length=120,
        required=False,
        help_text=_("空欄ならラボの名称を表示します。例: ラボ 2階 セミナールーム"),
    )
    capacity = forms.IntegerField(
        label=_("定員"),
        min_value=1,
        max_value=1000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("定員を入力してください。"),
            "invalid": _("半角の数字で入力してください。"),
            "min_value": _("%(limit_value)s 人以上にしてください。"),
            "max_value": _("%(limit_value)s 人以下にしてください。"),
        },
        help_text=_("定員を超えた申込みは、キャンセル待ちになります。"),
    )
    registration_closes_at = _datetime_field(
        _("申込みの締切 (任意)"), required=False, help_text=_("空欄なら開始まで受け付けます。")
    )
    host = forms.ChoiceField(label=_("共催ベンダー (任意)"), required=False)

    def __init__(
        self,
        *args: Any,
        labs: Iterable[Lab] = (),
        trainings: Iterable[Training] = (),
        vendors: Iterable[Company] = (),
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lab_choices = {str(lab.pk): lab for lab in labs}
        self.training_choices = {str(t.pk): t for t in trainings}
        self.vendor_choices = {str(c.pk): c for c in vendors}
        lab = _choices(self, "lab")
        lab.choices = [(key, item.name) for key, item in self.lab_choices.items()]
        if len(self.lab_choices) == 1:
            lab.initial = next(iter(self.lab_choices))
        if editing:
            del self.fields["lab"]
        several_labs = len({t.lab_id for t in self.training_choices.values()}) > 1
        _choices(self, "training").choices = [
            ("", _("なし")),
            *[
                (key, f"{t.name} ({t.lab.name})" if several_labs else t.name)
                for key, t in self.training_choices.items()
            ],
        ]
        _choices(self, "host").choices = [
            ("", _("なし (ラボの主催)")),
            *[(key, c.name) for key, c in self.vendor_choices.items()],
        ]

    def clean_lab(self) -> Lab:
        return self.lab_choices[self.cleaned_data["lab"]]

    def clean_training(self) -> Training | None:
        key = self.cleaned_data.get("training")
        return self.training_choices[key] if key else None

    def clean_host(self) -> Company | None:
        key = self.cleaned_data.get("host")
        return self.vendor_choices[key] if key else None

    def values(self) -> dict[str, Any]:
        """The event's fields, for ``event_create`` / ``event_update``."""
        return {k: v for k, v in self.cleaned_data.items() if k != "lab"}


def initial_of(event: Any) -> dict[str, Any]:
    """An event's fields as the form shows them for editing."""
    return {
        "kind": event.kind,
        "title": event.title,
        "description": event.description,
        "training": str(event.training_id or ""),
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "place": event.place,
        "capacity": event.capacity,
        "registration_closes_at": event.registration_closes_at,
        "host": str(event.host_id or ""),
    }


class CancelForm(ServiceForm):
    reason = forms.CharField(
        label=_("中止の理由 (任意)"),
        max_length=200,
        required=False,
        help_text=_("申し込んだ方へのお知らせに入ります。"),
    )


class VisitorRegistrationForm(ServiceForm):
    visitor = forms.ChoiceField(
        label=_("受付で登録した来館者"),
        error_messages={
            "required": _("来館者を選んでください。"),
            "invalid_choice": _("このラボの受付で登録した来館者を選んでください。"),
        },
    )

    def __init__(self, *args: Any, visitors: Iterable[Visitor] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visitor_choices = {str(v.pk): v for v in visitors}
        _choices(self, "visitor").choices = [
            ("", _("選んでください")),
            *[
                (key, f"{v.name} ({v.organisation})" if v.organisation else v.name)
                for key, v in self.visitor_choices.items()
            ],
        ]

    def clean_visitor(self) -> Visitor:
        return self.visitor_choices[self.cleaned_data["visitor"]]


RATING_CHOICES = [
    ("5", _("5 とても良かった")),
    ("4", _("4 良かった")),
    ("3", _("3 ふつう")),
    ("2", _("2 あまり良くなかった")),
    ("1", _("1 良くなかった")),
]


class SurveyForm(ServiceForm):
    rating = forms.TypedChoiceField(
        label=_("満足度"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-check"}),
        error_messages={
            "required": _("満足度を選んでください。"),
            "invalid_choice": _("満足度を1〜5から選んでください。"),
        },
    )
    useful = forms.TypedChoiceField(
        label=_("自社の役に立ちそうですか"),
        choices=[("yes", _("はい")), ("no", _("いいえ"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect(attrs={"class": "form-check"}),
        error_messages={
            "required": _("「はい」か「いいえ」を選んでください。"),
            "invalid_choice": _("「はい」か「いいえ」を選んでください。"),
        },
    )
    met_partner = forms.CharField(
        label=_("商談・連携につながりそうな相手 (任意)"),
        max_length=200,
        required=False,
        help_text=_(
            "会場で出会った企業・ベンダーの名前と、話したこと。ラボの職員が、"
            "ビジネスマッチングのお手伝いをします。"
        ),
    )
    comment = forms.CharField(
        label=_("ご意見・ご感想 (任意)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
