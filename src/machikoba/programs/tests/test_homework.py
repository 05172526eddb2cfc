"""Homework as tools: the worksheet's items and its matrix, the ROI estimate, the DX plan's
review cycle and comments. Every refusal names its code, says why in Japanese and leaves
nothing written."""

import re

import pytest
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.companies.choices import CompanyRole
from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories import (
    SUMIDA,
    MembershipFactory,
    UserFactory,
    WardRoleFactory,
    ward,
)
from machikoba.core.testing.factories_programs import (
    ApplicationFactory,
    make_cohort_with_sessions,
    make_instructor,
    make_owner,
    make_plan,
)
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.programs.choices import ApplicationStatus, PlanStatus, ProblemArea
from machikoba.programs.error_codes_homework import HomeworkErrorCode
from machikoba.programs.models_homework import (
    DxPlan,
    HomeworkComment,
    RoiEstimate,
    WorksheetItem,
)
from machikoba.programs.priority_matrix import (
    LATER,
    PLAN,
    QUICK_WIN,
    SPARE_TIME,
    dots,
    prioritised,
    priority_matrix_svg,
    quadrant_of,
)
from machikoba.programs.selectors.homework import (
    WORKSHEET_MAX_ITEMS,
    roi_prefill,
    teaching_page,
    worksheet_page,
)
from machikoba.programs.services.homework import (
    dx_plan_accept,
    dx_plan_return,
    dx_plan_save,
    dx_plan_submit,
    homework_comment_add,
    roi_estimate_save,
    worksheet_item_add,
    worksheet_item_delete,
    worksheet_item_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seat():
    cohort = make_cohort_with_sessions(sessions=5, first_in_days=-14)
    company, owner = make_owner(name="大森 一郎")
    application = ApplicationFactory(cohort=cohort, company=company, participant=owner)
    instructor = make_instructor(cohort, name="講師 佐藤")
    officer = WardRoleFactory(role=WardRole.OFFICER).user
    return application, owner, instructor, officer


def _item(application, actor, **overrides):
    fields = {"area": ProblemArea.ORDERS, "problem": "見積に2時間かかる", "impact": 5, "effort": 2}
    fields.update(overrides)
    return worksheet_item_add(actor=actor, application=application, **fields)


def _refused(code, call):
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code, caught.value.code
    assert re.search(r"[ぁ-んァ-ン一-龥]", str(caught.value.message)), caught.value.message
    return caught.value


def _notices(capture, kind):
    run_queued_tasks("notification")
    return list(Notification.objects.filter(kind=kind).select_related("user").order_by("pk"))


# --- the worksheet ----------------------------------------------------------------------


def test_owner_adds_edits_and_deletes_items_each_audited(seat):
    application, owner, *_ = seat
    item = _item(application, owner)
    assert item.worksheet.application == application
    worksheet_item_update(
        actor=owner, item=item, area=ProblemArea.QUALITY, problem="検査記録が紙", impact=3, effort=1
    )
    item.refresh_from_db()
    assert (item.area, item.problem, item.impact, item.effort) == ("quality", "検査記録が紙", 3, 1)
    worksheet_item_delete(actor=owner, item=item)
    assert not WorksheetItem.objects.exists()
    verbs = list(AuditEvent.objects.values_list("verb", flat=True).order_by("id"))
    assert verbs == [
        "programs.worksheet_item.create",
        "programs.worksheet_item.update",
        "programs.worksheet_item.delete",
    ]


def test_staff_and_participant_write_too(seat):
    application, *_ = seat
    staff = MembershipFactory(company=application.company, role=CompanyRole.STAFF).user
    _item(application, staff)
    # A staff member on the leader course writes their own homework even without a role.
    participant = UserFactory()
    leader = ApplicationFactory(cohort=application.cohort, participant=participant)
    _item(leader, participant)
    assert WorksheetItem.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"impact": 0}, "impact"),
        ({"impact": 6}, "impact"),
        ({"effort": "たくさん"}, "effort"),
        ({"effort": None}, "effort"),
        ({"problem": "   "}, "problem"),
        ({"area": "marketing"}, "area"),
        ({"problem": "長" * 301}, "problem"),
    ],
)
def test_bad_items_are_refused_with_nothing_written(seat, overrides, field):
    application, owner, *_ = seat
    error = _refused(
        HomeworkErrorCode.WORKSHEET_ITEM_INVALID, lambda: _item(application, owner, **overrides)
    )
    assert field in error.fields
    assert not WorksheetItem.objects.exists()


