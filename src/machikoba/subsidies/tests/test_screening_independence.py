"""Independent scoring: a reviewer never sees another reviewer's scores, through any page
or selector, before or after submitting (they see only their own); the applicant sees no
score and no ranking; before the declaration a reviewer sees the company's name and the
plan's title, not the application."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from machikoba.core.access import VIEW
from machikoba.core.testing.factories import CompanyFactory, force_login_with_mfa, give_totp
from machikoba.core.testing.factories_subsidies import (
    make_applicant,
    make_officer,
    make_paper_call,
)
from machikoba.core.testing.factories_subsidies_screening import assign, in_screening, rubric
from machikoba.subsidies.choices import AssignmentStatus
from machikoba.subsidies.models_screening import Score
from machikoba.subsidies.selectors.ranking import proposal, ranking, reviewer_progress
from machikoba.subsidies.selectors.screening import (
    review_home,
    review_page,
    screening_application_page,
)
from machikoba.subsidies.services.screening import scores_save, scores_submit
from machikoba.subsidies.services.selection import selection_confirm

pytestmark = pytest.mark.django_db

B_COMMENT = "Bさんだけが書いた講評"
A_COMMENT = "Aさんの講評"


@pytest.fixture
def scene():
    stage = make_paper_call().stages.get(number=1)
    company = CompanyFactory(
        name="六郷製作所", representative_name="六郷 一郎", corporate_number="1010401000001"
    )
    owner = make_applicant(company)
    application = in_screening(stage, company, title="段取り替えの見える化", problem="秘密の課題")
    a = assign(application, status=AssignmentStatus.CLEARED)
    b = assign(application, status=AssignmentStatus.CLEARED)
    criteria = rubric(application)
    scores_submit(
        actor=b.reviewer,
        assignment=b,
        scores={c.pk: (3, B_COMMENT) for c in criteria},
        comment=B_COMMENT,
    )
    scores_save(actor=a.reviewer, assignment=a, scores={criteria[0].pk: (9, A_COMMENT)})
    return {"stage": stage, "application": application, "owner": owner, "a": a, "b": b}


def _page(user, url, *, mfa=False):
    client = Client()
    if mfa:
        give_totp(user)
        force_login_with_mfa(client, user)
    else:
        client.force_login(user)
    response = client.get(url)
    return response.status_code, response.content.decode()


def test_a_reviewer_sees_only_their_own_scores_in_selectors(scene):
    a, b = scene["a"], scene["b"]
    mine = review_page(a.reviewer, a)
    assert [(row.criterion.name, row.score) for row in mine.rubric if row.score is not None] == [
        ("課題の明確さ", 9)
    ]
    assert set(Score.objects.for_user(a.reviewer, VIEW).values_list("assignment", flat=True)) == {
        a.pk
    }
    # Another reviewer's assignment handed to the selector yields no score of theirs.
    assert all(row.score is None for row in review_page(a.reviewer, b).rubric)
    stage = scene["stage"]
    assert ranking(a.reviewer, stage).rows == []
    assert ranking(a.reviewer, stage).unrankable == []
    assert reviewer_progress(a.reviewer, stage) == []
    officer_view = screening_application_page(a.reviewer, scene["application"])
    assert officer_view.assignments == []


def test_a_reviewer_sees_no_other_score_on_any_page(scene):
    a, b = scene["a"], scene["b"]
    application = scene["application"]
    status, html = _page(a.reviewer, reverse("subsidies:review_assignment", args=[a.pk]))
    assert status == 200
    assert A_COMMENT in html
    assert B_COMMENT not in html
    assert _page(a.reviewer, reverse("subsidies:review_assignment", args=[b.pk]))[0] == 404
    for name, pk in (
        ("subsidies:screening_application", application.pk),
        ("subsidies:screening_stage", application.stage_id),
    ):
        assert _page(a.reviewer, reverse(name, args=[pk]))[0] == 403
    status, html = _page(a.reviewer, reverse("subsidies:review_home"))
    assert B_COMMENT not in html
    # After submitting, still only their own.
    scores_submit(
        actor=a.reviewer,
        assignment=a,
        scores={c.pk: (8, A_COMMENT) for c in rubric(application)},
    )
    status, html = _page(a.reviewer, reverse("subsidies:review_assignment", args=[a.pk]))
    assert status == 200
    assert "40 / 50" in html  # their own total
    assert B_COMMENT not in html
    assert "15 / 50" not in html  # B's total


def test_the_officer_sees_every_reviewers_scores(scene):
    officer = make_officer()
    status, html = _page(
        officer,
        reverse("subsidies:screening_application", args=[scene["application"].pk]),
        mfa=True,
    )
    assert status == 200
    assert B_COMMENT in html
    assert A_COMMENT in html


def test_the_applicant_sees_no_score_and_no_ranking(scene):
    owner, application = scene["owner"], scene["application"]
    assert not Score.objects.for_user(owner, VIEW).exists()
    assert ranking(owner, scene["stage"]).rows == []
    assert proposal(owner, scene["stage"]).selected == []
    for url in (
        reverse("subsidies:application_detail", args=[application.pk]),
        reverse("subsidies:bonus_claim", args=[application.pk]),
    ):
        status, html = _page(owner, url)
        assert status == 200, url
        assert B_COMMENT not in html
        assert A_COMMENT not in html
    for name, pk in (
        ("subsidies:screening_application", application.pk),
        ("subsidies:screening_stage", application.stage_id),
        ("subsidies:review_assignment", scene["a"].pk),
    ):
        assert _page(owner, reverse(name, args=[pk]))[0] == 403


def test_the_applicant_reads_no_rank_and_no_score_after_the_selection(scene):
    a, application = scene["a"], scene["application"]
    scores_submit(
        actor=a.reviewer, assignment=a, scores={c.pk: (1, "") for c in rubric(application)}
    )
    other = in_screening(scene["stage"], requested=scene["stage"].budget, title="上位の申請")
    assign(other, status=AssignmentStatus.CLEARED)
    reviewer = other.assignments.get().reviewer
    scores_submit(
        actor=reviewer,
        assignment=other.assignments.get(),
        scores={c.pk: (10, "") for c in rubric(other)},
    )
    selection_confirm(actor=make_officer(), stage=scene["stage"])
    status, html = _page(
        scene["owner"], reverse("subsidies:application_detail", args=[application.pk])
    )
    assert status == 200
    assert "予算の範囲で、審査の評価が高い申請から採択しました。" in html
    assert "2 位" not in html
    assert "全 2 件" not in html
    assert "点" not in application.__class__.objects.get(pk=application.pk).decision_reason


def test_before_the_declaration_a_reviewer_sees_the_company_not_the_application():
    stage = make_paper_call().stages.get(number=1)
    company = CompanyFactory(
        name="糀谷精工", representative_name="糀谷 花子", corporate_number="8010401000002"
    )
    application = in_screening(
        stage, company, title="検査記録の電子化", problem="誰にも言えない課題"
    )
    assignment = assign(application)
    home = review_home(assignment.reviewer)
    assert [(r.company_name, r.title) for r in home] == [("糀谷精工", "検査記録の電子化")]
    status, html = _page(
        assignment.reviewer, reverse("subsidies:review_assignment", args=[assignment.pk])
    )
    assert status == 200
    assert "糀谷精工" in html
    assert "糀谷 花子" in html
    assert "8010401000002" in html
    assert "誰にも言えない課題" not in html
    assert 'data-testid="application-body"' not in html
    # And the application itself stays closed to them.
    client = Client()
    client.force_login(assignment.reviewer)
    detail = client.get(reverse("subsidies:application_detail", args=[application.pk]))
    assert detail.status_code == 404
