"""The company's stop and defect reasons (its own master data, seeded with a default set
on first use) and its hourly rates."""

from __future__ import annotations

import pytest

from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories_floor import floor, make_reason
from machikoba.shopfloor import services_reports as services
from machikoba.shopfloor.choices import ReasonKind
from machikoba.shopfloor.error_codes_reports import ReportErrorCode
from machikoba.shopfloor.internal_reports import reasons_seed
from machikoba.shopfloor.models_reports import CostRates, Reason


@pytest.fixture
def people(db):
    return floor()


def refused(call) -> ApplicationError:
    with pytest.raises(ApplicationError) as error:
        call()
    return error.value


def test_the_first_use_seeds_the_default_reasons_once(people):
    assert services.reasons_ensure(actor=people.worker, company=people.shop) == 9
    stops = Reason.objects.filter(company=people.shop, kind=ReasonKind.STOP)
    assert {r.label: r.planned for r in stops} == {
        "段取り替え": False,
        "材料待ち": False,
        "故障": False,
        "刃物交換": False,
        "昼休み": True,
        "計画保全": True,
    }
    defects = Reason.objects.filter(company=people.shop, kind=ReasonKind.DEFECT)
    assert sorted(r.label for r in defects) == sorted(["寸法不良", "キズ", "材料不良"])
    assert services.reasons_ensure(actor=people.owner, company=people.shop) == 0
    assert Reason.objects.filter(company=people.shop).count() == 9
    assert AuditEvent.objects.filter(verb="floor_reason.seed").count() == 1
    # Another company's reasons are its own.
    assert not Reason.objects.filter(company=people.customer).exists()


def test_a_company_with_its_own_reasons_is_not_seeded(people):
    make_reason(people.shop, code="chips", label="切粉詰まり")
    assert reasons_seed(company=people.shop, actor=None) == 0
    assert list(Reason.objects.values_list("label", flat=True)) == ["切粉詰まり"]


def test_seeding_is_for_the_companys_own_people(people):
    error = refused(lambda: services.reasons_ensure(actor=people.officer, company=people.shop))
    assert error.code == ReportErrorCode.NOT_A_MEMBER
    assert not Reason.objects.exists()


def test_owners_add_rename_and_retire_reasons(people):
    reason = services.reason_create(
        actor=people.staff,
        company=people.shop,
        kind=ReasonKind.STOP,
        code=" coolant ",
        label="クーラント補充",
        planned=False,
        order=5,
    )
    assert (reason.code, reason.label, reason.active) == ("coolant", "クーラント補充", True)
    reason = services.reason_update(
        actor=people.owner,
        reason=reason,
        code="coolant",
        label="クーラント交換",
        planned=True,
        active=False,
        order=1,
    )
    reason.refresh_from_db()
    assert (reason.label, reason.planned, reason.active, reason.order) == (
        "クーラント交換",
        True,
        False,
        1,
    )
    assert AuditEvent.objects.filter(verb__startswith="floor_reason.").count() == 2


def test_a_defect_reason_is_never_a_planned_stop(people):
    reason = services.reason_create(
        actor=people.owner,
        company=people.shop,
        kind=ReasonKind.DEFECT,
        code="burr",
        label="バリ",
        planned=True,
    )
    assert reason.planned is False


def test_a_code_is_unique_per_kind_and_a_reason_needs_a_name(people):
    make_reason(people.shop, code="setup")
    error = refused(
        lambda: services.reason_create(
            actor=people.owner,
            company=people.shop,
            kind=ReasonKind.STOP,
            code="setup",
            label="段取り",
        )
    )
    assert error.code == ReportErrorCode.REASON_DUPLICATE
    # The same code as a defect reason, or at another company, is fine.
    services.reason_create(
        actor=people.owner, company=people.shop, kind=ReasonKind.DEFECT, code="setup", label="x"
    )
    make_reason(people.customer, code="setup")
    error = refused(
        lambda: services.reason_create(
            actor=people.owner, company=people.shop, kind=ReasonKind.STOP, code="x", label=" "
        )
    )
    assert error.code == ReportErrorCode.REASON_INVALID
    assert "label" in error.fields
    assert Reason.objects.filter(company=people.shop).count() == 2


def test_floor_workers_and_outsiders_change_no_reason(people):
    reason = make_reason(people.shop)
    for person in (people.worker, people.customer_owner, people.officer):
        error = refused(
            lambda person=person: services.reason_update(
                actor=person,
                reason=reason,
                code="setup",
                label="変えた",
                planned=False,
                active=True,
                order=0,
            )
        )
        assert error.code == ReportErrorCode.NOT_SUPERVISOR
    reason.refresh_from_db()
    assert reason.label == "段取り替え"


def test_rates_are_set_by_owners_and_staff_and_kept_out_of_the_trail(people):
    rates = services.cost_rates_set(
        actor=people.staff, company=people.shop, labour_yen_per_hour=3200, machine_yen_per_hour=1800
    )
    assert (rates.labour_yen_per_hour, rates.machine_yen_per_hour) == (3200, 1800)
    services.cost_rates_set(
        actor=people.owner, company=people.shop, labour_yen_per_hour=3500, machine_yen_per_hour=1800
    )
    assert CostRates.objects.get(company=people.shop).labour_yen_per_hour == 3500
    events = AuditEvent.objects.filter(verb="floor_rates.update")
    assert events.count() == 2
    for event in events:
        text = f"{event.target_repr} {event.before} {event.after}"
        assert "3200" not in text
        assert "3500" not in text
    error = refused(
        lambda: services.cost_rates_set(
            actor=people.worker, company=people.shop, labour_yen_per_hour=1, machine_yen_per_hour=1
        )
    )
    assert error.code == ReportErrorCode.NOT_SUPERVISOR
    error = refused(
        lambda: services.cost_rates_set(
            actor=people.owner,
            company=people.shop,
            labour_yen_per_hour=2_000_000,
            machine_yen_per_hour=1,
        )
    )
    assert error.code == ReportErrorCode.RATES_INVALID
    assert CostRates.objects.get(company=people.shop).labour_yen_per_hour == 3500
