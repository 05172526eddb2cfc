"""Confidentiality of the consortium and the matchings, actor by actor, through the lists
(selectors) and the pages (404s): a bank reads only the referrals addressed to it; a
company only its own referrals, projects and matchings; another ward's officer nothing of
大田区's; lab staff, vendors and anonymous visitors no referral at all."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from machikoba.companies.choices import CompanyRole
from machikoba.core.access import VIEW
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.factories_lab import make_bank, make_item, make_lab
from machikoba.core.testing.factories_lab_ecosystem import (
    add_participant,
    light_world,
    make_matching,
    make_project,
    make_referral,
)
from machikoba.core.testing.matrix import (
    ADMIN,
    ANONYMOUS,
    BANK,
    FLOOR_WORKER,
    LAB_STAFF,
    MEMBER,
    METRO_VIEWER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    STAFF,
    VENDOR,
)
from machikoba.lab.models_ecosystem import LoanReferral, Matching, Project
from machikoba.lab.selectors.ecosystem import project_list, referral_list
from machikoba.lab.selectors.matchings import matchings_page

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture
def world():
    return light_world()


@pytest.fixture
def other_bank():
    bank = make_bank("他行信用金庫")
    return bank, MembershipFactory(company=bank, role=CompanyRole.STAFF).user


def _client(world, actor, user=None):
    if user is not None:
        client = Client()
        client.force_login(user)
        return client
    return world.client_for(actor)


def test_a_bank_sees_only_the_referrals_addressed_to_it(world, other_bank):
    bank, clerk = other_bank
    ours = make_referral(world.company, world.bank)
    theirs = make_referral(world.other_company, bank)
    assert [r.referral for r in referral_list(world.users[BANK])] == [ours]
    assert [r.referral for r in referral_list(clerk)] == [theirs]
    assert referral_list(world.users[BANK])[0].seen_as == "bank"
    client = _client(world, None, clerk)
    assert client.get(reverse("lab:referral_detail", args=[ours.pk])).status_code == 404
    assert client.get(reverse("lab:referral_detail", args=[theirs.pk])).status_code == 200
    page = client.get(reverse("lab:referral_list")).content.decode()
    assert world.company.name not in page
    assert world.other_company.name in page


def test_who_reads_a_referral(world, other_bank):
    _bank, clerk = other_bank
    referral = make_referral(world.company, world.bank)
    url = reverse("lab:referral_detail", args=[referral.pk])
    readers = {OFFICER, MEMBER, STAFF, BANK}
    for actor, user in world.users.items():
        sees = LoanReferral.objects.for_user(user, VIEW).filter(pk=referral.pk).exists()
        assert sees == (actor in readers), actor
        response = _client(world, actor).get(url)
        if actor == ANONYMOUS:
            assert response.status_code == 302
            assert "/accounts/login/" in response.headers["Location"]
        else:
            assert response.status_code == (200 if actor in readers else 404), actor
        rows = referral_list(user) if user is not None else []
        assert (referral in [r.referral for r in rows]) == (actor in readers), actor
    assert not LoanReferral.objects.for_user(clerk, VIEW).exists()
    assert _client(world, None, clerk).get(url).status_code == 404


def test_a_company_sees_only_its_own_referrals(world):
    ours = make_referral(world.company, world.bank)
    make_referral(world.other_company, world.bank)
    assert [r.referral for r in referral_list(world.users[MEMBER])] == [ours]
    assert referral_list(world.users[MEMBER])[0].seen_as == "company"
    # Floor workers have no business with the company's loans.
    assert referral_list(world.users[FLOOR_WORKER]) == []
    assert [r.referral.company for r in referral_list(world.users[OTHER_COMPANY])] == [
        world.other_company
    ]


def test_party_companies_see_only_their_matchings(world):
    item = make_item(make_lab())
    ours = make_matching(world.company, world.vendor, item=item)
    theirs = make_matching(world.other_company, world.bank, item=item)
    third = CompanyFactory(name="第三工業")
    MembershipFactory(company=third, role=CompanyRole.OWNER)
    expected = {
        MEMBER: {ours},
        STAFF: {ours},
        VENDOR: {ours},
        OTHER_COMPANY: {theirs},
        BANK: {theirs},
        OFFICER: {ours, theirs},
        LAB_STAFF: {ours, theirs},
        OTHER_WARD_OFFICER: set(),
        FLOOR_WORKER: set(),
        METRO_VIEWER: set(),
        ADMIN: set(),
    }
    for actor, matchings in expected.items():
        page = matchings_page(world.users[actor])
        assert set(page.matchings) == matchings, actor
    for actor in (OTHER_WARD_OFFICER, FLOOR_WORKER, OTHER_COMPANY):
        response = _client(world, actor).get(reverse("lab:matching_detail", args=[ours.pk]))
        assert response.status_code == 404, actor
    assert not Matching.objects.for_user(None, VIEW).exists()


def test_party_companies_and_the_office_read_only_their_projects(world):
    ours = make_project(title="自社のPBL")
    add_participant(ours, company=world.company)
    theirs = make_project(title="他社の共同開発")
    add_participant(theirs, company=world.other_company)
    assert {r.project for r in project_list(world.users[MEMBER])} == {ours}
    assert {r.project for r in project_list(world.users[FLOOR_WORKER])} == {ours}
    assert {r.project for r in project_list(world.users[OTHER_COMPANY])} == {theirs}
    assert {r.project for r in project_list(world.users[LAB_STAFF])} == {ours, theirs}
    assert project_list(world.users[OTHER_WARD_OFFICER]) == []
    assert project_list(world.users[VENDOR]) == []
    for actor in (OTHER_WARD_OFFICER, OTHER_COMPANY, VENDOR, BANK):
        response = _client(world, actor).get(reverse("lab:project_detail", args=[ours.pk]))
        assert response.status_code == 404, actor
    assert not Project.objects.for_user(None, VIEW).exists()
