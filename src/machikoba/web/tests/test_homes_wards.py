"""The ward's homes: an officer's figures count only the wards it serves and name them; the
metro viewer's page counts every ward of its scope and names no company; the header
carries the platform's name."""

import datetime as dt

import pytest
from django.urls import reverse

from machikoba.accounts.choices import WardRole
from machikoba.core.testing.factories import SUMIDA, CompanyFactory, WardRoleFactory, ward
from machikoba.core.testing.matrix import METRO_VIEWER, OFFICER, OTHER_WARD_OFFICER


def test_each_officer_sees_its_own_wards_figures(world, settings):
    settings.MACHIKOBA_PLATFORM_NAME = "東京都特別区 町工場DXプラットフォーム"
    for name in ("錦糸精工", "京島鍍金", "八広製作所"):
        CompanyFactory(name=name, ward=ward(SUMIDA))
    WardRoleFactory(role=WardRole.ADVISOR, municipality=ward(SUMIDA))
    ota = world.client_for(OFFICER).get(reverse("web:officer_home"))
    assert ota.context["company_total"] == 2  # the world's two companies, in 大田区
    assert ota.context["advisor_count"] == 1  # the world's advisor, on an engagement
    assert [w.name for w in ota.context["wards"]] == ["大田区"]
    body = ota.content.decode()
    assert "大田区の概況" in body
    assert "東京都特別区 町工場DXプラットフォーム" in body
    sumida = world.client_for(OTHER_WARD_OFFICER).get(reverse("web:officer_home"))
    assert sumida.context["company_total"] == 3
    assert sumida.context["advisor_count"] == 1
    assert sumida.context["unconfirmed_total"] == 3
    assert "墨田区の概況" in sumida.content.decode()


def test_the_metro_viewer_sees_aggregates_and_no_company(world):
    for name in ("錦糸精工", "京島鍍金"):
        CompanyFactory(name=name, ward=ward(SUMIDA))
    client = world.client_for(METRO_VIEWER)
    assert client.get(reverse("web:home")).url == reverse("web:metro_home")
    response = client.get(reverse("web:metro_home"))
    rows = {row.ward.name: row for row in response.context["rows"]}
    assert len(rows) == 23  # the special wards (the test platform has no others)
    assert (rows["大田区"].companies, rows["墨田区"].companies, rows["葛飾区"].companies) == (
        2,
        2,
        0,
    )
    assert rows["大田区"].with_members == 2
    assert response.context["total_companies"] == 4
    body = response.content.decode()
    for name in ("錦糸精工", world.company.name, "/companies/", "/ward/companies/"):
        assert name not in body, name
    # Company-level officer pages are not the metro viewer's.
    assert client.get(reverse("companies:ward_companies")).status_code == 403
    assert client.get(reverse("web:officer_home")).status_code == 403


@pytest.mark.clock_sensitive
def test_the_officers_home_counts_the_wards_shop_floor_without_a_companys_figure(world):
    """One company of 大田区 monitors a machine: the home counts it, and its own 稼働率
    stays hidden (fewer than three companies contribute); 墨田区's officer counts none."""
    from machikoba.core.testing.clock import TOKYO, working_day
    from machikoba.core.testing.factories_telemetry import make_intervals, make_machine

    # Two hours inside the shift (08:30-17:30) of the last working day before today, so
    # the data counts at any hour the suite runs (in the evening "three hours ago" is
    # after the shift, and does not).
    machine = make_machine(world.company)
    day = working_day(-1)
    start = dt.datetime.combine(day, dt.time(10, 0), tzinfo=TOKYO)
    make_intervals(machine, start, [("producing", 120), None])
    response = world.client_for(OFFICER).get(reverse("web:officer_home"))
    (row,) = response.context["floor"].rows
    assert (row.municipality, row.monitoring_companies) == ("大田区", 1)
    assert (row.median_text, row.mean_text) == ("—", "—")
    body = response.content.decode()
    assert "現場のデジタル化 (日報・稼働監視)" in body
    assert world.company.name not in body
    (other,) = (
        world.client_for(OTHER_WARD_OFFICER).get(reverse("web:officer_home")).context["floor"].rows
    )
    assert other.monitoring_companies == 0
