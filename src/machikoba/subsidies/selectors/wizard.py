"""Reads of the application wizard: a new application's fields pre-filled from the
company's profile, its latest value-added report and its DX道場 homework; the wizard's
page of one step; and what stands in the way of a submission.

What refuses a submission is decided here once (``submission_problems``): the wizard's
last step and the application's page list it, and ``services.applications`` raises the
first, under the application's lock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from machikoba.accounts.gbizid import is_gbiz_verified
from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, OWNER_ROLES, get_for_user_or_404, has_role
from machikoba.core.money import format_yen
from machikoba.programs.choices import ProgramKind
from machikoba.programs.priority_matrix import QUICK_WIN, prioritised, quadrant_of
from machikoba.programs.selectors.graduates import graduations_of
from machikoba.programs.selectors.homework import roi_prefill, worksheet_items
from machikoba.subsidies.choices import ApplicationStatus, ValueAddedStatus
from machikoba.subsidies.error_codes_apply import ApplyErrorCode
from machikoba.subsidies.models import Application, ExpenseCategory, Stage
from machikoba.subsidies.models_after import ValueAddedReport
from machikoba.subsidies.selectors.body import (
    ApplicationBody,
    PlanRow,
    application_body,
    may_consent,
)
from machikoba.subsidies.selectors.calls import is_company_editor, window_refusal
from machikoba.subsidies.selectors.plan import (
    STEP_COMPANY,
    STEP_CONFIRM,
    STEP_DOCUMENTS,
    STEP_EXPENSES,
    STEP_PLAN,
    STEPS,
    step_label,
)

# --- what the company's records pre-fill ----------------------------------------------------


@dataclass(frozen=True)
class DojoPrefill:
    """What the company's DX道場 homework says, for a new application."""

    problems: list[str]  # the worksheet's 「すぐやる」 problems, in priority order
    tool: str
    investment_cost: int | None
    yearly_saving: int | None
    payback_months: int | None


def dojo_prefill(user: User, company: Company) -> DojoPrefill | None:
    """The newest DX道場 graduation's worksheet (what ``user`` may read of it) and ROI
    estimate; None when the company has graduated from no programme. The caller has read
    ``company`` through the access layer (``may_file_for``)."""
    graduations = graduations_of(company)
    dojo = [g for g in graduations if g.program_kind == ProgramKind.DOJO] or graduations
    if not dojo:
        return None
    programme_application = dojo[0].application
    items = prioritised(worksheet_items(user, programme_application))
    quick = [
        item.problem
        for item in items
        if quadrant_of(impact=item.impact, effort=item.effort) == QUICK_WIN
    ]
    roi = roi_prefill(programme_application)
    if not quick and not roi:
        return None
    return DojoPrefill(
        problems=quick,
        tool=roi.get("tool", ""),
        investment_cost=roi.get("investment_cost"),
        yearly_saving=roi.get("yearly_saving"),
        payback_months=roi.get("payback_months"),
    )


def latest_value_added(company: Company) -> ValueAddedReport | None:
    """The company's latest answered 事業化状況報告 or survey (a trusted read: the caller
    holds the company through the access layer)."""
    return (
        ValueAddedReport.objects.filter(company=company, status=ValueAddedStatus.SUBMITTED)
        .order_by("-fiscal_year", "-pk")
        .first()
    )


def start_values(user: User, stage: Stage, company: Company) -> dict[str, Any]:
    """The fields of a new application pre-filled from the company's profile, its latest
    value-added report and its dojo homework."""
    values: dict[str, Any] = {"baseline_employees": company.employees}
    report = latest_value_added(company)
    if report is not None:
        values["baseline_sales"] = report.sales
        values["baseline_external_costs"] = report.external_costs
        if report.employees is not None:
            values["baseline_employees"] = report.employees
    start = stage.call.decision_on + dt.timedelta(days=30)
    values["planned_start"] = start
    values["planned_end"] = start + dt.timedelta(days=180)
    prefill = dojo_prefill(user, company)
    if prefill is not None:
        if prefill.problems:
            values["problem"] = "\n".join(f"・{problem}" for problem in prefill.problems[:3])
        if prefill.tool:
            values["tool"] = prefill.tool
            # The estimate counts the hours the tool frees: the plan measures the same.
            values["effect_metric"] = _("この取組で減らす作業の時間")
            values["effect_unit"] = _("時間/年")
            values["title"] = (_("%(tool)sの導入") % {"tool": prefill.tool})[:120]
        if prefill.yearly_saving and prefill.yearly_saving > 0:
            values["yearly_saving"] = prefill.yearly_saving
            values["expected_effect"] = _(
                "DX道場の投資対効果の試算では、年間 %(saving)s の削減を見込んでいます。"
            ) % {"saving": format_yen(prefill.yearly_saving)}
    return {key: value for key, value in values.items() if value not in (None, "")}


