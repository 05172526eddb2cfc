"""The catalogue's pages as people meet them: what a visitor reads of a lab and an item,
what stays hidden (a withdrawn item, a lab not running, another vendor's exhibit, another
person's records), and bad input on the staff's and the vendor's forms (a clear message on
the page, nothing changed, never a 500)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from machikoba.core.testing.factories import SUMIDA, MembershipFactory, UserFactory, jpeg_bytes
from machikoba.core.testing.factories_lab import (
    give_training,
    make_exhibitor,
    make_item,
    make_item_photo,
    make_lab,
    make_lab_staff,
    make_training,
    make_vendor,
    open_day,
)
from machikoba.lab.choices import ItemKind
from machikoba.lab.models import Closure, Item, ItemPhoto, OpeningHours

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def lab():
    return make_lab()


@pytest.fixture
def vendor(lab):
    return make_exhibitor(lab, make_vendor(name="蒲田ITソリューションズ"))


@pytest.fixture
def cobot(lab):
    return make_item(lab, use_cases="溶接の前後の段取り", safety_notes="可動範囲に入らない")


@pytest.fixture
def software(lab, vendor):
    return make_item(lab, kind=ItemKind.SOFTWARE, exhibitor=vendor, name="生産管理クラウド")


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_a_visitor_reads_the_lab(lab, cobot, software, django_assert_max_num_queries):
    make_item_photo(cobot)
    day = open_day(lab, 3)  # a day the lab would open (a closed Sunday shows no closure)
    Closure.objects.create(lab=lab, starts_on=day, ends_on=day, reason="設備点検の日")
    with django_assert_max_num_queries(20):
        response = _client().get(reverse("lab:lab_detail", args=[lab.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "東京都大田区南蒲田1-20-20" in page
    assert "設備点検の日" in page
    assert "協働ロボット CRX-10iA" in page
    assert "生産管理クラウド" in page
    assert "ベンダー出展" in page
    assert "蒲田ITソリューションズ" in page
    assert page.count('data-testid="item-card"') == 2
    assert "9:00" in page or "09:00" in page


def test_the_kind_filter(lab, cobot, software):
    page = (
        _client().get(reverse("lab:lab_detail", args=[lab.pk]), {"kind": "cobot"}).content.decode()
    )
    assert page.count('data-testid="item-card"') == 1
    assert "生産管理クラウド" not in page.split('data-testid="item-cards"')[1]
    unknown = _client().get(reverse("lab:lab_detail", args=[lab.pk]), {"kind": "<script>"})
    assert unknown.status_code == 200
    assert unknown.content.decode().count('data-testid="item-card"') == 2


def test_a_withdrawn_item_and_a_lab_not_running_are_hidden(lab, cobot):
    cobot.active = False
    cobot.save()
    page = _client().get(reverse("lab:lab_detail", args=[lab.pk])).content.decode()
    assert "協働ロボット CRX-10iA" not in page
    assert _client().get(reverse("lab:item_detail", args=[cobot.pk])).status_code == 404
    assert (
        _client(MembershipFactory().user)
        .get(reverse("lab:item_detail", args=[cobot.pk]))
        .status_code
        == 404
    )
    assert (
        _client(make_lab_staff()).get(reverse("lab:item_detail", args=[cobot.pk])).status_code
        == 200
    )
    lab.active = False
    lab.save()
    assert _client().get(reverse("lab:lab_detail", args=[lab.pk])).status_code == 404
    assert lab.name not in _client().get(reverse("lab:catalogue")).content.decode()
    sumida_staff = make_lab_staff(SUMIDA)
    assert _client(sumida_staff).get(reverse("lab:settings", args=[lab.pk])).status_code == 404
    assert _client(make_lab_staff()).get(reverse("lab:settings", args=[lab.pk])).status_code == 200


def test_the_item_page_says_which_training_is_missing(lab, cobot):
    training = make_training(lab, [cobot], name="協働ロボット安全講習")
    anonymous = _client().get(reverse("lab:item_detail", args=[cobot.pk])).content.decode()
    assert "協働ロボット安全講習" in anonymous
    assert "溶接の前後の段取り" in anonymous
    assert "可動範囲に入らない" in anonymous
    person = MembershipFactory().user
    page = _client(person).get(reverse("lab:item_detail", args=[cobot.pk])).content.decode()
    assert 'data-testid="training-missing"' in page
    give_training(person, training)
    page = _client(person).get(reverse("lab:item_detail", args=[cobot.pk])).content.decode()
    assert 'data-testid="training-held"' in page


def test_the_item_page_has_the_action_slot(cobot):
    response = _client().get(reverse("lab:item_detail", args=[cobot.pk]))
    assert "lab/catalogue/_item_actions.html" in [t.name for t in response.templates]


def test_a_photo_is_served_only_through_the_access_layer(lab, cobot):
    photo = make_item_photo(cobot)
    response = _client().get(reverse("lab:item_photo", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    cobot.active = False
    cobot.save()
    assert _client().get(reverse("lab:item_photo", args=[photo.pk])).status_code == 404


# --- the vendor ---------------------------------------------------------------------------


def test_the_vendor_sees_and_edits_only_its_own_exhibits(lab, vendor, software, cobot):
    other = make_exhibitor(lab, make_vendor(name="別のベンダー"))
    theirs = make_item(lab, kind=ItemKind.SOFTWARE, exhibitor=other, name="他社の会計ソフト")
    owner = vendor.memberships.get().user
    client = _client(owner)
    page = client.get(reverse("lab:vendor_exhibits")).content.decode()
    assert "生産管理クラウド" in page
    assert "他社の会計ソフト" not in page
    form = client.get(reverse("lab:item_edit", args=[software.pk])).content.decode()
    assert 'name="specs"' in form
    assert 'name="capacity"' not in form
    assert 'name="exhibitor"' not in form
    assert client.get(reverse("lab:item_edit", args=[theirs.pk])).status_code == 403
    assert client.get(reverse("lab:item_edit", args=[cobot.pk])).status_code == 403
    response = client.post(
        reverse("lab:item_edit", args=[software.pk]),
        {
            "summary": "受注から出荷まで",
            "specs": "10ユーザー",
            "capacity": "9",
            "use_cases": "",
            "safety_notes": "",
        },
    )
    assert response.status_code == 302
    software.refresh_from_db()
    assert (software.specs, software.capacity) == ("10ユーザー", 1)


def test_the_vendor_empty_summary_is_shown_on_the_form(software, vendor):
    client = _client(vendor.memberships.get().user)
    response = client.post(reverse("lab:item_edit", args=[software.pk]), {"summary": ""})
    assert response.status_code == 200
    assert "入力してください" in response.content.decode()
    assert Item.objects.get(pk=software.pk).summary == software.summary


def test_a_file_that_is_not_an_image_is_refused_on_the_page(software, vendor):
    client = _client(vendor.memberships.get().user)
    upload = SimpleUploadedFile("x.jpg", b"not an image at all", "image/jpeg")
    response = client.post(reverse("lab:item_photos", args=[software.pk]), {"image": upload})
    assert response.status_code == 200
    assert "画像として読み込めませんでした" in response.content.decode()
    assert not ItemPhoto.objects.exists()
    good = SimpleUploadedFile("x.jpg", jpeg_bytes(), "image/jpeg")
    assert (
        client.post(reverse("lab:item_photos", args=[software.pk]), {"image": good}).status_code
        == 302
    )
    assert ItemPhoto.objects.count() == 1


def test_a_person_of_no_vendor_gets_no_exhibits_page():
    assert _client(MembershipFactory().user).get(reverse("lab:vendor_exhibits")).status_code == 403


# --- the staff's forms ---------------------------------------------------------------------


def test_bad_hours_are_shown_and_nothing_changes(lab):
    client = _client(make_lab_staff())
    data = {"open_0": "on", "opens_0": "18:00", "closes_0": "09:00"}
    response = client.post(reverse("lab:hours", args=[lab.pk]), data)
    assert response.status_code == 200
    assert "閉館の時刻は開館より後にしてください" in response.content.decode()
    assert OpeningHours.objects.filter(lab=lab).count() == 6
    response = client.post(
        reverse("lab:hours", args=[lab.pk]), {"open_0": "on", "opens_0": "25:99"}
    )
    assert response.status_code == 200
    assert OpeningHours.objects.filter(lab=lab).count() == 6


def test_a_record_for_an_unknown_address_is_explained(lab, cobot):
    training = make_training(lab, [cobot])
    client = _client(make_lab_staff())
    url = reverse("lab:training_records", args=[training.pk])
    response = client.post(url, {"email": "nobody@example.test"})
    assert response.status_code == 200
    assert "このメールアドレスの利用者は見つかりません" in response.content.decode()


def test_a_person_of_two_companies_is_asked_which_one(lab, cobot):
    training = make_training(lab, [cobot])
    person = MembershipFactory().user
    second = MembershipFactory(user=person).company
    client = _client(make_lab_staff())
    url = reverse("lab:training_records", args=[training.pk])
    response = client.post(url, {"email": person.email})
    assert response.status_code == 200
    page = response.content.decode()
    assert "どの企業の方として記録するか" in page
    assert second.name in page
    response = client.post(url, {"email": person.email, "company": str(second.pk)})
    assert response.status_code == 302
    assert training.records.get().company == second


def test_my_trainings_lists_only_mine(lab, cobot):
    training = make_training(lab, [cobot], name="協働ロボット安全講習")
    me, colleague = UserFactory(), UserFactory()
    record = give_training(me, training, passed_days_ago=10)
    give_training(colleague, make_training(lab, [cobot], name="別の講習"))
    page = _client(me).get(reverse("lab:my_trainings")).content.decode()
    assert "協働ロボット安全講習" in page
    assert "別の講習" not in page
    assert record.expires_on.strftime("%Y") in page
