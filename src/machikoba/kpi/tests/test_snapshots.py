"""Stored figures and versioned definitions: ``snapshot_take`` writes "to date" rows while
a year runs and "final" rows once it has ended (kept unless recomputed), each naming the
definition version it was computed with; ``definition_revise`` writes version 2 beside
version 1, platform admins only.

Fiscal year 2026 as of 2026-11-16 (``kpi_data.NOW``); FY2025 has ended."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import UserFactory
from machikoba.core.testing.factories_subsidies import make_officer
from machikoba.kpi.choices import Reason, SnapshotKind
from machikoba.kpi.error_codes import KpiErrorCode
from machikoba.kpi.evaluation import current_definitions
from machikoba.kpi.models import Definition, Snapshot
from machikoba.kpi.services import definition_revise, snapshot_take, snapshots_refresh
from machikoba.kpi.tests.kpi_data import NOW, TODAY, graduate, programme, shop, wards
from machikoba.wards.models import Municipality

pytestmark = pytest.mark.django_db

D = Decimal
ROWS = 18 * 2  # every indicator for one ward and for all wards together


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    frozen_clock.move_to(NOW)


def _row(code: str, ward, year: int, kind: str = SnapshotKind.TO_DATE, version: int = 1):
    return Snapshot.objects.get(
        definition__indicator__code=code,
        definition__version=version,
        municipality=ward,
        fiscal_year=year,
        kind=kind,
    )


def _admin():
    return UserFactory(is_staff=True, is_superuser=True)


def test_during_the_year_the_to_date_rows_are_written_and_rewritten(frozen_clock):
    ota, _sumida = wards()
    dojo = programme(ota)
    graduate(dojo, shop(ota), "2026-05-01")
    graduate(dojo, shop(ota), "2026-06-01")
    assert snapshot_take(year=2026, municipalities=[ota], today=TODAY) == ROWS
    rows = Snapshot.objects.filter(fiscal_year=2026)
    assert rows.count() == ROWS
    assert set(rows.values_list("kind", "as_of")) == {(SnapshotKind.TO_DATE, TODAY)}
    graduates = _row("M1.P1", ota, 2026)
    assert (graduates.numerator, graduates.denominator, graduates.value, graduates.reason) == (
        D(2),
        None,
        D(2),
        "",
    )
    assert (graduates.company_count, graduates.target, graduates.definition.version) == (
        2,
        None,
        1,
    )
    assert _row("M1.P1", None, 2026).target == D(100)  # all wards: the paper's target
    take_up = _row("M1.KSI", ota, 2026)
    assert (take_up.value, take_up.reason, take_up.target) == (None, Reason.NO_SURVEY, D(60))
    # The next run (a day later, a third graduate): the same rows, rewritten.
    graduate(dojo, shop(ota), "2026-11-17")
    frozen_clock.move_to(NOW + dt.timedelta(days=1))
    tomorrow = TODAY + dt.timedelta(days=1)
    assert snapshot_take(year=2026, municipalities=[ota], today=tomorrow) == ROWS
    assert Snapshot.objects.filter(fiscal_year=2026).count() == ROWS
    again = _row("M1.P1", ota, 2026)
    assert (again.value, again.as_of, again.computed_at) == (
        D(3),
        tomorrow,
        NOW + dt.timedelta(days=1),
    )


def test_after_the_year_the_final_rows_are_kept_unless_recomputed():
    ota, _sumida = wards()
    dojo = programme(ota)
    graduate(dojo, shop(ota), "2025-06-01")
    assert snapshot_take(year=2025, municipalities=[ota], today=TODAY) == ROWS
    final = _row("M1.P1", ota, 2025, SnapshotKind.FINAL)
    assert (final.value, final.as_of) == (D(1), dt.date(2026, 3, 31))
    assert not Snapshot.objects.filter(fiscal_year=2025, kind=SnapshotKind.TO_DATE).exists()
    # A graduation entered late: the final figure stays as it was published…
    graduate(dojo, shop(ota), "2025-07-01")
    assert snapshot_take(year=2025, municipalities=[ota], today=TODAY) == 0
    assert _row("M1.P1", ota, 2025, SnapshotKind.FINAL).value == D(1)
    # … until it is recomputed on demand.
    assert snapshot_take(year=2025, municipalities=[ota], today=TODAY, recompute=True) == ROWS
    assert _row("M1.P1", ota, 2025, SnapshotKind.FINAL).value == D(2)
    assert Snapshot.objects.filter(fiscal_year=2025).count() == ROWS


def test_the_scheduled_run_stores_this_year_to_date_and_last_year_final():
    written = snapshots_refresh(today=TODAY)
    wards_and_all = Municipality.objects.count() + 1
    assert written == 2 * 18 * wards_and_all
    assert set(Snapshot.objects.values_list("fiscal_year", "kind")) == {
        (2026, SnapshotKind.TO_DATE),
        (2025, SnapshotKind.FINAL),
    }
    # Run again the same day: this year rewritten, last year's final kept.
    assert snapshots_refresh(today=TODAY) == 18 * wards_and_all


def test_a_revision_is_version_2_and_old_snapshots_keep_naming_version_1():
    ota, _sumida = wards()
    graduate(programme(ota), shop(ota), "2025-06-01")
    snapshot_take(year=2025, municipalities=[ota], today=TODAY)
    revised = definition_revise(
        actor=_admin(), code="M1.P1", changes={"target": D(120)}, note="第2期計画の目標"
    )
    assert (revised.version, revised.target, revised.note) == (2, D(120), "第2期計画の目標")
    assert revised.computation == "graduations"
    assert revised.params == {"program_kind": "dojo"}  # the rest carried over from version 1
    assert AuditEvent.objects.filter(verb="kpi.definition.revise").count() == 1
    chosen = {d.indicator.code: d for d in current_definitions()}
    assert chosen["M1.P1"].version == 2
    assert chosen["M1.P2"].version == 1
    # The published final rows name version 1; version 2 gets rows of its own.
    old = _row("M1.P1", None, 2025, SnapshotKind.FINAL, version=1)
    assert (old.target, old.value) == (D(100), D(1))
    assert snapshot_take(year=2025, municipalities=[ota], today=TODAY) == 2
    new = _row("M1.P1", None, 2025, SnapshotKind.FINAL, version=2)
    assert (new.target, new.value) == (D(120), D(1))
    assert _row("M1.P1", None, 2025, SnapshotKind.FINAL, version=1).target == D(100)


def test_only_a_platform_admin_revises_a_definition():
    ota, _sumida = wards()
    for actor in (make_officer(ota), UserFactory(is_staff=True)):
        with pytest.raises(PermissionRefused) as refused:
            definition_revise(actor=actor, code="M1.P1", changes={"target": D(1)}, note="")
        assert refused.value.code == KpiErrorCode.NOT_PLATFORM_ADMIN
    assert Definition.objects.filter(indicator__code="M1.P1").count() == 1


@pytest.mark.parametrize(
    ("code", "changes"),
    [
        ("M1.P1", {"computation": "no_such_function"}),  # not in the registry
        ("M1.P1", {"owner": "me"}),  # not a field of a definition
        ("M9.XXX", {"target": D(1)}),  # no such indicator
        ("M1.P1", {"unit": "furlongs"}),  # not a unit
    ],
)
def test_a_revision_the_registry_or_the_model_refuses_writes_nothing(code, changes):
    with pytest.raises(ApplicationError) as refused:
        definition_revise(actor=_admin(), code=code, changes=changes, note="")
    assert refused.value.code == KpiErrorCode.DEFINITION_INVALID
    assert Definition.objects.count() == 18
    assert not AuditEvent.objects.filter(verb="kpi.definition.revise").exists()
