"""The thread between a job's owner and one partner: opened by the network (which knows
the job's parties), kept by messaging."""

import pytest

from machikoba.companies.choices import CompanyRole
from machikoba.core.errors import PermissionRefused
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.matrix import ADMIN, FLOOR_WORKER, MEMBER, OFFICER, OTHER_COMPANY
from machikoba.messaging.models import Thread, ThreadParticipant
from machikoba.network.models import Step
from machikoba.network.services import job_thread_for
from machikoba.network.tests.factories import make_job


def _third():
    company = CompanyFactory(name="第三熱処理株式会社")
    return company, MembershipFactory(company=company, role=CompanyRole.OWNER).user


def _job_with_partners(world):
    job = make_job(world.users[MEMBER], world.company)
    third, third_owner = _third()
    Step.objects.filter(job=job, position=2).update(performer=world.other_company)
    Step.objects.filter(job=job, position=4).update(performer=third)
    return job, third, third_owner


def test_the_owner_and_a_partner_reach_the_same_thread_for_a_job(world):
    job, third, _third_owner = _job_with_partners(world)
    by_owner = job_thread_for(actor=world.users[FLOOR_WORKER], job=job, partner=world.other_company)
    by_partner = job_thread_for(actor=world.users[OTHER_COMPANY], job=job, partner=world.company)
    assert by_owner.pk == by_partner.pk
    assert by_owner.subject_key == f"job:{job.pk}:partner:{world.other_company.pk}"
    assert by_owner.job == job
    assert by_owner.subject_path == f"/jobs/{job.pk}/"
    companies = ThreadParticipant.objects.filter(thread=by_owner).values_list("company", flat=True)
    assert sorted(companies) == sorted([world.company.pk, world.other_company.pk])
    # Each partner has its own thread with the owner: prices told to one stay there.
    with_third = job_thread_for(actor=world.users[MEMBER], job=job, partner=third)
    assert with_third.pk != by_owner.pk


def test_only_the_parties_of_a_job_talk_about_it(world):
    job, third, third_owner = _job_with_partners(world)
    stranger_company, stranger = _third()
    refused = [
        (world.users[MEMBER], stranger_company),  # not performing any step
        (world.users[MEMBER], world.company),  # the owner with itself
        (world.users[OTHER_COMPANY], third),  # partner to partner
        (third_owner, world.other_company),
        (stranger, world.company),  # cannot see the job
        (world.users[OFFICER], world.company),
        (world.users[ADMIN], world.company),
    ]
    for actor, partner in refused:
        with pytest.raises(PermissionRefused):
            job_thread_for(actor=actor, job=job, partner=partner)
    assert Thread.objects.count() == 0
