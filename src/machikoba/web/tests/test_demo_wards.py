"""The demo holds three wards (issue 17): shops in each of 大田区, 墨田区 and 葛飾区, an officer
for each of two of them, a metro viewer across the 23 special wards, a buyer outside every
ward, and network work that crosses the ward border."""

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command

from machikoba.accounts.models import User
from machikoba.board.models import Request
from machikoba.companies.models import Company
from machikoba.core.access import municipality_ids_for
from machikoba.core.testing.demo_ward import demo_ward
from machikoba.network.models import RfqRecipient, Step
from machikoba.wards.models import Municipality, MunicipalityGroup

pytestmark = pytest.mark.clock_sensitive

OTA, SUMIDA, KATSUSHIKA = "131113", "131075", "131229"


@pytest.mark.django_db
def test_the_demo_has_three_wards_their_people_and_cross_ward_work(settings, tmp_path):
    demo_ward(settings, tmp_path)  # seed_demo's result (built once per test process)
    wards = {m.code: m for m in Municipality.objects.filter(code__in=[OTA, SUMIDA, KATSUSHIKA])}

    # Shops in each ward, placed there by their postal codes.
    for code in (OTA, SUMIDA, KATSUSHIKA):
        shops = Company.objects.filter(kind="shop", ward=wards[code])
        assert shops.count() >= 10, wards[code].name
        assert set(shops.values_list("municipality", flat=True)) == {wards[code].name}
    assert not Company.objects.filter(kind="shop", ward__isnull=True).exists()

    # One officer for each of two wards; the metro viewer serves all 23 special wards.
    officer = User.objects.get(email="officer@example.com")
    officer2 = User.objects.get(email="officer2@example.com")
    metro = User.objects.get(email="metro@example.com")
    assert municipality_ids_for(officer, "officer") == [wards[OTA].pk]
    assert municipality_ids_for(officer2, "officer") == [wards[SUMIDA].pk]
    for person in (officer, officer2):
        assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()
    special_wards = MunicipalityGroup.objects.get(name="特別区").municipalities.all()
    assert special_wards.count() == 23
    assert metro.ward_roles.get().role == "metro_viewer"
    assert municipality_ids_for(metro, "metro_viewer") == sorted(
        special_wards.values_list("pk", flat=True)
    )
    assert municipality_ids_for(metro, "officer") == []
    for email in ("advisor@example.com", "reviewer@example.com", "lab@example.com"):
        grant = User.objects.get(email=email).ward_roles.get()
        assert grant.municipality == wards[OTA], email

    # The board's buyer is outside every registered municipality.
    buyer = Request.objects.get(drawing_number="KH-5520").company
    assert buyer.kind == "buyer"
    assert buyer.ward is None

    # Some job has a step performed by, or asked of, a shop of another ward.
    performed = Step.objects.filter(performer__isnull=False).select_related(
        "performer", "job__company"
    )
    crossing = [s.job for s in performed if s.performer.ward_id != s.job.company.ward_id]
    asked = RfqRecipient.objects.select_related("company", "rfq__job__company")
    crossing += [r.rfq.job for r in asked if r.company.ward_id != r.rfq.job.company.ward_id]
    assert crossing
    assert {job.drawing_number for job in crossing} >= {"TK-2026-014"}

    # Running it again changes nothing.
    counts = (Company.objects.count(), User.objects.count(), RfqRecipient.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Company.objects.count(), User.objects.count(), RfqRecipient.objects.count()) == counts
