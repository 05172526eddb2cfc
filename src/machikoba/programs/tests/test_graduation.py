"""Graduation by the programme's rule (held as data), idempotent; the certificate PDF and
its public verification; the "graduate" fact other apps read."""

import datetime as dt
import re

import pypdfium2
import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories import SUMIDA, WardRoleFactory, ward
from machikoba.core.testing.factories_programs import (
    ApplicationFactory,
    attend_sessions,
    make_cohort_with_sessions,
    make_finished_cohort,
    make_instructor,
    make_owner,
    make_plan,
    record_attendance,
)
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.programs.certificate_pdf import certificate_pdf, japanese_date
from machikoba.programs.choices import ApplicationStatus, PlanStatus, ProgramKind
from machikoba.programs.error_codes_homework import HomeworkErrorCode
from machikoba.programs.models import FollowUp, Graduation
from machikoba.programs.selectors.graduates import (
    certificate_lookup,
    graduation_for_certificate,
    graduation_preview,
    graduations_of,
    is_graduate,
)
from machikoba.programs.services.graduation import graduation_run

pytestmark = pytest.mark.django_db

CODE = re.compile(r"^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$")


def _seat(cohort, name, *, attended=0, late=0, excused=0, plan=PlanStatus.ACCEPTED):
    company, owner = make_owner(name=name)
    application = ApplicationFactory(cohort=cohort, company=company, participant=owner)
    sessions = list(cohort.sessions.order_by("number"))
    statuses = ["present"] * attended + ["late"] * late + ["excused"] * excused
    for session, status in zip(sessions, statuses, strict=False):
        record_attendance(application, session, status)
    if plan:
        make_plan(application, status=plan)
    return application


@pytest.fixture
def cohort():
    return make_finished_cohort(sessions=5)


@pytest.fixture
def officer():
    return WardRoleFactory(role=WardRole.OFFICER).user


def test_rule_graduates_those_who_meet_it_and_says_why_not_for_the_rest(
    cohort, officer, django_capture_on_commit_callbacks
):
    present = _seat(cohort, "出席 四回", attended=4)
    late = _seat(cohort, "遅刻 込み", attended=3, late=1)
    excused = _seat(cohort, "欠席 届出", attended=3, excused=2)
    no_plan = _seat(cohort, "計画 未承認", attended=5, plan=PlanStatus.SUBMITTED)
    waiting = _seat(cohort, "待ち 人", attended=5)
    waiting.status = ApplicationStatus.WAITLISTED
    waiting.save()
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        result = graduation_run(actor=officer, cohort=cohort)
    assert {g.application for g in result.graduated} == {present, late}
    reasons = {c.application: c.reasons for c in result.not_met}
    assert reasons == {
        excused: ["出席があと 1 回足りません (3 / 5 回)"],
        no_plan: ["DX計画書がまだ承認されていません"],
    }
    graduation = Graduation.objects.get(application=late)
    assert (graduation.sessions_attended, graduation.sessions_total) == (4, 5)
    assert graduation.graduated_on == today
    assert graduation.program_kind == ProgramKind.DOJO
    assert graduation.company == late.company
    assert graduation.decided_by == officer
    assert CODE.match(graduation.certificate_code)
    assert FollowUp.objects.get(graduation=graduation).due_on == today + dt.timedelta(days=365)
    run_queued_tasks("notification")
    notices = Notification.objects.filter(kind="graduated")
    assert {n.user for n in notices} == {present.participant, late.participant}
    assert "修了証" in notices.first().body
    assert AuditEvent.objects.filter(verb="programs.graduation.create").count() == 2
    assert result.summary().startswith("2 人が修了しました")


def test_second_run_creates_nothing_and_says_so(cohort, officer):
    first = _seat(cohort, "一人 目", attended=5)
    graduation_run(actor=officer, cohort=cohort)
    codes = list(Graduation.objects.values_list("certificate_code", flat=True))
    again = graduation_run(actor=officer, cohort=cohort)
    assert again.created_nothing
    assert again.graduated == []
    assert [c.application for c in again.already] == [first]
    assert "新たに修了した人はいません" in again.summary()
    assert list(Graduation.objects.values_list("certificate_code", flat=True)) == codes
    assert FollowUp.objects.count() == 1
    # Someone who meets the rule later graduates on the next run; the others stay as they were.
    late_comer = _seat(cohort, "後から 人", attended=3)
    graduation_run(actor=officer, cohort=cohort)
    assert not Graduation.objects.filter(application=late_comer).exists()
    record_attendance(late_comer, cohort.sessions.get(number=5))
    result = graduation_run(actor=officer, cohort=cohort)
    assert [g.application for g in result.graduated] == [late_comer]
    assert Graduation.objects.count() == 2


def test_rule_is_data(officer):
    cohort = make_finished_cohort(
        sessions=3, program__min_sessions_attended=2, program__requires_plan_accepted=False
    )
    two = _seat(cohort, "二回 出席", attended=2, plan=None)
    one = _seat(cohort, "一回 出席", attended=1, plan=None)
    result = graduation_run(actor=officer, cohort=cohort)
    assert [g.application for g in result.graduated] == [two]
    assert [c.application for c in result.not_met] == [one]


