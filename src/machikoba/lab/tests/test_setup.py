"""Opening a lab: the ward's officer or an admin; nobody else; a blank name is refused and
nothing is written."""

import pytest

from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import SUMIDA, ward
from machikoba.core.testing.matrix import ADMIN, LAB_STAFF, MEMBER, OFFICER, OTHER_WARD_OFFICER
from machikoba.lab.models import Lab
from machikoba.lab.services.lab_setup import lab_create


def test_the_wards_officer_or_an_admin_opens_a_lab(world):
    lab = lab_create(actor=world.users[OFFICER], municipality=ward(), name=" 大田区DXラボ ")
    assert lab.name == "大田区DXラボ"
    assert lab.active
    assert not lab.opening_hours.exists()  # closed until its staff set the hours
    assert AuditEvent.objects.filter(verb="lab.create", target_id=str(lab.pk)).exists()
    other = lab_create(actor=world.users[ADMIN], municipality=ward(SUMIDA), name="墨田区ラボ")
    assert other.municipality == ward(SUMIDA)


@pytest.mark.parametrize("actor", [OTHER_WARD_OFFICER, LAB_STAFF, MEMBER])
def test_others_may_not(world, actor):
    with pytest.raises(PermissionRefused) as refused:
        lab_create(actor=world.users[actor], municipality=ward(), name="大田区DXラボ")
    assert refused.value.code == "lab_setup_not_allowed"
    assert not Lab.objects.exists()


def test_a_blank_name_is_refused(world):
    with pytest.raises(ApplicationError) as refused:
        lab_create(actor=world.users[OFFICER], municipality=ward(), name="  ")
    assert refused.value.code == "lab_setup_invalid"
    assert "name" in refused.value.fields
    assert not Lab.objects.exists()


def test_a_platform_admin_opens_a_lab_in_the_admin(world):
    client = world.client_for(ADMIN)
    response = client.post(
        "/admin/lab/lab/add/",
        {"municipality": ward().pk, "name": "大田区DXラボ", "address": "", "phone": ""},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    lab = Lab.objects.get()
    assert lab.name == "大田区DXラボ"
    assert AuditEvent.objects.filter(verb="lab.create", actor=world.users[ADMIN]).exists()
    # The rest is read only: no change form posts.
    assert client.post(f"/admin/lab/lab/{lab.pk}/change/", {"name": "x"}).status_code == 403
