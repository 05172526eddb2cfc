"""Registering an IT vendor: its company (kind vendor), its partner row in the lab's ward
and an owner's invitation mailed to its first person, who joins through the ordinary invite
link and then keeps the vendor's exhibits. Bad input and outsiders change nothing."""

from __future__ import annotations

import pytest
from django.core import mail

from machikoba.companies.choices import CompanyKind, CompanyRole
from machikoba.companies.models import Company, Membership
from machikoba.companies.models_people import Invitation
from machikoba.companies.services_people import invitation_accept
from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import (
    SUMIDA,
    CompanyFactory,
    MembershipFactory,
    UserFactory,
    WardRoleFactory,
)
from machikoba.core.testing.factories_lab import (
    make_exhibitor,
    make_item,
    make_lab,
    make_lab_staff,
    make_vendor,
)
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.lab.choices import PartnerKind
from machikoba.lab.error_codes_catalogue import CatalogueErrorCode
from machikoba.lab.models_ecosystem import Partner
from machikoba.lab.services.catalogue import item_update
from machikoba.lab.services.vendors import vendor_invite, vendor_register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_delivered_here(settings):
    settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def lab():
    return make_lab()


@pytest.fixture
def staff():
    return make_lab_staff()


def _refused(code, call):
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code
    return caught.value


def _counts():
    return (Company.objects.count(), Partner.objects.count(), Invitation.objects.count())


def test_staff_register_a_vendor_who_joins_and_keeps_its_exhibit(
    lab, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = vendor_register(
            actor=staff,
            lab=lab,
            name="蒲田ITソリューションズ株式会社",
            email="Sales@Kamata-IT.example",
            contact_name="山田",
        )
    company = registration.company
    assert company.kind == CompanyKind.VENDOR
    partner = registration.partner
    assert (partner.kind, partner.municipality, partner.company) == (
        PartnerKind.VENDOR,
        lab.municipality,
        company,
    )
    assert registration.invitation is not None
    invitation = registration.invitation.invitation
    assert (invitation.role, invitation.email) == (CompanyRole.OWNER, "sales@kamata-it.example")
    assert AuditEvent.objects.filter(verb="lab_vendor.register", actor=staff).exists()
    run_queued_tasks()
    assert [m.to for m in mail.outbox] == [["sales@kamata-it.example"]]
    assert registration.invitation.url in mail.outbox[0].body

    person = UserFactory(email="yamada@kamata-it.example")
    invitation_accept(actor=person, token=registration.invitation.token)
    assert Membership.objects.get(company=company, user=person).role == CompanyRole.OWNER
    item = make_item(lab, exhibitor=company)
    item_update(actor=person, item=item, specs="新しい仕様")
    item.refresh_from_db()
    assert item.specs == "新しい仕様"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": " ", "email": "a@example.test"}, "name"),
        ({"name": "ベンダー", "email": "not-an-address"}, "email"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(lab, staff, fields, field):
    before = _counts()
    error = _refused(
        CatalogueErrorCode.VENDOR_INVALID, lambda: vendor_register(actor=staff, lab=lab, **fields)
    )
    assert field in error.fields
    assert _counts() == before


def test_a_partner_name_taken_in_the_ward_is_refused(lab, staff):
    make_exhibitor(lab, make_vendor(name="既存ベンダー"))
    before = _counts()
    _refused(
        CatalogueErrorCode.VENDOR_EXISTS,
        lambda: vendor_register(actor=staff, lab=lab, name="既存ベンダー", email="x@example.test"),
    )
    assert _counts() == before


def test_a_vendor_of_another_ward_joins_this_ward_without_a_second_company(staff, lab):
    sumida_lab = make_lab(SUMIDA, name="墨田区のラボ")
    vendor = make_exhibitor(sumida_lab, make_vendor(name="墨田ITベンダー"))
    companies = Company.objects.count()
    registration = vendor_register(
        actor=staff,
        lab=lab,
        name="墨田ITベンダー (大田区)",
        email="x@example.test",
        corporate_number=vendor.corporate_number,
    )
    assert registration.company == vendor
    assert registration.invitation is None  # its owner invites its people
    assert Company.objects.count() == companies
    assert Partner.objects.filter(company=vendor).count() == 2


def test_a_shops_corporate_number_is_refused(lab, staff):
    shop = CompanyFactory()
    before = _counts()
    error = _refused(
        CatalogueErrorCode.VENDOR_INVALID,
        lambda: vendor_register(
            actor=staff,
            lab=lab,
            name="なりすまし",
            email="x@example.test",
            corporate_number=shop.corporate_number,
        ),
    )
    assert "corporate_number" in error.fields
    assert _counts() == before


def test_only_the_labs_staff_register_vendors(lab):
    actors = (make_lab_staff(SUMIDA), WardRoleFactory().user, MembershipFactory().user)
    before = _counts()
    for actor in actors:
        _refused(
            CatalogueErrorCode.NOT_LAB_STAFF,
            lambda actor=actor: vendor_register(
                actor=actor, lab=lab, name="ベンダー", email="x@example.test"
            ),
        )
    assert _counts() == before


def test_inviting_again_until_the_vendor_has_an_owner(lab, staff):
    registration = vendor_register(actor=staff, lab=lab, name="新ベンダー", email="a@example.test")
    vendor_invite(actor=staff, lab=lab, vendor=registration.company, email="b@example.test")
    assert Invitation.objects.filter(company=registration.company).count() == 2
    owned = make_exhibitor(lab, make_vendor(name="参加済みベンダー"))
    _refused(
        CatalogueErrorCode.VENDOR_HAS_OWNER,
        lambda: vendor_invite(actor=staff, lab=lab, vendor=owned, email="c@example.test"),
    )
    assert not Invitation.objects.filter(company=owned).exists()


def test_inviting_for_a_vendor_of_another_ward_is_refused(lab, staff):
    sumida = make_exhibitor(make_lab(SUMIDA, name="墨田区のラボ"), make_vendor(name="墨田"))
    sumida.memberships.all().delete()
    _refused(
        CatalogueErrorCode.VENDOR_INVALID,
        lambda: vendor_invite(actor=staff, lab=lab, vendor=sumida, email="c@example.test"),
    )
    assert not Invitation.objects.exists()


def test_too_many_open_invitations_are_refused(lab, staff):
    registration = vendor_register(actor=staff, lab=lab, name="新ベンダー", email="a@example.test")
    vendor_invite(actor=staff, lab=lab, vendor=registration.company, email="b@example.test")
    vendor_invite(actor=staff, lab=lab, vendor=registration.company, email="c@example.test")
    _refused(
        CatalogueErrorCode.VENDOR_INVALID,
        lambda: vendor_invite(
            actor=staff, lab=lab, vendor=registration.company, email="d@example.test"
        ),
    )
    assert Invitation.objects.count() == 3
