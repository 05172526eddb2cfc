import pytest

from machikoba.companies.tests.test_directory import NC, shops  # noqa: F401 - fixture
from machikoba.core.testing.matrix import MEMBER


@pytest.fixture
def member_client(client, world):
    client.force_login(world.users[MEMBER])
    return client


def test_api_search_uses_the_same_filters_as_the_page(member_client, shops):  # noqa: F811
    response = member_client.get(
        "/api/companies/",
        {
            "process": NC,
            "material": "SUS304",
            "envelope": 300,
            "certification": "iso9001",
            "sort": "name",
        },
    )
    assert response.status_code == 200
    body = response.json()
    names = [r["name"] for r in body["results"]]
    assert names == ["A精機", "F精機", "H精機"]
    assert body["count"] == 3
    assert NC in body["results"][0]["processes"]
    assert body["results"][0]["certifications"] == ["iso9001"]


def test_api_tolerance_holds_on_the_same_capability_row(member_client, shops):  # noqa: F811
    # G精機's ±0.002 mm is on its automatic lathe, not on its NC lathe (±0.05 mm).
    body = member_client.get("/api/companies/", {"process": NC, "tolerance": "0.01"}).json()
    assert [r["name"] for r in body["results"]] == ["A精機"]
    body = member_client.get("/api/companies/", {"process": NC, "tolerance": "0.05"}).json()
    assert sorted(r["name"] for r in body["results"]) == ["A精機", "G精機"]


def test_api_profile_lists_capabilities(member_client, shops):  # noqa: F811
    company = shops["match"]
    body = member_client.get(f"/api/companies/{company.pk}").json()
    assert body["name"] == "A精機"
    assert body["capabilities"][0]["process"] == NC
    assert sorted(body["capabilities"][0]["materials"]) == ["S45C", "SUS304"]
    assert body["capabilities"][0]["envelope_mm"] == 400


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "price"}, "sort"),
        ({"envelope": "abc"}, "envelope"),
        ({"within_km": "-1"}, "within_km"),
        ({"page": "0"}, "page"),
    ],
)
def test_api_bad_parameters_name_the_field(member_client, db, params, field):
    response = member_client.get("/api/companies/", params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["fields"]


def test_openapi_documents_the_directory(client, db):
    schema = client.get("/api/openapi.json").json()
    assert "/api/companies/" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/companies/"]["get"]["parameters"]}
    assert {"q", "process", "material", "envelope", "within_km", "sort"} <= parameters
