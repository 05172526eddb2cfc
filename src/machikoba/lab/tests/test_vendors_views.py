"""Bad input on the vendors' pages: the form comes back with a Japanese message beside the
field, nothing is written, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.factories_lab import closed_day, open_day
from machikoba.core.testing.factories_lab_vendors import make_trial, make_vendor_cast
from machikoba.lab.choices import TrialStatus
from machikoba.lab.models_vendors import Consultation, DemoSlot, TrialRequest

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture
def cast(db):
    return make_vendor_cast()


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def demo_form(cast, **changes):
    data = {
        "item": str(cast.kit.pk),
        "date": open_day(cast.lab).isoformat(),
        "start": "10:00",
        "end": "11:00",
        "seats": "3",
        "note": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"date": "来週"}, "日付"),
        ({"start": "25:00"}, "時刻"),
        ({"seats": "0"}, "1 以上"),
        ({"seats": "many"}, "整数"),
        ({"item": "999999999999999999999"}, "選択"),
        ({"note": "長" * 301}, "300"),
    ],
)
def test_a_demo_form_with_bad_input_comes_back_with_a_message(cast, changes, text):
    response = client_for(cast.vendor_owner).post(
        reverse("lab:vendor_demo_create"), demo_form(cast, **changes)
    )
    assert response.status_code == 200
    assert text in response.content.decode()
    assert not DemoSlot.objects.exists()


def test_the_services_refusal_shows_on_the_demo_form(cast):
    client = client_for(cast.vendor_owner)
    response = client.post(
        reverse("lab:vendor_demo_create"),
        demo_form(cast, date=closed_day(cast.lab).isoformat()),
    )
    assert response.status_code == 200
    assert "は休館日です" in response.content.decode()
    response = client.post(
        reverse("lab:vendor_demo_create"), demo_form(cast, start="12:00", end="11:00")
    )
    assert "終了は開始より後に" in response.content.decode()
    assert not DemoSlot.objects.exists()


def test_another_vendors_exhibit_is_not_on_the_demo_form(cast):
    response = client_for(cast.vendor_owner).post(
        reverse("lab:vendor_demo_create"), demo_form(cast, item=str(cast.other_kit.pk))
    )
    assert response.status_code == 200
    assert "画像検査カメラ" not in response.content.decode()
    assert not DemoSlot.objects.exists()


def test_the_approve_form_shows_the_period_refusal_by_its_field(cast):
    trial = make_trial(cast.software, cast.shop)
    today = timezone.localdate()
    response = client_for(cast.vendor_owner).post(
        reverse("lab:trial_approve", args=[trial.pk]),
        {
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=45)).isoformat(),
            "licence_note": "ID",
        },
    )
    assert response.status_code == 200
    assert "試用期間は最長 30 日です (指定は 46 日)。" in response.content.decode()
    response = client_for(cast.vendor_owner).post(
        reverse("lab:trial_approve", args=[trial.pk]),
        {"starts_on": f"{today.year}-02-30", "ends_on": "x", "licence_note": ""},  # no such day
    )
    assert response.status_code == 200
    assert "日付" in response.content.decode()
    trial.refresh_from_db()
    assert trial.status == TrialStatus.REQUESTED


def test_a_consultation_needs_a_subject_and_concerns_an_exhibit(cast):
    client = client_for(cast.shop.owner)
    response = client.post(
        reverse("lab:consultation_create", args=[cast.kit.pk]), {"subject": " ", "message": "x"}
    )
    assert response.status_code == 200
    assert "必須" in response.content.decode()
    assert client.get(reverse("lab:consultation_create", args=[cast.cobot.pk])).status_code == 404
    assert client.get(reverse("lab:trial_create", args=[cast.cobot.pk])).status_code == 404
    assert not Consultation.objects.exists()


def test_a_second_trial_request_is_refused_on_the_form(cast):
    make_trial(cast.software, cast.shop)
    response = client_for(cast.shop.staff).post(
        reverse("lab:trial_create", args=[cast.software.pk]), {"message": ""}
    )
    assert response.status_code == 200
    assert "すでに申し込んでいます" in response.content.decode()
    assert TrialRequest.objects.count() == 1
