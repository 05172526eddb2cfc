"""Applying to a cohort, the waitlist and its automatic promotion, withdrawing and
declining: every rule of the programme (window, wards, people per company, verified
company, who applies for whom) refuses with its code and a Japanese message and leaves
nothing written; notices reach the company."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.companies.choices import CompanyRole
from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories import (
    SUMIDA,
    CompanyFactory,
    MembershipFactory,
    WardRoleFactory,
    ward,
)
from machikoba.core.testing.factories_programs import (
    CohortFactory,
    ProgramFactory,
    make_cohort_with_sessions,
    make_instructor,
    make_leader_cohort,
    make_owner,
)
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.programs.choices import ApplicationStatus
from machikoba.programs.demo import seed_programs
from machikoba.programs.error_codes import ProgramErrorCode
from machikoba.programs.models import Application, Attendance
from machikoba.programs.selectors.participant import (
    home_card,
    my_applications,
    open_cohorts,
    waitlist_position,
)
from machikoba.programs.services.applications import (
    application_decline,
    application_submit,
    application_withdraw,
)

pytestmark = pytest.mark.django_db


def _apply(cohort, owner=None, company=None, **kwargs):
    if owner is None:
        company, owner = make_owner(company)
    return application_submit(actor=owner, cohort=cohort, company=company, **kwargs)


def _refused(call, code, *fragments):
    """``call`` is refused with ``code`` and a message naming ``fragments``; nothing
    about applications changes."""
    before = list(Application.objects.order_by("pk").values_list("pk", "status"))
    audits = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code
    message = str(caught.value.message)
    for fragment in fragments:
        assert fragment in message, message
    assert list(Application.objects.order_by("pk").values_list("pk", "status")) == before
    assert AuditEvent.objects.count() == audits
    return message


# --- applying ------------------------------------------------------------------------------


def test_an_owner_applying_to_a_cohort_with_seats_is_accepted_and_told_the_next_session(
    django_capture_on_commit_callbacks,
):
    cohort = make_cohort_with_sessions(sessions=3, first_in_days=10)
    company, owner = make_owner()
    with django_capture_on_commit_callbacks(execute=True):
        application = application_submit(
            actor=owner, cohort=cohort, company=company, motivation=" 見積を早くしたい "
        )
    assert application.status == ApplicationStatus.ACCEPTED
    assert application.participant == owner
    assert application.applied_by == owner
    assert application.motivation == "見積を早くしたい"
    assert application.decided_at is not None
    event = AuditEvent.objects.get(verb="programs.application.submit")
    assert event.company == company
    assert event.after["status"] == "accepted"
    run_queued_tasks("notification")
    notice = Notification.objects.get(user=owner, kind="application_accepted")
    assert cohort.program.name in notice.title
    assert "次回は" in notice.body
    assert "第1回" in notice.body
    assert notice.url == f"/programs/applications/{application.pk}/"


def test_a_full_cohort_waitlists_in_the_order_of_applying(django_capture_on_commit_callbacks):
    cohort = CohortFactory(capacity=1)
    first = _apply(cohort)
    company_b, owner_b = make_owner()
    with django_capture_on_commit_callbacks(execute=True):
        second = application_submit(actor=owner_b, cohort=cohort, company=company_b)
    third = _apply(cohort)
    assert first.status == ApplicationStatus.ACCEPTED
    assert [second.status, third.status] == [ApplicationStatus.WAITLISTED] * 2
    assert second.decided_at is None
    assert [waitlist_position(second), waitlist_position(third)] == [1, 2]
    assert waitlist_position(first) is None
    run_queued_tasks("notification")
    notice = Notification.objects.get(user=owner_b, kind="application_waitlisted")
    assert "キャンセル待ち 1 番目" in notice.body


def test_applying_twice_is_refused_and_nothing_changes():
    cohort = CohortFactory()
    company, owner = make_owner()
    application_submit(actor=owner, cohort=cohort, company=company)
    _refused(
        lambda: application_submit(actor=owner, cohort=cohort, company=company),
        ProgramErrorCode.APPLICATION_DUPLICATE,
        "すでに申し込んでいます",
        "受講決定",
    )
    assert Application.objects.filter(cohort=cohort).count() == 1


def test_a_person_applied_for_by_another_company_is_refused():
    cohort = make_leader_cohort()
    company_a, owner_a = make_owner()
    company_b, owner_b = make_owner()
    both = MembershipFactory(company=company_a, role=CompanyRole.STAFF).user
    MembershipFactory(company=company_b, user=both, role=CompanyRole.STAFF)
    application_submit(actor=owner_a, cohort=cohort, company=company_a, participant=both)
    _refused(
        lambda: application_submit(
            actor=owner_b, cohort=cohort, company=company_b, participant=both
        ),
        ProgramErrorCode.APPLICATION_DUPLICATE,
        "別の企業から",
    )


def test_applying_after_the_window_or_before_it_is_refused():
    closed = CohortFactory(
        applications_open_at=timezone.now() - dt.timedelta(days=30),
        applications_close_at=timezone.now() - dt.timedelta(minutes=1),
    )
    _refused(lambda: _apply(closed), ProgramErrorCode.APPLICATION_WINDOW_CLOSED, "締め切りました")
    early = CohortFactory(
        applications_open_at=timezone.now() + dt.timedelta(days=1),
        applications_close_at=timezone.now() + dt.timedelta(days=30),
    )
    _refused(lambda: _apply(early), ProgramErrorCode.APPLICATION_WINDOW_CLOSED, "からです")
    assert not Application.objects.exists()


def test_a_company_of_another_ward_is_refused_when_the_programme_is_for_its_wards():
    cohort = CohortFactory()  # 大田区, wards_only
    sumida = CompanyFactory(ward=ward(SUMIDA))
    message = _refused(
        lambda: _apply(cohort, company=sumida),
        ProgramErrorCode.APPLICATION_WARD_INELIGIBLE,
        "大田区 の企業が対象です",
    )
    assert sumida.name in message


def test_a_partner_ward_and_an_open_programme_admit_other_wards():
    joint = CohortFactory()
    joint.program.partner_wards.add(ward(SUMIDA))
    assert _apply(joint, company=CompanyFactory(ward=ward(SUMIDA))).status == "accepted"
    open_to_all = CohortFactory(program=ProgramFactory(wards_only=False))
    assert _apply(open_to_all, company=CompanyFactory(ward=ward(SUMIDA))).status == "accepted"


def test_an_unverified_or_deactivated_company_is_refused():
    cohort = CohortFactory()
    _refused(
        lambda: _apply(cohort, company=CompanyFactory(verified_at=None)),
        ProgramErrorCode.APPLICATION_COMPANY_UNVERIFIED,
        "確認が済んでいない",
    )


def test_the_dojo_is_applied_for_by_the_owner_for_themself():
    cohort = CohortFactory()
    company, owner = make_owner()
    staff = MembershipFactory(company=company, role=CompanyRole.STAFF).user
    _refused(
        lambda: application_submit(actor=staff, cohort=cohort, company=company),
        ProgramErrorCode.APPLICATION_NOT_ALLOWED,
        "経営者ご本人が受講する講座",
    )
    _refused(
        lambda: application_submit(actor=owner, cohort=cohort, company=company, participant=staff),
        ProgramErrorCode.APPLICATION_PARTICIPANT_INVALID,
        "ご本人が受講者",
    )


def test_only_the_companys_owner_or_staff_apply_for_it():
    cohort = make_leader_cohort()
    company, _owner = make_owner()
    worker = MembershipFactory(company=company, role=CompanyRole.FLOOR_WORKER).user
    _other_company, stranger = make_owner()
    for actor in (worker, stranger):
        _refused(
            lambda actor=actor: application_submit(
                actor=actor, cohort=cohort, company=company, participant=worker
            ),
            ProgramErrorCode.APPLICATION_NOT_ALLOWED,
            "経営者と事務・技術スタッフだけ",
        )


def test_the_leader_course_takes_nominated_members_up_to_its_limit_per_company(
    django_capture_on_commit_callbacks,
):
    cohort = make_leader_cohort()
    company, owner = make_owner()
    staff = [MembershipFactory(company=company, role=CompanyRole.STAFF).user for _ in range(2)]
    worker = MembershipFactory(company=company, role=CompanyRole.FLOOR_WORKER).user
    with django_capture_on_commit_callbacks(execute=True):
        first = application_submit(actor=owner, cohort=cohort, company=company, participant=worker)
    application_submit(actor=staff[0], cohort=cohort, company=company, participant=staff[1])
    assert first.participant == worker
    assert first.applied_by == owner
    _refused(
        lambda: application_submit(
            actor=owner, cohort=cohort, company=company, participant=staff[0]
        ),
        ProgramErrorCode.APPLICATION_COMPANY_LIMIT,
        "1社あたり 2 人まで",
    )
    # The floor worker is not among the owners and staff the company notice reaches:
    # they hear of it themself.
    run_queued_tasks("notification")
    assert Notification.objects.filter(user=worker, kind="application_accepted").count() == 1
    assert Notification.objects.filter(user=owner, kind="application_accepted").count() == 1


def test_a_nominee_who_is_not_a_member_is_refused():
    cohort = make_leader_cohort()
    company, owner = make_owner()
    _elsewhere, outsider = make_owner()
    _refused(
        lambda: application_submit(
            actor=owner, cohort=cohort, company=company, participant=outsider
        ),
        ProgramErrorCode.APPLICATION_PARTICIPANT_INVALID,
        "メンバーを選んでください",
    )


def test_a_motivation_too_long_is_refused():
    cohort = CohortFactory()
    _refused(
        lambda: _apply(cohort, motivation="あ" * 2001),
        ProgramErrorCode.APPLICATION_INVALID,
        "入力内容を確認してください",
    )


# --- withdrawing, declining and the waitlist ---------------------------------------------------


@pytest.fixture
def full_cohort():
    """Capacity 1: A holds the seat, B and C wait (B applied first)."""
    cohort = make_cohort_with_sessions(sessions=2, first_in_days=5, capacity=1)
    people = {}
    for name in ("a", "b", "c"):
        company, owner = make_owner()
        people[name] = application_submit(actor=owner, cohort=cohort, company=company)
    return cohort, people


def test_withdrawing_a_seat_promotes_the_head_of_the_waitlist(
    full_cohort, django_capture_on_commit_callbacks
):
    _cohort, people = full_cohort
    owner_a = people["a"].participant
    with django_capture_on_commit_callbacks(execute=True):
        application_withdraw(actor=owner_a, application=people["a"], reason="都合がつかない")
    for app in people.values():
        app.refresh_from_db()
    assert people["a"].status == ApplicationStatus.WITHDRAWN
    assert people["a"].status_note == "都合がつかない"
    assert people["b"].status == ApplicationStatus.ACCEPTED
    assert people["c"].status == ApplicationStatus.WAITLISTED
    assert waitlist_position(people["c"]) == 1
    assert AuditEvent.objects.filter(verb="programs.application.promote").count() == 1
    run_queued_tasks("notification")
    notice = Notification.objects.get(user=people["b"].participant, kind="application_promoted")
    assert "繰り上げ" in notice.title
    assert "次回は" in notice.body


def test_withdrawing_twice_is_refused_with_a_message(full_cohort):
    _cohort, people = full_cohort
    owner_a = people["a"].participant
    application_withdraw(actor=owner_a, application=people["a"])
    _refused(
        lambda: application_withdraw(actor=owner_a, application=people["a"]),
        ProgramErrorCode.APPLICATION_NOT_ACTIVE,
        "すでに「取り下げ」",
    )
    assert Application.objects.filter(status=ApplicationStatus.ACCEPTED).count() == 1


def test_withdrawing_a_waitlisted_application_promotes_nobody(full_cohort):
    _cohort, people = full_cohort
    application_withdraw(actor=people["b"].participant, application=people["b"])
    people["c"].refresh_from_db()
    assert people["c"].status == ApplicationStatus.WAITLISTED
    assert waitlist_position(people["c"]) == 1


def test_only_the_company_or_the_participant_withdraws(full_cohort):
    _cohort, people = full_cohort
    officer = WardRoleFactory().user
    stranger = people["b"].participant
    for actor in (officer, stranger):
        _refused(
            lambda actor=actor: application_withdraw(actor=actor, application=people["a"]),
            ProgramErrorCode.APPLICATION_NOT_ALLOWED,
            "取り下げられるのは",
        )


def test_a_nominated_participant_withdraws_their_own_seat():
    cohort = make_leader_cohort()
    company, owner = make_owner()
    worker = MembershipFactory(company=company, role=CompanyRole.FLOOR_WORKER).user
    app = application_submit(actor=owner, cohort=cohort, company=company, participant=worker)
    application_withdraw(actor=worker, application=app)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.WITHDRAWN


def test_an_officer_declines_with_a_reason_and_the_waitlist_moves_up_in_order(
    full_cohort, django_capture_on_commit_callbacks
):
    _cohort, people = full_cohort
    officer = WardRoleFactory().user
    with django_capture_on_commit_callbacks(execute=True):
        application_decline(actor=officer, application=people["a"], reason="対象外の業種のため")
    for app in people.values():
        app.refresh_from_db()
    assert people["a"].status == ApplicationStatus.DECLINED
    assert people["a"].status_note == "対象外の業種のため"
    assert people["b"].status == ApplicationStatus.ACCEPTED
    application_decline(actor=officer, application=people["b"], reason="重複申込")
    people["c"].refresh_from_db()
    assert people["c"].status == ApplicationStatus.ACCEPTED
    run_queued_tasks("notification")
    notice = Notification.objects.get(user=people["a"].participant, kind="application_declined")
    assert "対象外の業種のため" in notice.body


def test_declining_needs_a_reason_and_an_officer_of_the_programmes_ward(full_cohort):
    cohort, people = full_cohort
    officer = WardRoleFactory().user
    _refused(
        lambda: application_decline(actor=officer, application=people["a"], reason="  "),
        ProgramErrorCode.APPLICATION_REASON_REQUIRED,
        "理由を入力してください",
    )
    sumida_officer = WardRoleFactory(municipality=ward(SUMIDA)).user
    instructor = make_instructor(cohort)
    owner = people["a"].participant
    for actor in (sumida_officer, instructor, owner):
        _refused(
            lambda actor=actor: application_decline(
                actor=actor, application=people["a"], reason="理由"
            ),
            ProgramErrorCode.APPLICATION_NOT_ALLOWED,
            "区の職員だけ",
        )


def test_declining_twice_is_refused(full_cohort):
    _cohort, people = full_cohort
    officer = WardRoleFactory().user
    application_decline(actor=officer, application=people["c"], reason="重複")
    _refused(
        lambda: application_decline(actor=officer, application=people["c"], reason="重複"),
        ProgramErrorCode.APPLICATION_NOT_ACTIVE,
        "すでに「受講不可」",
    )


def test_a_seat_freed_after_the_first_session_is_still_offered():
    cohort = make_cohort_with_sessions(sessions=3, first_in_days=-7, capacity=1)
    company_a, owner_a = make_owner()
    a = application_submit(actor=owner_a, cohort=cohort, company=company_a)
    b = _apply(cohort)
    application_withdraw(actor=owner_a, application=a)
    b.refresh_from_db()
    assert b.status == ApplicationStatus.ACCEPTED


# --- the demo data ---------------------------------------------------------------------------


def test_the_demo_builds_a_dojo_half_way_through_and_an_open_leader_course():
    companies = []
    for _ in range(10):
        company, _owner = make_owner()
        MembershipFactory(company=company, role=CompanyRole.STAFF)
        companies.append(company)
    companies.append(CompanyFactory(ward=ward(SUMIDA)))  # another ward's: left out
    officer = WardRoleFactory().user
    made = seed_programs(
        municipality=ward(),
        companies=companies,
        officer=officer,
        instructor=make_instructor(),
        leader_instructor=make_instructor(),
    )
    dojo = made["dojo_cohort"]
    statuses = sorted(a.status for a in made["dojo_applications"])
    assert statuses.count("accepted") == dojo.capacity == 8
    assert len(made["dojo_waitlisted"]) == 2
    dojo.refresh_from_db()
    assert dojo.applications_close_at < timezone.now()
    past = [s for s in made["dojo_sessions"] if s.ends_at < timezone.now()]
    ahead = [s for s in made["dojo_sessions"] if s.starts_at > timezone.now()]
    assert (len(past), len(ahead)) == (3, 2)
    assert Attendance.objects.filter(session__in=past).count() == 3 * 8
    assert Attendance.objects.filter(session__in=ahead).count() == 0
    assert set(Attendance.objects.values_list("status", flat=True)) >= {"present", "late"}
    leader = made["leader_cohort"]
    assert leader.applications_open_at < timezone.now() < leader.applications_close_at
    assert len(made["leader_applications"]) == 3
    assert all(a.participant != a.applied_by for a in made["leader_applications"])


# --- the reads the pages and the home page use ------------------------------------------------


def test_the_home_card_shows_seats_next_sessions_and_waitlist_positions():
    company, owner = make_owner()
    soon = make_cohort_with_sessions(sessions=2, first_in_days=3)
    full = CohortFactory(capacity=1)
    _apply(full)  # the seat goes to another company
    accepted = application_submit(actor=owner, cohort=soon, company=company)
    waiting = application_submit(actor=owner, cohort=full, company=company)
    open_now = CohortFactory()  # a third cohort, still open to this company
    card = home_card(owner, company)
    assert [m.application for m in card.applications] == [waiting, accepted]
    assert card.next_application == accepted
    assert card.next_session == soon.sessions.get(number=1)
    assert [(m.application, m.position) for m in card.waitlisted] == [(waiting, 1)]
    assert card.open_cohorts == 1
    assert open_now.pk in {c.cohort.pk for c in open_cohorts(owner, company) if c.can_apply}
    assert not card.is_empty
    stranger = WardRoleFactory(municipality=ward(SUMIDA)).user
    assert home_card(stranger).is_empty


def test_my_applications_link_the_seats_three_homework_pages():
    company, owner = make_owner()
    application = application_submit(actor=owner, cohort=CohortFactory(), company=company)
    [mine] = my_applications(owner, company)
    assert mine.application == application
    assert [(link.label, link.url) for link in mine.homework] == [
        ("課題の棚卸し", reverse("programs:worksheet", args=[application.pk])),
        ("投資対効果の試算", reverse("programs:roi", args=[application.pk])),
        ("DX計画書", reverse("programs:plan", args=[application.pk])),
    ]
    assert my_applications(make_owner()[1], None) == []
