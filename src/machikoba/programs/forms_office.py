"""The office's forms: a programme, a cohort, its instructors, a session, a handout.
They only parse input; ``services.programs`` and ``services.materials`` check it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from machikoba.accounts.models import User
from machikoba.core.forms import ServiceForm
from machikoba.programs.choices import ParticipantRole, ProgramKind
from machikoba.wards.models import Municipality

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label: Any, help_text: Any = "") -> forms.DateTimeField:
    """A date and time picked with the phone's own picker (``datetime-local``)."""
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        error_messages={
            "required": _("日時を入力してください。"),
            "invalid": _("日時を正しく入力してください。"),
        },
    )


def _number_field(
    label: Any, *, min_value: int, max_value: int, **kwargs: Any
) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=min_value,
        max_value=max_value,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("数を入力してください。"),
            "invalid": _("半角の数字で入力してください。"),
            "min_value": _("%(limit_value)s 以上にしてください。"),
            "max_value": _("%(limit_value)s 以下にしてください。"),
        },
        **kwargs,
    )


def _choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):  # the class declares it so
        raise TypeError(name)
    return field


class ProgramForm(ServiceForm):
    municipality = forms.ChoiceField(
        label=_("実施する区"), widget=forms.RadioSelect(attrs={"class": "form-check"})
    )
    kind = forms.ChoiceField(
        label=_("種類"),
        choices=ProgramKind.choices,
        initial=ProgramKind.DOJO,
        widget=forms.RadioSelect(attrs={"class": "form-check"}),
    )
    name = forms.CharField(
        label=_("名称"),
        max_length=120,
        error_messages={"required": _("名称を入力してください。")},
        help_text=_("例: 大田区 DX道場"),
    )
    description = forms.CharField(
        label=_("説明 (任意)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("申し込む企業に見せる説明です。"),
    )
    participant_role = forms.ChoiceField(
        label=_("受講する人"),
        choices=ParticipantRole.choices,
        initial=ParticipantRole.OWNER,
        widget=forms.RadioSelect(attrs={"class": "form-check"}),
    )
    wards_only = forms.BooleanField(
        label=_("実施する区 (共同実施の区を含む) の企業に限る"), required=False, initial=True
    )
    max_per_company = _number_field(
        _("1社あたりの受講者の上限"), min_value=1, max_value=50, initial=1
    )
    min_sessions_attended = _number_field(
        _("修了に必要な出席回数"), min_value=0, max_value=50, initial=4
    )
    requires_plan_accepted = forms.BooleanField(
        label=_("修了にDX計画書の承認が必要"), required=False, initial=True
    )
    partner_wards = forms.MultipleChoiceField(
        label=_("共同で実施する区 (任意)"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check"}),
        help_text=_("選んだ区の職員も、このプログラムを管理できます。"),
    )

    def __init__(
        self,
        *args: Any,
        wards: Iterable[Municipality] = (),
        all_wards: Iterable[Municipality] = (),
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.ward_choices = {str(w.pk): w for w in wards}
        self.partner_choices = {str(w.pk): w for w in all_wards}
        municipality = _choice_field(self, "municipality")
        municipality.choices = [(key, w.display_name) for key, w in self.ward_choices.items()]
        if len(self.ward_choices) == 1:
            municipality.initial = next(iter(self.ward_choices))
        if editing:
            del self.fields["municipality"]
        partners = _choice_field(self, "partner_wards")
        partners.choices = [(key, w.display_name) for key, w in self.partner_choices.items()]

    def clean_municipality(self) -> Municipality:
        return self.ward_choices[self.cleaned_data["municipality"]]

    def clean_partner_wards(self) -> list[Municipality]:
        return [self.partner_choices[key] for key in self.cleaned_data["partner_wards"]]


class CohortForm(ServiceForm):
    fiscal_year = _number_field(
        _("年度"),
        min_value=2000,
        max_value=2100,
        help_text=_("西暦で。例: 2026 (2026年4月〜2027年3月)"),
    )
    name = forms.CharField(
        label=_("期の名称"),
        max_length=80,
        help_text=_("例: 第1期"),
        error_messages={"required": _("期の名称を入力してください。")},
    )
    capacity = _number_field(_("定員"), min_value=1, max_value=500)
    applications_open_at = _datetime_field(_("申込受付の開始"))
    applications_close_at = _datetime_field(_("申込受付の締切"))


class InstructorsForm(ServiceForm):
    instructors = forms.MultipleChoiceField(
        label=_("講師"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check"}),
        help_text=_("この区で「講師」の役割を持つ人から選びます。"),
    )

    def __init__(self, *args: Any, candidates: Iterable[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(u.pk): u for u in candidates}
        field = _choice_field(self, "instructors")
        field.choices = [(key, u.get_full_name()) for key, u in self.candidates.items()]

    def clean_instructors(self) -> list[User]:
        return [self.candidates[key] for key in self.cleaned_data["instructors"]]


class SessionForm(ServiceForm):
    number = _number_field(_("回"), min_value=1, max_value=50, help_text=_("第何回か (1〜50)"))
    title = forms.CharField(
        label=_("テーマ"),
        max_length=120,
        error_messages={"required": _("テーマを入力してください。")},
        help_text=_("例: 自社の課題を棚卸しする"),
    )
    starts_at = _datetime_field(_("開始"))
    ends_at = _datetime_field(_("終了"))
    place = forms.CharField(
        label=_("会場"),
        max_length=200,
        required=False,
        help_text=_("会場かオンライン参加のURLのどちらかは必須です。"),
    )
    online_url = forms.URLField(
        label=_("オンライン参加のURL"),
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("URLを正しく入力してください (https:// から)。")},
    )
    instructor = forms.ChoiceField(label=_("講師 (任意)"), required=False)

    def __init__(self, *args: Any, candidates: Iterable[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(u.pk): u for u in candidates}
        field = _choice_field(self, "instructor")
        field.choices = [
            ("", _("未定")),
            *[(k, u.get_full_name()) for k, u in self.candidates.items()],
        ]

    def clean_instructor(self) -> User | None:
        key = self.cleaned_data["instructor"]
        return self.candidates[key] if key else None


class MaterialForm(ServiceForm):
    title = forms.CharField(
        label=_("資料名"),
        max_length=120,
        error_messages={"required": _("資料名を入力してください。")},
    )
    file = forms.FileField(
        label=_("ファイル"),
        help_text=_("PDF・PNG・JPEG、20 MB まで。"),
        error_messages={
            "required": _("ファイルを選んでください。"),
            "empty": _("空のファイルはアップロードできません。"),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
