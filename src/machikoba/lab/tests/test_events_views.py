"""The events' pages with bad input: a clear Japanese message, nothing changed, never a
500. And what the pages say: the kind filter, places left, a training session's items,
the refusal instead of the button."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.factories import SUMIDA
from machikoba.core.testing.factories_lab import (
    make_item,
    make_lab,
    make_lab_staff,
    make_training,
)
from machikoba.core.testing.factories_lab_events import (
    make_event,
    make_member,
    make_visitor,
    register,
)
from machikoba.lab.choices import EventKind, EventStatus, RegistrationStatus
from machikoba.lab.models import TrainingRecord
from machikoba.lab.models_events import Event, Registration, SurveyResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab():
    return make_lab()


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _flashed(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def test_the_list_filters_by_kind_and_ignores_nonsense(lab):
    seminar = make_event(lab, title="IoTセミナー")
    exchange = make_event(lab, kind=EventKind.EXCHANGE, title="ものづくり交流会")
    make_event(lab, status=EventStatus.DRAFT, title="準備中の会")
    make_event(lab, starts_in=-dt.timedelta(days=2), title="終わった会")
    client = _client(make_member()[1])
    body = client.get(reverse("lab:event_list"), {"kind": "exchange"}).content.decode()
    assert exchange.title in body
    assert seminar.title not in body
    for junk in ("<script>", "seminar' OR 1=1", "交流会"):
        response = client.get(reverse("lab:event_list"), {"kind": junk})
        assert response.status_code == 200
        body = response.content.decode()
        assert seminar.title in body
        assert exchange.title in body
        assert "準備中の会" not in body
        assert "終わった会" not in body


def test_the_detail_says_places_left_and_what_a_training_unlocks(lab):
    cobot = make_item(lab, name="協働ロボット CRX-10iA")
    training = make_training(lab, [cobot])
    event = make_event(lab, kind=EventKind.TRAINING, training=training, capacity=3)
    register(event, make_member()[1])
    body = _client(make_member()[1]).get(reverse("lab:event_detail", args=[event.pk]))
    text = body.content.decode()
    assert "残り 2 人 (定員 3 人)" in text
    assert "協働ロボット CRX-10iA" in text
    assert 'data-testid="register"' in text


def test_a_closed_event_shows_why_instead_of_the_button(lab):
    event = make_event(lab, registration_closes_at=timezone.now() - dt.timedelta(hours=1))
    client = _client(make_member()[1])
    text = client.get(reverse("lab:event_detail", args=[event.pk])).content.decode()
    assert 'data-testid="register"' not in text
    assert "申込みの締切" in text
    response = client.post(reverse("lab:event_register", args=[event.pk]))
    assert response.status_code == 302
    [(level, message)] = _flashed(response)
    assert level == "error"
    assert "締切" in message
    assert not Registration.objects.exists()


def test_registering_for_a_full_event_tells_the_position(lab):
    event = make_event(lab, capacity=1)
    register(event, make_member()[1])
    company, person = make_member()
    response = _client(person).post(reverse("lab:event_register", args=[event.pk]))
    [(level, message)] = _flashed(response)
    assert level == "success"
    assert "キャンセル待ち (1 番目)" in message
    registration = Registration.objects.get(user=person)
    assert registration.status == RegistrationStatus.WAITLISTED
    assert registration.company == company  # the company they work for now


def test_a_bad_event_form_is_shown_again_and_saves_nothing(lab):
    staff = make_lab_staff()
    elsewhere = make_lab(SUMIDA, name="墨田区 ラボ")
    client = _client(staff)
    for data in (
        {"lab": str(lab.pk), "kind": "seminar", "title": "x", "starts_at": "明日の午後"},
        {"lab": str(lab.pk), "kind": "seminar", "title": "x", "capacity": "abc"},
        {"lab": str(elsewhere.pk), "kind": "seminar", "title": "x", "capacity": "5"},
        {"lab": "99999999999999999999", "kind": "party", "title": "", "capacity": "-1"},
    ):
        response = client.post(reverse("lab:event_create"), data)
        assert response.status_code == 200
        assert "入力内容を確認してください。" in response.content.decode()
    assert not Event.objects.exists()


def test_a_service_refusal_shows_beside_its_field(lab):
    starts = timezone.localtime() - dt.timedelta(days=1)
    response = _client(make_lab_staff()).post(
        reverse("lab:event_create"),
        {
            "lab": str(lab.pk),
            "kind": "seminar",
            "title": "過去のセミナー",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": "10",
        },
    )
    assert response.status_code == 200
    assert "開始は今より後の日時にしてください。" in response.content.decode()
    assert not Event.objects.exists()


def test_a_staff_edit_lowering_capacity_below_the_registered_is_refused(lab):
    event = make_event(lab, capacity=2)
    register(event, make_member()[1])
    register(event, make_member()[1])
    local = timezone.localtime(event.starts_at)
    response = _client(make_lab_staff()).post(
        reverse("lab:event_edit", args=[event.pk]),
        {
            "kind": event.kind,
            "title": event.title,
            "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "capacity": "1",
        },
    )
    assert response.status_code == 200
    assert "すでに 2 人が申し込んでいます" in response.content.decode()
    event.refresh_from_db()
    assert event.capacity == 2


def test_staff_buttons_with_bad_input_refuse_cleanly(lab):
    staff = make_lab_staff()
    client = _client(staff)
    event = make_event(lab)
    make_visitor(lab)
    for visitor in ("", "abc", "99999999999999999999", str(make_visitor(make_lab(SUMIDA)).pk)):
        response = client.post(
            reverse("lab:event_register_visitor", args=[event.pk]), {"visitor": visitor}
        )
        # (messages pile up: the redirects are not followed)
        assert set(_flashed(response)) == {
            ("error", "このラボの受付で登録した来館者を選んでください。")
        }
    client = _client(staff)
    response = client.post(reverse("lab:event_cancel", args=[event.pk]), {"reason": "あ" * 201})
    assert [level for level, _ in _flashed(response)] == ["error"]
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    session = make_event(
        lab,
        kind=EventKind.TRAINING,
        training=make_training(lab),
        starts_in=-dt.timedelta(minutes=30),
    )
    register(session, make_member()[1], status=RegistrationStatus.ATTENDED)
    client = _client(staff)
    response = client.post(
        reverse("lab:event_training_records", args=[session.pk]),
        {"registration": ["abc", "99999999999999999999999", "-1"]},
    )
    [(level, message)] = _flashed(response)
    assert level == "error"
    assert "修了を記録する出席者がいません" in message
    assert not TrainingRecord.objects.exists()
    assert not Registration.objects.filter(visitor__isnull=False).exists()


def test_a_bad_survey_answer_is_shown_again(lab):
    event = make_event(lab, starts_in=-dt.timedelta(hours=3), hours=1)
    _, person = make_member()
    register(event, person, status=RegistrationStatus.ATTENDED)
    client = _client(person)
    url = reverse("lab:event_survey", args=[event.pk])
    for data in ({"rating": "9", "useful": "yes"}, {"rating": "4", "useful": "maybe"}, {}):
        response = client.post(url, data)
        assert response.status_code == 200
        assert "入力内容を確認してください。" in response.content.decode()
    assert not SurveyResponse.objects.exists()
    response = client.post(url, {"rating": "4", "useful": "no", "met_partner": ""})
    assert response.status_code == 302
    answer = SurveyResponse.objects.get()
    assert (answer.rating, answer.useful) == (4, False)
    text = client.get(url).content.decode()
    assert 'data-testid="survey-answered"' in text
    assert 'data-testid="survey-form"' not in text
