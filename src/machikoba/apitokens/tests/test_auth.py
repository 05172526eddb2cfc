"""API tokens at the API: a token acts as its maker, confined to its company or ward role
and its scopes, until it expires or is revoked; another company's data stays invisible."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.apitokens.models import ApiToken
from machikoba.apitokens.services import token_create, token_revoke
from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Membership
from machikoba.core.testing.factories import MembershipFactory, UserFactory, WardRoleFactory
from machikoba.network.models import Job
from machikoba.network.tests.factories import make_job

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _company_token(user, company, scopes=("network:write",), days=30):
    return token_create(
        actor=user, name="連携", scopes=list(scopes), lifetime_days=days, company=company
    )


def _new_job():
    return {
        "part_name": "フランジ",
        "quantity": 20,
        "due_date": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
    }


def test_a_company_token_sees_only_its_company_though_the_maker_has_two(client):
    a = MembershipFactory(role=CompanyRole.OWNER)
    user = a.user
    b = MembershipFactory(user=user, role=CompanyRole.OWNER)
    job_a = make_job(user, a.company)
    job_b = make_job(user, b.company)
    _, secret = _company_token(user, a.company)

    listing = client.get(reverse("api:network_jobs"), **_bearer(secret))
    assert listing.status_code == 200
    assert [row["id"] for row in listing.json()] == [job_a.pk]
    assert (
        client.get(reverse("api:network_job", args=[job_a.pk]), **_bearer(secret)).status_code
        == 200
    )
    hidden = client.get(reverse("api:network_job", args=[job_b.pk]), **_bearer(secret))
    assert hidden.status_code == 404
    assert job_b.part_name not in hidden.content.decode()


def test_a_token_writes_as_its_company_without_a_session_or_csrf(client):
    member = MembershipFactory(role=CompanyRole.OWNER)
    _, secret = _company_token(member.user, member.company)
    created = client.post(
        reverse("api:network_job_create"), _new_job(), content_type=JSON, **_bearer(secret)
    )
    assert created.status_code == 201, created.content
    job = Job.objects.get(pk=created.json()["id"])
    assert job.company == member.company


def test_scopes_limit_areas_and_levels(client):
    member = MembershipFactory(role=CompanyRole.OWNER)
    _, reader = _company_token(member.user, member.company, scopes=["network:read"])
    assert client.get(reverse("api:network_jobs"), **_bearer(reader)).status_code == 200
    refused = client.post(
        reverse("api:network_job_create"), _new_job(), content_type=JSON, **_bearer(reader)
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "token_scope"
    assert not Job.objects.exists()
    _, elsewhere = _company_token(member.user, member.company, scopes=["drawings:write"])
    assert client.get(reverse("api:network_jobs"), **_bearer(elsewhere)).status_code == 403
    # Who the token acts as is readable with any token.
    me = client.get(reverse("api:me"), **_bearer(elsewhere))
    assert me.status_code == 200
    assert me.json()["email"] == member.user.email


@pytest.mark.parametrize("spoil", ["revoke", "expire", "leave", "wrong_secret", "garbage"])
def test_a_dead_token_is_a_401_with_the_error_shape(client, spoil):
    member = MembershipFactory(role=CompanyRole.OWNER)
    token, secret = _company_token(member.user, member.company, days=1)
    assert client.get(reverse("api:network_jobs"), **_bearer(secret)).status_code == 200
    if spoil == "revoke":
        token_revoke(actor=member.user, token_id=token.pk)
    elif spoil == "leave":
        Membership.objects.filter(pk=member.pk).delete()
    elif spoil == "wrong_secret":
        secret = secret[:-3] + ("aaa" if not secret.endswith("aaa") else "bbb")
    elif spoil == "garbage":
        secret = "not-a-token"
    with time_machine.travel(timezone.now() + dt.timedelta(days=2 if spoil == "expire" else 0)):
        answer = client.get(reverse("api:network_jobs"), **_bearer(secret))
    assert answer.status_code == 401
    assert set(answer.json()) == {"code", "message", "fields"}


def test_use_is_recorded_at_most_once_a_minute(client):
    member = MembershipFactory(role=CompanyRole.OWNER)
    token, secret = _company_token(member.user, member.company)
    assert token.last_used_at is None
    client.get(reverse("api:network_jobs"), **_bearer(secret), REMOTE_ADDR="192.0.2.7")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    assert token.last_used_ip == "192.0.2.7"
    client.get(reverse("api:network_jobs"), **_bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at == first
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        client.get(reverse("api:network_jobs"), **_bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at > first


def test_a_ward_token_carries_its_one_role_and_no_company(client):
    member = MembershipFactory(role=CompanyRole.OWNER)
    grant = WardRoleFactory(user=member.user, role=WardRole.OFFICER)
    WardRoleFactory(user=member.user, role=WardRole.ADVISOR)
    _, ward_secret = token_create(
        actor=member.user, name="区", scopes=["network:read"], lifetime_days=1, ward_role=grant
    )
    me = client.get(reverse("api:me"), **_bearer(ward_secret)).json()
    assert me["ward_roles"] == [WardRole.OFFICER]
    # No company: the company side of the network refuses.
    assert client.get(reverse("api:network_jobs"), **_bearer(ward_secret)).status_code == 403
    _, company_secret = _company_token(member.user, member.company, scopes=["network:read"])
    assert client.get(reverse("api:me"), **_bearer(company_secret)).json()["ward_roles"] == []


def test_a_ward_token_dies_with_its_grant(client):
    officer = UserFactory()
    grant = WardRoleFactory(user=officer, role=WardRole.OFFICER)
    _, secret = token_create(
        actor=officer, name="区", scopes=["kpi:read"], lifetime_days=1, ward_role=grant
    )
    assert client.get(reverse("api:me"), **_bearer(secret)).status_code == 200
    grant.valid_until = timezone.localdate() - dt.timedelta(days=1)
    grant.save()
    assert client.get(reverse("api:me"), **_bearer(secret)).status_code == 401
    grant.delete()
    assert not ApiToken.objects.exists()


def test_a_platform_admins_token_carries_no_admin_powers(client):
    member = MembershipFactory(role=CompanyRole.OWNER)
    member.user.is_staff = True
    member.user.is_superuser = True
    member.user.save()
    other = MembershipFactory(role=CompanyRole.OWNER)
    job = make_job(other.user, other.company)
    _, secret = _company_token(member.user, member.company, scopes=["network:read"])
    assert (
        client.get(reverse("api:network_job", args=[job.pk]), **_bearer(secret)).status_code == 404
    )
