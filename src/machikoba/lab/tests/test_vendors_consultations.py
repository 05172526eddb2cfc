"""Consultations (導入相談) through their services: a shop's owner or staff asks the vendor
about an exhibit, the vendor's owner or staff answers, the shop closes it. Each refusal
says why in Japanese, carries its code and writes nothing."""

from __future__ import annotations

import pytest

from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories_lab_vendors import make_consultation, make_vendor_cast
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.lab.choices import ConsultationStatus
from machikoba.lab.error_codes_vendors import VendorErrorCode
from machikoba.lab.models_vendors import Consultation
from machikoba.lab.services.consultations import (
    consultation_answer,
    consultation_close,
    consultation_create,
)


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


def ask(cast, *, actor=None, company=None, item=None, subject="稼働の見える化", message="5台"):
    return consultation_create(
        actor=actor or cast.shop.staff,
        company=company or cast.shop,
        item=item or cast.kit,
        subject=subject,
        message=message,
    )


def test_a_shops_staff_asks_the_vendor_and_the_vendor_is_told(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        consultation = ask(
            cast, subject=" NC旋盤の稼働 ", message=" 5台あります。\n予算は50万円。 "
        )
    run_queued_tasks("notification")
    consultation.refresh_from_db()
    assert (consultation.vendor, consultation.item, consultation.company) == (
        cast.vendor,
        cast.kit,
        cast.shop,
    )
    assert consultation.user == cast.shop.staff
    assert (consultation.subject, consultation.message) == (
        "NC旋盤の稼働",
        "5台あります。\n予算は50万円。",
    )
    assert consultation.status == ConsultationStatus.OPEN
    notice = Notification.objects.get(user=cast.vendor_owner, kind="lab_consultation_received")
    assert "蒲田精工株式会社" in notice.body
    assert not Notification.objects.filter(user=cast.other_vendor_owner).exists()
    assert AuditEvent.objects.filter(verb="lab_consultation.create", company=cast.shop).exists()


def test_a_floor_worker_or_someone_of_another_company_does_not_ask_for_the_shop(cast):
    for actor in (cast.shop.worker, cast.other_shop.owner, cast.lab_staff):
        refused(
            VendorErrorCode.NOT_SHOP_EDITOR,
            lambda actor=actor: ask(cast, actor=actor),
            message="経営者と事務・技術スタッフだけ",
        )
    assert not Consultation.objects.exists()


def test_only_about_an_active_exhibit_and_not_about_ones_own(cast):
    refused(
        VendorErrorCode.NOT_AN_EXHIBIT,
        lambda: ask(cast, item=cast.cobot),
        message="ベンダーの展示品ではありません",
    )
    refused(
        VendorErrorCode.OWN_EXHIBIT,
        lambda: ask(cast, actor=cast.vendor_owner, company=cast.vendor),
        message="自社の展示品について",
    )
    cast.kit.active = False
    cast.kit.save()
    refused(VendorErrorCode.NOT_AN_EXHIBIT, lambda: ask(cast), message="いま公開されていません")
    assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    ("subject", "message", "field", "text"),
    [
        ("  ", "内容", "subject", "件名を書いてください"),
        ("件名", " \n ", "message", "相談の内容を書いてください"),
        ("長" * 121, "内容", "subject", "120 文字以内"),
        ("件名", "長" * 4001, "message", "4000 文字以内"),
    ],
)
def test_a_subject_and_a_message_are_needed(cast, subject, message, field, text):
    error = refused(
        VendorErrorCode.CONSULTATION_INVALID,
        lambda: ask(cast, subject=subject, message=message),
        message=text,
    )
    assert field in error.fields
    assert not Consultation.objects.exists()


def test_the_vendors_staff_answers_and_the_shop_is_told(cast, django_capture_on_commit_callbacks):
    consultation = make_consultation(cast.kit, cast.shop)
    with django_capture_on_commit_callbacks(execute=True):
        consultation_answer(
            actor=cast.vendor_staff, consultation=consultation, answer=" 一度ラボでご覧ください。 "
        )
    run_queued_tasks("notification")
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.ANSWERED
    assert consultation.answer == "一度ラボでご覧ください。"
    assert consultation.answered_by == cast.vendor_staff
    assert consultation.answered_at is not None
    assert Notification.objects.filter(
        user=cast.shop.owner, kind="lab_consultation_answered"
    ).exists()
    assert not Notification.objects.filter(user=cast.other_shop.owner).exists()


@pytest.mark.parametrize("who", ["vendor_worker", "other_vendor_owner", "lab_staff", "officer"])
def test_only_the_vendors_owner_and_staff_answer(cast, who):
    consultation = make_consultation(cast.kit, cast.shop)
    refused(
        VendorErrorCode.NOT_VENDOR_EDITOR,
        lambda: consultation_answer(
            actor=getattr(cast, who), consultation=consultation, answer="回答"
        ),
        message="経営者とスタッフだけ",
    )
    refused(
        VendorErrorCode.NOT_VENDOR_EDITOR,
        lambda: consultation_answer(actor=cast.shop.owner, consultation=consultation, answer="x"),
        message="城南ITソリューションズ株式会社 の経営者とスタッフだけ",
    )
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.OPEN
    assert consultation.answer == ""


def test_an_answer_is_written_once_and_not_empty(cast):
    consultation = make_consultation(cast.kit, cast.shop)
    refused(
        VendorErrorCode.CONSULTATION_INVALID,
        lambda: consultation_answer(actor=cast.vendor_owner, consultation=consultation, answer=" "),
        message="回答を書いてください",
    )
    consultation_answer(actor=cast.vendor_owner, consultation=consultation, answer="はい")
    refused(
        VendorErrorCode.CONSULTATION_STATE,
        lambda: consultation_answer(
            actor=cast.vendor_owner, consultation=consultation, answer="追記"
        ),
        message="「回答済み」のため、回答できません",
    )
    consultation.refresh_from_db()
    assert consultation.answer == "はい"


def test_the_shop_closes_its_consultation_answered_or_not(cast):
    answered = make_consultation(cast.kit, cast.shop, status=ConsultationStatus.ANSWERED)
    consultation_close(actor=cast.shop.owner, consultation=answered)
    answered.refresh_from_db()
    assert answered.status == ConsultationStatus.CLOSED
    assert answered.closed_at is not None
    waiting = make_consultation(cast.kit, cast.shop)
    consultation_close(actor=cast.shop.staff, consultation=waiting)
    waiting.refresh_from_db()
    assert waiting.status == ConsultationStatus.CLOSED
    assert AuditEvent.objects.filter(verb="lab_consultation.close").count() == 2
    refused(
        VendorErrorCode.CONSULTATION_STATE,
        lambda: consultation_close(actor=cast.shop.owner, consultation=waiting),
        message="すでに「終了」です",
    )


@pytest.mark.parametrize("who", ["vendor_owner", "other_shop_owner", "shop_worker"])
def test_only_the_shops_owner_and_staff_close(cast, who):
    consultation = make_consultation(cast.kit, cast.shop)
    actor = {
        "vendor_owner": cast.vendor_owner,
        "other_shop_owner": cast.other_shop.owner,
        "shop_worker": cast.shop.worker,
    }[who]
    refused(
        VendorErrorCode.NOT_SHOP_EDITOR,
        lambda: consultation_close(actor=actor, consultation=consultation),
        message="相談した 蒲田精工株式会社 の経営者とスタッフだけ",
    )
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.OPEN
