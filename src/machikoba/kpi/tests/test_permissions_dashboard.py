"""Permission matrix of the KPI dashboard pages: the officers of a ward (大田区, and
墨田区's for their own ward) and the metro viewer read the dashboard, an indicator, its
records' CSV and the comparison; everyone else signed in finds no such page (404: the
figures are the wards'), companies, floor workers, advisors, lab staff and the platform
admin included; visitors are sent to sign in. Only a ward's officers set its targets and
its public page. The public page is open to anyone while the ward publishes it, and not
found otherwise.

Beside the statuses, what each reader gets is pinned: another ward's officer asking for
大田区 gets their own ward, never 大田区's figures; the metro viewer never gets a
company's name."""

from __future__ import annotations

import pytest
from django.urls import reverse, reverse_lazy

from machikoba.core.testing.factories import OTA, SUMIDA, ward
from machikoba.core.testing.matrix import (
    ACTORS,
    ANONYMOUS,
    DONE,
    LOGIN,
    METRO_VIEWER,
    OFFICER,
    OTHER_WARD_OFFICER,
    REDIRECT,
    Case,
    assert_case,
    expect,
    posted,
)
from machikoba.kpi.evaluation import this_fiscal_year
from machikoba.kpi.models import Publication, Target
from machikoba.kpi.tests.test_selectors_dashboard import dx_survey

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

READERS = expect(
    404, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 200, METRO_VIEWER: 200}
)
OFFICERS = expect(404, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 200})
OTA_OFFICER = expect(404, **{ANONYMOUS: LOGIN, OFFICER: 200})
EVERYONE = expect(200)
NOBODY = expect(404)


def _targets(w) -> str:
    return reverse("kpi:targets") + f"?ward={OTA}"


def _ota_targets(w) -> int:
    return Target.objects.filter(municipality=ward(OTA)).count()


def _ota_publication(w) -> list:
    return list(Publication.objects.filter(municipality=ward(OTA)).values_list("enabled"))


def _published(w) -> str:
    Publication.objects.update_or_create(municipality=ward(OTA), defaults={"enabled": True})
    return reverse("kpi:public", args=[OTA])


def _withdrawn(w) -> str:
    Publication.objects.update_or_create(municipality=ward(OTA), defaults={"enabled": False})
    return reverse("kpi:public", args=[OTA])


TARGET = {
    "indicator": "M1.KSI",
    "M1-KSI-target": "65",
    "M1-KSI-target_year": "2030",
    "M1-KSI-baseline": "42",
    "M1-KSI-baseline_year": "2023",
}

MATRIX = [
    Case("kpi:dashboard", lambda w: reverse("kpi:dashboard"), READERS),
    Case(
        "kpi:dashboard",
        lambda w: reverse("kpi:dashboard") + f"?ward={OTA}&fy=1999&size=x",
        READERS,
        note="another ward and bad filters",
    ),
    Case("kpi:indicator", lambda w: reverse("kpi:indicator", args=["M1.KSI"]), READERS),
    Case(
        "kpi:indicator",
        lambda w: reverse("kpi:indicator", args=["M3.P2"]) + "?ward=all",
        READERS,
        note="confidential, every ward",
    ),
    Case(
        "kpi:indicator_csv",
        lambda w: reverse("kpi:indicator_csv", args=["M1.KSI"]) + f"?ward={OTA}",
        # 墨田区's officer is sent back to the page, which says 大田区 is not theirs.
        {**READERS, OTHER_WARD_OFFICER: REDIRECT},
    ),
    Case(
        "kpi:indicator_csv",
        lambda w: reverse("kpi:indicator_csv", args=["M3.OUT"]) + "?ward=all",
        READERS,
        note="every ward",
    ),
    Case(
        "kpi:compare",
        lambda w: reverse("kpi:compare") + f"?ward={OTA}&ward={SUMIDA}&indicator=M1.P1",
        READERS,
    ),
    Case("kpi:targets", lambda w: reverse("kpi:targets"), OFFICERS, note="own ward"),
    Case("kpi:targets", _targets, OTA_OFFICER, note="大田区"),
    Case(
        "kpi:targets",
        _targets,
        posted(OTA_OFFICER, **{OFFICER: DONE}),
        method="POST",
        data=lambda w: TARGET,
        effect=_ota_targets,
        note="set a target",
    ),
    Case(
        "kpi:targets",
        _targets,
        OTA_OFFICER,  # the page again with the messages, nothing written
        method="POST",
        data=lambda w: {**TARGET, "M1-KSI-target": "たくさん"},
        effect=_ota_targets,
        note="bad target",
    ),
    Case(
        "kpi:targets",
        _targets,
        posted(OTA_OFFICER, **{OFFICER: DONE}),
        method="POST",
        data=lambda w: {"form": "publication", "enabled": "on", "introduction": "公開します"},
        effect=_ota_publication,
        note="publish",
    ),
    Case("kpi:public", _published, EVERYONE, note="published"),
    Case("kpi:public", _withdrawn, NOBODY, note="withdrawn"),
    Case("kpi:public", lambda w: reverse("kpi:public", args=[SUMIDA]), NOBODY, note="never"),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)