def test_floor_worker_instructor_officer_and_strangers_may_not_write(seat):
    application, _owner, instructor, officer = seat
    worker = MembershipFactory(company=application.company, role=CompanyRole.FLOOR_WORKER).user
    for actor in (worker, instructor, officer, UserFactory()):
        _refused(HomeworkErrorCode.HOMEWORK_NOT_WRITER, lambda a=actor: _item(application, a))
    assert not WorksheetItem.objects.exists()


def test_a_seat_not_held_takes_no_homework(seat):
    application, owner, *_ = seat
    application.status = ApplicationStatus.WAITLISTED
    application.save()
    _refused(HomeworkErrorCode.HOMEWORK_CLOSED, lambda: _item(application, owner))


def test_worksheet_is_limited(seat):
    application, owner, *_ = seat
    for n in range(WORKSHEET_MAX_ITEMS):
        _item(application, owner, problem=f"課題 {n}")
    _refused(HomeworkErrorCode.WORKSHEET_FULL, lambda: _item(application, owner))
    assert WorksheetItem.objects.count() == WORKSHEET_MAX_ITEMS


# --- the matrix ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("impact", "effort", "quadrant"),
    [
        (5, 1, QUICK_WIN),
        (3, 3, QUICK_WIN),
        (5, 4, PLAN),
        (3, 5, PLAN),
        (2, 1, SPARE_TIME),
        (1, 3, SPARE_TIME),
        (2, 4, LATER),
        (1, 5, LATER),
    ],
)
def test_quadrants(impact, effort, quadrant):
    assert quadrant_of(impact=impact, effort=effort) == quadrant


def test_worksheet_page_lists_by_priority_and_draws_each_item(seat):
    application, owner, *_ = seat
    later = _item(application, owner, problem="倉庫の整理", impact=1, effort=5)
    plan = _item(application, owner, problem="生産管理の導入", impact=5, effort=5)
    quick = _item(application, owner, problem="見積書のひな形", impact=4, effort=1)
    quicker = _item(application, owner, problem="図面の電子化", impact=5, effort=2)
    page = worksheet_page(owner, application)
    assert [r.item for r in page.items] == [quicker, quick, plan, later]
    assert [r.number for r in page.items] == [1, 2, 3, 4]
    assert [r.quadrant_label for r in page.items] == [
        "すぐやる",
        "すぐやる",
        "計画してやる",
        "後回し",
    ]
    svg = str(page.matrix)
    assert svg.count('data-testid="matrix-dot"') == 4
    assert "style=" not in svg
    assert 'role="img"' in svg
    assert "<title" in svg
    assert "<desc" in svg
    for label in ("すぐやる", "計画してやる", "余裕があれば", "後回し"):
        assert label in svg


def test_dots_sharing_a_cell_do_not_overlap():
    class Item:
        def __init__(self, pk):
            self.pk, self.impact, self.effort = pk, 4, 2

    placed = dots(prioritised([Item(n) for n in range(1, 8)]))
    centres = {(d.x, d.y) for d in placed}
    assert len(centres) == 7
    for a in placed:
        for b in placed:
            if a is not b:
                assert (a.x - b.x) ** 2 + (a.y - b.y) ** 2 >= (a.radius + b.radius) ** 2


def test_matrix_escapes_nothing_it_does_not_draw():
    svg = str(priority_matrix_svg([], title="<script>alert(1)</script>"))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


# --- the ROI estimate -------------------------------------------------------------------


def test_roi_estimate_saves_and_prefills_a_subsidy_application(seat):
    application, owner, *_ = seat
    roi_estimate_save(
        actor=owner,
        application=application,
        tool="クラウド生産管理",
        investment_cost=1_200_000,
        hours_freed_per_year=120,
        hourly_wage=2500,
        other_savings_per_year=50_000,
        yearly_running_cost=60_000,
    )
    assert roi_prefill(application) == {
        "tool": "クラウド生産管理",
        "investment_cost": 1_200_000,
        "yearly_saving": 290_000,  # 120 × 2,500 + 50,000 − 60,000
        "payback_months": 50,  # ceil(14,400,000 / 290,000) = ceil(49.66)
    }
    # Saved again: one estimate, updated, audited with what it replaced.
    roi_estimate_save(
        actor=owner,
        application=application,
        tool="クラウド生産管理",
        investment_cost=1_200_000,
        hours_freed_per_year=0,
        hourly_wage=2500,
    )
    assert RoiEstimate.objects.count() == 1
    assert roi_prefill(application)["payback_months"] is None
    event = AuditEvent.objects.filter(verb="programs.roi.save").order_by("-id").first()
    assert event.before["hours_freed_per_year"] == 120


