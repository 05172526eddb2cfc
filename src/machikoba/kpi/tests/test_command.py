"""``manage.py kpi``: every indicator as JSON, null with a reason where nothing can be
computed, refusals of a bad ward or year, and ``--store`` writing the snapshots."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from machikoba.kpi.choices import SnapshotKind
from machikoba.kpi.evaluation import this_fiscal_year
from machikoba.kpi.models import Definition, Snapshot
from machikoba.wards.models import Municipality

pytestmark = pytest.mark.django_db

OTA = "131113"
CODES = [
    "M1.KGI", "M1.KSI", "M1.OUT", "M1.P1", "M1.P2", "M1.P3",
    "M2.KGI", "M2.KSI", "M2.OUT", "M2.P1", "M2.P2", "M2.P3",
    "M3.KGI", "M3.KSI", "M3.OUT", "M3.P1", "M3.P2", "M3.P3",
]  # fmt: skip


def _run(*args: str) -> dict:
    out = io.StringIO()
    call_command("kpi", *args, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def test_json_lists_every_indicator_with_the_promised_keys():
    payload = _run("--fiscal-year", str(this_fiscal_year()), "--ward", OTA, "--json")
    assert payload["ward"] == OTA
    rows = payload["indicators"]
    assert [row["code"] for row in rows] == CODES
    for row in rows:
        assert {"code", "value", "numerator", "denominator", "unit", "target", "status"} <= set(row)
    by_code = {row["code"]: row for row in rows}
    # No survey was sent: the survey's indicators cannot be computed, and say why.
    assert by_code["M1.KSI"]["value"] is None
    assert by_code["M1.KSI"]["reason"] == "no_survey"
    # No graduation: a count of zero is a number, not a missing value.
    assert by_code["M1.P1"]["value"] == 0
    assert by_code["M1.P1"]["reason"] is None
    # The paper's count targets are for all wards together, not for one ward.
    assert by_code["M1.P1"]["target"] is None
    assert by_code["M1.KSI"]["target"] == 60


def test_all_wards_carry_the_papers_targets():
    rows = {row["code"]: row for row in _run("--json")["indicators"]}
    assert rows["M1.P1"]["target"] == 100
    assert rows["M3.KSI"]["target"] == 1000


def test_an_unknown_ward_or_an_impossible_year_is_refused():
    with pytest.raises(CommandError, match="no municipality"):
        _run("--ward", "999999", "--json")
    with pytest.raises(CommandError, match="--fiscal-year"):
        _run("--fiscal-year", "1800", "--json")


def test_a_broken_definition_prints_null_with_its_reason():
    definition = Definition.objects.get(indicator__code="M1.P1", version=1)
    definition.computation = "no_such_function"
    definition.save()
    rows = {row["code"]: row for row in _run("--json")["indicators"]}
    assert rows["M1.P1"]["value"] is None
    assert rows["M1.P1"]["reason"] == "broken_definition"
    assert rows["M1.P2"]["value"] == 0


def test_store_writes_one_snapshot_per_indicator_for_the_ward_and_all_wards():
    year = this_fiscal_year()
    _run("--fiscal-year", str(year), "--ward", OTA, "--json", "--store")
    ward = Municipality.objects.get(code=OTA)
    assert Snapshot.objects.filter(municipality=ward, fiscal_year=year).count() == 18
    assert Snapshot.objects.filter(municipality__isnull=True, fiscal_year=year).count() == 18
    assert set(Snapshot.objects.values_list("kind", flat=True)) == {SnapshotKind.TO_DATE}
    graduates = Snapshot.objects.get(
        municipality=ward, definition__indicator__code="M1.P1", fiscal_year=year
    )
    assert (graduates.value, graduates.reason, graduates.definition.version) == (0, "", 1)
