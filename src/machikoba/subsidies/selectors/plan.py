"""The plan of an application, as the wizard asks it and the body shows it: the wizard's
steps, the plan's fields with the step that asks for each (``PLAN_FIELDS``, ``STEP_FIELDS``)
and those a submission needs, their labels, how a value reads on the page, and the plan as
the JSON a snapshot keeps.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from machikoba.core.dates import format_date
from machikoba.core.money import format_yen
from machikoba.subsidies.models import Application

# --- the wizard's steps and the plan's fields ---------------------------------------------

STEP_COMPANY, STEP_PLAN, STEP_EXPENSES, STEP_DOCUMENTS, STEP_CONFIRM = 1, 2, 3, 4, 5
STEPS = (STEP_COMPANY, STEP_PLAN, STEP_EXPENSES, STEP_DOCUMENTS, STEP_CONFIRM)


def step_label(step: int) -> str:
    return {
        STEP_COMPANY: _("会社と代表者"),
        STEP_PLAN: _("計画"),
        STEP_EXPENSES: _("経費"),
        STEP_DOCUMENTS: _("書類"),
        STEP_CONFIRM: _("確認して提出"),
    }[step]


# The plan's fields in the order the body shows them, with the step that asks for them.
PLAN_FIELDS: tuple[tuple[str, int], ...] = (
    ("baseline_sales", STEP_COMPANY),
    ("baseline_external_costs", STEP_COMPANY),
    ("baseline_employees", STEP_COMPANY),
    ("title", STEP_PLAN),
    ("problem", STEP_PLAN),
    ("tool", STEP_PLAN),
    ("expected_effect", STEP_PLAN),
    ("effect_metric", STEP_PLAN),
    ("effect_unit", STEP_PLAN),
    ("effect_before", STEP_PLAN),
    ("effect_after", STEP_PLAN),
    ("yearly_saving", STEP_PLAN),
    ("planned_start", STEP_PLAN),
    ("planned_end", STEP_PLAN),
    ("partners", STEP_PLAN),
    ("expert_name", STEP_DOCUMENTS),
)
STEP_FIELDS: dict[int, tuple[str, ...]] = {
    step: tuple(name for name, at in PLAN_FIELDS if at == step) for step in STEPS
}
# What a submission needs filled in (partners and the expert depend on the stage).
REQUIRED_FIELDS = tuple(
    name for name, _step in PLAN_FIELDS if name not in ("yearly_saving", "partners", "expert_name")
)
YEN_FIELDS = ("baseline_sales", "baseline_external_costs", "yearly_saving")
DATE_FIELDS = ("planned_start", "planned_end")
DECIMAL_FIELDS = ("effect_before", "effect_after")


def field_label(name: str) -> str:
    field = Application._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def _plain_decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def plan_json(application: Application) -> dict[str, Any]:
    """The plan's fields as JSON-safe values (what a snapshot keeps)."""
    data: dict[str, Any] = {}
    for name, _step in PLAN_FIELDS:
        value = getattr(application, name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = _plain_decimal(value)
        data[name] = value
    return data


def display_value(name: str, value: Any) -> str:
    """A plan value as the body shows it (from the model or from a snapshot's JSON)."""
    if value is None or value == "":
        return "—"
    if name in YEN_FIELDS:
        return format_yen(int(value))
    if name in DATE_FIELDS:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        return format_date(day)
    if name in DECIMAL_FIELDS:
        try:
            return _plain_decimal(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    if name == "baseline_employees":
        return ngettext("%(n)s 人", "%(n)s 人", int(value)) % {"n": value}
    return str(value)