def test_another_wards_officer_never_gets_ota_figures(world):
    response = world.client_for(OTHER_WARD_OFFICER).get(reverse("kpi:dashboard"), {"ward": OTA})
    assert response.status_code == 200
    assert response.context["filters"].ward == ward(SUMIDA)
    assert response.context["filters"].problems
    response = world.client_for(OTHER_WARD_OFFICER).get(
        reverse("kpi:indicator", args=["M1.KSI"]), {"ward": OTA}
    )
    assert response.context["filters"].ward == ward(SUMIDA)


def test_only_readers_get_figures(world):
    url = reverse("kpi:dashboard")
    for actor in ACTORS:
        response = world.client_for(actor).get(url)
        context = response.context or {}
        if actor in (OFFICER, OTHER_WARD_OFFICER, METRO_VIEWER):
            assert len(list(context["board"].measures)) == 3, actor
        else:
            assert "board" not in context, actor


def test_the_metro_viewer_never_reads_a_company_name(world):
    companies = dx_survey()
    year = this_fiscal_year() - 1
    client = world.client_for(METRO_VIEWER)
    pages = [
        client.get(reverse("kpi:indicator", args=["M1.KSI"]), {"ward": OTA, "fy": year}),
        client.get(reverse("kpi:indicator_csv", args=["M1.KSI"]), {"ward": OTA, "fy": year}),
        client.get(reverse("kpi:compare"), {"ward": [OTA, SUMIDA], "fy": year}),
    ]
    for response in pages:
        assert response.status_code == 200
        text = response.content.decode("utf-8-sig")
        for company in companies:
            assert company.name not in text
    assert "75.0" in pages[0].content.decode()


def test_the_officer_reads_the_companies_and_their_csv(world):
    companies = dx_survey()
    year = this_fiscal_year() - 1
    client = world.client_for(OFFICER)
    page = client.get(reverse("kpi:indicator", args=["M1.KSI"]), {"fy": year})
    text = page.content.decode()
    for company in companies:
        assert company.name in text
        assert reverse("companies:company_ward", args=[company.pk]) in text
    csv = client.get(reverse("kpi:indicator_csv", args=["M1.KSI"]), {"fy": year})
    assert csv["Content-Type"].startswith("text/csv")
    assert csv["Cache-Control"] == "private, no-store"
    assert f"kpi_M1.KSI_{OTA}_{year}_records.csv" in csv["Content-Disposition"]
    content = csv.content.decode("utf-8-sig")
    assert all(company.name in content for company in companies)
    assert "■ 記録の一覧" in content


def test_a_bad_csv_request_goes_back_to_the_page_with_the_message(world):
    client = world.client_for(OFFICER)
    response = client.get(reverse("kpi:indicator_csv", args=["M1.KSI"]), {"fy": "20x5"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("kpi:indicator", args=["M1.KSI"]))


def test_a_bad_target_changes_nothing_and_says_why(world):
    client = world.client_for(OFFICER)
    bad = {**TARGET, "M1-KSI-target_year": "2020", "M1-KSI-baseline_year": "2023"}
    response = client.post(_targets(world), bad)
    assert response.status_code == 200
    text = response.content.decode()
    assert "<p>目標年度は基準年度より後にしてください。</p>" in text
    assert "[&#x27;" not in text  # a message, not a list's repr
    assert not Target.objects.exists()
    response = client.post(_targets(world), {**TARGET, "indicator": "M9.XYZ"})
    assert response.status_code == 302
    assert not Target.objects.exists()


def test_a_target_set_then_cleared(world):
    client = world.client_for(OFFICER)
    response = client.post(_targets(world), TARGET)
    assert response.status_code == 302
    assert response["Location"].endswith("#target-M1-KSI")
    target = Target.objects.get()
    assert (target.target, target.target_year) == (65, 2030)
    page = client.get(reverse("kpi:indicator", args=["M1.KSI"]))
    assert "区が設定した目標" in page.content.decode()
    empty = dict.fromkeys(TARGET, "") | {"indicator": "M1.KSI"}
    client.post(_targets(world), empty)
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("actor", "url", "most"),
    [
        (OFFICER, reverse_lazy("kpi:dashboard"), 70),
        (OFFICER, reverse_lazy("kpi:indicator", args=["M1.KSI"]), 40),
        (METRO_VIEWER, reverse_lazy("kpi:compare"), 150),
        (OFFICER, reverse_lazy("kpi:targets"), 20),
    ],
)
def test_pages_keep_their_query_counts(world, django_assert_max_num_queries, actor, url, most):
    """Every indicator is computed from its records (a few queries each); the pages add
    no query per row on top."""
    dx_survey()
    client = world.client_for(actor)
    with django_assert_max_num_queries(most):
        assert client.get(str(url)).status_code == 200
