"""Every rule of the advisor dispatch through its services: the roster, requests and
proposals, assigning a team, phases in order, closing and cancelling, visits (team only,
no overlap, no future, end after start, owner's sign-off), measurements. Each refusal
says why in Japanese, carries its code, and changes nothing."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.accounts.models import WardRoleAssignment
from machikoba.advisory import services
from machikoba.advisory.choices import (
    PHASE_ORDER,
    AdvisorKind,
    Better,
    EngagementStatus,
    PhaseStatus,
    RequestStatus,
)
from machikoba.advisory.error_codes import AdvisoryErrorCode
from machikoba.advisory.models import (
    Advisor,
    Engagement,
    Measurement,
    PhaseEvidence,
    SupportRequest,
    Visit,
)
from machikoba.advisory.tests.conftest import make_advisor
from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories import (
    SUMIDA,
    CompanyFactory,
    UserFactory,
    jpeg_bytes,
    ward,
)
from machikoba.core.testing.factories_programs import (
    SupportRequestFactory,
    make_engagement,
    make_visit,
)
from machikoba.core.testing.processes import run_queued_tasks

pytestmark = pytest.mark.clock_sensitive


def refused(code, call, *, message):
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code
    text = str(caught.value.message) + " ".join(
        str(m) for msgs in caught.value.fields.values() for m in msgs
    )
    assert message in text, text
    return caught.value


def ago(**delta):
    return timezone.now().replace(second=0, microsecond=0) - dt.timedelta(**delta)


# --- roster ------------------------------------------------------------------------------


def test_an_officer_puts_an_existing_account_on_the_roster_with_the_advisor_role(cast):
    person = UserFactory(email="shindanshi@example.jp", name="診断 次郎")
    advisor = services.advisor_create(
        actor=cast.officer,
        email="Shindanshi@example.jp",
        kind=AdvisorKind.SME_CONSULTANT,
        wards=[ward()],
        capacity=2,
        hourly_fee=9000,
        specialties="原価計算",
    )
    assert advisor.user == person
    assert list(advisor.wards.all()) == [ward()]
    assert WardRoleAssignment.objects.filter(
        user=person, role=WardRole.ADVISOR, municipality=ward()
    ).exists()
    assert AuditEvent.objects.filter(verb="advisor.create", actor=cast.officer).count() == 1


@pytest.mark.parametrize(
    ("fields", "code", "message"),
    [
        (
            {"email": "nobody@example.jp"},
            AdvisoryErrorCode.ADVISOR_INVALID,
            "アカウントが見つかりません",
        ),
        ({"capacity": 0}, AdvisoryErrorCode.ADVISOR_INVALID, "1〜20 社"),
        ({"hourly_fee": -1}, AdvisoryErrorCode.ADVISOR_INVALID, "時間単価は"),
        ({"wards": []}, AdvisoryErrorCode.ADVISOR_INVALID, "1つ以上"),
        ({"kind": "wizard"}, AdvisoryErrorCode.ADVISOR_INVALID, "専門の種類"),
    ],
)
def test_bad_roster_input_is_refused(cast, fields, code, message):
    UserFactory(email="expert@example.jp")
    data = {
        "email": "expert@example.jp",
        "kind": AdvisorKind.IT_EXPERT,
        "wards": [ward()],
        "capacity": 3,
        "hourly_fee": 8000,
        **fields,
    }
    refused(code, lambda: services.advisor_create(actor=cast.officer, **data), message=message)
    assert Advisor.objects.count() == 1  # the cast's own


def test_only_officers_of_the_wards_keep_the_roster(cast):
    UserFactory(email="expert@example.jp")
    data = {
        "email": "expert@example.jp",
        "kind": AdvisorKind.IT_EXPERT,
        "capacity": 3,
        "hourly_fee": 8000,
    }
    refused(
        AdvisoryErrorCode.NOT_WARD_OFFICER,
        lambda: services.advisor_create(actor=cast.owner, wards=[ward()], **data),
        message="区の担当職員だけ",
    )
    refused(
        AdvisoryErrorCode.ADVISOR_INVALID,
        lambda: services.advisor_create(actor=cast.sumida_officer, wards=[ward()], **data),
        message="あなたが担当している区",
    )
    refused(
        AdvisoryErrorCode.ADVISOR_EXISTS,
        lambda: services.advisor_create(
            actor=cast.officer, wards=[ward()], **{**data, "email": cast.advisor.user.email}
        ),
        message="すでにアドバイザーの名簿にいます",
    )
    refused(
        AdvisoryErrorCode.NOT_WARD_OFFICER,
        lambda: services.advisor_update(
            actor=cast.sumida_officer,
            advisor=cast.advisor,
            kind=AdvisorKind.IT_EXPERT,
            wards=[ward(SUMIDA)],
            capacity=9,
            hourly_fee=1,
        ),
        message="あなたの区の名簿にいません",
    )
    cast.advisor.refresh_from_db()
    assert cast.advisor.capacity == 3
    assert Advisor.objects.count() == 1


def test_an_update_keeps_the_wards_another_office_gave(cast):
    cast.advisor.wards.add(ward(SUMIDA))
    services.advisor_update(
        actor=cast.officer,
        advisor=cast.advisor,
        kind=AdvisorKind.SME_CONSULTANT,
        wards=[ward()],
        capacity=5,
        hourly_fee=10000,
        active=False,
    )
    cast.advisor.refresh_from_db()
    assert set(cast.advisor.wards.all()) == {ward(), ward(SUMIDA)}
    assert (cast.advisor.capacity, cast.advisor.hourly_fee, cast.advisor.active) == (
        5,
        10000,
        False,
    )


# --- requests ----------------------------------------------------------------------------


def test_owner_or_staff_request_support_and_only_one_is_pending(cast):
    request = services.support_request_create(
        actor=cast.staff, company=cast.company, topics="見積", description="見積に半日かかる"
    )
    assert (request.status, request.municipality) == (RequestStatus.OPEN, ward())
    refused(
        AdvisoryErrorCode.REQUEST_PENDING,
        lambda: services.support_request_create(
            actor=cast.owner, company=cast.company, topics="在庫", description="在庫が合わない"
        ),
        message="すでに回答待ちの派遣の申込",
    )
    assert SupportRequest.objects.count() == 1


def test_a_floor_worker_and_empty_text_are_refused(cast):
    refused(
        AdvisoryErrorCode.NOT_COMPANY_EDITOR,
        lambda: services.support_request_create(
            actor=cast.worker, company=cast.company, topics="見積", description="x"
        ),
        message="経営者と事務・技術スタッフだけ",
    )
    refused(
        AdvisoryErrorCode.REQUEST_INVALID,
        lambda: services.support_request_create(
            actor=cast.owner, company=cast.company, topics="見積", description="  "
        ),
        message="相談の内容を書いてください",
    )
    assert not SupportRequest.objects.exists()


def test_a_company_under_support_cannot_ask_again(cast):
    make_engagement(cast.company, [cast.advisor])
    refused(
        AdvisoryErrorCode.REQUEST_PENDING,
        lambda: services.support_request_create(
            actor=cast.owner, company=cast.company, topics="見積", description="もう一度"
        ),
        message="いま伴走支援を受けています",
    )


def test_the_officer_proposes_and_the_owner_accepts(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.support_request_propose(
            actor=cast.officer, company=cast.company, topics="生産管理", description="道場の続き"
        )
    run_queued_tasks("notification")
    assert request.status == RequestStatus.PROPOSED
    assert Notification.objects.filter(user=cast.owner, kind="support_proposed").exists()
    refused(
        AdvisoryErrorCode.NOT_COMPANY_OWNER,
        lambda: services.support_proposal_accept(actor=cast.staff, request=request),
        message="経営者だけ",
    )
    services.support_proposal_accept(actor=cast.owner, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.OPEN
    refused(
        AdvisoryErrorCode.REQUEST_STATE,
        lambda: services.support_proposal_decline(actor=cast.owner, request=request),
        message="いま「受付済み",
    )


def test_only_the_wards_officer_proposes(cast):
    refused(
        AdvisoryErrorCode.NOT_WARD_OFFICER,
        lambda: services.support_request_propose(
            actor=cast.sumida_officer, company=cast.company, topics="x", description="y"
        ),
        message="この企業の区の担当職員だけ",
    )
    assert not SupportRequest.objects.exists()


def test_the_owner_declines_a_proposal_and_the_company_withdraws_its_request(cast):
    proposal = services.support_request_propose(
        actor=cast.officer, company=cast.company, topics="x", description="y"
    )
    services.support_proposal_decline(actor=cast.owner, request=proposal)
    proposal.refresh_from_db()
    assert proposal.status == RequestStatus.DECLINED
    own = services.support_request_create(
        actor=cast.owner, company=cast.company, topics="x", description="y"
    )
    services.support_request_withdraw(actor=cast.staff, request=own)
    own.refresh_from_db()
    assert own.status == RequestStatus.WITHDRAWN


def test_the_office_declines_with_a_reason(cast, django_capture_on_commit_callbacks):
    request = SupportRequestFactory(company=cast.company)
    refused(
        AdvisoryErrorCode.REASON_REQUIRED,
        lambda: services.support_request_decline(actor=cast.officer, request=request, reason=" "),
        message="理由を書いてください",
    )
    refused(
        AdvisoryErrorCode.NOT_WARD_OFFICER,
        lambda: services.support_request_decline(
            actor=cast.sumida_officer, request=request, reason="予算"
        ),
        message="担当職員だけ",
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        services.support_request_decline(actor=cast.officer, request=request, reason="今年度の予算")
    run_queued_tasks("notification")
    request.refresh_from_db()
    assert (request.status, request.decision_note) == (RequestStatus.DECLINED, "今年度の予算")
    notice = Notification.objects.get(user=cast.owner, kind="support_declined")
    assert "今年度の予算" in notice.body


# --- assigning a team --------------------------------------------------------------------


def test_assigning_a_team_starts_six_months_of_five_phases(
    cast, django_capture_on_commit_callbacks
):
    request = SupportRequestFactory(company=cast.company)
    second = make_advisor("診断 次郎", kind=AdvisorKind.SME_CONSULTANT)
    with django_capture_on_commit_callbacks(execute=True):
        engagement = services.engagement_assign(
            actor=cast.officer, request=request, advisors=[cast.advisor, second], lead=second
        )
    run_queued_tasks("notification")
    request.refresh_from_db()
    assert request.status == RequestStatus.ASSIGNED
    assert engagement.starts_on == timezone.localdate()
    assert 181 <= (engagement.ends_on - engagement.starts_on).days <= 184
    phases = list(engagement.phases.order_by("order"))
    assert [p.kind for p in phases] == list(PHASE_ORDER)
    assert phases[-1].due_on == engagement.ends_on
    assert all(a.due_on < b.due_on for a, b in itertools.pairwise(phases))
    assert engagement.members.get(lead=True).advisor == second
    assert Notification.objects.filter(user=cast.owner, kind="engagement_assigned").exists()
    assert Notification.objects.filter(user=cast.advisor.user, kind="engagement_assigned").exists()
    assert Notification.objects.filter(user=second.user, kind="engagement_assigned").exists()


def test_an_advisor_over_capacity_inactive_or_of_another_ward_is_refused_by_name(cast):
    request = SupportRequestFactory(company=cast.company)
    full = make_advisor("満杯 一郎", capacity=1)
    make_engagement(CompanyFactory(), [full])
    sleeping = make_advisor("休止 二郎", active=False)
    sumida = make_advisor("墨田 三郎")
    sumida.wards.set([ward(SUMIDA)])
    refused(
        AdvisoryErrorCode.ADVISOR_OVER_CAPACITY,
        lambda: services.engagement_assign(
            actor=cast.officer, request=request, advisors=[cast.advisor, full]
        ),
        message="満杯 一郎 さんはすでに 1 社を担当していて",
    )
    refused(
        AdvisoryErrorCode.ADVISOR_UNAVAILABLE,
        lambda: services.engagement_assign(
            actor=cast.officer, request=request, advisors=[sleeping]
        ),
        message="休止 二郎 さんは、いま大田区に派遣できる",
    )
    refused(
        AdvisoryErrorCode.ADVISOR_UNAVAILABLE,
        lambda: services.engagement_assign(actor=cast.officer, request=request, advisors=[sumida]),
        message="墨田 三郎 さん",
    )
    refused(
        AdvisoryErrorCode.TEAM_EMPTY,
        lambda: services.engagement_assign(actor=cast.officer, request=request, advisors=[]),
        message="1人以上",
    )
    refused(
        AdvisoryErrorCode.ENGAGEMENT_INVALID,
        lambda: services.engagement_assign(
            actor=cast.officer,
            request=request,
            advisors=[cast.advisor],
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
        ),
        message="終了予定日は開始日より後",
    )
    refused(
        AdvisoryErrorCode.NOT_WARD_OFFICER,
        lambda: services.engagement_assign(
            actor=cast.sumida_officer, request=request, advisors=[cast.advisor]
        ),
        message="担当職員だけ",
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.OPEN
    assert Engagement.objects.filter(request=request).count() == 0


def test_a_proposal_not_yet_accepted_cannot_be_assigned(cast):
    request = SupportRequestFactory(company=cast.company, status=RequestStatus.PROPOSED)
    refused(
        AdvisoryErrorCode.REQUEST_STATE,
        lambda: services.engagement_assign(
            actor=cast.officer, request=request, advisors=[cast.advisor]
        ),
        message="担当を割り当てられません",
    )


# --- phases, closing, cancelling ---------------------------------------------------------


@pytest.fixture
def engagement(cast):
    return make_engagement(cast.company, [cast.advisor], assigned_by=cast.officer)


def test_phases_complete_only_in_order(cast, engagement):
    issues, tools = engagement.phases.order_by("order")[:2]
    services.phase_start(actor=cast.advisor.user, phase=tools)
    refused(
        AdvisoryErrorCode.PHASE_OUT_OF_ORDER,
        lambda: services.phase_complete(actor=cast.advisor.user, phase=tools),
        message="先に「課題整理」を完了してください",
    )
    tools.refresh_from_db()
    assert tools.status == PhaseStatus.IN_PROGRESS
    refused(
        AdvisoryErrorCode.PHASE_STATE,
        lambda: services.phase_complete(actor=cast.advisor.user, phase=issues),
        message="「課題整理」はいま「未着手」です",
    )
    services.phase_start(actor=cast.advisor.user, phase=issues)
    services.phase_complete(actor=cast.advisor.user, phase=issues)
    services.phase_complete(actor=cast.officer, phase=tools)
    tools.refresh_from_db()
    assert tools.status == PhaseStatus.DONE
    assert tools.completed_at is not None


def test_people_off_the_team_cannot_move_phases(cast, engagement):
    phase = engagement.phases.get(order=1)
    stranger = make_advisor("他社 担当")
    for actor in (cast.owner, stranger.user, cast.sumida_officer):
        refused(
            AdvisoryErrorCode.NOT_ON_TEAM,
            lambda actor=actor: services.phase_start(actor=actor, phase=phase),
            message="この企業の担当ではありません",
        )
    phase.refresh_from_db()
    assert phase.status == PhaseStatus.NOT_STARTED


def _finish_all_phases(actor, engagement):
    for phase in engagement.phases.order_by("order"):
        services.phase_start(actor=actor, phase=phase)
        services.phase_complete(actor=actor, phase=phase)


def test_closing_needs_every_phase_done_and_a_summary(cast, engagement):
    refused(
        AdvisoryErrorCode.PHASES_NOT_DONE,
        lambda: services.engagement_close(actor=cast.officer, engagement=engagement, summary="x"),
        message="まだ完了していないフェーズがあります (課題整理、ツール選定、導入、定着、効果測定)",
    )
    _finish_all_phases(cast.advisor.user, engagement)
    refused(
        AdvisoryErrorCode.ENGAGEMENT_INVALID,
        lambda: services.engagement_close(actor=cast.officer, engagement=engagement, summary=" "),
        message="支援のまとめを書いてください",
    )
    refused(
        AdvisoryErrorCode.NOT_ON_TEAM,
        lambda: services.engagement_close(actor=cast.owner, engagement=engagement, summary="x"),
        message="この企業の担当ではありません",
    )
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.ACTIVE
    services.engagement_close(
        actor=cast.advisor.user, engagement=engagement, summary="見積が半日から1時間に"
    )
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.CLOSED
    assert engagement.closing_summary == "見積が半日から1時間に"


def test_a_team_member_who_does_not_lead_cannot_close(cast):
    helper = make_advisor("補助 四郎")
    engagement = make_engagement(cast.company, [cast.advisor, helper])
    _finish_all_phases(cast.officer, engagement)
    refused(
        AdvisoryErrorCode.NOT_ON_TEAM,
        lambda: services.engagement_close(actor=helper.user, engagement=engagement, summary="x"),
        message="主担当のアドバイザーと区の職員だけ",
    )


def test_the_office_cancels_with_a_reason_and_nothing_moves_after(cast, engagement):
    refused(
        AdvisoryErrorCode.NOT_WARD_OFFICER,
        lambda: services.engagement_cancel(
            actor=cast.advisor.user, engagement=engagement, reason="x"
        ),
        message="担当職員だけ",
    )
    refused(
        AdvisoryErrorCode.REASON_REQUIRED,
        lambda: services.engagement_cancel(actor=cast.officer, engagement=engagement, reason=""),
        message="中止する理由",
    )
    services.engagement_cancel(actor=cast.officer, engagement=engagement, reason="廃業のため")
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.CANCELLED
    refused(
        AdvisoryErrorCode.ENGAGEMENT_NOT_ACTIVE,
        lambda: services.phase_start(actor=cast.officer, phase=engagement.phases.get(order=1)),
        message="この派遣は「中止」です",
    )


def test_moving_the_period_spreads_the_open_phases_again(cast, engagement):
    start = timezone.localdate()
    services.engagement_dates_update(
        actor=cast.officer,
        engagement=engagement,
        starts_on=start,
        ends_on=start + dt.timedelta(days=100),
    )
    assert list(engagement.phases.order_by("order").values_list("due_on", flat=True)) == [
        start + dt.timedelta(days=d) for d in (20, 40, 60, 80, 100)
    ]


def test_evidence_is_sniffed_and_a_bad_file_stores_nothing(cast, engagement, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    phase = engagement.phases.get(order=1)
    evidence = services.evidence_add(
        actor=cast.advisor.user,
        phase=phase,
        title="業務フロー図",
        upload=SimpleUploadedFile("flow.jpg", jpeg_bytes(), content_type="image/jpeg"),
    )
    assert evidence.mime == "image/jpeg"
    assert evidence.size > 0
    with pytest.raises(ApplicationError) as caught:
        services.evidence_add(
            actor=cast.advisor.user,
            phase=phase,
            title="偽物",
            upload=SimpleUploadedFile("fake.pdf", b"just some plain text, not a document"),
        )
    assert "対応していない形式" in str(caught.value.message)
    refused(
        AdvisoryErrorCode.EVIDENCE_INVALID,
        lambda: services.evidence_add(
            actor=cast.advisor.user,
            phase=phase,
            title=" ",
            upload=SimpleUploadedFile("flow.jpg", jpeg_bytes()),
        ),
        message="件名を書いてください",
    )
    assert PhaseEvidence.objects.count() == 1
    assert len(list((tmp_path / "advisory" / "evidence" / str(engagement.pk)).iterdir())) == 1


# --- visits ------------------------------------------------------------------------------


def test_an_advisor_logs_a_visit_and_the_owner_is_asked(
    cast, engagement, django_capture_on_commit_callbacks
):
    start = ago(days=1, hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        visit = services.visit_log(
            actor=cast.advisor.user,
            engagement=engagement,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=90),
            work_done="見積の流れを聞き取り",
            next_steps="過去の見積を10件用意",
        )
    run_queued_tasks("notification")
    assert visit.minutes == 90
    assert visit.advisor == cast.advisor
    notice = Notification.objects.get(user=cast.owner, kind="visit_logged")
    assert "1 時間 30 分" in notice.body


def test_a_visit_to_a_company_not_theirs_is_refused(cast, engagement):
    other = make_advisor("他社 担当")
    make_engagement(CompanyFactory(), [other])
    start = ago(days=1)
    refused(
        AdvisoryErrorCode.NOT_ON_TEAM,
        lambda: services.visit_log(
            actor=other.user,
            engagement=engagement,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            work_done="x",
        ),
        message="この企業の担当ではありません",
    )
    refused(
        AdvisoryErrorCode.NOT_ON_TEAM,
        lambda: services.visit_log(
            actor=cast.officer,
            engagement=engagement,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            work_done="x",
        ),
        message="この企業の担当ではありません",
    )
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    ("start", "minutes", "code", "message"),
    [
        ({"days": 1}, -30, AdvisoryErrorCode.VISIT_INVALID, "終了の時刻は開始より後"),
        ({"days": 1}, 0, AdvisoryErrorCode.VISIT_INVALID, "終了の時刻は開始より後"),
        ({"minutes": 30}, 60, AdvisoryErrorCode.VISIT_IN_FUTURE, "まだ終わっていない訪問"),
        ({"days": -2}, 60, AdvisoryErrorCode.VISIT_IN_FUTURE, "まだ終わっていない訪問"),
        ({"days": 1}, 13 * 60, AdvisoryErrorCode.VISIT_INVALID, "12時間まで"),
        ({"days": 60}, 60, AdvisoryErrorCode.VISIT_INVALID, "派遣の開始日"),
    ],
)
def test_bad_visit_times_are_refused(cast, engagement, start, minutes, code, message):
    begins = ago(**start)
    refused(
        code,
        lambda: services.visit_log(
            actor=cast.advisor.user,
            engagement=engagement,
            starts_at=begins,
            ends_at=begins + dt.timedelta(minutes=minutes),
            work_done="x",
        ),
        message=message,
    )
    assert not Visit.objects.exists()


def test_visits_of_one_advisor_never_overlap_across_engagements(cast, engagement):
    other = make_engagement(CompanyFactory(), [cast.advisor])
    start = ago(days=2)
    services.visit_log(
        actor=cast.advisor.user,
        engagement=other,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        work_done="別の会社",
    )
    refused(
        AdvisoryErrorCode.VISIT_OVERLAP,
        lambda: services.visit_log(
            actor=cast.advisor.user,
            engagement=engagement,
            starts_at=start + dt.timedelta(hours=1),
            ends_at=start + dt.timedelta(hours=3),
            work_done="重なる",
        ),
        message="すでに記録した別の訪問",
    )
    assert Visit.objects.count() == 1
    # Back to back is fine.
    services.visit_log(
        actor=cast.advisor.user,
        engagement=engagement,
        starts_at=start + dt.timedelta(hours=2),
        ends_at=start + dt.timedelta(hours=3),
        work_done="続けて",
    )
    assert Visit.objects.count() == 2


def test_no_visit_on_a_closed_engagement(cast, engagement):
    _finish_all_phases(cast.officer, engagement)
    services.engagement_close(actor=cast.officer, engagement=engagement, summary="完了")
    start = ago(days=1)
    refused(
        AdvisoryErrorCode.ENGAGEMENT_NOT_ACTIVE,
        lambda: services.visit_log(
            actor=cast.advisor.user,
            engagement=engagement,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            work_done="x",
        ),
        message="この派遣は「完了」です",
    )


def test_only_the_owner_signs_off_and_a_second_tap_changes_nothing(cast, engagement):
    visit = make_visit(engagement, cast.advisor)
    refused(
        AdvisoryErrorCode.NOT_COMPANY_OWNER,
        lambda: services.visit_sign_off(actor=cast.staff, visit=visit),
        message="経営者だけ",
    )
    visit.refresh_from_db()
    assert visit.signed_off_at is None
    services.visit_sign_off(actor=cast.owner, visit=visit)
    visit.refresh_from_db()
    first = visit.signed_off_at
    assert first is not None
    assert visit.signed_off_by == cast.owner
    services.visit_sign_off(actor=cast.owner, visit=visit)  # idempotent
    visit.refresh_from_db()
    assert visit.signed_off_at == first
    assert AuditEvent.objects.filter(verb="visit.sign_off").count() == 1


def test_an_advisor_edits_their_own_visit_only_before_sign_off(cast, engagement):
    visit = make_visit(engagement, cast.advisor, minutes=60, days_ago=3)
    colleague = make_advisor("同僚 五郎")
    engagement.members.create(advisor=colleague)
    start = visit.starts_at
    refused(
        AdvisoryErrorCode.NOT_VISIT_AUTHOR,
        lambda: services.visit_update(
            actor=colleague.user,
            visit=visit,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=30),
            work_done="x",
        ),
        message="記録したアドバイザー本人だけ",
    )
    services.visit_update(
        actor=cast.advisor.user,
        visit=visit,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=75),
        work_done="訂正",
    )
    visit.refresh_from_db()
    assert (visit.minutes, visit.work_done) == (75, "訂正")
    services.visit_sign_off(actor=cast.owner, visit=visit)
    refused(
        AdvisoryErrorCode.VISIT_SIGNED_OFF,
        lambda: services.visit_update(
            actor=cast.advisor.user,
            visit=visit,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=120),
            work_done="また訂正",
        ),
        message="企業が確認済みのため",
    )
    visit.refresh_from_db()
    assert visit.minutes == 75


# --- measurements ------------------------------------------------------------------------


def test_measurements_before_then_after_on_a_later_date(cast, engagement):
    before_on = timezone.localdate() - dt.timedelta(days=20)
    measurement = services.measurement_add(
        actor=cast.advisor.user,
        engagement=engagement,
        name="見積作成時間",
        unit="分",
        better=Better.LOWER,
        before_value=Decimal("240"),
        before_on=before_on,
    )
    refused(
        AdvisoryErrorCode.MEASUREMENT_INVALID,
        lambda: services.measurement_record_after(
            actor=cast.advisor.user,
            measurement=measurement,
            after_value=Decimal("60"),
            after_on=before_on,
        ),
        message="導入前の測定日より後",
    )
    refused(
        AdvisoryErrorCode.MEASUREMENT_INVALID,
        lambda: services.measurement_record_after(
            actor=cast.advisor.user,
            measurement=measurement,
            after_value=Decimal("60"),
            after_on=timezone.localdate() + dt.timedelta(days=1),
        ),
        message="未来の日付",
    )
    refused(
        AdvisoryErrorCode.NOT_ON_TEAM,
        lambda: services.measurement_record_after(
            actor=cast.owner,
            measurement=measurement,
            after_value=Decimal("60"),
            after_on=timezone.localdate(),
        ),
        message="この企業の担当ではありません",
    )
    measurement.refresh_from_db()
    assert measurement.after_value is None
    services.measurement_record_after(
        actor=cast.advisor.user,
        measurement=measurement,
        after_value=Decimal("60"),
        after_on=timezone.localdate(),
    )
    measurement.refresh_from_db()
    assert measurement.after_value == Decimal("60")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "指標の名前"),
        ({"unit": ""}, "単位を書いて"),
        ({"better": "sideways"}, "良い向き"),
        ({"before_value": Decimal("-1")}, "0 以上"),
    ],
)
def test_bad_measurements_are_refused(cast, engagement, fields, message):
    data = {
        "name": "リードタイム",
        "unit": "日",
        "better": Better.LOWER,
        "before_value": Decimal("14"),
        "before_on": timezone.localdate(),
        **fields,
    }
    refused(
        AdvisoryErrorCode.MEASUREMENT_INVALID,
        lambda: services.measurement_add(actor=cast.officer, engagement=engagement, **data),
        message=message,
    )
    assert not Measurement.objects.exists()
