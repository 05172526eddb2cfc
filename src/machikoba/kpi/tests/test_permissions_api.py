"""Permission matrix of the KPI API, and what each reader gets. The indicators, one
indicator with its records and the comparison are read by the officers of a ward (their
ward, or every ward together) and the metro viewer (every ward it serves, aggregates
only); anyone else signed in finds nothing (404, as the pages); an anonymous caller is
401. Another ward's officer asking for 大田区 gets a 404, never its figures. Targets and
the public page are the ward's officers'; survey rounds are the officers' of the round's
ward (another ward's: 404; not an officer: 403); a company's survey request is its owner's
and staff's only."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.factories import OTA, SUMIDA, ward
from machikoba.core.testing.matrix import (
    ACTORS,
    ANONYMOUS,
    MEMBER,
    METRO_VIEWER,
    OFFICER,
    OTHER_WARD_OFFICER,
    STAFF,
    Case,
    assert_case,
    expect,
)
from machikoba.kpi.evaluation import this_fiscal_year
from machikoba.kpi.models import Publication, SurveyResponse, SurveyRound, Target
from machikoba.kpi.tests.test_permissions_surveys import _answer, _round
from machikoba.kpi.tests.test_selectors_dashboard import dx_survey

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

JSON = "application/json"

READERS = expect(404, **{ANONYMOUS: 401, OFFICER: 200, OTHER_WARD_OFFICER: 200, METRO_VIEWER: 200})
OTA_READERS = expect(404, **{ANONYMOUS: 401, OFFICER: 200, METRO_VIEWER: 200})
OTA_OFFICER = expect(404, **{ANONYMOUS: 401, OFFICER: 200})
OFFICE = expect(403, **{ANONYMOUS: 401, OFFICER: 200, OTHER_WARD_OFFICER: 404})
COMPANY = expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200})


def _url(name, *args, query=""):
    def build(w):
        values = [arg(w) if callable(arg) else arg for arg in args]
        return reverse(f"api:{name}", args=values) + query

    return build


def _round_id(send=True):
    return lambda w: _round(w, send=send).pk


def _response_id(w):
    return SurveyResponse.objects.get(round=_round(w), company=w.company).pk


def _answer_json(w):
    data = _answer(w)
    return {
        "dx_engagement": "done",
        "dx_stage": 1,
        "dx_needed": True,
        "expected_support": data["expected_support"],
        "sales": 30_000_000,
        "external_costs": 12_000_000,
        "employees": 6,
    }


MATRIX = [
    Case("api:kpi_indicators", _url("kpi_indicators"), READERS),
    Case(
        "api:kpi_indicators",
        _url("kpi_indicators", query=f"?ward={OTA}"),
        OTA_READERS,
        note="大田区",
    ),
    Case("api:kpi_indicators", _url("kpi_indicators", query="?ward=all"), READERS, note="all"),
    Case(
        "api:kpi_indicators",
        _url("kpi_indicators", query="?fy=2099"),
        # A year after this one: this year's figures, and the problem said (as the page).
        READERS,
        note="bad year",
    ),
    Case("api:kpi_indicator", _url("kpi_indicator", "M1.KSI"), READERS),
    Case(
        "api:kpi_indicator",
        _url("kpi_indicator", "M1.KSI", query=f"?ward={OTA}"),
        OTA_READERS,
        note="大田区",
    ),
    Case(
        "api:kpi_indicator",
        _url("kpi_indicator", "M9.NONE"),
        expect(404, **{ANONYMOUS: 401}),
        note="unknown",
    ),
    Case(
        "api:kpi_compare",
        _url("kpi_compare", query=f"?ward={OTA}&ward={SUMIDA}&indicator=M1.P1"),
        # 大田区's officer may not read 墨田区 (and the reverse): left out, and said.
        READERS,
    ),
    Case(
        "api:kpi_compare",
        _url("kpi_compare", query="?indicator=M1.P1"),
        READERS,
        note="own wards",
    ),
    Case(
        "api:kpi_targets",
        _url("kpi_targets"),
        expect(404, **{ANONYMOUS: 401, OFFICER: 200, OTHER_WARD_OFFICER: 200}),
    ),
    Case("api:kpi_targets", _url("kpi_targets", query=f"?ward={OTA}"), OTA_OFFICER, note="大田区"),
    Case(
        "api:kpi_target_set",
        _url("kpi_target_set", "M1.KSI", query=f"?ward={OTA}"),
        OTA_OFFICER,
        method="PUT",
        data=lambda w: {
            "target": "65",
            "target_year": 2030,
            "baseline": "42",
            "baseline_year": 2023,
        },
        content_type=JSON,
        effect=lambda w: Target.objects.filter(municipality=ward(OTA)).count(),
    ),
    Case(
        "api:kpi_publication_set",
        _url("kpi_publication_set", query=f"?ward={OTA}"),
        OTA_OFFICER,
        method="PUT",
        data=lambda w: {"enabled": True, "introduction": "公開します"},
        content_type=JSON,
    ),
    # --- the survey: the office ---
    Case(
        "api:kpi_survey_rounds",
        _url("kpi_survey_rounds"),
        expect(403, **{ANONYMOUS: 401, OFFICER: 200, OTHER_WARD_OFFICER: 200}),
    ),
    Case(
        "api:kpi_survey_round_create",
        _url("kpi_survey_round_create"),
        # 大田区 is not the other ward's officer's: not found.
        expect(403, **{ANONYMOUS: 401, OFFICER: 201, OTHER_WARD_OFFICER: 404}),
        method="POST",
        data=lambda w: {
            "municipality_id": ward(OTA).pk,
            "fiscal_year": this_fiscal_year(),
            "due_on": str(timezone.localdate() + dt.timedelta(days=30)),
        },
        content_type=JSON,
    ),
    Case("api:kpi_survey_round", _url("kpi_survey_round", _round_id()), OFFICE),
    Case(
        "api:kpi_survey_round_update",
        _url("kpi_survey_round_update", _round_id()),
        OFFICE,
        method="PATCH",
        data=lambda w: {"due_on": str(w.survey.due_on), "message": "お願いします"},
        content_type=JSON,
    ),
    Case(
        "api:kpi_survey_round_send",
        _url("kpi_survey_round_send", _round_id(send=False)),
        OFFICE,
        method="POST",
        content_type=JSON,
    ),
    Case(
        "api:kpi_survey_round_remind",
        _url("kpi_survey_round_remind", _round_id()),
        OFFICE,
        method="POST",
        content_type=JSON,
    ),
    Case(
        "api:kpi_survey_round_close",
        _url("kpi_survey_round_close", _round_id()),
        OFFICE,
        method="POST",
        content_type=JSON,
    ),
    # --- the survey: the company ---
    Case(
        "api:kpi_my_surveys",
        _url("kpi_my_surveys"),
        # Everyone signed in has a list (their own, empty for most: tested below).
        expect(200, **{ANONYMOUS: 401}),
    ),
    Case("api:kpi_my_survey", _url("kpi_my_survey", _response_id), COMPANY),
    Case(
        "api:kpi_my_survey_answer",
        _url("kpi_my_survey_answer", _response_id),
        COMPANY,
        method="PUT",
        data=_answer_json,
        content_type=JSON,
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)


# --- what each reader gets -------------------------------------------------------------------


def _indicator(client, code, **params):
    return client.get(reverse("api:kpi_indicator", args=[code]), params)


def test_the_officer_reads_the_companies_behind_a_figure_and_the_metro_viewer_only_counts(world):
    companies = dx_survey()
    year = this_fiscal_year() - 1
    officer = _indicator(world.client_for(OFFICER), "M1.KSI", fy=year).json()
    assert float(officer["indicator"]["value"]) == 75.0
    assert officer["records"]["detailed"] is True
    names = {row["company_name"] for row in officer["records"]["rows"]}
    assert {c.name for c in companies} <= names
    metro = _indicator(world.client_for(METRO_VIEWER), "M1.KSI", fy=year, ward=OTA)
    assert metro.status_code == 200
    body = metro.json()
    assert float(body["indicator"]["value"]) == 75.0
    assert body["records"]["detailed"] is False
    assert body["records"]["rows"] == []
    assert body["records"]["tallies"] == []
    text = metro.content.decode()
    for company in companies:
        assert company.name not in text


def test_another_wards_officer_never_gets_ota_figures(world):
    dx_survey()
    client = world.client_for(OTHER_WARD_OFFICER)
    year = this_fiscal_year() - 1
    assert _indicator(client, "M1.KSI", fy=year, ward=OTA).status_code == 404
    listing = client.get(reverse("api:kpi_indicators"), {"fy": year}).json()
    assert listing["scope"]["ward"] == SUMIDA
    ksi = next(i for i in listing["indicators"] if i["code"] == "M1.KSI")
    assert ksi["value"] is None  # 墨田区 has no survey answers


def test_a_figure_of_two_companies_is_suppressed(world):
    dx_survey(answers=(("二社甲", "done"), ("二社乙", "not_yet")))
    body = _indicator(world.client_for(OFFICER), "M1.KSI", fy=this_fiscal_year() - 1).json()
    assert body["indicator"]["hidden"] is True
    assert body["indicator"]["value"] is None
    assert body["indicator"]["company_count"] is None
    assert body["records"]["hidden"] is True
    assert body["records"]["rows"] == []


def test_unusable_filters_fall_back_and_say_so(world):
    client = world.client_for(OFFICER)
    body = client.get(reverse("api:kpi_indicators"), {"fy": 2099}).json()
    assert body["scope"]["fiscal_year"] == this_fiscal_year()
    assert body["scope"]["problems"]
    compared = client.get(reverse("api:kpi_compare"), {"ward": [OTA, SUMIDA]}).json()
    assert [c["ward"] for c in compared["columns"]] == [OTA, "all"]
    assert compared["problems"]


def test_the_dashboard_lists_every_indicator_of_the_three_measures(world):
    body = world.client_for(METRO_VIEWER).get(reverse("api:kpi_indicators")).json()
    assert body["scope"]["ward"] == "all"
    assert {i["measure"] for i in body["indicators"]} == {1, 2, 3}
    assert len(body["indicators"]) == 18


def test_a_target_set_through_the_api_is_the_pages_target(world):
    client = world.client_for(OFFICER)
    url = reverse("api:kpi_target_set", args=["M1.KSI"])
    bad = client.put(url, json.dumps({"target_year": 1900}), content_type=JSON)
    assert bad.status_code == 422
    assert not Target.objects.exists()
    response = client.put(
        url, json.dumps({"target": "65.5", "target_year": 2030}), content_type=JSON
    )
    assert response.status_code == 200
    row = next(t for t in response.json()["targets"] if t["code"] == "M1.KSI")
    assert float(row["target"]) == 65.5
    assert Target.objects.get(municipality=ward(OTA)).target_year == 2030
    published = client.put(
        reverse("api:kpi_publication_set"),
        json.dumps({"enabled": True}),
        content_type=JSON,
    )
    assert published.json()["publication"]["enabled"] is True
    assert Publication.objects.get(municipality=ward(OTA)).enabled


def test_a_survey_round_from_creation_to_answer(world):
    office = world.client_for(OFFICER)
    created = office.post(
        reverse("api:kpi_survey_round_create"),
        json.dumps(
            {
                "municipality_id": ward(OTA).pk,
                "fiscal_year": this_fiscal_year(),
                "due_on": str(timezone.localdate() + dt.timedelta(days=30)),
            }
        ),
        content_type=JSON,
    )
    assert created.status_code == 201
    survey = created.json()
    assert survey["status"] == "draft"
    again = office.post(
        reverse("api:kpi_survey_round_create"),
        json.dumps(
            {
                "municipality_id": ward(OTA).pk,
                "fiscal_year": this_fiscal_year(),
                "due_on": str(timezone.localdate() + dt.timedelta(days=30)),
            }
        ),
        content_type=JSON,
    )
    assert again.status_code == 409
    assert again.json()["code"] == "kpi_survey_round_exists"
    sent = office.post(reverse("api:kpi_survey_round_send", args=[survey["id"]])).json()
    assert sent["survey"]["status"] == "open"
    assert world.company.pk in {r["company_id"] for r in sent["survey"]["responses"]}
    owner = world.client_for(MEMBER)
    mine = owner.get(reverse("api:kpi_my_surveys")).json()
    assert [m["fiscal_year"] for m in mine] == [this_fiscal_year()]
    url = reverse("api:kpi_my_survey_answer", args=[mine[0]["id"]])
    missing = owner.put(url, json.dumps({**_answer_json(world), "sales": None}), content_type=JSON)
    assert not 200 <= missing.status_code < 300
    assert missing.json()["code"] == "kpi_survey_answer_invalid"
    assert "sales" in missing.json()["fields"]
    assert SurveyResponse.objects.get(pk=mine[0]["id"]).status == "requested"
    answered = owner.put(url, json.dumps(_answer_json(world)), content_type=JSON)
    assert answered.status_code == 200
    assert answered.json()["status"] == "submitted"
    assert answered.json()["value_added"] == 18_000_000
    closed = office.post(reverse("api:kpi_survey_round_close", args=[survey["id"]])).json()
    assert closed["status"] == "closed"
    late = owner.put(url, json.dumps(_answer_json(world)), content_type=JSON)
    assert late.status_code == 409
    assert SurveyRound.objects.get(pk=survey["id"]).status == "closed"


def test_nobody_else_lists_a_companys_survey_requests(world):
    survey = _round(world)
    own = SurveyResponse.objects.get(round=survey, company=world.company).pk
    for actor in ACTORS:
        if actor == ANONYMOUS:
            continue
        body = world.client_for(actor).get(reverse("api:kpi_my_surveys")).json()
        listed = {row["id"] for row in body}
        assert (own in listed) == (actor in (MEMBER, STAFF)), actor
        if actor in (MEMBER, STAFF):
            assert listed == {own}, actor


def test_the_size_filter_offers_the_computations_bands():
    from typing import get_args

    from machikoba.kpi.api.common import SizeBand
    from machikoba.kpi.computations.base import SIZE_BANDS

    assert set(get_args(SizeBand)) == set(SIZE_BANDS)
