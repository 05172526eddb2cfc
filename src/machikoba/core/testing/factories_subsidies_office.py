"""Factories for the office's side of the DX subsidy: calls whose window is still to come
(their rules may change) and the input of the office's forms, all built from now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from machikoba.core.testing.factories_subsidies import make_paper_call
from machikoba.subsidies.models import Call


def future_dates(*, opens_in_days: int = 7) -> dict[str, Any]:
    """A window that opens in ``opens_in_days`` and lasts three weeks; screening a week
    after it closes, the decision ten days after that."""
    opens_at = timezone.now() + dt.timedelta(days=opens_in_days)
    closes_at = opens_at + dt.timedelta(days=21)
    screening_on = timezone.localdate(closes_at) + dt.timedelta(days=7)
    return {
        "opens_at": opens_at,
        "closes_at": closes_at,
        "screening_on": screening_on,
        "decision_on": screening_on + dt.timedelta(days=10),
    }


def make_future_paper_call(**fields: Any) -> Call:
    """The paper's call (three stages, rubric, bonus points) before its window opens."""
    return make_paper_call(**{**future_dates(), **fields})


def local_input(moment: dt.datetime) -> str:
    """A time as a ``datetime-local`` input sends it (JST, to the minute)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def call_form_data(**overrides: Any) -> dict[str, str]:
    """What the office's call form posts for a call opening in a week."""
    dates = future_dates()
    data = {
        "fiscal_year": str(dates["opens_at"].year),
        "name": "DX導入補助金 (テスト)",
        "description": "区内の製造業のDXを支援します。",
        "budget": "65,000,000",
        "opens_at": local_input(dates["opens_at"]),
        "closes_at": local_input(dates["closes_at"]),
        "screening_on": dates["screening_on"].isoformat(),
        "decision_on": dates["decision_on"].isoformat(),
    }
    data.update(overrides)
    return data


def stage_form_data(**overrides: Any) -> dict[str, str]:
    data = {
        "number": "4",
        "name": "試行",
        "purpose": "",
        "rate_numerator": "1",
        "rate_denominator": "2",
        "cap": "300,000",
        "min_project_cost": "0",
        "rounding": "1000",
        "budget": "1,000,000",
    }
    data.update(overrides)
    return data