# --- what stands in the way of a submission ------------------------------------------------


@dataclass(frozen=True)
class Problem:
    code: ApplyErrorCode
    message: str
    step: int | None  # the wizard step where it is fixed


def _labels(rows: list[PlanRow]) -> str:
    return "、".join(row.label for row in rows)


def submission_problems(
    body: ApplicationBody, *, actor: User, now: dt.datetime | None = None
) -> list[Problem]:
    """Everything that refuses the submission of ``body``'s application now, in the order
    the refusal names them (the first is the one the service raises)."""
    application, stage, breakdown = body.application, body.stage, body.breakdown
    problems: list[Problem] = []
    # The deadline holds for a first submission; a returned application (差戻し) is
    # corrected and resubmitted when the office asks, after the deadline too.
    refusal = (
        window_refusal(body.call, now) if application.status == ApplicationStatus.DRAFT else None
    )
    if refusal is not None:
        problems.append(Problem(ApplyErrorCode(refusal.code), str(refusal.message), None))
    for step in (STEP_COMPANY, STEP_PLAN):
        missing = [row for row in body.plan_missing if row.step == step]
        if missing:
            problems.append(
                Problem(
                    ApplyErrorCode.PLAN_INCOMPLETE,
                    _("「%(step)s」の次の項目を入力してください: %(fields)s")
                    % {"step": step_label(step), "fields": _labels(missing)},
                    step,
                )
            )
    if application.partners.strip() and not stage.allows_partners:
        problems.append(
            Problem(
                ApplyErrorCode.PARTNERS_NOT_ALLOWED,
                _(
                    "このステージでは連携先 (大学・公設試験研究機関など) を入れられません。"
                    "連携先の欄を空にしてください。"
                ),
                STEP_PLAN,
            )
        )
    if not body.expenses:
        problems.append(
            Problem(
                ApplyErrorCode.NO_EXPENSES,
                _("経費を1行以上入力してください。"),
                STEP_EXPENSES,
            )
        )
    ineligible = [row for row in body.expenses if row.ineligible] or breakdown.ineligible
    if ineligible:
        problems.append(
            Problem(
                ApplyErrorCode.INELIGIBLE_EXPENSE,
                _(
                    "このステージの補助対象ではない経費区分の経費があります。区分を選び直してください。"
                ),
                STEP_EXPENSES,
            )
        )
    if body.expenses and breakdown.below_minimum:
        problems.append(
            Problem(
                ApplyErrorCode.BELOW_MINIMUM,
                _(
                    "補助対象経費の合計 %(eligible)s が、このステージの下限 %(minimum)s に"
                    "届いていません。"
                )
                % {
                    "eligible": format_yen(breakdown.total_eligible),
                    "minimum": format_yen(stage.min_project_cost),
                },
                STEP_EXPENSES,
            )
        )
    for row in body.quotes_missing:
        problems.append(
            Problem(
                ApplyErrorCode.QUOTES_MISSING,
                _("「%(line)s」の見積書があと %(n)s 通必要です (%(category)s は %(required)s 通)。")
                % {
                    "line": row.line.description,
                    "n": row.quotes_missing,
                    "category": row.category_name,
                    "required": row.quotes_required,
                },
                STEP_EXPENSES,
            )
        )
    for absent in body.attachments_missing:
        problems.append(
            Problem(
                ApplyErrorCode.ATTACHMENTS_MISSING,
                _("「%(name)s」を添付してください。") % {"name": absent.requirement.name},
                STEP_DOCUMENTS,
            )
        )
    if body.expert_required and not (body.expert_documents and application.expert_name.strip()):
        problems.append(
            Problem(
                ApplyErrorCode.EXPERT_EVALUATION_MISSING,
                _("このステージでは、専門家による計画の評価書 (と専門家の名前) が必要です。"),
                STEP_DOCUMENTS,
            )
        )
    if body.consent_missing:
        problems.append(
            Problem(
                ApplyErrorCode.CONSENT_MISSING,
                _("アドバイザーが作成した申請は、会社の代表者が同意してから提出できます。"),
                None,
            )
        )
    gbiz = gbiz_refusal(actor, body.company) if body.call.requires_gbiz_verified else None
    if gbiz is not None:
        problems.append(Problem(ApplyErrorCode.GBIZ_REQUIRED, gbiz, None))
    return problems


