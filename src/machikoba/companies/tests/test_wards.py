"""A company's ward: placed by its postal code (unconfirmed, with history), confirmed or
corrected by an officer of that ward only, the ward's pages and ledger address scoped to
it, and the directory filtered and counted by ward."""

import pytest
from django.urls import reverse

from machikoba.companies.models import Company
from machikoba.companies.models_wards import CompanyWardChange, WardChangeSource
from machikoba.companies.selectors import ward_facet
from machikoba.companies.selectors_claims import contact_email_panel
from machikoba.companies.services import company_create, company_update
from machikoba.companies.services_wards import company_ward_assign
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import SUMIDA, CompanyFactory, ward
from machikoba.core.testing.matrix import (
    ADMIN,
    MEMBER,
    METRO_VIEWER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
)
from machikoba.wards.models import Municipality

KATSUSHIKA = "131229"


def _history(company):
    return list(
        CompanyWardChange.objects.filter(company=company)
        .order_by("pk")
        .values_list("previous__name", "ward__name", "source")
    )


def test_the_postal_code_places_a_company_and_a_move_is_kept(world):
    officer = world.users[OFFICER]
    company = company_create(actor=officer, name="太平製作所", postal_code="130-0012")
    assert company.ward == ward(SUMIDA)
    assert company.ward_confirmed_at is None
    assert _history(company) == [(None, "墨田区", WardChangeSource.ADDRESS)]
    # A company registered with its own position is placed by its postal code all the same.
    placed = company_create(
        actor=officer,
        name="京島製作所",
        postal_code="131-0046",
        latitude=35.7160,
        longitude=139.8240,
    )
    assert (placed.ward, placed.latitude) == (ward(SUMIDA), 35.7160)
    # The owner moves the shop to 葛飾区: a dated change, unconfirmed again.
    company_update(actor=None, company=company, postal_code="124-0012")
    company.refresh_from_db()
    assert company.ward.code == KATSUSHIKA
    assert _history(company)[-1] == ("墨田区", "葛飾区", WardChangeSource.ADDRESS)
    # An edit that leaves the postal code alone leaves the ward alone.
    company_update(actor=None, company=company, employees=8)
    assert len(_history(company)) == 2
    # Outside every registered municipality (川崎市 is not registered): no ward, still a
    # company of the network.
    company_update(actor=None, company=company, postal_code="210-0001")
    company.refresh_from_db()
    assert company.ward is None
    assert company.is_active
    assert _history(company)[-1] == ("葛飾区", None, WardChangeSource.ADDRESS)


def test_an_officer_confirms_or_corrects_only_within_its_wards(world):
    company = world.company  # in 大田区, unconfirmed
    officer, other = world.users[OFFICER], world.users[OTHER_WARD_OFFICER]
    # The officer of another ward may neither confirm it nor release it.
    for target in (None, company.ward):
        with pytest.raises(PermissionRefused) as refused:
            company_ward_assign(actor=other, company=company, ward=target)
        assert refused.value.code == "ward_not_served"
    # Nor may its own officer send it to a ward it does not serve.
    with pytest.raises(PermissionRefused) as elsewhere:
        company_ward_assign(actor=officer, company=company, ward=ward(SUMIDA))
    assert "墨田区" in elsewhere.value.message
    for actor in (world.users[MEMBER], world.users[METRO_VIEWER], world.users[OTHER_COMPANY]):
        with pytest.raises(PermissionRefused):
            company_ward_assign(actor=actor, company=company, ward=company.ward)
    company.refresh_from_db()
    assert (company.ward.code, company.ward_confirmed_at) == ("131113", None)
    assert not CompanyWardChange.objects.filter(company=company).exists()

    confirmed = company_ward_assign(actor=officer, company=company, ward=company.ward, note="訪問")
    assert confirmed.ward_confirmed_at is not None
    with pytest.raises(ApplicationError) as again:
        company_ward_assign(actor=officer, company=confirmed, ward=confirmed.ward)
    assert again.value.code == "ward_unchanged"
    # Out of every ward (it moved to 川崎市), then the admin places it in 葛飾区; the
    # officer of the ward it moves to may take it (an officer of the new or the old ward
    # changes a company's ward, never one of neither).
    company_ward_assign(actor=officer, company=company, ward=None, note="川崎市へ移転")
    company_ward_assign(actor=world.users[ADMIN], company=company, ward=ward(KATSUSHIKA))
    company_ward_assign(actor=other, company=company, ward=ward(SUMIDA), note="墨田区へ移転")
    assert _history(company) == [
        ("大田区", "大田区", WardChangeSource.OFFICER),
        ("大田区", None, WardChangeSource.OFFICER),
        (None, "葛飾区", WardChangeSource.OFFICER),
        ("葛飾区", "墨田区", WardChangeSource.OFFICER),
    ]
    assert AuditEvent.objects.filter(verb="company.ward", company=company).count() == 4


