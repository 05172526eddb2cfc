"""The DX plan saved and submitted in one tap (``dx_plan_save_and_submit``): both happen, or
neither — a plan that cannot be submitted yet is not saved either."""

import pytest

from machikoba.core.errors import ApplicationError
from machikoba.core.testing.factories_programs import ApplicationFactory, make_owner
from machikoba.programs.choices import PlanStatus
from machikoba.programs.error_codes_homework import HomeworkErrorCode
from machikoba.programs.models_homework import DxPlan
from machikoba.programs.services.homework import dx_plan_save, dx_plan_save_and_submit

pytestmark = pytest.mark.django_db

FULL = {
    "goal": "見積を当日中に回答できる工場",
    "current_state": "見積がExcelと紙に分かれている",
    "actions": "クラウドの見積システムを入れる",
    "schedule": "来月選定、3か月後に運用",
}


@pytest.fixture
def seat():
    company, owner = make_owner()
    return ApplicationFactory(company=company, participant=owner), owner


def test_a_complete_plan_is_saved_and_submitted_at_once(seat):
    application, owner = seat
    plan = dx_plan_save_and_submit(actor=owner, application=application, **FULL)
    plan.refresh_from_db()
    assert (plan.status, plan.revision, plan.goal) == (PlanStatus.SUBMITTED, 1, FULL["goal"])


def test_an_incomplete_plan_is_neither_saved_nor_submitted(seat):
    application, owner = seat
    dx_plan_save(actor=owner, application=application, goal="前に保存した目標")
    with pytest.raises(ApplicationError) as refused:
        dx_plan_save_and_submit(
            actor=owner, application=application, goal="新しい目標", actions="見積の仕組み"
        )
    assert refused.value.code == HomeworkErrorCode.PLAN_INCOMPLETE
    assert set(refused.value.fields) == {"current_state", "schedule"}
    plan = DxPlan.objects.get(application=application)
    assert (plan.status, plan.revision, plan.goal, plan.actions) == (
        PlanStatus.DRAFT,
        0,
        "前に保存した目標",
        "",
    )
