"""Permission matrix for a company's first account: the ward's queue and decisions and the
ward's ledger address are officers' work only; the page a mailed link opens is authorised
by its token alone (a genuine one works for whoever holds it, a tampered one is "not
found" for everyone)."""

import secrets

import pytest
from django.urls import reverse

from machikoba.companies.internal import company_claim_request
from machikoba.companies.models import Company, Membership
from machikoba.companies.models_claims import CompanyClaim
from machikoba.companies.services_claims import claim_token_hash
from machikoba.core.testing.factories import CompanyFactory
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    DONE,
    LOGIN,
    OFFICER,
    OTHER_WARD_OFFICER,
    Case,
    assert_case,
    expect,
)

# Every officer has a queue (its own ward's); another ward's claims and companies are
# "not found" to them. The metro viewer has none of it.
OFFICERS = expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 200})
OFFICERS_POST = expect(403, **{ANONYMOUS: LOGIN, OFFICER: DONE, OTHER_WARD_OFFICER: 404})


def _waiting_claim(w) -> CompanyClaim:
    """A request waiting for an officer (the ward holds no address for the company)."""
    return company_claim_request(
        company=CompanyFactory(name="申請中の工場"),
        name="工場 太郎",
        email="taro@shop.example.jp",
        phone="03-0000-0000",
    )


def _claim_url(name):
    def build(w):
        return reverse(f"companies:{name}", args=[_waiting_claim(w).pk])

    return build


def _token(w) -> str:
    """A usable mailed link (its token is otherwise only in the e-mail)."""
    claim = company_claim_request(
        company=CompanyFactory(name="台帳のある工場", contact_email="info@shop.example.jp"),
        name="工場 太郎",
    )
    token = secrets.token_urlsafe(32)
    CompanyClaim.objects.filter(pk=claim.pk).update(secret_hash=claim_token_hash(token))
    return token


def _account_url(*, tamper=False):
    def build(w):
        token = _token(w)
        if tamper:
            token = token[:-1] + ("A" if token[-1] != "A" else "B")
        return reverse("companies:claim_account", args=[token])

    return build


def _status_of_latest(w):
    return CompanyClaim.objects.order_by("-pk").values_list("status", flat=True).first()


MATRIX = [
    Case("companies:claim_queue", lambda w: reverse("companies:claim_queue"), OFFICERS),
    Case(
        "companies:claim_approve",
        _claim_url("claim_approve"),
        OFFICERS_POST,
        method="POST",
        effect=_status_of_latest,
    ),
    Case(
        "companies:claim_approve",
        lambda w: reverse("companies:claim_approve", args=[987_654]),
        expect(403, **{ANONYMOUS: LOGIN, OFFICER: 404, OTHER_WARD_OFFICER: 404}),
        method="POST",
        note="unknown id",
    ),
    Case(
        "companies:claim_reject",
        _claim_url("claim_reject"),
        OFFICERS_POST,
        method="POST",
        data=lambda w: {"reason": "台帳の代表者と連絡がつかない"},
        effect=_status_of_latest,
    ),
    Case(
        "companies:contact_email",
        lambda w: reverse("companies:contact_email", args=[w.company.pk]),
        OFFICERS_POST,
        method="POST",
        data=lambda w: {"email": "office@jisha.example.jp"},
        effect=lambda w: Company.objects.get(pk=w.company.pk).contact_email,
    ),
    # The token is the credential: each actor gets a fresh, genuine link here.
    Case("companies:claim_account", _account_url(), expect(200), note="valid"),
    Case("companies:claim_account", _account_url(tamper=True), expect(404), note="tampered"),
    Case(
        "companies:claim_account",
        _account_url(),
        expect(200),
        method="POST",
        data=lambda w: {"name": "工場 太郎", "password": "kensaku-2041!"},
        note="valid",
    ),
    Case(
        "companies:claim_account",
        _account_url(tamper=True),
        expect(404),
        method="POST",
        data=lambda w: {"name": "工場 太郎", "password": "kensaku-2041!"},
        effect=lambda w: Membership.objects.count(),
        note="tampered",
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