def test_roi_prefill_without_estimate_is_empty(seat):
    assert roi_prefill(seat[0]) == {}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"tool": " "}, "tool"),
        ({"investment_cost": 0}, "investment_cost"),
        ({"hourly_wage": -1}, "hourly_wage"),
        ({"hours_freed_per_year": -5}, "hours_freed_per_year"),
    ],
)
def test_bad_roi_input_is_refused(seat, overrides, field):
    application, owner, *_ = seat
    fields = {
        "tool": "タブレット",
        "investment_cost": 300_000,
        "hours_freed_per_year": 50,
        "hourly_wage": 2000,
        **overrides,
    }
    error = _refused(
        HomeworkErrorCode.ROI_INVALID,
        lambda: roi_estimate_save(actor=owner, application=application, **fields),
    )
    assert field in error.fields
    assert not RoiEstimate.objects.exists()


# --- the DX plan ------------------------------------------------------------------------


def _full_plan(application, owner):
    return dx_plan_save(
        actor=owner,
        application=application,
        goal="納期回答を即日に",
        current_state="見積と工程が紙",
        actions="生産管理の導入",
        schedule="6月導入",
        budget=1_200_000,
    )


def test_plan_cycle_submit_return_revise_resubmit_accept(seat, django_capture_on_commit_callbacks):
    application, owner, instructor, officer = seat
    with django_capture_on_commit_callbacks(execute=True) as capture:
        plan = _full_plan(application, owner)
        assert plan.status == PlanStatus.DRAFT
        assert plan.revision == 0
        plan = dx_plan_submit(actor=owner, plan=plan)
        assert (plan.status, plan.revision) == (PlanStatus.SUBMITTED, 1)
        _refused(
            HomeworkErrorCode.PLAN_NOT_EDITABLE,
            lambda: dx_plan_save(actor=owner, application=application, goal="書き換え"),
        )
        plan = dx_plan_return(
            actor=instructor, plan=plan, comment="効果の指標を数字で書いてください"
        )
        assert plan.status == PlanStatus.RETURNED
        plan = dx_plan_save(actor=owner, application=application, success_measures="見積30分")
        plan = dx_plan_submit(actor=owner, plan=plan)
        assert (plan.status, plan.revision) == (PlanStatus.SUBMITTED, 2)
        plan = dx_plan_accept(actor=officer, plan=plan, comment="よくできています")
    assert plan.status == PlanStatus.ACCEPTED
    assert plan.decided_by == officer
    submitted = _notices(capture, "plan_submitted")
    assert {n.user for n in submitted} == {instructor}
    assert len(submitted) == 2
    assert "第2版" in submitted[-1].body
    returned = _notices(capture, "plan_returned")
    assert [n.user for n in returned] == [owner]
    assert "効果の指標" in returned[0].body
    assert [n.user for n in _notices(capture, "plan_accepted")] == [owner]
    assert list(HomeworkComment.objects.values_list("body", flat=True)) == [
        "効果の指標を数字で書いてください",
        "よくできています",
    ]
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"programs.plan.submit", "programs.plan.return", "programs.plan.accept"} <= verbs


def test_incomplete_plan_is_not_submitted(seat):
    application, owner, *_ = seat
    plan = dx_plan_save(actor=owner, application=application, goal="納期回答を即日に")
    error = _refused(
        HomeworkErrorCode.PLAN_INCOMPLETE, lambda: dx_plan_submit(actor=owner, plan=plan)
    )
    assert set(error.fields) == {"current_state", "actions", "schedule"}
    plan.refresh_from_db()
    assert (plan.status, plan.revision) == (PlanStatus.DRAFT, 0)


