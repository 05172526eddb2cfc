"""Forms of the lab's bookings: a day, a start and an end on the lab's grid, and the
purpose. The choices offered are the open days and the grid of the chosen day; whatever
is posted, the booking service decides (a closed day, a time off the grid, a full slot
are its refusals, with their messages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from machikoba.core.forms import ServiceForm
from machikoba.lab.selectors.bookings import BookingPage


class BookingForm(ServiceForm):
    day = forms.DateField(label=_("利用日"), widget=forms.HiddenInput)
    start = forms.TimeField(label=_("開始"), widget=forms.Select(attrs={"class": "form-input"}))
    end = forms.TimeField(label=_("終了"), widget=forms.Select(attrs={"class": "form-input"}))
    purpose = forms.CharField(
        label=_("利用の目的"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"class": "form-input", "rows": 3}),
        help_text=_("例: 協働ロボットで部品のピッキングを試したい"),
    )

    def __init__(self, *args: Any, page: BookingPage | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if page is not None:
            self.fields["start"].widget.choices = page.start_choices
            self.fields["end"].widget.choices = page.end_choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("day"), data.get("start"), data.get("end")
        if day is not None and start is not None and end is not None:
            zone = timezone.get_current_timezone()
            data["starts_at"] = dt.datetime.combine(day, start, tzinfo=zone)
            data["ends_at"] = dt.datetime.combine(day, end, tzinfo=zone)
        return data

    def times(self) -> dict[str, Any]:
        """What the services take: ``starts_at``, ``ends_at`` and ``purpose``."""
        return {
            "starts_at": self.cleaned_data["starts_at"],
            "ends_at": self.cleaned_data["ends_at"],
            "purpose": self.cleaned_data.get("purpose", ""),
        }
