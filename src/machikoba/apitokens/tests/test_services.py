"""Issuing and revoking tokens: never more than the maker has; bad input writes nothing."""

import pytest
from django.http import Http404

from machikoba.accounts.choices import WardRole
from machikoba.apitokens.models import ApiToken
from machikoba.apitokens.services import hash_secret, token_create, token_revoke
from machikoba.companies.choices import CompanyRole
from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import (
    MembershipFactory,
    UserFactory,
    WardRoleFactory,
)

pytestmark = pytest.mark.django_db


def _owner():
    membership = MembershipFactory(role=CompanyRole.OWNER)
    return membership.user, membership.company


def test_an_owner_issues_a_company_token_whose_secret_is_kept_only_as_a_hash():
    user, company = _owner()
    token, secret = token_create(
        actor=user, name="生産管理", scopes=["network:write"], lifetime_days=30, company=company
    )
    assert secret.startswith(f"mkb_{token.prefix}_")
    assert len(secret) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.secret_hash == hash_secret(secret)
    assert secret not in str(stored.__dict__)
    assert stored.scopes == ["network:write"]
    assert 29 <= (stored.expires_at - stored.created_at).days <= 30
    event = AuditEvent.objects.get(verb="apitokens.token.create")
    assert event.company == company
    assert event.actor == user


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("name", {"name": "  "}),
        ("name", {"name": "x" * 101}),
        ("scopes", {"scopes": []}),
        ("scopes", {"scopes": ["network:admin"]}),
        ("scopes", {"scopes": ["secrets:read"]}),
        ("lifetime_days", {"lifetime_days": 0}),
        ("lifetime_days", {"lifetime_days": 366}),
    ],
)
def test_bad_input_is_refused_by_field_and_writes_nothing(field, kwargs):
    user, company = _owner()
    arguments = {"name": "連携", "scopes": ["network:read"], "lifetime_days": 30} | kwargs
    with pytest.raises(ApplicationError) as refused:
        token_create(actor=user, company=company, **arguments)
    assert refused.value.status_code == 422
    assert field in refused.value.fields
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(verb="apitokens.token.create").exists()


def test_a_token_names_a_company_or_a_ward_role_never_both_or_neither():
    user, company = _owner()
    grant = WardRoleFactory(user=user)
    for owners in ({}, {"company": company, "ward_role": grant}):
        with pytest.raises(ApplicationError) as refused:
            token_create(actor=user, name="x", scopes=["kpi:read"], lifetime_days=1, **owners)
        assert "owner" in refused.value.fields
    assert not ApiToken.objects.exists()


def test_a_floor_worker_or_a_stranger_cannot_issue_a_company_token():
    _, company = _owner()
    worker = MembershipFactory(company=company, role=CompanyRole.FLOOR_WORKER).user
    stranger = UserFactory()
    for actor in (worker, stranger):
        with pytest.raises(ApplicationError) as refused:
            token_create(
                actor=actor, name="x", scopes=["network:read"], lifetime_days=1, company=company
            )
        assert refused.value.status_code == 403
    staff = MembershipFactory(company=company, role=CompanyRole.STAFF).user
    token, _ = token_create(
        actor=staff, name="x", scopes=["network:read"], lifetime_days=1, company=company
    )
    assert token.user == staff


def test_only_ones_own_ward_role_can_back_a_ward_token():
    officer = UserFactory()
    grant = WardRoleFactory(user=officer, role=WardRole.OFFICER)
    with pytest.raises(ApplicationError):
        token_create(
            actor=UserFactory(), name="x", scopes=["kpi:read"], lifetime_days=1, ward_role=grant
        )
    token, _ = token_create(
        actor=officer, name="x", scopes=["kpi:read"], lifetime_days=1, ward_role=grant
    )
    assert token.ward_role == grant
    assert token.company is None


def test_the_maker_or_the_companys_owner_revokes_others_get_a_404():
    owner, company = _owner()
    staff = MembershipFactory(company=company, role=CompanyRole.STAFF).user
    token, _ = token_create(
        actor=staff, name="x", scopes=["network:read"], lifetime_days=1, company=company
    )
    other_owner = MembershipFactory(role=CompanyRole.OWNER).user
    worker = MembershipFactory(company=company, role=CompanyRole.FLOOR_WORKER).user
    for outsider in (other_owner, worker):
        with pytest.raises(Http404):
            token_revoke(actor=outsider, token_id=token.pk)
    token.refresh_from_db()
    assert token.revoked_at is None
    token_revoke(actor=owner, token_id=token.pk)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not token.is_active
    first = token.revoked_at
    token_revoke(actor=staff, token_id=token.pk)
    token.refresh_from_db()
    assert token.revoked_at == first
    assert AuditEvent.objects.filter(verb="apitokens.token.revoke").count() == 1
