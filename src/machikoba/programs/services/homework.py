"""Writes of homework: the 課題の棚卸し worksheet's items, the ROI estimate, the one-page DX
plan and its review (submit → return with a comment, or accept), and comments.

The company's owner or staff, or the participant, write while the application holds a
seat; the cohort's instructors and the programme's officers review. The plan is a state
machine, one service per transition:

    DRAFT ─submit→ SUBMITTED ─accept→ ACCEPTED
    RETURNED ─submit→ SUBMITTED ─return→ RETURNED
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.notifications import notify_company, notify_users
from machikoba.programs.choices import ApplicationStatus, HomeworkKind, PlanStatus
from machikoba.programs.error_codes_homework import HomeworkErrorCode
from machikoba.programs.models import Application
from machikoba.programs.models_homework import (
    DxPlan,
    HomeworkComment,
    RoiEstimate,
    Worksheet,
    WorksheetItem,
)
from machikoba.programs.selectors.homework import (
    PLAN_REQUIRED_FIELDS,
    WORKSHEET_MAX_ITEMS,
    cohort_instructors,
    may_review_homework,
    may_write_homework,
)

ITEM_FIELDS = ["area", "problem", "impact", "effort"]
ROI_FIELDS = [
    "tool",
    "investment_cost",
    "yearly_running_cost",
    "hours_freed_per_year",
    "hourly_wage",
    "other_savings_per_year",
]
PLAN_FIELDS = [
    "goal",
    "current_state",
    "actions",
    "schedule",
    "budget",
    "success_measures",
    "person_in_charge",
]
COMMENT_MAX = 2000


def _lock(application: Application) -> Application:
    """The application row is the lock for its homework: two tabs saving at once are
    served one after the other."""
    return (
        Application.objects.select_for_update()
        .select_related("cohort__program", "company", "participant")
        .get(pk=application.pk)
    )


def _require_writer(actor: User, application: Application) -> None:
    if application.status != ApplicationStatus.ACCEPTED:
        raise ApplicationError(
            HomeworkErrorCode.HOMEWORK_CLOSED,
            _("受講が決まっていない申込なので、課題は書けません。"),
        )
    if not may_write_homework(actor, application):
        raise PermissionRefused(
            HomeworkErrorCode.HOMEWORK_NOT_WRITER,
            _("課題を書けるのは、受講する企業の経営者・スタッフと受講者本人だけです。"),
        )


def _require_reviewer(actor: User, application: Application) -> None:
    if not may_review_homework(actor, application):
        raise PermissionRefused(
            HomeworkErrorCode.HOMEWORK_NOT_REVIEWER,
            _("課題を確認できるのは、この期の講師と区の担当職員だけです。"),
        )


def _homework_path(application: Application, kind: str) -> str:
    name = {
        HomeworkKind.WORKSHEET: "programs:worksheet",
        HomeworkKind.ROI: "programs:roi",
        HomeworkKind.PLAN: "programs:plan",
    }[HomeworkKind(kind)]
    return reverse(name, args=[application.pk])


def _int_or_refuse(value: Any, *, name: str, label: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or isinstance(value, bool) or not low <= number <= high:
        raise invalid_input(
            HomeworkErrorCode.WORKSHEET_ITEM_INVALID,
            **{
                name: _("%(label)sは %(low)s〜%(high)s で選んでください。")
                % {"label": label, "low": low, "high": high}
            },
        )
    return number


def _clean_item(item: WorksheetItem, *, area: str, problem: str, impact: Any, effort: Any) -> None:
    item.area = area
    item.problem = (problem or "").strip()
    item.impact = _int_or_refuse(impact, name="impact", label=_("影響の大きさ"), low=1, high=5)
    item.effort = _int_or_refuse(effort, name="effort", label=_("解決の手間"), low=1, high=5)
    if not item.problem:
        raise invalid_input(
            HomeworkErrorCode.WORKSHEET_ITEM_INVALID,
            problem=_("困っていることを書いてください。"),
        )
    full_clean_or_raise(item, code=HomeworkErrorCode.WORKSHEET_ITEM_INVALID)


# --- worksheet ------------------------------------------------------------------------


@transaction.atomic
def worksheet_item_add(
    *,
    actor: User,
    application: Application,
    area: str,
    problem: str,
    impact: Any,
    effort: Any,
) -> WorksheetItem:
    """Write down one problem of the shop (its area, what is wrong, its impact and the
    effort to solve it, each 1–5); the worksheet is started with its first item."""
    application = _lock(application)
    _require_writer(actor, application)
    worksheet, _created = Worksheet.objects.get_or_create(application=application)
    if worksheet.items.count() >= WORKSHEET_MAX_ITEMS:
        raise ApplicationError(
            HomeworkErrorCode.WORKSHEET_FULL,
            _("棚卸しに書ける課題は %(max)s 件までです。似た課題をまとめてください。")
            % {"max": WORKSHEET_MAX_ITEMS},
        )
    item = WorksheetItem(worksheet=worksheet)
    _clean_item(item, area=area, problem=problem, impact=impact, effort=effort)
    item.save()
    worksheet.save(update_fields=["updated_at"])
    audit_record(
        actor=actor,
        verb="programs.worksheet_item.create",
        target=item,
        company=application.company,
        after=snapshot(item, ITEM_FIELDS),
    )
    return item


@transaction.atomic
def worksheet_item_update(
    *, actor: User, item: WorksheetItem, area: str, problem: str, impact: Any, effort: Any
) -> WorksheetItem:
    application = _lock(item.worksheet.application)
    _require_writer(actor, application)
    item = WorksheetItem.objects.select_for_update().get(pk=item.pk)
    before = snapshot(item, ITEM_FIELDS)
    _clean_item(item, area=area, problem=problem, impact=impact, effort=effort)
    item.save()
    audit_record(
        actor=actor,
        verb="programs.worksheet_item.update",
        target=item,
        company=application.company,
        before=before,
        after=snapshot(item, ITEM_FIELDS),
    )
    return item


@transaction.atomic
def worksheet_item_delete(*, actor: User, item: WorksheetItem) -> None:
    application = _lock(item.worksheet.application)
    _require_writer(actor, application)
    audit_record(
        actor=actor,
        verb="programs.worksheet_item.delete",
        target=item,
        company=application.company,
        before=snapshot(item, ITEM_FIELDS),
    )
    item.delete()


# --- ROI estimate ---------------------------------------------------------------------


@transaction.atomic
def roi_estimate_save(
    *,
    actor: User,
    application: Application,
    tool: str,
    investment_cost: int,
    hours_freed_per_year: int,
    hourly_wage: int,
    yearly_running_cost: int = 0,
    other_savings_per_year: int = 0,
) -> RoiEstimate:
    """Write (or rewrite) the investment estimate: what to buy, what it costs once and
    each year, the hours it frees and the wage of an hour, other savings. The figures
    (yearly saving, payback months) are computed by ``programs.roi``."""
    application = _lock(application)
    _require_writer(actor, application)
    estimate = RoiEstimate.objects.filter(application=application).first()
    created = estimate is None
    if estimate is None:
        estimate = RoiEstimate(application=application)
    before = None if created else snapshot(estimate, ROI_FIELDS)
    estimate.tool = (tool or "").strip()
    estimate.investment_cost = investment_cost
    estimate.yearly_running_cost = yearly_running_cost or 0
    estimate.hours_freed_per_year = hours_freed_per_year
    estimate.hourly_wage = hourly_wage
    estimate.other_savings_per_year = other_savings_per_year or 0
    problems = {}
    if not estimate.tool:
        problems["tool"] = _("導入するもの (ツールや機器の名前) を書いてください。")
    if not isinstance(investment_cost, int) or investment_cost < 1:
        problems["investment_cost"] = _("導入費用は 1 円以上で入力してください。")
    for name in (
        "yearly_running_cost",
        "hours_freed_per_year",
        "hourly_wage",
        "other_savings_per_year",
    ):
        value = getattr(estimate, name)
        if not isinstance(value, int) or value < 0:
            problems[name] = _("0 以上の整数で入力してください。")
    if problems:
        raise invalid_input(HomeworkErrorCode.ROI_INVALID, **problems)
    full_clean_or_raise(estimate, code=HomeworkErrorCode.ROI_INVALID)
    estimate.save()
    audit_record(
        actor=actor,
        verb="programs.roi.save",
        target=estimate,
        company=application.company,
        before=before,
        after=snapshot(estimate, ROI_FIELDS),
    )
    return estimate


# --- DX plan --------------------------------------------------------------------------


def _lock_plan(application: Application) -> DxPlan | None:
    return DxPlan.objects.select_for_update().filter(application=application).first()


@transaction.atomic
def dx_plan_save(*, actor: User, application: Application, **fields: Any) -> DxPlan:
    """Write the plan's fields (any of ``PLAN_FIELDS``) while it is a draft or returned;
    a submitted plan waits for the instructor, an accepted one is final."""
    application = _lock(application)
    _require_writer(actor, application)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"unknown plan fields {sorted(unknown)}")
    plan = _lock_plan(application)
    created = plan is None
    if plan is None:
        plan = DxPlan(application=application, status=PlanStatus.DRAFT)
    elif plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
        raise ApplicationError(
            HomeworkErrorCode.PLAN_NOT_EDITABLE,
            _("提出済み・承認済みのDX計画書は書き換えられません (いまの状態: %(status)s)。")
            % {"status": plan.get_status_display()},
        )
    before = None if created else snapshot(plan, PLAN_FIELDS)
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(plan, name, value)
    if plan.budget is not None and (not isinstance(plan.budget, int) or plan.budget < 0):
        raise invalid_input(
            HomeworkErrorCode.PLAN_INVALID, budget=_("予算は 0 円以上で入力してください。")
        )
    full_clean_or_raise(plan, code=HomeworkErrorCode.PLAN_INVALID)
    plan.save()
    audit_record(
        actor=actor,
        verb="programs.plan.save",
        target=plan,
        company=application.company,
        before=before,
        after=snapshot(plan, PLAN_FIELDS),
    )
    return plan


@transaction.atomic
def dx_plan_save_and_submit(*, actor: User, application: Application, **fields: Any) -> DxPlan:
    """Save the plan as written and hand it to the instructors in one step (one tap for
    the owner). Both or neither: a plan that cannot be submitted yet (a required item
    empty) is not saved either, and the form shows what is missing."""
    plan = dx_plan_save(actor=actor, application=application, **fields)
    return dx_plan_submit(actor=actor, plan=plan)


def _plan_for_transition(plan: DxPlan) -> tuple[Application, DxPlan]:
    application = _lock(plan.application)
    return application, DxPlan.objects.select_for_update().get(pk=plan.pk)


@transaction.atomic
def dx_plan_submit(*, actor: User, plan: DxPlan) -> DxPlan:
    """Hand the plan to the instructors (a draft, or a returned plan revised): it needs
    its goal, current problems, actions and schedule. The instructors are told."""
    application, plan = _plan_for_transition(plan)
    _require_writer(actor, application)
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
        raise ApplicationError(
            HomeworkErrorCode.PLAN_NOT_EDITABLE,
            _("このDX計画書はすでに%(status)sです。") % {"status": plan.get_status_display()},
        )
    missing = {
        name: [_("提出する前に、この項目を書いてください。")]
        for name in PLAN_REQUIRED_FIELDS
        if not str(getattr(plan, name) or "").strip()
    }
    if missing:
        raise ApplicationError(
            HomeworkErrorCode.PLAN_INCOMPLETE,
            _("書いていない項目があります: %(fields)s")
            % {
                "fields": "、".join(
                    str(getattr(DxPlan._meta.get_field(name), "verbose_name", name))
                    for name in missing
                )
            },
            fields=missing,
        )
    before = snapshot(plan, ["status", "revision"])
    plan.status = PlanStatus.SUBMITTED
    plan.revision += 1
    plan.submitted_at = timezone.now()
    plan.decided_at = None
    plan.decided_by = None
    plan.save()
    audit_record(
        actor=actor,
        verb="programs.plan.submit",
        target=plan,
        company=application.company,
        before=before,
        after=snapshot(plan, ["status", "revision"]),
    )
    notify_users(
        users=cohort_instructors(application.cohort),
        kind="plan_submitted",
        params={
            "company": application.company.name,
            "cohort": str(application.cohort),
            "revision": plan.revision,
        },
        path=reverse("programs:plan", args=[application.pk]),
    )
    return plan


def _comment_create(
    *, actor: User, application: Application, kind: str, body: str
) -> HomeworkComment:
    body = (body or "").strip()
    if not body:
        raise invalid_input(HomeworkErrorCode.COMMENT_INVALID, body=_("コメントを書いてください。"))
    if len(body) > COMMENT_MAX:
        raise invalid_input(
            HomeworkErrorCode.COMMENT_INVALID,
            body=_("コメントは %(max)s 文字までにしてください。") % {"max": COMMENT_MAX},
        )
    comment = HomeworkComment(application=application, kind=kind, author=actor, body=body)
    full_clean_or_raise(comment, code=HomeworkErrorCode.COMMENT_INVALID)
    comment.save()
    audit_record(
        actor=actor,
        verb="programs.homework_comment.create",
        target=comment,
        company=application.company,
        after={"kind": kind, "body": body[:200]},
    )
    return comment


@transaction.atomic
def dx_plan_return(*, actor: User, plan: DxPlan, comment: str) -> DxPlan:
    """An instructor or officer sends the submitted plan back with what to change (a
    comment is required); the company is told and revises."""
    application, plan = _plan_for_transition(plan)
    _require_reviewer(actor, application)
    if plan.status != PlanStatus.SUBMITTED:
        raise ApplicationError(
            HomeworkErrorCode.PLAN_NOT_SUBMITTED,
            _("提出されていないDX計画書は差し戻せません (いまの状態: %(status)s)。")
            % {"status": plan.get_status_display()},
        )
    if not (comment or "").strip():
        message = _("差し戻すときは、直してほしいところをコメントに書いてください。")
        raise ApplicationError(
            HomeworkErrorCode.PLAN_RETURN_NEEDS_COMMENT, message, fields={"body": [message]}
        )
    written = _comment_create(
        actor=actor, application=application, kind=HomeworkKind.PLAN, body=comment
    )
    before = snapshot(plan, ["status"])
    plan.status = PlanStatus.RETURNED
    plan.decided_at = timezone.now()
    plan.decided_by = actor
    plan.save()
    audit_record(
        actor=actor,
        verb="programs.plan.return",
        target=plan,
        company=application.company,
        before=before,
        after={"status": plan.status, "comment": written.body[:200]},
    )
    notify_company(
        company=application.company,
        kind="plan_returned",
        params={
            "program": application.cohort.program.name,
            "comment": Truncator(written.body).chars(80),
        },
        path=reverse("programs:plan", args=[application.pk]),
    )
    return plan


@transaction.atomic
def dx_plan_accept(*, actor: User, plan: DxPlan, comment: str = "") -> DxPlan:
    """An instructor or officer accepts the submitted plan (with an optional comment);
    the company is told."""
    application, plan = _plan_for_transition(plan)
    _require_reviewer(actor, application)
    if plan.status != PlanStatus.SUBMITTED:
        raise ApplicationError(
            HomeworkErrorCode.PLAN_NOT_SUBMITTED,
            _("提出されていないDX計画書は承認できません (いまの状態: %(status)s)。")
            % {"status": plan.get_status_display()},
        )
    if (comment or "").strip():
        _comment_create(actor=actor, application=application, kind=HomeworkKind.PLAN, body=comment)
    before = snapshot(plan, ["status"])
    plan.status = PlanStatus.ACCEPTED
    plan.decided_at = timezone.now()
    plan.decided_by = actor
    plan.save()
    audit_record(
        actor=actor,
        verb="programs.plan.accept",
        target=plan,
        company=application.company,
        before=before,
        after=snapshot(plan, ["status"]),
    )
    notify_company(
        company=application.company,
        kind="plan_accepted",
        params={"program": application.cohort.program.name, "cohort": application.cohort.name},
        path=reverse("programs:plan", args=[application.pk]),
    )
    return plan


# --- comments -------------------------------------------------------------------------


@transaction.atomic
def homework_comment_add(
    *, actor: User, application: Application, kind: str, body: str
) -> HomeworkComment:
    """A comment on one piece of homework: an instructor's or officer's (the company is
    told), or the company's reply (the instructors are told)."""
    application = _lock(application)
    if kind not in HomeworkKind.values:
        raise invalid_input(
            HomeworkErrorCode.COMMENT_INVALID, kind=_("どの課題へのコメントか選んでください。")
        )
    reviewer = may_review_homework(actor, application)
    if not reviewer:
        _require_writer(actor, application)
    comment = _comment_create(actor=actor, application=application, kind=kind, body=body)
    params = {
        "author": actor.get_full_name(),
        "homework": str(HomeworkKind(kind).label),
        "excerpt": Truncator(comment.body).chars(60),
    }
    path = _homework_path(application, kind)
    if reviewer:
        notify_company(
            company=application.company, kind="homework_commented", params=params, path=path
        )
    else:
        notify_users(
            users=cohort_instructors(application.cohort),
            kind="homework_commented",
            params=params,
            path=path,
        )
    return comment
