"""The API tokens page: issue (the secret shown once), list, revoke; who may."""

import pytest
from django.urls import reverse

from machikoba.accounts.choices import WardRole
from machikoba.apitokens.models import ApiToken
from machikoba.apitokens.services import hash_secret, token_create
from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.factories import (
    MembershipFactory,
    UserFactory,
    WardRoleFactory,
    force_login_with_mfa,
)

pytestmark = pytest.mark.django_db


def _form(owner_value, **overrides):
    return {
        "name": "生産管理システム",
        "owner": owner_value,
        "lifetime_days": "90",
        "area_network": "write",
        "area_drawings": "read",
    } | overrides


def test_anonymous_visitors_are_sent_to_sign_in(client):
    answer = client.get(reverse("apitokens:tokens"))
    assert answer.status_code == 302
    assert reverse("account_login") in answer["Location"]


def test_an_owner_issues_a_token_and_sees_its_secret_once(client):
    member = MembershipFactory(role=CompanyRole.OWNER)
    client.force_login(member.user)
    answer = client.post(reverse("apitokens:tokens"), _form(f"company:{member.company_id}"))
    assert answer.status_code == 200
    token = ApiToken.objects.get()
    secret = answer.context["issued"]["secret"]
    assert token.secret_hash == hash_secret(secret)
    assert secret in answer.content.decode()
    assert answer["Cache-Control"] == "no-store"
    assert sorted(token.scopes) == ["drawings:read", "network:write"]
    assert token.company == member.company
    again = client.get(reverse("apitokens:tokens"))
    assert secret not in again.content.decode()
    assert f"mkb_{token.prefix}_" in again.content.decode()


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": ""},
        {"lifetime_days": "400"},
        {"lifetime_days": "abc"},
        {"area_network": "", "area_drawings": ""},
        {"area_network": "admin"},
        {"owner": "company:999999"},
    ],
)
def test_bad_input_is_shown_on_the_form_and_writes_nothing(client, overrides):
    member = MembershipFactory(role=CompanyRole.OWNER)
    client.force_login(member.user)
    answer = client.post(
        reverse("apitokens:tokens"), _form(f"company:{member.company_id}", **overrides)
    )
    assert answer.status_code == 422
    assert answer.context["form"].errors
    assert not ApiToken.objects.exists()


def test_a_floor_worker_is_offered_no_company(client):
    worker = MembershipFactory(role=CompanyRole.FLOOR_WORKER)
    client.force_login(worker.user)
    page = client.get(reverse("apitokens:tokens"))
    assert page.context["owners"] == []
    assert 'data-testid="token-no-owner"' in page.content.decode()
    answer = client.post(reverse("apitokens:tokens"), _form(f"company:{worker.company_id}"))
    assert answer.status_code == 422
    assert not ApiToken.objects.exists()


def test_an_officer_issues_a_ward_token(client):
    officer = UserFactory()
    grant = WardRoleFactory(user=officer, role=WardRole.OFFICER)
    force_login_with_mfa(client, officer)
    answer = client.post(
        reverse("apitokens:tokens"), _form(f"ward:{grant.pk}", area_network="", area_kpi="read")
    )
    assert answer.status_code == 200, answer.context["form"].errors
    token = ApiToken.objects.get()
    assert token.ward_role == grant
    assert token.scopes == ["drawings:read", "kpi:read"]


def test_revoking_from_the_page_and_strangers_cannot(client):
    member = MembershipFactory(role=CompanyRole.OWNER)
    token, _ = token_create(
        actor=member.user,
        name="連携テスト用",
        scopes=["network:read"],
        lifetime_days=5,
        company=member.company,
    )
    stranger = MembershipFactory(role=CompanyRole.OWNER).user
    client.force_login(stranger)
    assert client.post(reverse("apitokens:revoke", args=[token.pk])).status_code == 404
    assert token.name not in client.get(reverse("apitokens:tokens")).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    client.force_login(member.user)
    answer = client.post(reverse("apitokens:revoke", args=[token.pk]), follow=True)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "失効" in answer.content.decode()
