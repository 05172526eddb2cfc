"""Municipalities: the codes and their check digits, the 23 special wards as loaded, the
postal data's JIS codes found (a designated city's ward by its city), and who serves which
municipality (``core.access.municipality_ids_for`` and ``WardPolicy``)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.accounts.models import WardRoleAssignment
from machikoba.core.access import VIEW, WardPolicy, forget_cached_roles, municipality_ids_for
from machikoba.core.testing.factories import OTA, SUMIDA, UserFactory, WardRoleFactory, ward
from machikoba.wards.codes import check_digit, is_valid_code, parent_city_code, with_check_digit
from machikoba.wards.models import Municipality, MunicipalityGroup
from machikoba.wards.selectors import municipality_for_jis
from machikoba.wards.validators import validate_local_government_code


def test_check_digits_of_known_codes():
    assert with_check_digit("13101") == "131016"  # 千代田区
    assert with_check_digit("13111") == "131113"  # 大田区
    assert with_check_digit("14130") == "141305"  # 川崎市
    assert with_check_digit("13000") == "130001"  # 東京都 (remainder 10 → 1)
    assert check_digit("13123") == "7"  # 江戸川区
    assert is_valid_code("131075")
    assert not is_valid_code("131076")
    assert not is_valid_code("13107")
    with pytest.raises(ValueError, match="five-digit"):
        check_digit("1310")


def test_the_23_special_wards_are_loaded_as_one_group(db):
    wards = Municipality.objects.filter(group__name="特別区")
    assert wards.count() == 23
    assert all(is_valid_code(m.code) for m in wards)
    ota = Municipality.objects.get(code=OTA)
    assert (ota.name, ota.name_en, ota.prefecture) == ("大田区", "Ota City", "東京都")
    assert set(Municipality.objects.values_list("name", flat=True)) >= {"墨田区", "葛飾区"}


def test_a_wrong_code_is_refused_with_a_clear_message(db):
    with pytest.raises(ValidationError) as wrong:
        validate_local_government_code("131112")
    assert "検査数字" in wrong.value.messages[0]
    with pytest.raises(ValidationError) as short:
        validate_local_government_code("13111")
    assert "6 桁" in short.value.messages[0]
    town = Municipality(code="141306", name="川崎市", prefecture="神奈川県")
    with pytest.raises(ValidationError):
        town.full_clean()


def test_postal_data_codes_find_the_registered_municipality(db):
    assert municipality_for_jis("13111") == ward(OTA)
    assert municipality_for_jis("14131") is None  # 川崎市川崎区: 川崎市 not registered yet
    kawasaki = Municipality.objects.create(code="141305", name="川崎市", prefecture="神奈川県")
    assert parent_city_code("14131") == "14130"
    assert parent_city_code("13111") is None  # a special ward is a municipality itself
    assert parent_city_code("11203") is None  # 川口市: an ordinary city
    assert municipality_for_jis("14131") == kawasaki
    assert municipality_for_jis("1413") is None


def test_grants_serve_their_municipality_or_group(db):
    officer = WardRoleFactory(role=WardRole.OFFICER).user
    assert municipality_ids_for(officer, WardRole.OFFICER) == [ward(OTA).pk]
    assert municipality_ids_for(officer, WardRole.ADVISOR) == []
    joint = MunicipalityGroup.objects.create(name="城東ラボ")
    Municipality.objects.filter(code__in=[SUMIDA, "131229"]).update(group=joint)
    lab = WardRoleFactory(role=WardRole.LAB_STAFF, municipality=None, group=joint).user
    assert municipality_ids_for(lab, WardRole.LAB_STAFF) == sorted(
        Municipality.objects.filter(code__in=[SUMIDA, "131229"]).values_list("pk", flat=True)
    )
    metro = WardRoleFactory(role=WardRole.METRO_VIEWER).user  # names nothing: the platform
    assert len(municipality_ids_for(metro, WardRole.METRO_VIEWER)) == Municipality.objects.count()
    # An expired grant serves nothing; so does a grant naming no ward for another role.
    WardRoleAssignment.objects.filter(user=officer).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    forget_cached_roles(officer)
    assert municipality_ids_for(officer, WardRole.OFFICER) == []
    stray = UserFactory()
    WardRoleAssignment.objects.create(user=stray, role=WardRole.OFFICER)
    assert municipality_ids_for(stray, WardRole.OFFICER) == []
    assert municipality_ids_for(None, WardRole.OFFICER) == []


def test_a_grant_names_its_ward_unless_it_is_a_metro_viewer(db):
    user = UserFactory()
    with pytest.raises(ValidationError) as missing:
        WardRoleAssignment(user=user, role=WardRole.OFFICER).full_clean()
    assert "municipality" in missing.value.message_dict
    with pytest.raises(ValidationError) as both:
        WardRoleAssignment(
            user=user,
            role=WardRole.OFFICER,
            municipality=ward(OTA),
            group=MunicipalityGroup.objects.get(name="特別区"),
        ).full_clean()
    assert "group" in both.value.message_dict
    WardRoleAssignment(user=user, role=WardRole.METRO_VIEWER).full_clean()


def test_ward_policy_gives_each_role_its_wards_rows(db):
    ota_officer = WardRoleFactory(role=WardRole.OFFICER).user
    sumida_officer = WardRoleFactory(role=WardRole.OFFICER, municipality=ward(SUMIDA)).user
    policy = WardPolicy(ward_field="ward", view_roles=(WardRole.OFFICER,))
    assert policy.scope(ota_officer, VIEW) == Q(ward__in=[ward(OTA).pk])
    assert policy.scope(sumida_officer, VIEW) == Q(ward__in=[ward(SUMIDA).pk])
    assert policy.scope(ota_officer, "change") == Q(pk__in=[])
    with pytest.raises(TypeError):
        WardPolicy(wardfield="x")
