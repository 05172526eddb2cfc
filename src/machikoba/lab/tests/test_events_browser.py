"""The lab's events on a 390 x 844 phone. A shop's owner registers for a full seminar and is
put on the waitlist (told their position); the person holding the place cancels from their
own page, and the owner is moved up. Lab staff create and publish a training session,
mark an attendee present by hand, record their training (「修了を記録」), and the attendee
answers the survey, whose answer the staff page summarises. Every page passes the phone
rules and axe-core."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.core.models import Notification
from machikoba.core.testing.browser import sign_in, sign_in_ward
from machikoba.core.testing.factories_lab import make_item, make_lab, make_lab_staff, make_training
from machikoba.core.testing.factories_lab_events import make_event, make_member, register
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.lab.choices import EventKind, RegistrationStatus
from machikoba.lab.models import TrainingRecord
from machikoba.lab.models_events import Event, Registration, SurveyResponse

pytestmark = pytest.mark.browser


def checked(page, where):
    page.wait_for_load_state("networkidle")
    phone_checks(page, where)
    axe_check(page, where)


@pytest.fixture
def full_seminar(transactional_db):
    lab = make_lab()
    day = timezone.localdate() + dt.timedelta(days=7)
    starts = dt.datetime.combine(day, dt.time(14), tzinfo=timezone.get_current_timezone())
    event = make_event(
        lab,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        title="はじめての協働ロボット活用セミナー",
        description="協働ロボットの導入事例と、安全に使うための考え方を紹介します。",
        place="ラボ 2階 セミナールーム",
        capacity=1,
        registration_closes_at=timezone.now() + dt.timedelta(days=5),
    )
    holder_company, holder = make_member(name="蒲田 一郎")
    register(event, holder, company=holder_company)
    make_event(lab, kind=EventKind.EXCHANGE, title="大田区 ものづくり交流会", capacity=40)
    company, owner = make_member(name="大森 花子")
    company.name = "大森精機製作所"
    company.save()
    return event, holder, owner


def test_waitlisted_for_a_full_seminar_then_moved_up(
    phone_page, live_server, full_seminar, screenshot
):
    page, base = phone_page, live_server.url
    event, holder, owner = full_seminar

    sign_in(page, base, owner.email)
    page.goto(f"{base}/lab/events/")
    card = page.get_by_test_id(f"event-card-{event.pk}")
    expect(card.get_by_test_id("places-left")).to_contain_text("満席")
    checked(page, "event list")
    screenshot(page, "events-01-list")
    card.get_by_test_id("event-link").click()

    expect(page.get_by_test_id("full-notice")).to_be_visible()
    checked(page, "event detail (full)")
    screenshot(page, "events-02-detail-full")
    page.get_by_test_id("register").click()
    expect(page.get_by_role("status")).to_contain_text("キャンセル待ち (1 番目)")
    expect(page.get_by_test_id("waitlist-message")).to_contain_text("1 番目")
    checked(page, "event detail (waitlisted)")
    screenshot(page, "events-03-waitlisted")
    waiting = Registration.objects.get(event=event, user=owner)
    assert waiting.status == RegistrationStatus.WAITLISTED

    # The person holding the place cancels from their own page.
    sign_in(page, base, holder.email)
    page.goto(f"{base}/lab/events/mine/")
    held = Registration.objects.get(event=event, user=holder)
    item = page.get_by_test_id(f"mine-{held.pk}")
    expect(item.get_by_test_id("registration-status")).to_have_text("申込み済み")
    checked(page, "my events (holder)")
    screenshot(page, "events-04-mine-holder")
    item.get_by_role("button", name="申込みをキャンセルする").click()
    expect(page.get_by_role("status")).to_contain_text("キャンセルしました")
    expect(page.get_by_test_id("no-registrations")).to_be_visible()

    # The owner has moved up.
    sign_in(page, base, owner.email)
    page.goto(f"{base}/lab/events/mine/")
    mine = page.get_by_test_id(f"mine-{waiting.pk}")
    expect(mine.get_by_test_id("registration-status")).to_have_text("申込み済み")
    expect(mine.get_by_test_id("waitlist-position")).to_have_count(0)
    checked(page, "my events (moved up)")
    screenshot(page, "events-05-mine-moved-up")
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.REGISTERED
    run_queued_tasks("notification")
    assert Notification.objects.filter(user=owner, kind="lab_event_promoted").count() == 1


@pytest.fixture
def training_setting(transactional_db):
    lab = make_lab()
    cobot = make_item(lab)
    training = make_training(lab, [cobot], name="協働ロボット安全講習")
    staff = make_lab_staff()
    staff.name = "ラボ職員 佐藤"
    staff.save()
    company, owner = make_member(name="大森 花子")
    return lab, training, staff, company, owner


def test_staff_run_a_training_session_and_read_the_survey(
    phone_page, live_server, training_setting, screenshot
):
    page, base = phone_page, live_server.url
    _lab, training, staff, company, owner = training_setting

    sign_in_ward(page, base, staff.email)
    page.goto(f"{base}/lab/events/staff/")
    checked(page, "staff events (empty)")
    page.get_by_test_id("event-create-link").click()
    form = page.get_by_test_id("event-form")
    form.get_by_label("機器の講習 (受講で予約が可能に)").check()
    form.get_by_label("タイトル").fill("協働ロボット安全講習 (第3回)")
    form.get_by_label("講習 (種類が「機器の講習」のとき必須)").select_option(label=training.name)
    day = timezone.localdate() + dt.timedelta(days=6)
    form.get_by_label("開始").fill(f"{day.isoformat()}T13:00")
    form.get_by_label("終了").fill(f"{day.isoformat()}T12:00")  # before the start
    form.get_by_label("定員").fill("6")
    page.get_by_test_id("event-save").click()
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#id_ends_at_error")).to_have_text("終了は開始より後の日時にしてください。")
    assert not Event.objects.exists()
    checked(page, "event form (error)")
    screenshot(page, "events-06-form-error")
    page.get_by_test_id("event-form").get_by_label("終了").fill(f"{day.isoformat()}T16:00")
    page.get_by_test_id("event-save").click()
    expect(page.get_by_role("status")).to_contain_text("準備中")
    checked(page, "staff event page (draft)")
    page.get_by_test_id("event-publish").click()
    expect(page.get_by_role("status")).to_contain_text("公開しました")
    event = Event.objects.get()
    assert event.training == training
    assert event.capacity == 6

    # The session takes place (moved to now, as if it were its day), the owner attended.
    event.starts_at = timezone.now() - dt.timedelta(hours=3)
    event.ends_at = timezone.now() - dt.timedelta(hours=1)
    event.save()
    registration = register(event, owner, company=company)
    page.goto(f"{base}/lab/events/{event.pk}/attendance/")
    checked(page, "attendance (before)")
    screenshot(page, "events-07-attendance")
    page.get_by_test_id("mark-present").click()
    expect(page.get_by_role("status")).to_contain_text("出席を記録しました")
    page.get_by_test_id("record-training").click()
    expect(page.get_by_role("status")).to_contain_text("1 人の修了を記録しました")
    expect(page.get_by_test_id("trained")).to_have_text("記録済み")
    checked(page, "attendance (recorded)")
    screenshot(page, "events-08-attendance-recorded")
    record = TrainingRecord.objects.get()
    assert (record.user, record.event) == (owner, event)

    # The attendee answers the survey from their page.
    sign_in(page, base, owner.email)
    page.goto(f"{base}/lab/events/mine/")
    page.get_by_test_id(f"survey-due-{event.pk}").get_by_role("link").click()
    checked(page, "survey")
    survey = page.get_by_test_id("survey-form")
    survey.get_by_text("5 とても良かった").click()
    survey.get_by_text("はい", exact=True).click()
    survey.get_by_label("商談・連携につながりそうな相手 (任意)").fill(
        "テストITソリューションズの田中さん (ロボットの段取り替え)"
    )
    screenshot(page, "events-09-survey")
    page.get_by_test_id("survey-submit").click()
    expect(page.get_by_role("status")).to_contain_text("ご回答ありがとうございました")
    assert SurveyResponse.objects.get(registration=registration).rating == 5

    sign_in_ward(page, base, staff.email)
    page.goto(f"{base}/lab/events/{event.pk}/staff/")
    expect(page.get_by_test_id("survey-average")).to_have_text("5.0 / 5")
    expect(page.get_by_test_id("survey-partners")).to_contain_text("テストITソリューションズ")
    checked(page, "staff event page (survey)")
    screenshot(page, "events-10-staff-survey")
