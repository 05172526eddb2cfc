"""Partners: the office of a ward (lab staff and officers) adds, edits, deactivates and
reactivates them; a bank or vendor links only to a company of its own kind; a partner
with referrals keeps its link; nobody else changes anything."""

from __future__ import annotations

import pytest

from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import SUMIDA, ward
from machikoba.core.testing.factories_lab import make_bank, make_vendor
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
    VENDOR,
)
from machikoba.lab.choices import PartnerKind
from machikoba.lab.error_codes_ecosystem import EcosystemErrorCode
from machikoba.lab.models_ecosystem import Partner
from machikoba.lab.selectors.ecosystem import partner_list
from machikoba.lab.services.partners import (
    partner_create,
    partner_deactivate,
    partner_reactivate,
    partner_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return light_world()


def _create(world, actor=LAB_STAFF, **fields):
    values = {
        "actor": world.users[actor],
        "municipality": ward(),
        "kind": PartnerKind.UNIVERSITY,
        "name": "大田工業大学",
    }
    values.update(fields)
    return partner_create(**values)


@pytest.mark.parametrize("actor", [LAB_STAFF, OFFICER])
def test_the_office_adds_a_partner_with_an_audit_event(world, actor):
    partner = _create(world, actor, contact_name=" 山田 ", note="PBLの窓口")
    assert partner.municipality == ward()
    assert partner.contact_name == "山田"
    assert partner.active
    event = AuditEvent.objects.get(verb="lab.partner.create")
    assert event.actor == world.users[actor]
    assert event.after["name"] == "大田工業大学"


@pytest.mark.parametrize("actor", [OTHER_WARD_OFFICER, MEMBER, BANK, VENDOR])
def test_anyone_outside_the_wards_office_is_refused(world, actor):
    error = refusal_of(lambda: _create(world, actor))
    assert error.code == EcosystemErrorCode.NOT_OFFICE
    assert error.status_code == 403
    assert not Partner.objects.filter(name="大田工業大学").exists()


def test_another_wards_officer_adds_to_their_own_ward(world):
    partner = _create(world, OTHER_WARD_OFFICER, municipality=ward(SUMIDA))
    assert partner.municipality == ward(SUMIDA)


def test_a_duplicate_name_in_the_ward_is_refused_with_a_plain_message(world):
    _create(world)
    error = refusal_of(lambda: _create(world, OFFICER))
    assert error.code == EcosystemErrorCode.PARTNER_DUPLICATE
    assert "同じ名前" in str(error.message)
    assert Partner.objects.filter(name="大田工業大学").count() == 1


def test_an_empty_name_is_refused(world):
    error = refusal_of(lambda: _create(world, name="   "))
    assert error.code == EcosystemErrorCode.PARTNER_INVALID
    assert "name" in error.fields


def test_a_bank_links_only_to_a_bank_company(world):
    bank = make_bank("城南信用金庫")
    partner = _create(world, kind=PartnerKind.BANK, name="城南信用金庫 本店", company=bank)
    assert partner.company == bank
    error = refusal_of(
        lambda: _create(world, kind=PartnerKind.BANK, name="誤り", company=world.vendor)
    )
    assert error.code == EcosystemErrorCode.PARTNER_COMPANY_KIND
    assert "company" in error.fields


def test_a_vendor_links_only_to_a_vendor_and_a_university_to_nothing(world):
    vendor = make_vendor("大田ソフト株式会社")
    assert _create(world, kind=PartnerKind.VENDOR, name="大田ソフト", company=vendor).company
    error = refusal_of(lambda: _create(world, kind=PartnerKind.VENDOR, company=world.bank))
    assert error.code == EcosystemErrorCode.PARTNER_COMPANY_KIND
    error = refusal_of(lambda: _create(world, kind=PartnerKind.UNIVERSITY, company=vendor))
    assert error.code == EcosystemErrorCode.PARTNER_COMPANY_KIND
    error = refusal_of(lambda: _create(world, kind=PartnerKind.UNIVERSITY, company=world.company))
    assert error.code == EcosystemErrorCode.PARTNER_COMPANY_KIND


def test_a_deactivated_company_cannot_be_linked(world):
    bank = make_bank("閉店信用金庫", municipality_code=SUMIDA)
    bank.is_active = False
    bank.save(update_fields=["is_active"])
    error = refusal_of(lambda: _create(world, kind=PartnerKind.BANK, name="閉店", company=bank))
    assert error.code == EcosystemErrorCode.PARTNER_COMPANY_KIND


def test_a_bank_may_be_recorded_offline(world):
    partner = _create(world, kind=PartnerKind.BANK, name="オフライン銀行")
    assert partner.company is None


def test_the_office_edits_a_partner(world):
    partner = make_partner()
    updated = partner_update(
        actor=world.users[OFFICER],
        partner=partner,
        kind=PartnerKind.UNIVERSITY,
        name="東京テスト大学 理工学部",
        contact_email="pbl@example.ac.jp",
    )
    assert updated.name == "東京テスト大学 理工学部"
    event = AuditEvent.objects.get(verb="lab.partner.update")
    assert event.before["name"] == "東京テスト大学 工学部"


def test_another_wards_office_cannot_edit(world):
    partner = make_partner()
    error = refusal_of(
        lambda: partner_update(
            actor=world.users[OTHER_WARD_OFFICER],
            partner=partner,
            kind=PartnerKind.UNIVERSITY,
            name="乗っ取り",
        )
    )
    assert error.code == EcosystemErrorCode.NOT_OFFICE
    partner.refresh_from_db()
    assert partner.name == "東京テスト大学 工学部"


def test_a_bank_with_referrals_keeps_its_kind_and_link(world):
    make_referral(world.company, world.bank)
    partner = bank_partner(world.bank)
    other = make_bank("別の信用金庫", municipality_code=SUMIDA)
    for kind, company in ((PartnerKind.BANK, other), (PartnerKind.OTHER, None)):
        error = refusal_of(
            lambda kind=kind, company=company: partner_update(
                actor=world.users[LAB_STAFF],
                partner=partner,
                kind=kind,
                name=partner.name,
                company=company,
            )
        )
        assert error.code == EcosystemErrorCode.PARTNER_STATE
    partner.refresh_from_db()
    assert partner.company == world.bank
    # Its name and contact may still change.
    partner_update(
        actor=world.users[LAB_STAFF],
        partner=partner,
        kind=PartnerKind.BANK,
        name="テスト信用金庫 蒲田支店",
        company=world.bank,
    )


def test_deactivate_and_reactivate_once_each(world):
    partner = make_partner()
    partner_deactivate(actor=world.users[LAB_STAFF], partner=partner)
    partner.refresh_from_db()
    assert not partner.active
    error = refusal_of(lambda: partner_deactivate(actor=world.users[LAB_STAFF], partner=partner))
    assert error.code == EcosystemErrorCode.PARTNER_STATE
    partner_reactivate(actor=world.users[OFFICER], partner=partner)
    partner.refresh_from_db()
    assert partner.active
    error = refusal_of(lambda: partner_reactivate(actor=world.users[OFFICER], partner=partner))
    assert error.code == EcosystemErrorCode.PARTNER_STATE
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="lab.partner.")
        .order_by("pk")
        .values_list("verb")
    )
    assert verbs == [("lab.partner.deactivate",), ("lab.partner.reactivate",)]


def test_deactivation_by_a_party_outside_the_office_is_refused(world):
    partner = bank_partner(world.bank)
    error = refusal_of(lambda: partner_deactivate(actor=world.users[BANK], partner=partner))
    assert error.code == EcosystemErrorCode.NOT_OFFICE
    partner.refresh_from_db()
    assert partner.active


def test_the_office_lists_only_its_wards_partners(world):
    ours = make_partner()
    theirs = make_partner(name="墨田テスト大学", municipality_code=SUMIDA)
    assert set(partner_list(world.users[LAB_STAFF])) == {ours, bank_partner(world.bank)}
    assert set(partner_list(world.users[OTHER_WARD_OFFICER])) == {theirs}
    # A bank's people read their own partner row, but have no office list.
    assert partner_list(world.users[BANK]) == []