def test_instructor_of_the_cohort_runs_it_others_may_not(cohort, officer):
    _seat(cohort, "受講 者", attended=5)
    company_owner = _seat(cohort, "別の 人", attended=0).participant
    other_ward = WardRoleFactory(role=WardRole.OFFICER, municipality=ward(SUMIDA)).user
    other_instructor = make_instructor(make_cohort_with_sessions())
    for actor in (company_owner, other_ward, other_instructor):
        with pytest.raises(ApplicationError) as caught:
            graduation_run(actor=actor, cohort=cohort)
        assert caught.value.code == HomeworkErrorCode.GRADUATION_NOT_ALLOWED
        assert "講師と区の担当職員だけ" in caught.value.message
    assert not Graduation.objects.exists()
    instructor = make_instructor(cohort)
    assert len(graduation_run(actor=instructor, cohort=cohort).graduated) == 1


def test_not_before_the_last_session(officer):
    cohort = make_cohort_with_sessions(sessions=5, first_in_days=-21)
    _seat(cohort, "早い 人", attended=4)
    with pytest.raises(ApplicationError) as caught:
        graduation_run(actor=officer, cohort=cohort)
    assert caught.value.code == HomeworkErrorCode.GRADUATION_TOO_EARLY
    assert "最後の講義が終わってから" in caught.value.message
    assert not Graduation.objects.exists()
    assert not FollowUp.objects.exists()
    assert not graduation_preview(officer, cohort).finished


def test_preview_matches_the_run(cohort, officer):
    meets = _seat(cohort, "満たす 人", attended=4)
    lacks = _seat(cohort, "足りない 人", attended=2)
    preview = graduation_preview(officer, cohort)
    assert preview.may_run
    assert preview.finished
    assert [c.application for c in preview.meeting] == [meets]
    assert [c.application for c in preview.not_meeting] == [lacks]
    graduation_run(actor=officer, cohort=cohort)
    after = graduation_preview(officer, cohort)
    assert after.meeting == []
    assert [c.application for c in after.graduated] == [meets]


# --- certificates ------------------------------------------------------------------------


@pytest.fixture
def graduation(cohort, officer):
    _seat(cohort, "修了 太郎", attended=5)
    graduation_run(actor=officer, cohort=cohort)
    return Graduation.objects.get()


def test_certificate_lookup_accepts_what_people_type(graduation):
    code = graduation.certificate_code
    found = certificate_lookup(code)
    assert found is not None
    assert found.participant == "修了 太郎"
    assert found.ward == "大田区"
    assert found.graduated_on == graduation.graduated_on
    typed = code.replace("-", " ").lower()
    assert certificate_lookup(typed) == found
    assert certificate_lookup("0000-0000-0000-0000") is None
    assert certificate_lookup("' OR 1=1 --") is None
    assert certificate_lookup("") is None


def test_certificate_pdf_is_japanese_with_the_code_and_url(graduation, settings):
    settings.MACHIKOBA_SITE_URL = "https://machikoba.example.jp"
    content = certificate_pdf(graduation_for_certificate(graduation))
    assert content.startswith(b"%PDF")
    assert b"IPAexGothic" in content  # the font is embedded
    text = pypdfium2.PdfDocument(content)[0].get_textpage().get_text_range()
    assert "修了証" in text
    assert "修了 太郎" in text
    assert "大田区" in text
    assert graduation.certificate_code in text
    assert japanese_date(graduation.graduated_on) in text
    assert (
        f"https://machikoba.example.jp/verify/certificates/{graduation.certificate_code}/" in text
    )


def test_japanese_dates():
    assert japanese_date(dt.date(2019, 5, 1)) == "令和元年5月1日"
    assert japanese_date(dt.date(2026, 12, 9)) == "令和8年12月9日"
    assert japanese_date(dt.date(2019, 4, 30)) == "2019年4月30日"


def test_verify_page_shows_only_the_certificate(client, graduation):
    response = client.get(
        reverse("programs:certificate_verify", args=[graduation.certificate_code])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "本物です" in html
    assert "修了 太郎" in html
    assert "大田区" in html
    assert graduation.company.name not in html  # the company is not part of what it states
    unknown = client.get(reverse("programs:certificate_verify", args=["ZZZZ-0000"]))
    assert unknown.status_code == 404
    assert "見つかりません" in unknown.content.decode()
    long = client.get(reverse("programs:certificate_verify", args=["A" * 5000]))
    assert long.status_code == 404


def test_verify_page_is_rate_limited(client, graduation):
    url = reverse("programs:certificate_verify", args=["0000-0000-0000-0000"])
    statuses = [client.get(url).status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429
    assert "多すぎます" in client.get(url).content.decode()


def test_certificate_view_is_a_pdf(client, graduation):
    client.force_login(graduation.application.participant)
    response = client.get(reverse("programs:certificate", args=[graduation.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


# --- the graduate fact ------------------------------------------------------------------


def test_is_graduate_and_graduations_of(graduation):
    company = graduation.company
    assert is_graduate(company)
    assert is_graduate(company, ProgramKind.DOJO, on=graduation.graduated_on)
    assert not is_graduate(company, on=graduation.graduated_on - dt.timedelta(days=1))
    assert not is_graduate(company, ProgramKind.LEADER)
    assert graduations_of(company) == [graduation]
    other, _owner = make_owner()
    assert not is_graduate(other)
    assert graduations_of(other) == []


def test_attend_sessions_helper_counts(cohort, officer):
    company, owner = make_owner()
    application = ApplicationFactory(cohort=cohort, company=company, participant=owner)
    attend_sessions(application, 4, status="late")
    make_plan(application, status=PlanStatus.ACCEPTED)
    assert len(graduation_run(actor=officer, cohort=cohort).graduated) == 1
