"""Forms of the targets page: a ward's own target for one indicator, and its public page.
The fields are text: ``services.targets`` reads and checks the numbers and years, so a
bad value comes back as the service's message beside its field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from machikoba.core.forms import ServiceForm


def _text(
    label: StrOrPromise, *, mode: str, length: int, help_text: StrOrPromise = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=length,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"class": "form-input w-full", "inputmode": mode, "autocomplete": "off"}
        ),
    )


class TargetForm(ServiceForm):
    """One indicator's target (prefixed by its code: every indicator has its form on the
    page). Every field empty removes the ward's own target."""

    target = _text(_("目標値"), mode="decimal", length=30)
    target_year = _text(_("目標年度"), mode="numeric", length=4, help_text=_("例: 2028"))
    baseline = _text(_("基準値"), mode="decimal", length=30)
    baseline_year = _text(_("基準年度"), mode="numeric", length=4, help_text=_("例: 2023"))


class PublicationForm(ServiceForm):
    enabled = forms.BooleanField(
        label=_("この区のKPIを公開ページで公開する"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check"}),
    )
    introduction = forms.CharField(
        label=_("公開ページの紹介文"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "form-input w-full", "rows": 4}),
    )


def form_prefix(code: str) -> str:
    """A form prefix from an indicator code (``M1.KSI`` → ``M1-KSI``): ids stay valid."""
    return code.replace(".", "-")
