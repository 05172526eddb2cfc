"""The advisor of an engagement sees the company's advisory records and nothing of its
network: not its jobs, not a job page, not its drawings, and no price anywhere on the
engagement page (not even their own fee)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from machikoba.accounts.models import WardRoleAssignment
from machikoba.advisory.models import Engagement, Visit
from machikoba.advisory.tests.conftest import make_advisor
from machikoba.core.access import VIEW
from machikoba.core.testing.factories_programs import make_visit
from machikoba.core.testing.matrix import ADVISOR, MEMBER
from machikoba.drawings.models import Document
from machikoba.drawings.tests.factories import make_document
from machikoba.network.models import Job
from machikoba.network.tests.factories import make_job


@pytest.fixture
def network(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = make_document(world.company, title="段付きシャフト図")
    job = make_job(world.users[MEMBER], world.company, documents=[document])
    return job, document


def test_the_advisor_sees_the_engagement_but_no_job_or_drawing(world, network):
    job, document = network
    client = world.client_for(ADVISOR)
    assert client.get(reverse("advisory:engagement", args=[world.engagement.pk])).status_code == 200
    assert client.get(reverse("network:jobs")).status_code in (403, 404)
    assert client.get(reverse("network:job_detail", args=[job.pk])).status_code in (403, 404)
    assert client.get(reverse("drawings:detail", args=[document.pk])).status_code in (403, 404)
    assert client.get(reverse("drawings:list")).status_code in (403, 404)
    advisor = world.users[ADVISOR]
    assert not Job.objects.for_user(advisor, VIEW).exists()
    assert not Document.objects.for_user(advisor, VIEW).exists()


def test_no_price_on_the_engagement_page(world, network):
    job, _document = network
    advisor = world.users[ADVISOR]
    make_visit(world.engagement, advisor.advisor_profile, minutes=90)
    page = world.client_for(ADVISOR).get(reverse("advisory:engagement", args=[world.engagement.pk]))
    text = page.content.decode()
    assert "円" not in text
    assert "¥" not in text
    assert str(advisor.advisor_profile.hourly_fee) not in text
    assert "8,000" not in text
    assert job.part_name not in text


def test_an_advisor_sees_only_the_engagements_that_name_them(world):
    stranger = make_advisor("別の 専門家")
    client = world.client_for(ADVISOR)
    client.force_login(stranger.user)
    assert client.get(reverse("advisory:engagement", args=[world.engagement.pk])).status_code == 404
    assert not Engagement.objects.for_user(stranger.user, VIEW).exists()
    assert not Visit.objects.for_user(stranger.user, VIEW).exists()


def test_an_ended_advisor_grant_ends_the_access(world):
    advisor = world.users[ADVISOR]
    assert Engagement.objects.for_user(advisor, VIEW).exists()
    WardRoleAssignment.objects.filter(user=advisor).delete()
    advisor = type(advisor).objects.get(pk=advisor.pk)  # a fresh request: no cached roles
    assert not Engagement.objects.for_user(advisor, VIEW).exists()
    client = world.client_for(ADVISOR)
    assert client.get(reverse("advisory:engagement", args=[world.engagement.pk])).status_code == 404
