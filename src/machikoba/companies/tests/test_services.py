import pytest

from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Company, Membership
from machikoba.companies.services import company_create, membership_add
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import UserFactory
from machikoba.core.testing.matrix import MEMBER, OFFICER, STAFF


def test_company_create_records_the_company_its_owner_and_the_audit_trail(world):
    owner = UserFactory()
    company = company_create(
        actor=world.users[OFFICER],
        name="新規精工株式会社",
        name_kana="シンキセイコウ",
        corporate_number="7000012050002",
        owner=owner,
    )
    assert Membership.objects.get(company=company).role == CompanyRole.OWNER
    verbs = list(AuditEvent.objects.filter(company=company).values_list("verb", flat=True))
    assert sorted(verbs) == ["company.create", "membership.create"]


@pytest.mark.django_db
def test_invalid_corporate_number_stores_nothing():
    owner = UserFactory()
    with pytest.raises(ApplicationError) as info:
        company_create(actor=None, name="誤番号工業", corporate_number="1000012050002", owner=owner)
    assert "チェックデジット" in info.value.fields["corporate_number"][0]
    assert Company.objects.count() == 0
    assert Membership.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_only_the_ward_registers_companies(world):
    for actor in (MEMBER, STAFF):
        with pytest.raises(PermissionRefused):
            company_create(actor=world.users[actor], name="勝手登録工業")
    assert not Company.objects.filter(name="勝手登録工業").exists()


@pytest.mark.django_db
def test_duplicate_corporate_number_is_refused():
    company_create(actor=None, name="一社目", corporate_number="7000012050002")
    with pytest.raises(ApplicationError) as info:
        company_create(actor=None, name="二社目", corporate_number="7000-0120-50002")
    assert "corporate_number" in info.value.fields
    assert Company.objects.count() == 1


@pytest.mark.django_db
def test_empty_name_is_refused():
    with pytest.raises(ApplicationError) as info:
        company_create(actor=None, name="   ")
    assert "name" in info.value.fields


def test_only_owners_add_members(world):
    newcomer = UserFactory()
    for actor in (STAFF, OFFICER):
        with pytest.raises(PermissionRefused):
            membership_add(
                actor=world.users[actor],
                company=world.company,
                user=newcomer,
                role=CompanyRole.STAFF,
            )
    assert not Membership.objects.filter(user=newcomer).exists()
    membership_add(
        actor=world.users[MEMBER], company=world.company, user=newcomer, role=CompanyRole.STAFF
    )
    assert Membership.objects.get(user=newcomer).role == CompanyRole.STAFF


def test_a_person_joins_a_company_once(world):
    with pytest.raises(ApplicationError) as info:
        membership_add(
            actor=world.users[MEMBER],
            company=world.company,
            user=world.users[STAFF],
            role=CompanyRole.OWNER,
        )
    assert info.value.code == "membership_exists"
    assert Membership.objects.get(user=world.users[STAFF]).role == CompanyRole.STAFF


def test_unknown_role_is_refused(world):
    newcomer = UserFactory()
    with pytest.raises(ApplicationError):
        membership_add(
            actor=world.users[MEMBER], company=world.company, user=newcomer, role="president"
        )
    assert not Membership.objects.filter(user=newcomer).exists()
