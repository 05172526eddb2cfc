"""The Django admin is for platform admins, and its writes go through the services."""

import pytest

from machikoba.companies.models import Company
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import force_login_with_mfa
from machikoba.core.testing.matrix import ADMIN


def _form(company, **overrides):
    data = {
        "name": company.name,
        "name_kana": company.name_kana,
        "name_en": company.name_en,
        "corporate_number": company.corporate_number or "",
        "postal_code": company.postal_code,
        "prefecture": company.prefecture,
        "municipality": company.municipality,
        "address_line": company.address_line,
        "employees": company.employees,
        "is_active": "on",
        "kind": company.kind,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin_client_(world, client):
    force_login_with_mfa(client, world.users[ADMIN])
    return client


def test_admin_shows_a_japanese_message_for_a_bad_corporate_number(world, admin_client_):
    url = f"/admin/companies/company/{world.company.pk}/change/"
    response = admin_client_.post(url, _form(world.company, corporate_number="1000012050002"))
    assert response.status_code == 200
    assert "チェックデジット" in response.content.decode()
    world.company.refresh_from_db()
    assert world.company.corporate_number != "1000012050002"
    assert not AuditEvent.objects.filter(verb="company.update").exists()


def test_admin_edit_is_audited_with_before_and_after(world, admin_client_):
    url = f"/admin/companies/company/{world.company.pk}/change/"
    response = admin_client_.post(url, _form(world.company, employees="25"))
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="company.update")
    assert event.before == {"employees": 12}
    assert event.after == {"employees": 25}
    assert event.actor == world.users[ADMIN]


def test_admin_add_goes_through_company_create(world, admin_client_):
    blank = Company(name="", employees=None)
    response = admin_client_.post(
        "/admin/companies/company/add/",
        _form(blank, name="新設工業株式会社", corporate_number="7000012050002", employees="3"),
    )
    assert response.status_code == 302
    company = Company.objects.get(name="新設工業株式会社")
    assert AuditEvent.objects.filter(verb="company.create", company=company).exists()


def test_admin_extends_the_process_taxonomy(world, admin_client_):
    from machikoba.companies.models import ProcessCategory

    parent = ProcessCategory.objects.get(code="cutting.turning")
    response = admin_client_.post(
        "/admin/companies/processcategory/add/",
        {
            "code": "cutting.turning.swiss",
            "parent": parent.pk,
            "name_ja": "スイス型自動盤",
            "name_en": "Swiss-type lathe",
            "jis_symbol": "",
            "keywords": "[]",
            "sort_order": "5",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert ProcessCategory.objects.get(code="cutting.turning.swiss").parent == parent


def test_admin_refuses_a_process_code_that_is_not_a_path(world, admin_client_):
    from machikoba.companies.models import ProcessCategory

    response = admin_client_.post(
        "/admin/companies/processcategory/add/",
        {
            "code": "Cutting/Turning",
            "name_ja": "誤り",
            "name_en": "wrong",
            "keywords": "[]",
            "sort_order": "0",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "コードは小文字の英数字" in response.content.decode()
    assert not ProcessCategory.objects.filter(name_ja="誤り").exists()
