"""Forms of the entry log: the kiosk's input, the phone's button, the desk. They only parse
input; ``services.visits`` checks it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from machikoba.core.forms import ServiceForm
from machikoba.lab.choices import EntryKind
from machikoba.lab.services.entry_codes import MAX_CODE_LENGTH

DIRECTION_CHOICES = [(EntryKind.ENTERED, _("入館")), (EntryKind.LEFT, _("退館"))]


def _direction() -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=DIRECTION_CHOICES,
        initial=EntryKind.ENTERED,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("「入館」か「退館」を選んでください。"),
            "invalid_choice": _("「入館」か「退館」を選んでください。"),
        },
    )


class ScanForm(ServiceForm):
    """The kiosk's input: a scanner types the personal code and Enter."""

    code = forms.CharField(
        label=_("入館用QRコード"),
        # A longer text is still taken, and refused as unreadable by the service.
        max_length=MAX_CODE_LENGTH * 4,
        required=False,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "off",
                "autocorrect": "off",
                "spellcheck": "false",
                # The tablet's on-screen keyboard stays closed: the scanner types.
                "inputmode": "none",
                "autofocus": True,
                "class": "form-input w-full text-std-20N-150",
            }
        ),
    )
    direction = _direction()


class EnterForm(ServiceForm):
    """The phone's button after reading the lab's code."""

    c = forms.CharField(max_length=80, required=False, widget=forms.HiddenInput)
    direction = _direction()


class DirectionForm(ServiceForm):
    """A desk button: check in or out."""

    direction = _direction()


class DeskUserForm(ServiceForm):
    email = forms.EmailField(
        label=_("メールアドレス"),
        max_length=254,
        error_messages={
            "required": _("メールアドレスを入力してください。"),
            "invalid": _("メールアドレスの形で入力してください。"),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    direction = _direction()


class VisitorForm(ServiceForm):
    name = forms.CharField(
        label=_("氏名"),
        max_length=80,
        error_messages={"required": _("氏名を入力してください。")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    organisation = forms.CharField(
        label=_("所属"),
        max_length=120,
        required=False,
        help_text=_("会社名・学校名など"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    company_name = forms.CharField(
        label=_("登録企業 (任意)"),
        max_length=200,
        required=False,
        help_text=_("プラットフォームに登録している企業の方なら、一覧から選んでください。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "visitor-companies"}),
    )
    contact = forms.CharField(
        label=_("連絡先 (任意)"),
        max_length=120,
        required=False,
        help_text=_("電話番号かメールアドレス"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    check_in = forms.BooleanField(
        label=_("受付と同時に入館を記録する"), required=False, initial=True
    )
