"""The access layer's cost: scoping queries and rendering the shop home."""

import pytest
from django.test import Client

from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Company, Membership
from machikoba.core.access import VIEW
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory


@pytest.fixture
def ward(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    companies = CompanyFactory.create_batch(60)
    owners = []
    for company in companies:
        owners.append(MembershipFactory(company=company, role=CompanyRole.OWNER).user)
        MembershipFactory.create_batch(9, company=company, role=CompanyRole.FLOOR_WORKER)
    return owners


def test_membership_scope(benchmark, ward):
    owner = ward[0]

    def scoped():
        owner.__dict__.pop("_machikoba_company_roles", None)
        return list(Membership.objects.for_user(owner, VIEW))

    rows = benchmark(scoped)
    assert len(rows) == 10


def test_company_scope_for_change(benchmark, ward):
    owner = ward[0]
    assert benchmark(lambda: Company.objects.for_user(owner, "change").count()) == 1


def test_shop_home_page(benchmark, ward):
    client = Client()
    client.force_login(ward[0])
    response = benchmark(lambda: client.get("/"))
    assert response.status_code == 200
