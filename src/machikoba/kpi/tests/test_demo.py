"""The demo (``seed_demo``, which ``make demo`` runs) makes every indicator show a value
for this fiscal year, to the demo officer for the ward they serve and for all wards
together: a number, never "—", and no figure resting on fewer than 3 companies. The demo
is built from today's date, so this runs again at CI's moved clocks."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from machikoba.accounts.models import User
from machikoba.advisory.models import Engagement
from machikoba.core.access import WARD_OFFICER, municipality_ids_for
from machikoba.core.testing.demo_ward import demo_ward
from machikoba.kpi.choices import Light
from machikoba.kpi.evaluation import this_fiscal_year
from machikoba.kpi.models import SurveyResponse, SurveyRound
from machikoba.kpi.selectors.figures import DASH, figures_for
from machikoba.lab.models_ecosystem import Project
from machikoba.network.models import BusinessMatch
from machikoba.programs.models import Graduation
from machikoba.subsidies.models import Application

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

CODES = [
    "M1.KGI", "M1.KSI", "M1.OUT", "M1.P1", "M1.P2", "M1.P3",
    "M2.KGI", "M2.KSI", "M2.OUT", "M2.P1", "M2.P2", "M2.P3",
    "M3.KGI", "M3.KSI", "M3.OUT", "M3.P1", "M3.P2", "M3.P3",
]  # fmt: skip


def _seed() -> None:
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def demo(settings, tmp_path):
    """The demo as ``seed_demo`` leaves it (built once per test process and day)."""
    demo_ward(settings, tmp_path / "media")


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            SurveyRound,
            SurveyResponse,
            Graduation,
            Engagement,
            Application,
            BusinessMatch,
            Project,
        )
    )


def test_every_indicator_shows_a_value_for_the_officers_ward_and_all_wards(demo):
    officer = User.objects.get(email="officer@example.com")
    [ward] = municipality_ids_for(officer, WARD_OFFICER)
    year = this_fiscal_year()
    for wards in ((ward,), None):
        shown = figures_for(frozenset(), year=year, wards=wards)
        assert [item.code for item in shown] == CODES
        for item in shown:
            where = f"{item.code} ({'the ward' if wards else 'all wards'})"
            assert not item.hidden, f"{where}: from {item.company_count} companies"
            assert item.value is not None, f"{where}: {item.reason}"
            assert item.text != DASH, where
            assert item.value != 0, f"{where}: nothing in the demo"
            behind = item.result.figure.companies
            assert not behind or len(behind) >= 3, where
            # Every figure of the officer's ward has a target (its own for the counts), so
            # the dashboard shows a traffic light; all wards use the paper's targets.
            assert item.result.goal.target is not None, where
            assert item.light != Light.NONE, where


def test_the_kpi_demo_is_added_once(demo):
    first = _counts()
    assert first[0] == 5  # 大田区: three years of the survey; 墨田区: two
    _seed()
    assert _counts() == first