def test_return_needs_a_comment_and_a_submitted_plan(seat):
    application, owner, instructor, _officer = seat
    plan = _full_plan(application, owner)
    _refused(
        HomeworkErrorCode.PLAN_NOT_SUBMITTED,
        lambda: dx_plan_accept(actor=instructor, plan=plan),
    )
    plan = dx_plan_submit(actor=owner, plan=plan)
    _refused(
        HomeworkErrorCode.PLAN_RETURN_NEEDS_COMMENT,
        lambda: dx_plan_return(actor=instructor, plan=plan, comment="  "),
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert not HomeworkComment.objects.exists()


def test_only_reviewers_decide(seat):
    application, owner, *_ = seat
    plan = dx_plan_submit(actor=owner, plan=_full_plan(application, owner))
    other_instructor = make_instructor(make_cohort_with_sessions())
    sumida = WardRoleFactory(role=WardRole.OFFICER, municipality=ward(SUMIDA)).user
    for actor in (owner, other_instructor, sumida):
        _refused(
            HomeworkErrorCode.HOMEWORK_NOT_REVIEWER,
            lambda a=actor: dx_plan_accept(actor=a, plan=plan),
        )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_accepted_plan_is_final(seat):
    application, owner, *_ = seat
    make_plan(application, status=PlanStatus.ACCEPTED)
    plan = DxPlan.objects.get()
    _refused(HomeworkErrorCode.PLAN_NOT_EDITABLE, lambda: dx_plan_submit(actor=owner, plan=plan))
    _refused(
        HomeworkErrorCode.PLAN_NOT_EDITABLE,
        lambda: dx_plan_save(actor=owner, application=application, goal="x"),
    )


# --- comments ----------------------------------------------------------------------------


def test_comments_notify_the_other_side(seat, django_capture_on_commit_callbacks):
    application, owner, instructor, _officer = seat
    with django_capture_on_commit_callbacks(execute=True) as capture:
        homework_comment_add(
            actor=instructor, application=application, kind="worksheet", body="設備の課題も書こう"
        )
        homework_comment_add(
            actor=owner, application=application, kind="worksheet", body="追加しました"
        )
    notices = _notices(capture, "homework_commented")
    assert {(n.user, n.title) for n in notices} == {
        (owner, "課題にコメントが届きました: 課題の棚卸し"),
        (instructor, "課題にコメントが届きました: 課題の棚卸し"),
    }
    page = worksheet_page(owner, application)
    assert [(r.comment.body, r.by_reviewer) for r in page.header.comments] == [
        ("設備の課題も書こう", True),
        ("追加しました", False),
    ]


def test_empty_or_stranger_comments_are_refused(seat):
    application, owner, *_ = seat
    _refused(
        HomeworkErrorCode.COMMENT_INVALID,
        lambda: homework_comment_add(actor=owner, application=application, kind="roi", body=" "),
    )
    _refused(
        HomeworkErrorCode.COMMENT_INVALID,
        lambda: homework_comment_add(actor=owner, application=application, kind="essay", body="x"),
    )
    _refused(
        HomeworkErrorCode.HOMEWORK_NOT_WRITER,
        lambda: homework_comment_add(
            actor=UserFactory(), application=application, kind="roi", body="x"
        ),
    )
    assert not HomeworkComment.objects.exists()


def test_teaching_page_lists_cohorts_and_waiting_plans(seat):
    application, owner, instructor, officer = seat
    dx_plan_submit(actor=owner, plan=_full_plan(application, owner))
    page = teaching_page(instructor)
    assert [row.cohort for row in page.cohorts] == [application.cohort]
    assert page.cohorts[0].participants == 1
    assert page.cohorts[0].plans_waiting == 1
    assert [p.application for p in page.plans_waiting] == [application]
    assert [p.application for p in teaching_page(officer).plans_waiting] == [application]
    stranger = make_instructor()
    assert teaching_page(stranger).cohorts == []
    assert teaching_page(stranger).plans_waiting == []


def test_demo_homework_seeds_every_state(seat):
    from machikoba.programs.demo_homework import seed_homework

    application, _owner, instructor, officer = seat
    cohort = application.cohort
    others = []
    for _ in range(3):
        company, owner = make_owner()
        others.append(ApplicationFactory(cohort=cohort, company=company, participant=owner))
    make_owner(), make_owner()  # shops of the ward outside the cohort: last year's graduates
    made = seed_homework(
        applications=[application, *others], instructor=instructor, officer=officer
    )
    assert sorted(made["plans"].values()) == ["accepted", "draft", "returned", "submitted"]
    assert all(
        4 <= WorksheetItem.objects.filter(worksheet__application=a).count() <= 6
        for a in [application, *others]
    )
    assert RoiEstimate.objects.count() == 3
    assert HomeworkComment.objects.filter(kind="plan").exists()
    answered, due = made["follow_ups"]
    assert answered.invested is True
    assert answered.amount > 0
    assert due.answered_at is None
    assert due.due_on < timezone.localdate()
    assert len(made["graduations"]) == 2
