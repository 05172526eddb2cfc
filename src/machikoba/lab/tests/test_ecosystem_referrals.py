"""DX-loan referrals: an officer refers a company of the ward to a linked partner bank; the
bank's people record the outcome (under review → approved up to the amount requested, or
declined with a note); the officer may withdraw an open one. Every refusal leaves the
referral as it was."""

from __future__ import annotations

import pytest

from machikoba.companies.choices import CompanyRole
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import SUMIDA, CompanyFactory, MembershipFactory, ward
from machikoba.core.testing.factories_lab import make_bank
from machikoba.core.testing.factories_lab_ecosystem import (
    bank_partner,
    light_world,
    make_partner,
    make_referral,
    refusal_of,
)
from machikoba.core.testing.matrix import (
    BANK,
    LAB_STAFF,
    MEMBER,
    OFFICER,
    OTHER_WARD_OFFICER,
    STAFF,
    VENDOR,
)
from machikoba.lab.choices import PartnerKind, ReferralStatus
from machikoba.lab.error_codes_ecosystem import EcosystemErrorCode
from machikoba.lab.models_ecosystem import LoanReferral
from machikoba.lab.services.referrals import (
    referral_create,
    referral_outcome_record,
    referral_withdraw,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return light_world()


def _refer(world, actor=OFFICER, **fields):
    values = {
        "actor": world.users[actor],
        "company": world.company,
        "bank": bank_partner(world.bank),
        "amount_requested": 5_000_000,
        "purpose": " IoTセンサーと生産管理システムの導入 ",
    }
    values.update(fields)
    return referral_create(**values)


def test_an_officer_refers_a_company_and_both_sides_are_told(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        referral = _refer(world)
    assert referral.status == ReferralStatus.REFERRED
    assert referral.municipality == ward()
    assert referral.purpose == "IoTセンサーと生産管理システムの導入"
    assert referral.referred_by == world.users[OFFICER]
    assert len(callbacks) == 2  # the company and the bank
    event = AuditEvent.objects.get(verb="lab.referral.create")
    assert event.company == world.company


@pytest.mark.parametrize("actor", [LAB_STAFF, OTHER_WARD_OFFICER, MEMBER, BANK, VENDOR])
def test_referrals_are_the_officers_alone(world, actor):
    error = refusal_of(lambda: _refer(world, actor))
    assert error.code == EcosystemErrorCode.NOT_OFFICER
    assert not LoanReferral.objects.exists()


def test_a_company_of_another_ward_is_refused(world):
    sumida_company = CompanyFactory(name="墨田の工場", ward=ward(SUMIDA))
    error = refusal_of(lambda: _refer(world, company=sumida_company))
    assert error.code == EcosystemErrorCode.NOT_OFFICER
    # Its own ward's officer refers it to a bank of that ward only.
    error = refusal_of(lambda: _refer(world, OTHER_WARD_OFFICER, company=sumida_company))
    assert error.code == EcosystemErrorCode.REFERRAL_BANK_OFFLINE
    assert not LoanReferral.objects.exists()


def test_a_bank_or_vendor_company_is_not_referred(world):
    error = refusal_of(lambda: _refer(world, company=world.vendor))
    assert error.code == EcosystemErrorCode.REFERRAL_COMPANY_WARD
    error = refusal_of(lambda: _refer(world, company=world.bank))
    assert error.code == EcosystemErrorCode.REFERRAL_COMPANY_WARD


def test_only_a_linked_active_bank_receives_referrals(world):
    offline = make_partner(kind=PartnerKind.BANK, name="オフライン信金")
    error = refusal_of(lambda: _refer(world, bank=offline))
    assert error.code == EcosystemErrorCode.REFERRAL_BANK_OFFLINE
    assert "連携していない" in str(error.fields["bank"][0])
    university = make_partner()
    assert refusal_of(lambda: _refer(world, bank=university)).code == (
        EcosystemErrorCode.REFERRAL_BANK_OFFLINE
    )
    retired = bank_partner(make_bank("退会信金"))
    retired.active = False
    retired.save(update_fields=["active"])
    assert refusal_of(lambda: _refer(world, bank=retired)).code == (
        EcosystemErrorCode.REFERRAL_BANK_OFFLINE
    )
    sumida_bank = bank_partner(make_bank("墨田信金", municipality_code=SUMIDA))
    assert refusal_of(lambda: _refer(world, bank=sumida_bank)).code == (
        EcosystemErrorCode.REFERRAL_BANK_OFFLINE
    )
    assert not LoanReferral.objects.exists()


def test_amount_and_purpose_are_checked(world):
    for amount in (0, -5, 10_000_000_001):
        error = refusal_of(lambda amount=amount: _refer(world, amount_requested=amount))
        assert error.code == EcosystemErrorCode.REFERRAL_INVALID
        assert "amount_requested" in error.fields
    error = refusal_of(lambda: _refer(world, purpose="   "))
    assert error.code == EcosystemErrorCode.REFERRAL_INVALID
    assert "purpose" in error.fields
    assert not LoanReferral.objects.exists()


def _record(world, referral, actor=BANK, **fields):
    return referral_outcome_record(actor=world.users[actor], referral=referral, **fields)


def test_the_bank_reviews_then_approves_up_to_the_amount_requested(
    world, django_capture_on_commit_callbacks
):
    referral = make_referral(world.company, world.bank, referred_by=world.users[OFFICER])
    assert _record(world, referral, status=ReferralStatus.UNDER_REVIEW).status == (
        ReferralStatus.UNDER_REVIEW
    )
    error = refusal_of(
        lambda: _record(world, referral, status=ReferralStatus.APPROVED, amount_approved=3_000_001)
    )
    assert error.code == EcosystemErrorCode.REFERRAL_AMOUNT
    error = refusal_of(lambda: _record(world, referral, status=ReferralStatus.APPROVED))
    assert error.code == EcosystemErrorCode.REFERRAL_AMOUNT
    with django_capture_on_commit_callbacks() as callbacks:
        approved = _record(
            world, referral, status=ReferralStatus.APPROVED, amount_approved=2_500_000, note="5年"
        )
    assert len(callbacks) == 2  # the company and the referring officer
    assert (approved.status, approved.amount_approved) == (ReferralStatus.APPROVED, 2_500_000)
    assert approved.decided_by == world.users[BANK]
    assert approved.decided_at is not None
    error = refusal_of(lambda: _record(world, referral, status=ReferralStatus.DECLINED, note="x"))
    assert error.code == EcosystemErrorCode.REFERRAL_STATE


def test_declining_needs_a_note_and_no_amount(world):
    referral = make_referral(world.company, world.bank)
    error = refusal_of(lambda: _record(world, referral, status=ReferralStatus.DECLINED))
    assert error.code == EcosystemErrorCode.REFERRAL_INVALID
    assert "note" in error.fields
    error = refusal_of(
        lambda: _record(
            world, referral, status=ReferralStatus.DECLINED, amount_approved=100, note="x"
        )
    )
    assert error.code == EcosystemErrorCode.REFERRAL_AMOUNT
    declined = _record(world, referral, status=ReferralStatus.DECLINED, note="担保不足")
    assert (declined.status, declined.outcome_note) == (ReferralStatus.DECLINED, "担保不足")


def test_back_to_referred_or_to_withdrawn_is_not_the_banks(world):
    referral = make_referral(world.company, world.bank, status=ReferralStatus.UNDER_REVIEW)
    for status in (ReferralStatus.REFERRED, ReferralStatus.WITHDRAWN, ReferralStatus.UNDER_REVIEW):
        error = refusal_of(lambda status=status: _record(world, referral, status=status))
        assert error.code == EcosystemErrorCode.REFERRAL_STATE


@pytest.mark.parametrize("actor", [OFFICER, MEMBER, STAFF, LAB_STAFF, VENDOR])
def test_only_the_addressed_banks_people_record_the_outcome(world, actor):
    referral = make_referral(world.company, world.bank)
    error = refusal_of(lambda: _record(world, referral, actor, status=ReferralStatus.UNDER_REVIEW))
    assert error.code == EcosystemErrorCode.REFERRAL_NOT_BANK
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REFERRED


def test_another_bank_records_nothing(world):
    referral = make_referral(world.company, world.bank)
    other_bank = make_bank("他行信用金庫")
    clerk = MembershipFactory(company=other_bank, role=CompanyRole.STAFF).user
    error = refusal_of(
        lambda: referral_outcome_record(
            actor=clerk, referral=referral, status=ReferralStatus.UNDER_REVIEW
        )
    )
    assert error.code == EcosystemErrorCode.REFERRAL_NOT_BANK


def test_the_officer_withdraws_an_open_referral_once(world, django_capture_on_commit_callbacks):
    referral = make_referral(world.company, world.bank)
    for actor in (BANK, MEMBER, LAB_STAFF, OTHER_WARD_OFFICER):
        error = refusal_of(
            lambda actor=actor: referral_withdraw(actor=world.users[actor], referral=referral)
        )
        assert error.code == EcosystemErrorCode.NOT_OFFICER
    with django_capture_on_commit_callbacks() as callbacks:
        withdrawn = referral_withdraw(actor=world.users[OFFICER], referral=referral)
    assert len(callbacks) == 1  # the bank
    assert withdrawn.status == ReferralStatus.WITHDRAWN
    error = refusal_of(lambda: referral_withdraw(actor=world.users[OFFICER], referral=referral))
    assert error.code == EcosystemErrorCode.REFERRAL_STATE
    error = refusal_of(lambda: _record(world, referral, status=ReferralStatus.UNDER_REVIEW))
    assert error.code == EcosystemErrorCode.REFERRAL_STATE


def test_a_decided_referral_cannot_be_withdrawn(world):
    referral = make_referral(world.company, world.bank, status=ReferralStatus.DECLINED)
    error = refusal_of(lambda: referral_withdraw(actor=world.users[OFFICER], referral=referral))
    assert error.code == EcosystemErrorCode.REFERRAL_STATE
