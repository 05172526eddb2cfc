"""Forms of the consortium and the matchings. They only parse input (ids into rows of the
choices the selectors offer, dates, yen); the services check it and refuse with a message."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from machikoba.companies.models import Company
from machikoba.core.dates import format_date
from machikoba.core.forms import ServiceForm
from machikoba.lab.choices import (
    FollowUpAnswer,
    MatchingAgreement,
    PartnerKind,
    ProjectKind,
)
from machikoba.lab.models import Item
from machikoba.lab.models_ecosystem import Partner
from machikoba.lab.models_events import Event
from machikoba.lab.services.referrals import MAX_AMOUNT
from machikoba.wards.models import Municipality

CHECK = {"class": "form-check"}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 4})


class CompanyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({format_date(obj.starts_at)})"


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.lab.name})"


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    if isinstance(field, forms.ModelChoiceField):
        field.queryset = queryset


class WardChoiceMixin(ServiceForm):
    """A ``municipality`` field, offered only to people serving more than one ward."""

    municipality = forms.ModelChoiceField(
        label=_("区"), queryset=Municipality.objects.none(), empty_label=None
    )

    def _wards(self, wards: Iterable[Municipality]) -> None:
        wards = list(wards)
        _set_queryset(
            self, "municipality", Municipality.objects.filter(pk__in=[w.pk for w in wards])
        )
        if len(wards) <= 1:
            del self.fields["municipality"]
            self.single_ward = wards[0] if wards else None
        else:
            self.single_ward = None

    def ward(self, data: dict[str, Any]) -> Municipality | None:
        return data.get("municipality") or self.single_ward


# --- partners ------------------------------------------------------------------------------


class PartnerForm(WardChoiceMixin):
    kind = forms.ChoiceField(
        label=_("種類"), choices=PartnerKind.choices, widget=forms.RadioSelect(attrs=CHECK)
    )
    name = forms.CharField(label=_("名称"), max_length=120)
    company = CompanyChoiceField(
        label=_("machikoba のアカウント"),
        queryset=Company.objects.none(),
        required=False,
        empty_label=_("連携しない (アカウントなし)"),
        help_text=_(
            "金融機関・ITベンダーの企業アカウントを選ぶと、その方々が宛てられた紹介などを"
            "見られます。金融機関にDX融資をオンラインで紹介するには、連携が必要です。"
        ),
    )
    contact_name = forms.CharField(label=_("担当者"), max_length=80, required=False)
    contact_email = forms.EmailField(label=_("連絡先メール"), required=False)
    note = forms.CharField(label=_("メモ"), max_length=500, required=False, widget=TEXTAREA)

    def __init__(
        self,
        *args: Any,
        wards: Iterable[Municipality] = (),
        companies: QuerySet[Company] | None = None,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._wards(wards)
        if editing and "municipality" in self.fields:
            del self.fields["municipality"]
        if companies is not None:
            _set_queryset(self, "company", companies)


# --- projects ------------------------------------------------------------------------------


class ProjectForm(WardChoiceMixin):
    kind = forms.ChoiceField(
        label=_("種類"), choices=ProjectKind.choices, widget=forms.RadioSelect(attrs=CHECK)
    )
    title = forms.CharField(label=_("名称"), max_length=120)
    summary = forms.CharField(label=_("概要"), max_length=3000, required=False, widget=TEXTAREA)
    starts_on = forms.DateField(label=_("開始日"), widget=DATE)
    ends_on = forms.DateField(label=_("終了日 (予定)"), widget=DATE)
    outcome = forms.CharField(label=_("成果"), max_length=3000, required=False, widget=TEXTAREA)

    def __init__(
        self, *args: Any, wards: Iterable[Municipality] = (), editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._wards(wards)
        if editing:
            self.fields.pop("municipality", None)
        else:
            del self.fields["outcome"]


class ProjectStatusForm(ServiceForm):
    to = forms.ChoiceField(label=_("次の状態"), choices=())
    outcome = forms.CharField(label=_("成果"), max_length=3000, required=False, widget=TEXTAREA)

    def __init__(self, *args: Any, choices: Iterable[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        if isinstance(field, forms.ChoiceField):
            field.choices = list(choices)


class ParticipantForm(ServiceForm):
    company = CompanyChoiceField(
        label=_("参加する企業"),
        queryset=Company.objects.none(),
        required=False,
        empty_label=_("選ばない"),
    )
    partner = PartnerChoiceField(
        label=_("参加する連携先 (大学・金融機関など)"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("選ばない"),
    )
    role = forms.CharField(
        label=_("役割"),
        max_length=120,
        required=False,
        help_text=_("例: 課題の提供、指導教員、試作の担当"),
    )

    def __init__(
        self,
        *args: Any,
        companies: QuerySet[Company] | None = None,
        partners: QuerySet[Partner] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if companies is not None:
            _set_queryset(self, "company", companies)
        if partners is not None:
            _set_queryset(self, "partner", partners)


class DocumentForm(ServiceForm):
    title = forms.CharField(label=_("件名"), max_length=120)
    file = forms.FileField(
        label=_("ファイル (PDF・PNG・JPEG)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )


# --- DX-loan referrals ---------------------------------------------------------------------


class ReferralForm(ServiceForm):
    company = CompanyChoiceField(label=_("紹介する企業"), queryset=Company.objects.none())
    bank = PartnerChoiceField(
        label=_("紹介先の金融機関"),
        queryset=Partner.objects.none(),
        help_text=_("machikoba のアカウントと連携している連携金融機関だけを選べます。"),
    )
    amount_requested = forms.IntegerField(label=_("希望額 (円)"), min_value=1, max_value=MAX_AMOUNT)
    purpose = forms.CharField(label=_("資金の使いみち"), max_length=500, widget=TEXTAREA)

    def __init__(
        self,
        *args: Any,
        companies: QuerySet[Company] | None = None,
        banks: QuerySet[Partner] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if companies is not None:
            _set_queryset(self, "company", companies)
        if banks is not None:
            _set_queryset(self, "bank", banks)


class ReferralOutcomeForm(ServiceForm):
    status = forms.ChoiceField(label=_("結果"), choices=(), widget=forms.RadioSelect(attrs=CHECK))
    amount_approved = forms.IntegerField(
        label=_("融資額 (円)"),
        min_value=1,
        max_value=MAX_AMOUNT,
        required=False,
        help_text=_("「融資実行」のときに、希望額以下で入力してください。"),
    )
    note = forms.CharField(
        label=_("補足"),
        max_length=500,
        required=False,
        widget=TEXTAREA,
        help_text=_("見送りのときは理由を書いてください。"),
    )

    def __init__(self, *args: Any, choices: Iterable[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["status"]
        if isinstance(field, forms.ChoiceField):
            field.choices = list(choices)


# --- matchings -----------------------------------------------------------------------------


class MatchingForm(ServiceForm):
    source = forms.ChoiceField(
        label=_("きっかけ"), choices=(), widget=forms.RadioSelect(attrs=CHECK)
    )
    event = EventChoiceField(
        label=_("イベント (きっかけがイベント・セミナーのとき)"),
        queryset=Event.objects.none(),
        required=False,
        empty_label=_("選ばない"),
    )
    item = ItemChoiceField(
        label=_("機器・展示品 (それ以外のきっかけのとき)"),
        queryset=Item.objects.none(),
        required=False,
        empty_label=_("選ばない"),
    )
    party_a = CompanyChoiceField(label=_("当事者1"), queryset=Company.objects.none())
    party_b = CompanyChoiceField(label=_("当事者2"), queryset=Company.objects.none())
    agreement = forms.ChoiceField(
        label=_("合意の内容"),
        choices=MatchingAgreement.choices,
        widget=forms.RadioSelect(attrs=CHECK),
    )
    agreed_on = forms.DateField(label=_("合意日"), widget=DATE)
    evidence = forms.CharField(
        label=_("根拠 (注文書番号、議事録など)"), max_length=500, widget=TEXTAREA
    )

    def __init__(
        self,
        *args: Any,
        sources: Iterable[tuple[str, str]] = (),
        events: QuerySet[Event] | None = None,
        items: QuerySet[Item] | None = None,
        companies: QuerySet[Company] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["source"]
        if isinstance(field, forms.ChoiceField):
            field.choices = list(sources)
        if events is not None:
            _set_queryset(self, "event", events)
        if items is not None:
            _set_queryset(self, "item", items)
        if companies is not None:
            _set_queryset(self, "party_a", companies)
            _set_queryset(self, "party_b", companies)


class ProposeForm(ServiceForm):
    partner = CompanyChoiceField(
        label=_("出会った相手の企業"),
        queryset=Company.objects.none(),
        help_text=_("回答に書かれた相手を、登録されている企業から選んでください。"),
    )
    agreement = forms.ChoiceField(
        label=_("合意の内容"),
        choices=MatchingAgreement.choices,
        widget=forms.RadioSelect(attrs=CHECK),
    )
    agreed_on = forms.DateField(label=_("合意日"), widget=DATE)

    def __init__(
        self, *args: Any, companies: QuerySet[Company] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if companies is not None:
            _set_queryset(self, "partner", companies)


class FollowUpForm(ServiceForm):
    answer = forms.ChoiceField(
        label=_("取引につながりましたか?"),
        choices=FollowUpAnswer.choices,
        widget=forms.RadioSelect(attrs=CHECK),
    )
    note = forms.CharField(
        label=_("ひとこと (任意)"), max_length=500, required=False, widget=TEXTAREA
    )
