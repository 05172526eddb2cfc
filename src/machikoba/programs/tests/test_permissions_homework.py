"""Permission matrix for homework, graduation, certificates, the follow-up and the
instructor's list. The company's owner and staff (the owner is the participant) write
homework; the cohort's instructor and the ward's officer read it, comment and decide the
plan (403 on the writing routes); a floor worker, another company, another ward's
officer, the metro viewer, an advisor and a platform admin do not find it (404).
Graduation is run by the ward's officer or the cohort's instructor; the follow-up is the
company's to answer and the office's to read."""

import pytest
from django.urls import reverse

from machikoba.core.testing.factories_programs import (
    ApplicationFactory,
    CohortFactory,
    attend_sessions,
    make_finished_cohort,
    make_graduate,
    make_owner,
    make_plan,
)
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    BANK,
    DONE,
    FLOOR_WORKER,
    INSTRUCTOR,
    LOGIN,
    MEMBER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    REFUSED,
    STAFF,
    VENDOR,
    Case,
    assert_case,
    expect,
)
from machikoba.programs.models import FollowUp, Graduation
from machikoba.programs.models_homework import DxPlan, HomeworkComment, RoiEstimate, WorksheetItem
from machikoba.programs.services.homework import worksheet_item_add

# Reading homework: the company's editors, the instructor, the officer.
READERS = expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, OFFICER: 200, INSTRUCTOR: 200})


def _writers(outcome=DONE):
    """A writing route: the company's editors do it; reviewers see the homework but may
    not write it (403)."""
    return expect(
        404, **{ANONYMOUS: LOGIN, MEMBER: outcome, STAFF: outcome, OFFICER: 403, INSTRUCTOR: 403}
    )


def _reviewers(outcome=DONE):
    return expect(
        404, **{ANONYMOUS: LOGIN, MEMBER: 403, STAFF: 403, OFFICER: outcome, INSTRUCTOR: outcome}
    )


def _app(name):
    return lambda w: reverse(f"programs:{name}", args=[w.application.pk])


def _item(w):
    return worksheet_item_add(
        actor=w.users[MEMBER],
        application=w.application,
        area="orders",
        problem="見積に時間がかかる",
        impact=4,
        effort=2,
    )


def _item_url(name):
    return lambda w: reverse(f"programs:{name}", args=[_item(w).pk])


ITEM = {"area": "production", "problem": "工程表が紙", "impact": "4", "effort": "3"}
ROI = {
    "tool": "生産管理クラウド",
    "investment_cost": "1200000",
    "yearly_running_cost": "60000",
    "hours_freed_per_year": "120",
    "hourly_wage": "2500",
    "other_savings_per_year": "0",
}


def _submitted_plan_url(name):
    def build(w):
        make_plan(w.application, status="submitted")
        return reverse(f"programs:{name}", args=[w.application.pk])

    return build


def _draft_plan_url(name):
    def build(w):
        make_plan(w.application, status="draft")
        return reverse(f"programs:{name}", args=[w.application.pk])

    return build


def _plan_status(w):
    return DxPlan.objects.filter(application=w.application).values_list("status", flat=True)


def _finished_cohort_url(w):
    """A finished cohort of the same programme, taught by the instructor actor, where the
    owner's company attended 5 of 5 sessions and its plan was accepted."""
    cohort = make_finished_cohort(program=w.application.cohort.program)
    cohort.instructors.add(w.users[INSTRUCTOR])
    application = ApplicationFactory(cohort=cohort, company=w.company, participant=w.users[MEMBER])
    attend_sessions(application, 5)
    make_plan(application, status="accepted")
    return reverse("programs:graduation_run", args=[cohort.pk])


def _certificate_url(w):
    return reverse("programs:certificate", args=[make_graduate(w.application).pk])


def _follow_up_url(w):
    graduation = make_graduate(w.application, graduated_days_ago=400)
    return reverse("programs:follow_up", args=[graduation.follow_up.pk])


def _foreign_worksheet_url(w):
    """Another company's seat (a cohort the instructor actor does not teach)."""
    _company, owner = make_owner(company=w.other_company)
    application = ApplicationFactory(
        cohort=CohortFactory(program=w.application.cohort.program),
        company=w.other_company,
        participant=owner,
    )
    return reverse("programs:worksheet", args=[application.pk])


