"""Software trials through their services: a shop's owner or staff requests a trial of an
exhibited software (one open request per company and software), the vendor approves it
with a period of at most ``trial_days`` days not starting in the past and a licence note,
or declines with a reason; the shop withdraws; the vendor or the daily task ends it after
its last day. Each refusal says why in Japanese, carries its code and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories_lab_vendors import make_trial, make_vendor_cast
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.lab.choices import TrialStatus
from machikoba.lab.error_codes_vendors import VendorErrorCode
from machikoba.lab.models_vendors import TrialRequest
from machikoba.lab.services.trials import (
    trial_approve,
    trial_decline,
    trial_end,
    trial_request_create,
    trial_withdraw,
    trials_end_due,
)
from machikoba.lab.tasks_vendors import end_due_trials

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture
def cast(db):
    return make_vendor_cast()


def refused(code, call, *, message):
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code
    text = str(caught.value.message) + " ".join(
        str(m) for msgs in caught.value.fields.values() for m in msgs
    )
    assert message in text, text
    return caught.value


def today():
    return timezone.localdate()


def days(n):
    return today() + dt.timedelta(days=n)


def request(cast, *, actor=None, company=None, item=None, message="見積業務で試したい"):
    return trial_request_create(
        actor=actor or cast.shop.owner,
        company=company or cast.shop,
        item=item or cast.software,
        message=message,
    )


def state(trial):
    trial.refresh_from_db()
    return trial.status


# --- requesting ------------------------------------------------------------------------------


def test_a_shops_owner_requests_a_trial_and_the_vendor_is_told(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        trial = request(cast, message=" 事務の2人で ")
    run_queued_tasks("notification")
    trial.refresh_from_db()
    assert (trial.item, trial.company, trial.user) == (cast.software, cast.shop, cast.shop.owner)
    assert trial.status == TrialStatus.REQUESTED
    assert trial.message == "事務の2人で"
    assert Notification.objects.filter(user=cast.vendor_staff, kind="lab_trial_requested").exists()
    assert AuditEvent.objects.filter(verb="lab_trial.request", company=cast.shop).exists()


def test_one_open_request_per_company_and_software(cast):
    first = request(cast)
    refused(
        VendorErrorCode.TRIAL_OPEN_EXISTS,
        lambda: request(cast, actor=cast.shop.staff),
        message="すでに申し込んでいます (申込み中)",
    )
    trial_approve(
        actor=cast.vendor_owner, trial=first, starts_on=today(), ends_on=days(6), licence_note="x"
    )
    refused(
        VendorErrorCode.TRIAL_OPEN_EXISTS,
        lambda: request(cast),
        message="(試用中)",
    )
    assert TrialRequest.objects.count() == 1
    # another company may, and after withdrawing the shop may again
    request(cast, actor=cast.other_shop.owner, company=cast.other_shop)
    trial_withdraw(actor=cast.shop.owner, trial=first)
    request(cast)
    assert TrialRequest.objects.filter(company=cast.shop).count() == 2


def test_the_database_holds_one_open_request_per_company_and_software(cast):
    make_trial(cast.software, cast.shop)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_trial(cast.software, cast.shop, status=TrialStatus.ACTIVE)
    make_trial(cast.software, cast.shop, status=TrialStatus.DECLINED)  # closed ones: any number


def test_only_a_software_with_trial_days_of_a_vendor(cast):
    refused(
        VendorErrorCode.TRIAL_NOT_OFFERED,
        lambda: request(cast, item=cast.kit),
        message="試用ライセンスの申込みを受け付けていません",
    )
    cast.software.trial_days = None
    cast.software.save()
    refused(VendorErrorCode.TRIAL_NOT_OFFERED, lambda: request(cast), message="受け付けていません")
    refused(
        VendorErrorCode.NOT_AN_EXHIBIT,
        lambda: request(cast, item=cast.cobot),
        message="ベンダーの展示品ではありません",
    )
    assert not TrialRequest.objects.exists()


def test_who_may_request(cast):
    for actor in (cast.shop.worker, cast.other_shop.owner, cast.officer):
        refused(
            VendorErrorCode.NOT_SHOP_EDITOR,
            lambda actor=actor: request(cast, actor=actor),
            message="蒲田精工株式会社 の経営者と事務・技術スタッフだけ",
        )
    refused(
        VendorErrorCode.OWN_EXHIBIT,
        lambda: request(cast, actor=cast.vendor_owner, company=cast.vendor),
        message="自社のソフトウェアの試用は申し込めません",
    )
    refused(
        VendorErrorCode.TRIAL_INVALID,
        lambda: request(cast, message="長" * 1001),
        message="1000 文字以内",
    )
    assert not TrialRequest.objects.exists()


# --- approving and declining -------------------------------------------------------------------


def test_the_vendor_approves_with_a_period_and_a_licence_note(
    cast, django_capture_on_commit_callbacks
):
    trial = make_trial(cast.software, cast.shop)
    with django_capture_on_commit_callbacks(execute=True):
        trial_approve(
            actor=cast.vendor_staff,
            trial=trial,
            starts_on=today(),
            ends_on=days(29),  # 30 days, the item's trial_days
            licence_note=" ID: kamata / 初回ログインでパスワードを変えてください ",
        )
    run_queued_tasks("notification")
    trial.refresh_from_db()
    assert trial.status == TrialStatus.ACTIVE
    assert (trial.starts_on, trial.ends_on) == (today(), days(29))
    assert trial.licence_note == "ID: kamata / 初回ログインでパスワードを変えてください"
    assert (trial.decided_by, trial.decided_at is not None) == (cast.vendor_staff, True)
    notice = Notification.objects.get(user=cast.shop.owner, kind="lab_trial_approved")
    assert today().strftime("%Y/%m/%d") in notice.body
    assert AuditEvent.objects.filter(verb="lab_trial.approve").exists()


@pytest.mark.parametrize(
    ("start", "end", "code", "field", "text"),
    [
        (-1, 5, VendorErrorCode.TRIAL_START_PAST, "starts_on", "今日以降"),
        (3, 2, VendorErrorCode.TRIAL_INVALID, "ends_on", "開始日以降"),
        (0, 30, VendorErrorCode.TRIAL_TOO_LONG, "ends_on", "最長 30 日です (指定は 31 日)"),
        (10, 40, VendorErrorCode.TRIAL_TOO_LONG, "ends_on", "指定は 31 日"),
    ],
)
def test_a_period_of_at_most_trial_days_not_starting_in_the_past(
    cast, start, end, code, field, text
):
    trial = make_trial(cast.software, cast.shop)
    error = refused(
        code,
        lambda: trial_approve(
            actor=cast.vendor_owner,
            trial=trial,
            starts_on=days(start),
            ends_on=days(end),
            licence_note="ID",
        ),
        message=text,
    )
    assert field in error.fields
    trial.refresh_from_db()
    assert (trial.status, trial.starts_on, trial.ends_on) == (TrialStatus.REQUESTED, None, None)


def test_a_licence_note_is_needed(cast):
    trial = make_trial(cast.software, cast.shop)
    refused(
        VendorErrorCode.TRIAL_INVALID,
        lambda: trial_approve(
            actor=cast.vendor_owner,
            trial=trial,
            starts_on=today(),
            ends_on=days(1),
            licence_note="",
        ),
        message="ライセンスの案内を書いてください",
    )
    assert state(trial) == TrialStatus.REQUESTED


@pytest.mark.parametrize("who", ["vendor_worker", "other_vendor_owner", "lab_staff", "shop_owner"])
def test_only_the_vendors_owner_and_staff_decide(cast, who):
    trial = make_trial(cast.software, cast.shop)
    actor = cast.shop.owner if who == "shop_owner" else getattr(cast, who)
    refused(
        VendorErrorCode.NOT_VENDOR_EDITOR,
        lambda: trial_approve(
            actor=actor, trial=trial, starts_on=today(), ends_on=days(1), licence_note="ID"
        ),
        message="出展しているベンダーの経営者とスタッフだけ",
    )
    refused(
        VendorErrorCode.NOT_VENDOR_EDITOR,
        lambda: trial_decline(actor=actor, trial=trial, reason="理由"),
        message="出展しているベンダーの経営者とスタッフだけ",
    )
    assert state(trial) == TrialStatus.REQUESTED


def test_the_vendor_declines_with_a_reason(cast, django_capture_on_commit_callbacks):
    trial = make_trial(cast.software, cast.shop)
    refused(
        VendorErrorCode.TRIAL_INVALID,
        lambda: trial_decline(actor=cast.vendor_owner, trial=trial, reason="  "),
        message="お断りの理由を書いてください",
    )
    refused(
        VendorErrorCode.TRIAL_INVALID,
        lambda: trial_decline(actor=cast.vendor_owner, trial=trial, reason="長" * 301),
        message="300 文字以内",
    )
    assert state(trial) == TrialStatus.REQUESTED
    with django_capture_on_commit_callbacks(execute=True):
        trial_decline(actor=cast.vendor_owner, trial=trial, reason="今月は試用枠が埋まっています")
    run_queued_tasks("notification")
    trial.refresh_from_db()
    assert (trial.status, trial.decline_reason) == (
        TrialStatus.DECLINED,
        "今月は試用枠が埋まっています",
    )
    notice = Notification.objects.get(user=cast.shop.staff, kind="lab_trial_declined")
    assert "今月は試用枠が埋まっています" in notice.body


def test_a_decided_trial_is_not_decided_again(cast):
    trial = make_trial(cast.software, cast.shop, status=TrialStatus.ACTIVE)
    refused(
        VendorErrorCode.TRIAL_STATE,
        lambda: trial_decline(actor=cast.vendor_owner, trial=trial, reason="やはり"),
        message="「試用中」のため",
    )
    refused(
        VendorErrorCode.TRIAL_STATE,
        lambda: trial_approve(
            actor=cast.vendor_owner,
            trial=trial,
            starts_on=today(),
            ends_on=days(2),
            licence_note="x",
        ),
        message="「試用中」のため",
    )
    assert state(trial) == TrialStatus.ACTIVE


# --- withdrawing and ending ---------------------------------------------------------------------


def test_the_shop_withdraws_a_request_or_stops_a_running_trial(
    cast, django_capture_on_commit_callbacks
):
    waiting = make_trial(cast.software, cast.shop)
    trial_withdraw(actor=cast.shop.staff, trial=waiting)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.ended_at) == (TrialStatus.WITHDRAWN, None)
    running = make_trial(cast.software, cast.shop, status=TrialStatus.ACTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        trial_withdraw(actor=cast.shop.owner, trial=running)
    run_queued_tasks("notification")
    running.refresh_from_db()
    assert running.status == TrialStatus.WITHDRAWN
    assert running.ended_at is not None
    assert Notification.objects.filter(user=cast.vendor_owner, kind="lab_trial_withdrawn").exists()
    refused(
        VendorErrorCode.TRIAL_STATE,
        lambda: trial_withdraw(actor=cast.shop.owner, trial=running),
        message="「取下げ」のため",
    )


@pytest.mark.parametrize("who", ["shop_worker", "other_shop_owner", "vendor_owner"])
def test_only_the_shops_owner_and_staff_withdraw(cast, who):
    trial = make_trial(cast.software, cast.shop)
    actor = {
        "shop_worker": cast.shop.worker,
        "other_shop_owner": cast.other_shop.owner,
        "vendor_owner": cast.vendor_owner,
    }[who]
    refused(
        VendorErrorCode.NOT_SHOP_EDITOR,
        lambda: trial_withdraw(actor=actor, trial=trial),
        message="経営者と事務・技術スタッフだけ",
    )
    assert state(trial) == TrialStatus.REQUESTED


def test_the_vendor_ends_a_trial_after_its_last_day(cast, django_capture_on_commit_callbacks):
    trial = make_trial(cast.software, cast.shop, status=TrialStatus.ACTIVE, ends_on=today())
    refused(
        VendorErrorCode.TRIAL_NOT_DUE,
        lambda: trial_end(actor=cast.vendor_owner, trial=trial),
        message="終了にできるのは、その翌日から",
    )
    assert state(trial) == TrialStatus.ACTIVE
    TrialRequest.objects.filter(pk=trial.pk).update(starts_on=days(-10), ends_on=days(-1))
    refused(
        VendorErrorCode.NOT_VENDOR_EDITOR,
        lambda: trial_end(actor=cast.shop.owner, trial=trial),
        message="ベンダーの経営者とスタッフだけ",
    )
    with django_capture_on_commit_callbacks(execute=True):
        trial_end(actor=cast.vendor_staff, trial=trial)
    run_queued_tasks("notification")
    trial.refresh_from_db()
    assert trial.status == TrialStatus.ENDED
    assert trial.ended_at is not None
    assert Notification.objects.filter(user=cast.shop.owner, kind="lab_trial_ended").exists()
    refused(
        VendorErrorCode.TRIAL_STATE,
        lambda: trial_end(actor=cast.vendor_owner, trial=trial),
        message="「試用終了」のため",
    )


def test_the_daily_task_ends_the_trials_past_their_last_day(cast):
    due = make_trial(
        cast.software, cast.shop, status=TrialStatus.ACTIVE, starts_on=days(-5), ends_on=days(-1)
    )
    last_day = make_trial(
        cast.software,
        cast.other_shop,
        status=TrialStatus.ACTIVE,
        starts_on=days(-5),
        ends_on=today(),
    )
    waiting = make_trial(cast.software, cast.other_vendor)

    assert end_due_trials.call() == 1

    assert state(due) == TrialStatus.ENDED
    due.refresh_from_db()
    assert due.ended_at is not None
    assert state(last_day) == TrialStatus.ACTIVE
    assert state(waiting) == TrialStatus.REQUESTED
    event = AuditEvent.objects.get(verb="lab_trial.end")
    assert event.actor is None
    assert trials_end_due(today=days(1)) == 1  # the next day, the other one
    assert state(last_day) == TrialStatus.ENDED
    assert trials_end_due() == 0