def test_the_ward_pages_show_only_the_officers_ward(world):
    sumida_shop = CompanyFactory(name="錦糸精工", ward=ward(SUMIDA), postal_code="130-0013")
    officer = world.client_for(OFFICER)
    page = officer.get(reverse("companies:ward_companies")).content.decode()
    assert world.company.name in page
    assert world.other_company.name in page
    assert sumida_shop.name not in page
    assert "大田区の企業" in page
    other = world.client_for(OTHER_WARD_OFFICER)
    page = other.get(reverse("companies:ward_companies")).content.decode()
    assert sumida_shop.name in page
    assert world.company.name not in page
    assert other.get(reverse("companies:company_ward", args=[world.company.pk])).status_code == 404
    # The officer's form offers its own wards and "outside", nothing else.
    form = officer.get(reverse("companies:company_ward", args=[world.company.pk])).context["form"]
    assert [label for _value, label in form.fields["ward"].choices][:-1] == ["大田区"]
    # A ward it does not serve, posted by hand: a clear message, nothing stored.
    response = officer.post(
        reverse("companies:company_ward", args=[world.company.pk]),
        {"ward": str(ward(SUMIDA).pk)},
    )
    assert "担当する区から選んでください" in response.content.decode()
    assert Company.objects.get(pk=world.company.pk).ward_confirmed_at is None
    # Confirmed from the page: back to the list, recorded.
    response = officer.post(
        reverse("companies:company_ward", args=[world.company.pk]), {"ward": "outside"}
    )
    assert response.status_code == 302
    assert Company.objects.get(pk=world.company.pk).ward is None


def test_the_ledger_address_is_for_the_companys_ward_only(world):
    company = CompanyFactory(contact_email="info@jisha.example.jp")
    assert contact_email_panel(user=world.users[OFFICER], company=company)["contact_email_editable"]
    for actor in (OTHER_WARD_OFFICER, METRO_VIEWER, OTHER_COMPANY):
        panel = contact_email_panel(user=world.users[actor], company=company)
        assert panel == {
            "contact_email_visible": False,
            "contact_email_editable": False,
            "contact_email": "",
        }, actor
    response = world.client_for(OTHER_WARD_OFFICER).post(
        reverse("companies:contact_email", args=[company.pk]), {"email": "x@example.jp"}
    )
    assert response.status_code == 404
    assert Company.objects.get(pk=company.pk).contact_email == "info@jisha.example.jp"


def test_the_directory_filters_and_counts_by_ward(world):
    CompanyFactory(name="錦糸精工", ward=ward(SUMIDA))
    CompanyFactory(name="京島鍍金", ward=ward(SUMIDA))
    CompanyFactory(name="川崎の工場", ward=None)
    facet = ward_facet(user=world.users[MEMBER])
    assert facet == [
        ("131075", "墨田区", 2),
        ("131113", "大田区", 2),
        ("outside", "登録自治体の外", 1),
    ]
    client = world.client_for(MEMBER)
    page = client.get(reverse("companies:directory"), {"ward": SUMIDA}).content.decode()
    assert "錦糸精工" in page
    assert "京島鍍金" in page
    assert world.other_company.name not in page
    assert "墨田区 (2 社)" in page
    page = client.get(reverse("companies:directory"), {"ward": "outside"}).content.decode()
    assert "川崎の工場" in page
    assert "錦糸精工" not in page
    api = client.get(reverse("api:directory"), {"ward": SUMIDA}).json()
    assert sorted(item["name"] for item in api["results"]) == ["京島鍍金", "錦糸精工"]
    assert Municipality.objects.filter(code=KATSUSHIKA).exists()


def test_distance_search_crosses_ward_borders(world):
    """From a shop in 大田区, a 墨田区 shop 19 km away is found within 25 km, and the ward
    filter narrows the same search to 墨田区."""
    from machikoba.companies.directory import DirectoryQuery, directory_search

    CompanyFactory(name="錦糸精工", ward=ward(SUMIDA), latitude=35.6965, longitude=139.8140)
    origin = (35.5640, 139.7110)  # 西蒲田
    found = directory_search(
        user=world.users[MEMBER], query=DirectoryQuery(origin=origin, within_km=25)
    )
    distances = {c.name: c.distance_km for c in found}
    assert 15 < distances["錦糸精工"] < 20
    near = directory_search(
        user=world.users[MEMBER], query=DirectoryQuery(origin=origin, within_km=10)
    )
    assert "錦糸精工" not in {c.name for c in near}
    sumida_only = directory_search(
        user=world.users[MEMBER], query=DirectoryQuery(origin=origin, within_km=25, ward=SUMIDA)
    )
    assert [c.name for c in sumida_only] == ["錦糸精工"]
