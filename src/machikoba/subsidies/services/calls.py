"""The office's writes of a DX subsidy call (公募): its creation and changes, a copy of a
call for the next year (with its stages, their rules, the rubric and the bonus points),
and the record of an export. A call's stages and their rules are written in
``call_rules``, its rubric and bonus points in ``call_rubric``.

Only the officers of the call's ward write here (``Call.objects.for_user(actor, CHANGE)``);
every write is validated (a precise Japanese message per field, nothing saved on a
refusal) and audited. The rules applicants rely on are fixed once the window opened or an
application was submitted (``selectors.office.rules_lock``): after that only the name, the
description, the budget and the dates still to come may change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.gbizid import gbizid_enabled
from machikoba.accounts.models import User
from machikoba.core.access import CHANGE, WARD_OFFICER, municipality_ids_for
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.dates import format_date, format_datetime
from machikoba.core.errors import full_clean_or_raise
from machikoba.core.exports import table_file
from machikoba.core.money import format_yen
from machikoba.subsidies.error_codes_office import CallOfficeErrorCode
from machikoba.subsidies.models import (
    AttachmentRequirement,
    BonusCriterion,
    Call,
    ExpenseCategory,
    RubricCriterion,
    Stage,
)
from machikoba.subsidies.services._call_checks import (
    _invalid,
    _locked_call,
    _not_allowed,
    _refuse,
    _require_rules_open,
    _stage_budgets,
)
from machikoba.subsidies.services.call_rubric import BONUS_FIELDS, RUBRIC_FIELDS
from machikoba.subsidies.services.call_rules import CATEGORY_FIELDS, STAGE_FIELDS
from machikoba.wards.models import Municipality

CALL_FIELDS = [
    "municipality",
    "fiscal_year",
    "name",
    "description",
    "budget",
    "opens_at",
    "closes_at",
    "screening_on",
    "decision_on",
    "requires_gbiz_verified",
]
# What applicants rely on: fixed once the window opened (see ``rules_lock``).
CALL_RULE_FIELDS = ("fiscal_year", "requires_gbiz_verified")
# A fiscal year the office may plan for (anything else is a typing slip).
FISCAL_YEAR_RANGE = (2000, 2100)
EXPORT_FORMATS = ("csv", "xlsx")


# --- calls ------------------------------------------------------------------------------


def _check_call(
    *,
    fiscal_year: int,
    budget: int,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    screening_on: dt.date,
    decision_on: dt.date,
) -> None:
    """The fields' own rules, and the dates in order: open < close ≤ screening ≤ decision
    (the close compared by its JST day)."""
    errors: dict[str, str] = {}
    low, high = FISCAL_YEAR_RANGE
    if not low <= fiscal_year <= high:
        errors["fiscal_year"] = _("年度は西暦の4桁で入力してください (例: 2027)。")
    if budget < 1:
        errors["budget"] = _("予算額は 1 円以上にしてください。")
    if errors:
        raise _invalid(CallOfficeErrorCode.CALL_INVALID, **errors)
    if closes_at <= opens_at:
        errors["closes_at"] = _("受付締切は、受付開始より後の日時にしてください。")
    elif timezone.localdate(closes_at) > screening_on:
        errors["screening_on"] = _("審査日は、受付締切の日 (%(day)s) 以降にしてください。") % {
            "day": format_date(closes_at)
        }
    if decision_on < screening_on:
        errors["decision_on"] = _("採択決定日は、審査日以降にしてください。")
    if errors:
        raise _invalid(CallOfficeErrorCode.CALL_DATES_OUT_OF_ORDER, **errors)


def _save_call(call: Call) -> None:
    full_clean_or_raise(
        call,
        code=CallOfficeErrorCode.CALL_INVALID,
        duplicate_code=CallOfficeErrorCode.CALL_NAME_TAKEN,
        duplicate_message=_("この年度には同じ名前の公募がすでにあります。別の名前にしてください。"),
    )
    call.save()


def _require_gbizid_configured(requires_gbiz_verified: bool) -> None:
    """A call that takes submissions only from a GビズID-verified representative needs the
    platform configured for GビズID: nobody could connect one, so nobody could submit."""
    if requires_gbiz_verified and not gbizid_enabled():
        refusal = _refuse(
            CallOfficeErrorCode.CALL_GBIZ_NOT_CONFIGURED,
            _(
                "このサイトではGビズIDとの連携がまだ設定されていないため、提出をGビズIDプライム"
                "の代表者に限ることはできません (誰も提出できなくなります)。チェックを外すか、"
                "システム管理者にGビズIDの設定を依頼してください。"
            ),
            "requires_gbiz_verified",
        )
        # The site's set-up refuses a well-formed request (409); the field says what to
        # change meanwhile.
        refusal.status_code = 409
        raise refusal


def _require_future_opening(opens_at: dt.datetime, now: dt.datetime) -> None:
    if opens_at <= now:
        raise _refuse(
            CallOfficeErrorCode.CALL_DATE_PASSED,
            _(
                "受付開始は、これから先の日時にしてください。公募を作ってから、受付開始までに"
                "ステージと経費区分を設定します。"
            ),
            "opens_at",
        )


@transaction.atomic
def call_create(
    *,
    actor: User,
    municipality: Municipality,
    fiscal_year: int,
    name: str,
    description: str = "",
    budget: int,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    screening_on: dt.date,
    decision_on: dt.date,
    requires_gbiz_verified: bool = False,
) -> Call:
    """A new call of ``municipality`` (only its officers create one). Its window must open
    in the future: the stages and their rules are set before it does. It may require a
    GビズID-verified representative only while the platform is configured for GビズID."""
    if municipality.pk not in municipality_ids_for(actor, WARD_OFFICER):
        raise _not_allowed()
    _check_call(
        fiscal_year=fiscal_year,
        budget=budget,
        opens_at=opens_at,
        closes_at=closes_at,
        screening_on=screening_on,
        decision_on=decision_on,
    )
    _require_future_opening(opens_at, timezone.now())
    _require_gbizid_configured(requires_gbiz_verified)
    call = Call(
        municipality=municipality,
        fiscal_year=fiscal_year,
        name=name.strip(),
        description=description.strip(),
        budget=budget,
        opens_at=opens_at,
        closes_at=closes_at,
        screening_on=screening_on,
        decision_on=decision_on,
        requires_gbiz_verified=requires_gbiz_verified,
        created_by=actor,
    )
    _save_call(call)
    audit_record(
        actor=actor, verb="subsidy_call.create", target=call, after=snapshot(call, CALL_FIELDS)
    )
    return call


def _same_minute(a: dt.datetime, b: dt.datetime) -> bool:
    """Whether two times are the same to the minute (a form edits to the minute: a stored
    second is not a change)."""
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def _check_date_changes(
    call: Call,
    *,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    screening_on: dt.date,
    decision_on: dt.date,
    now: dt.datetime,
) -> None:
    """A date already passed stays as it is; a date still to come may move, but not into
    the past."""
    today = timezone.localdate(now)
    errors: dict[str, str] = {}
    for name, old, new in (
        ("opens_at", call.opens_at, opens_at),
        ("closes_at", call.closes_at, closes_at),
    ):
        if _same_minute(old, new):
            continue
        if old <= now:
            errors[name] = _("%(when)s はもう過ぎたため、変更できません。") % {
                "when": format_datetime(old)
            }
        elif new <= now:
            errors[name] = _("これから先の日時にしてください。")
    for name, old_day, new_day in (
        ("screening_on", call.screening_on, screening_on),
        ("decision_on", call.decision_on, decision_on),
    ):
        if old_day == new_day:
            continue
        if old_day < today:
            errors[name] = _("%(day)s はもう過ぎたため、変更できません。") % {
                "day": format_date(old_day)
            }
        elif new_day < today:
            errors[name] = _("今日以降の日付にしてください。")
    if errors:
        raise _invalid(CallOfficeErrorCode.CALL_DATE_PASSED, **errors)


@transaction.atomic
def call_update(
    *,
    actor: User,
    call: Call,
    fiscal_year: int,
    name: str,
    description: str = "",
    budget: int,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    screening_on: dt.date,
    decision_on: dt.date,
    requires_gbiz_verified: bool = False,
) -> Call:
    """Change a call. The name, the description and the budget may always change (the
    budget not below what its stages set aside); a date only while it is still to come;
    the fiscal year and the GビズID requirement only until the rules are fixed (and the
    requirement turned on only while the platform is configured for GビズID)."""
    call = _locked_call(actor, call)
    now = timezone.now()
    # Unchanged to the minute: keep the stored time (with its seconds).
    opens_at = call.opens_at if _same_minute(call.opens_at, opens_at) else opens_at
    closes_at = call.closes_at if _same_minute(call.closes_at, closes_at) else closes_at
    _check_call(
        fiscal_year=fiscal_year,
        budget=budget,
        opens_at=opens_at,
        closes_at=closes_at,
        screening_on=screening_on,
        decision_on=decision_on,
    )
    _check_date_changes(
        call,
        opens_at=opens_at,
        closes_at=closes_at,
        screening_on=screening_on,
        decision_on=decision_on,
        now=now,
    )
    new_rules = {"fiscal_year": fiscal_year, "requires_gbiz_verified": requires_gbiz_verified}
    if any(getattr(call, name) != value for name, value in new_rules.items()):
        _require_rules_open(call)
    if not call.requires_gbiz_verified:
        # Turning it on; a call that already requires it keeps its fixed rule.
        _require_gbizid_configured(requires_gbiz_verified)
    stages_total = _stage_budgets(call)
    if budget < stages_total:
        raise _refuse(
            CallOfficeErrorCode.CALL_BUDGET_BELOW_STAGES,
            _(
                "ステージの予算の合計が %(total)s あるため、公募の予算額をそれより少なくは"
                "できません。先にステージの予算を見直してください。"
            )
            % {"total": format_yen(stages_total)},
            "budget",
        )
    before = snapshot(call, CALL_FIELDS)
    call.fiscal_year = fiscal_year
    call.name = name.strip()
    call.description = description.strip()
    call.budget = budget
    call.opens_at = opens_at
    call.closes_at = closes_at
    call.screening_on = screening_on
    call.decision_on = decision_on
    call.requires_gbiz_verified = requires_gbiz_verified
    _save_call(call)
    audit_record(
        actor=actor,
        verb="subsidy_call.update",
        target=call,
        before=before,
        after=snapshot(call, CALL_FIELDS),
    )
    return call


def _save_copy(row: Model) -> None:
    """A copied rule, validated as the source was (it passed the same checks)."""
    row.full_clean()
    row.save()


@transaction.atomic
def call_copy(
    *,
    actor: User,
    source: Call,
    fiscal_year: int,
    name: str,
    description: str = "",
    budget: int,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    screening_on: dt.date,
    decision_on: dt.date,
    requires_gbiz_verified: bool = False,
) -> Call:
    """Next year's call started from ``source``: a new call of the same ward with the
    dates and budget given, and a copy of every stage with its expense categories and
    required attachments, the rubric and the bonus points. Applications, reviewers and
    selections stay with ``source``."""
    source = _locked_call(actor, source)
    stages = list(
        Stage.objects.filter(call=source)
        .prefetch_related("categories", "attachment_requirements")
        .order_by("number")
    )
    stages_total = sum(stage.budget for stage in stages)
    if budget < stages_total:
        raise _refuse(
            CallOfficeErrorCode.CALL_BUDGET_BELOW_STAGES,
            _(
                "複製するステージの予算の合計が %(total)s あるため、予算額はそれ以上に"
                "してください (複製したあとで、ステージの予算を見直せます)。"
            )
            % {"total": format_yen(stages_total)},
            "budget",
        )
    call = call_create(
        actor=actor,
        municipality=source.municipality,
        fiscal_year=fiscal_year,
        name=name,
        description=description,
        budget=budget,
        opens_at=opens_at,
        closes_at=closes_at,
        screening_on=screening_on,
        decision_on=decision_on,
        requires_gbiz_verified=requires_gbiz_verified,
    )
    for stage in stages:
        stage_copy = Stage(call=call, **{name: getattr(stage, name) for name in STAGE_FIELDS})
        _save_copy(stage_copy)
        for category in stage.categories.all():
            _save_copy(
                ExpenseCategory(
                    stage=stage_copy,
                    **{name: getattr(category, name) for name in CATEGORY_FIELDS},
                )
            )
        for requirement in stage.attachment_requirements.all():
            _save_copy(
                AttachmentRequirement(
                    stage=stage_copy,
                    name=requirement.name,
                    help_text=requirement.help_text,
                    order=requirement.order,
                )
            )
    for criterion in RubricCriterion.objects.filter(call=source):
        _save_copy(
            RubricCriterion(call=call, **{name: getattr(criterion, name) for name in RUBRIC_FIELDS})
        )
    for bonus in BonusCriterion.objects.filter(call=source):
        _save_copy(
            BonusCriterion(call=call, **{name: getattr(bonus, name) for name in BONUS_FIELDS})
        )
    audit_record(
        actor=actor,
        verb="subsidy_call.copy",
        target=call,
        after={"source": source.pk, "stages": len(stages)},
    )
    return call


# --- export -----------------------------------------------------------------------------


@transaction.atomic
def call_export(
    *,
    actor: User,
    call: Call,
    file_format: str,
    sheet: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
) -> tuple[bytes, str]:
    """The call's applications as a CSV or .xlsx file (text cells escaped against formulas
    by ``core.exports``), recorded in the audit trail. The rows come from
    ``selectors.office.export_table``, already limited to the actor's wards."""
    if file_format not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {file_format!r}")
    if not Call.objects.for_user(actor, CHANGE).filter(pk=call.pk).exists():
        raise _not_allowed()
    content, content_type = table_file(file_format, sheet=sheet, header=header, rows=rows)
    audit_record(
        actor=actor,
        verb="subsidy_call.export",
        target=call,
        after={"format": file_format},
    )
    return content, content_type
