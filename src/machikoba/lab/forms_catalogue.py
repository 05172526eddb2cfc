"""Forms of the lab's catalogue, settings, vendors and trainings. They only parse input;
the services (``services.labs``, ``catalogue``, ``trainings``, ``vendors``) check it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from machikoba.companies.models import Company
from machikoba.core.forms import ServiceForm
from machikoba.lab.choices import ItemKind
from machikoba.lab.models import Item
from machikoba.lab.services.labs import LAB_RULE_BOUNDS

NUMBER = {"inputmode": "numeric", "autocomplete": "off"}
TIME_FORMAT = "%H:%M"
DATE_FORMAT = "%Y-%m-%d"


def _number(
    label: Any, low: int, high: int, *, required: bool = True, **kwargs: Any
) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        required=required,
        widget=forms.NumberInput(attrs=NUMBER),
        error_messages={
            "required": _("数を入力してください。"),
            "invalid": _("半角の数字で入力してください。"),
            "min_value": _("%(limit_value)s 以上にしてください。"),
            "max_value": _("%(limit_value)s 以下にしてください。"),
        },
        **kwargs,
    )


def _text(label: Any, max_length: int, *, required: bool = True, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={
            "required": _("入力してください。"),
            "max_length": _("%(limit_value)s 文字以内にしてください。"),
        },
        **kwargs,
    )


def _long_text(label: Any, *, rows: int = 4, **kwargs: Any) -> forms.CharField:
    return _text(label, 4000, required=False, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def _date(label: Any, *, required: bool = True, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=[DATE_FORMAT, "%Y/%m/%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT),
        error_messages={
            "required": _("日付を入力してください。"),
            "invalid": _("日付を正しく入力してください。"),
        },
        **kwargs,
    )


def _time(label: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        input_formats=[TIME_FORMAT, "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time", "step": "300"}, format=TIME_FORMAT),
        error_messages={"invalid": _("時刻を正しく入力してください (例: 9:00)。")},
    )


# --- the lab's settings ------------------------------------------------------------------


class LabSettingsForm(ServiceForm):
    name = _text(_("名称"), 120)
    address = _text(_("所在地"), 200, required=False)
    phone = _text(_("電話番号"), 20, required=False, widget=forms.TextInput(attrs={"type": "tel"}))
    description = _long_text(_("ご案内"), help_text=_("ラボのページの冒頭に表示します。"))
    slot_minutes = _number(_("予約の単位 (分)"), *LAB_RULE_BOUNDS["slot_minutes"])
    cutoff_hours = _number(
        _("変更・キャンセルの締切 (開始の何時間前まで)"), *LAB_RULE_BOUNDS["cutoff_hours"]
    )
    book_days_ahead = _number(_("何日先まで予約できるか"), *LAB_RULE_BOUNDS["book_days_ahead"])
    max_hours_per_company_month = _number(
        _("1社あたり月の利用上限 (時間)"), *LAB_RULE_BOUNDS["max_hours_per_company_month"]
    )
    no_show_grace_minutes = _number(
        _("無断キャンセルとみなすまでの時間 (分)"), *LAB_RULE_BOUNDS["no_show_grace_minutes"]
    )
    no_show_limit = _number(
        _("予約を止める無断キャンセルの回数 (90日間)"), *LAB_RULE_BOUNDS["no_show_limit"]
    )
    offer_hours = _number(_("空き待ちへの案内の有効時間"), *LAB_RULE_BOUNDS["offer_hours"])
    entry_code_seconds = _number(
        _("入館QRコードの有効時間 (秒)"), *LAB_RULE_BOUNDS["entry_code_seconds"]
    )
    closed_on_holidays = forms.BooleanField(label=_("祝日は休館"), required=False)
    closed_year_end = forms.BooleanField(label=_("年末年始 (12/29〜1/3) は休館"), required=False)


WEEKDAY_NAMES = (
    _("月曜日"),
    _("火曜日"),
    _("水曜日"),
    _("木曜日"),
    _("金曜日"),
    _("土曜日"),
    _("日曜日"),
)


class OpeningHoursForm(ServiceForm):
    """Seven rows: open or not, opens, closes (``open_0``, ``opens_0``, ``closes_0`` …)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, name in enumerate(WEEKDAY_NAMES):
            self.fields[f"open_{day}"] = forms.BooleanField(label=name, required=False)
            self.fields[f"opens_{day}"] = _time(_("開館"))
            self.fields[f"closes_{day}"] = _time(_("閉館"))

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "open": self[f"open_{day}"],
                "opens": self[f"opens_{day}"],
                "closes": self[f"closes_{day}"],
            }
            for day, name in enumerate(WEEKDAY_NAMES)
        ]

    def days(self) -> dict[int, tuple[dt.time, dt.time] | None]:
        data = self.cleaned_data
        return {
            day: (data[f"opens_{day}"], data[f"closes_{day}"]) if data[f"open_{day}"] else None
            for day in range(7)
        }


