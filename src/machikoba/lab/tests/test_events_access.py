"""Who sees what of the lab's events: another company never sees someone's registration
(nor their name on any page); officers and anonymous visitors get nothing of
registrations or survey answers; a draft event is invisible except to its lab's staff;
another ward's staff do not run this lab's events."""

import pytest
from django.test import Client
from django.urls import reverse

from machikoba.accounts.choices import WardRole
from machikoba.core.access import MANAGE, VIEW
from machikoba.core.testing.factories import (
    SUMIDA,
    WardRoleFactory,
    force_login_with_mfa,
    give_totp,
    ward,
)
from machikoba.core.testing.factories_lab import make_lab, make_lab_staff, make_vendor
from machikoba.core.testing.factories_lab_events import (
    answer_survey,
    make_event,
    make_member,
    register,
)
from machikoba.lab.choices import EventStatus, RegistrationStatus
from machikoba.lab.models_events import Event, Registration, SurveyResponse
from machikoba.lab.selectors.events import event_cards, my_events, staff_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    lab = make_lab()
    event = make_event(lab, title="3Dプリンター活用ハンズオン")
    company, person = make_member(name="登録 太郎")
    registration = register(event, person, company=company)
    return event, company, person, registration


def _client(user=None):
    client = Client()
    if user is not None:
        # Officers passed their second factor at sign-in (tested in accounts).
        force_login_with_mfa(client, user)
    return client


def _officer():
    officer = WardRoleFactory(role=WardRole.OFFICER).user
    give_totp(officer)
    return officer


def test_another_company_sees_nobodys_registration(setting):
    event, _company, _person, registration = setting
    _, stranger = make_member()
    assert not Registration.objects.for_user(stranger, VIEW).exists()
    assert my_events(stranger).upcoming == []
    [card] = event_cards(stranger)
    assert card.mine is None
    assert card.taken == 1  # a count, never a name
    client = _client(stranger)
    for url in (reverse("lab:event_detail", args=[event.pk]), reverse("lab:event_mine")):
        body = client.get(url).content.decode()
        assert "登録 太郎" not in body
    assert client.get(reverse("lab:event_staff", args=[event.pk])).status_code == 403
    cancel = reverse("lab:event_registration_cancel", args=[registration.pk])
    assert client.post(cancel).status_code == 404
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED


def test_the_person_and_their_companys_editors_see_it(setting):
    _event, company, person, registration = setting
    _, colleague = make_member(company, role="staff")
    assert list(Registration.objects.for_user(person, VIEW)) == [registration]
    assert list(Registration.objects.for_user(colleague, VIEW)) == [registration]
    # The colleague's own page lists their own registrations only.
    assert my_events(colleague).upcoming == []
    assert [i.registration for i in my_events(person).upcoming] == [registration]


def test_officers_and_anonymous_visitors_get_nothing_of_registrations(setting):
    event, _company, _person, registration = setting
    registration.status = RegistrationStatus.ATTENDED
    registration.save()
    answer_survey(registration, met_partner="テストITソリューションズ")
    officer = _officer()
    metro = WardRoleFactory(role=WardRole.METRO_VIEWER).user
    for user in (officer, metro, None):
        assert not Registration.objects.for_user(user, VIEW).exists()
        assert not SurveyResponse.objects.for_user(user, VIEW).exists()
    client = _client(officer)
    for name in ("lab:event_staff", "lab:event_attendance"):
        response = client.get(reverse(name, args=[event.pk]))
        assert response.status_code == 403
        assert "登録 太郎" not in response.content.decode()
    assert client.get(reverse("lab:event_survey", args=[event.pk])).status_code == 404
    anonymous = _client()
    for url in (
        reverse("lab:event_list"),
        reverse("lab:event_detail", args=[event.pk]),
        reverse("lab:event_staff", args=[event.pk]),
        reverse("lab:event_mine"),
    ):
        response = anonymous.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_a_draft_is_invisible_except_to_its_labs_staff(setting):
    event, _company, person, _registration = setting
    draft = make_event(event.lab, status=EventStatus.DRAFT, title="準備中のマッチング会")
    other_ward_staff = WardRoleFactory(role=WardRole.LAB_STAFF, municipality=ward(SUMIDA)).user
    outsiders = [
        person,
        make_member()[1],
        _officer(),
        other_ward_staff,
        make_vendor().memberships.get().user,
    ]
    for user in outsiders:
        assert not Event.objects.for_user(user, VIEW).filter(pk=draft.pk).exists()
        assert draft not in [c.event for c in event_cards(user)]
        client = _client(user)
        assert client.get(reverse("lab:event_detail", args=[draft.pk])).status_code == 404
        assert client.post(reverse("lab:event_register", args=[draft.pk])).status_code == 404
    assert not Registration.objects.filter(event=draft).exists()
    staff = make_lab_staff()
    assert _client(staff).get(reverse("lab:event_detail", args=[draft.pk])).status_code == 200
    assert draft in [c.event for c in staff_events(staff).upcoming]


def test_another_wards_staff_do_not_run_this_labs_events(setting):
    event, *_ = setting
    other_ward_staff = WardRoleFactory(role=WardRole.LAB_STAFF, municipality=ward(SUMIDA)).user
    assert not Event.objects.for_user(other_ward_staff, MANAGE).exists()
    assert staff_events(other_ward_staff).upcoming == []
    client = _client(other_ward_staff)
    assert client.get(reverse("lab:event_staff", args=[event.pk])).status_code == 403
    assert client.get(reverse("lab:event_staff_list")).status_code == 403
    assert client.post(reverse("lab:event_cancel", args=[event.pk])).status_code == 403
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED


def test_the_staff_page_lists_the_registrants_for_the_labs_staff(setting):
    event, *_ = setting
    body = _client(make_lab_staff()).get(reverse("lab:event_staff", args=[event.pk]))
    assert body.status_code == 200
    assert "登録 太郎" in body.content.decode()