MATRIX = [
    Case("programs:worksheet", _app("worksheet"), READERS),
    Case(
        "programs:worksheet",
        _foreign_worksheet_url,
        expect(404, **{ANONYMOUS: LOGIN, OTHER_COMPANY: 200, OFFICER: 200}),
        note="another company's seat",
    ),
    Case(
        "programs:worksheet_item_add",
        _app("worksheet_item_add"),
        _writers(),
        method="POST",
        data=lambda w: ITEM,
        effect=lambda w: WorksheetItem.objects.count(),
    ),
    Case(
        "programs:worksheet_item_add",
        _app("worksheet_item_add"),
        _writers(200),
        method="POST",
        data=lambda w: {**ITEM, "impact": "9"},
        note="a score out of range: the form again, nothing written",
    ),
    Case(
        "programs:worksheet_item_edit",
        _item_url("worksheet_item_edit"),
        _writers(200),
    ),
    Case(
        "programs:worksheet_item_edit",
        _item_url("worksheet_item_edit"),
        _writers(),
        method="POST",
        data=lambda w: ITEM,
        effect=lambda w: WorksheetItem.objects.values_list("problem", flat=True),
    ),
    Case(
        "programs:worksheet_item_delete",
        _item_url("worksheet_item_delete"),
        _writers(),
        method="POST",
        effect=lambda w: WorksheetItem.objects.count(),
    ),
    Case("programs:roi", _app("roi"), READERS),
    Case(
        "programs:roi",
        _app("roi"),
        _writers(),
        method="POST",
        data=lambda w: ROI,
        effect=lambda w: RoiEstimate.objects.count(),
    ),
    Case("programs:plan", _app("plan"), READERS),
    Case(
        "programs:plan",
        _app("plan"),
        _writers(),
        method="POST",
        data=lambda w: {"goal": "納期回答を即日に"},
        effect=lambda w: DxPlan.objects.values_list("goal", flat=True),
    ),
    Case("programs:plan_print", _draft_plan_url("plan_print"), READERS),
    Case(
        "programs:plan_submit",
        _draft_plan_url("plan_submit"),
        _writers(),
        method="POST",
        effect=_plan_status,
    ),
    Case(
        "programs:plan_decide",
        _submitted_plan_url("plan_decide"),
        _reviewers(),
        method="POST",
        data=lambda w: {"decision": "accept", "body": ""},
        effect=_plan_status,
    ),
    Case(
        "programs:plan_decide",
        _submitted_plan_url("plan_decide"),
        _reviewers(REFUSED),
        method="POST",
        data=lambda w: {"decision": "return", "body": ""},
        effect=_plan_status,
        note="returned without a comment",
    ),
    Case(
        "programs:homework_comment",
        _app("homework_comment"),
        expect(
            404,
            **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, OFFICER: DONE, INSTRUCTOR: DONE},
        ),
        method="POST",
        data=lambda w: {"kind": "worksheet", "body": "設備の課題も書きましょう"},
        effect=lambda w: HomeworkComment.objects.count(),
    ),
    Case(
        "programs:graduation_run",
        lambda w: reverse("programs:graduation_run", args=[w.application.cohort.pk]),
        # The cohort is open to the ward's companies (they see it, so 403), not to others.
        expect(
            404,
            **{
                ANONYMOUS: LOGIN,
                MEMBER: 403,
                STAFF: 403,
                FLOOR_WORKER: 403,
                OTHER_COMPANY: 403,
                VENDOR: 403,
                BANK: 403,
                OFFICER: 200,
                INSTRUCTOR: 200,
            },
        ),
    ),
    Case(
        "programs:graduation_run",
        _finished_cohort_url,
        expect(
            404,
            **{
                ANONYMOUS: LOGIN,
                MEMBER: 403,
                STAFF: 403,
                FLOOR_WORKER: 403,
                OTHER_COMPANY: 403,
                VENDOR: 403,
                BANK: 403,
                OFFICER: DONE,
                INSTRUCTOR: DONE,
            },
        ),
        method="POST",
        effect=lambda w: Graduation.objects.count(),
    ),
    Case("programs:certificate", _certificate_url, READERS),
    Case(
        "programs:follow_up",
        _follow_up_url,
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, OFFICER: 200}),
    ),
    Case(
        "programs:follow_up",
        _follow_up_url,
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, OFFICER: 403}),
        method="POST",
        data=lambda w: {"invested": "no"},
        effect=lambda w: FollowUp.objects.values_list("answered_at", flat=True),
    ),
    Case(
        "programs:teaching",
        lambda w: reverse("programs:teaching"),
        expect(403, **{ANONYMOUS: LOGIN, INSTRUCTOR: 200, OFFICER: 200, OTHER_WARD_OFFICER: 200}),
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