def gbiz_refusal(actor: User, company: Company) -> str | None:
    """Why ``actor`` may not submit ``company``'s application to a call that requires a
    GビズID-verified representative (as jGrants does): only the company's owner (経営者),
    whose account has the company's own GビズIDプライム connected; None when they may."""
    if not has_role(actor, company, OWNER_ROLES):
        return _(
            "この公募は、GビズIDプライムを連携した経営者 (代表者) だけが提出できます。"
            "経営者の方に提出を依頼してください。"
        )
    if not is_gbiz_verified(actor, corporate_number=company.corporate_number):
        return _(
            "この公募は、GビズIDプライムを連携した経営者 (代表者) だけが提出できます。"
            "「ログインの安全設定」から、この会社のGビズIDプライムを連携してください。"
        )
    return None


# --- the wizard ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StepLink:
    number: int
    label: str
    current: bool
    done: bool


@dataclass(frozen=True)
class ExpensePrefill:
    """A suggested expense line (from the dojo's ROI estimate) for the empty add form."""

    category: ExpenseCategory
    description: str
    amount: int


@dataclass(frozen=True)
class WizardPage:
    body: ApplicationBody
    step: int
    steps: list[StepLink]
    categories: list[ExpenseCategory]
    expense_prefill: ExpensePrefill | None
    problems: list[Problem]
    may_edit: bool
    may_submit: bool
    may_consent: bool
    is_advisor: bool

    @property
    def label(self) -> str:
        return step_label(self.step)

    @property
    def previous(self) -> int | None:
        return self.step - 1 if self.step > STEPS[0] else None

    @property
    def next(self) -> int | None:
        return self.step + 1 if self.step < STEPS[-1] else None


def editable_application(user: User, pk: int) -> Application:
    """The application ``user`` may change (the company's owner and staff, the advisor who
    filed it); 404 / 403 otherwise."""
    queryset = Application.objects.select_related("stage__call__municipality", "company")
    return get_for_user_or_404(queryset, user, CHANGE, pk=pk)


def wizard_page(user: User, application: Application, step: int) -> WizardPage:
    body = application_body(user, application)
    application = body.application
    stage = body.stage
    categories = list(stage.categories.all())
    prefill = None
    if step == STEP_EXPENSES and not body.expenses and categories:
        dojo = dojo_prefill(user, application.company)
        if dojo is not None and dojo.investment_cost:
            prefill = ExpensePrefill(
                category=categories[0], description=dojo.tool[:200], amount=dojo.investment_cost
            )
    problems = submission_problems(body, actor=user) if step == STEP_CONFIRM else []
    may_edit = application.editable
    return WizardPage(
        body=body,
        step=step,
        steps=[
            StepLink(
                number=number,
                label=step_label(number),
                current=number == step,
                done=number < application.wizard_step,
            )
            for number in STEPS
        ],
        categories=categories,
        expense_prefill=prefill,
        problems=problems,
        may_edit=may_edit,
        may_submit=may_edit and not problems,
        may_consent=may_consent(user, application),
        is_advisor=not is_company_editor(user, application.company),
    )
