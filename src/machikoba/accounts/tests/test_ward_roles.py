"""Granting ward roles: each names the municipality (or group) it serves; only a metro
viewer may name neither; only platform admins grant; every grant is audited."""

import pytest

from machikoba.accounts.choices import WardRole
from machikoba.accounts.models import WardRoleAssignment
from machikoba.accounts.services import ward_role_grant, ward_role_revoke
from machikoba.core.access import municipality_ids_for, ward_roles_of
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import SUMIDA, UserFactory, ward
from machikoba.core.testing.matrix import ADMIN, OFFICER
from machikoba.wards.models import MunicipalityGroup


def test_a_grant_names_the_ward_it_serves(world):
    admin, person = world.users[ADMIN], UserFactory()
    grant = ward_role_grant(
        actor=admin, user=person, role=WardRole.OFFICER, municipality=ward(SUMIDA)
    )
    assert municipality_ids_for(person, WardRole.OFFICER) == [ward(SUMIDA).pk]
    event = AuditEvent.objects.get(verb="ward_role.grant")
    assert (event.after["role"], event.after["municipality"]) == ("officer", SUMIDA)
    # The same role for the same ward twice is refused; for another ward it is a new grant.
    with pytest.raises(ApplicationError):
        ward_role_grant(actor=admin, user=person, role=WardRole.OFFICER, municipality=ward(SUMIDA))
    ward_role_grant(actor=admin, user=person, role=WardRole.OFFICER, municipality=ward())
    assert len(municipality_ids_for(person, WardRole.OFFICER)) == 2
    ward_role_revoke(actor=admin, assignment=grant)
    assert municipality_ids_for(person, WardRole.OFFICER) == [ward().pk]


def test_a_grant_without_a_ward_is_refused_unless_metro(world):
    admin, person = world.users[ADMIN], UserFactory()
    with pytest.raises(ApplicationError) as missing:
        ward_role_grant(actor=admin, user=person, role=WardRole.ADVISOR)
    assert "自治体" in str(missing.value.fields)
    assert not WardRoleAssignment.objects.filter(user=person).exists()
    group = MunicipalityGroup.objects.get(name="特別区")
    ward_role_grant(actor=admin, user=person, role=WardRole.METRO_VIEWER, group=group)
    assert WardRole.METRO_VIEWER in ward_roles_of(person)
    assert len(municipality_ids_for(person, WardRole.METRO_VIEWER)) == 23


def test_only_platform_admins_grant(world):
    with pytest.raises(PermissionRefused):
        ward_role_grant(
            actor=world.users[OFFICER],
            user=UserFactory(),
            role=WardRole.OFFICER,
            municipality=ward(),
        )