class ClosureForm(ServiceForm):
    starts_on = _date(_("休館の初日"))
    ends_on = _date(_("休館の最終日"))
    reason = _text(
        _("理由"), 120, help_text=_("例: 設備点検、館内工事。ラボのページに表示されます。")
    )


# --- items -------------------------------------------------------------------------------


class ExhibitForm(ServiceForm):
    """What a vendor's people (and the lab's staff) write about an item."""

    summary = _text(_("ひとことで"), 200, help_text=_("カードに表示する短い説明です。"))
    use_cases = _long_text(_("町工場での使いみち"), rows=5)
    specs = _long_text(_("仕様"), rows=5)
    safety_notes = _long_text(_("安全上の注意"), rows=3)


class ItemForm(ServiceForm):
    """Everything the lab's staff set of an item."""

    kind = forms.ChoiceField(label=_("種類"), choices=ItemKind.choices)
    name = _text(_("名称"), 120)
    maker = _text(_("メーカー"), 80, required=False)
    model_number = _text(_("型式"), 80, required=False)
    summary = ExhibitForm.base_fields["summary"]
    use_cases = ExhibitForm.base_fields["use_cases"]
    specs = ExhibitForm.base_fields["specs"]
    safety_notes = ExhibitForm.base_fields["safety_notes"]
    exhibitor = forms.ModelChoiceField(
        label=_("出展ベンダー"),
        queryset=Company.objects.none(),
        required=False,
        empty_label=_("なし (ラボの所有物)"),
        help_text=_("選べるのは、このラボに登録されたITベンダーです。"),
    )
    capacity = _number(_("同時に予約できる数"), 1, 50, initial=1)
    bookable = forms.BooleanField(label=_("時間予約できる"), required=False, initial=True)
    trial_days = _number(
        _("試用ライセンスの最長日数"), 1, 365, required=False, help_text=_("ソフトウェアのみ")
    )

    def __init__(self, *args: Any, exhibitors: QuerySet[Company], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["exhibitor"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = exhibitors


class PhotoForm(ServiceForm):
    image = forms.FileField(
        label=_("写真"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        error_messages={"required": _("写真のファイルを選んでください。")},
        help_text=_("JPEG・PNG・WebP。位置情報などは取り除いて保存します。"),
    )
    title = _text(_("説明 (任意)"), 120, required=False)


# --- vendors -----------------------------------------------------------------------------


class VendorForm(ServiceForm):
    name = _text(_("ベンダーの名称"), 120)
    contact_name = _text(_("担当者の名前"), 80, required=False)
    email = forms.EmailField(
        label=_("担当者のメールアドレス"),
        help_text=_("この方に招待のメールが届きます。参加するとベンダーの管理者になります。"),
        error_messages={
            "required": _("メールアドレスを入力してください。"),
            "invalid": _("メールアドレスを正しく入力してください。"),
        },
    )
    corporate_number = _text(
        _("法人番号 (任意)"), 20, required=False, widget=forms.TextInput(attrs=NUMBER)
    )
    postal_code = _text(
        _("郵便番号 (任意)"), 10, required=False, widget=forms.TextInput(attrs=NUMBER)
    )


class VendorInviteForm(ServiceForm):
    email = VendorForm.base_fields["email"]


# --- trainings ---------------------------------------------------------------------------


class TrainingForm(ServiceForm):
    name = _text(_("講習の名称"), 120)
    description = _long_text(_("内容"))
    unlocks = forms.ModelMultipleChoiceField(
        label=_("受講すると予約できるようになる機器"),
        queryset=Item.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    validity_days = _number(_("有効期間 (日)"), 1, 3650, initial=365)
    active = forms.BooleanField(label=_("実施中"), required=False, initial=True)

    def __init__(self, *args: Any, items: QuerySet[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unlocks"]
        if isinstance(field, forms.ModelMultipleChoiceField):
            field.queryset = items


class TrainingRecordForm(ServiceForm):
    email = forms.EmailField(
        label=_("受講者のメールアドレス"),
        help_text=_("machikoba のアカウントのメールアドレスです。"),
        error_messages={
            "required": _("メールアドレスを入力してください。"),
            "invalid": _("メールアドレスを正しく入力してください。"),
        },
    )
    company = forms.ModelChoiceField(
        label=_("所属企業"),
        queryset=Company.objects.none(),
        required=False,
        empty_label=_("選んでください"),
    )
    passed_on = _date(_("修了日"), required=False, help_text=_("空欄なら今日です。"))

    def __init__(self, *args: Any, companies: list[Company] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["company"]
        if not companies:
            # The company is asked only of a person with several (after a first try).
            field.widget = forms.HiddenInput()
            return
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = Company.objects.filter(pk__in=[c.pk for c in companies]).order_by(
                "name", "pk"
            )


class RevokeForm(ServiceForm):
    reason = _text(_("取り消す理由"), 200, help_text=_("受講者に伝わります。"))
