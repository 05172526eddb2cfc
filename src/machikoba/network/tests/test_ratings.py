"""Ratings both ways after a job closes, the one response, and the reliability figures on
profiles and in the suggestion score."""

import pytest
from django.urls import reverse

from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OTHER_COMPANY
from machikoba.network import services
from machikoba.network.models import Rating
from machikoba.network.selectors import reliability
from machikoba.network.tests.test_services import _ordered_job, _run, _steps, owner_of, shops

__all__ = ["shops"]  # the fixture, used by name


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def closed_job(world, shops):
    job = _ordered_job(world, shops)
    workers = [world.users[FLOOR_WORKER], *[owner_of(s) for s in shops]]
    receivers = [*[owner_of(s) for s in shops], world.users[MEMBER]]
    for step, worker, receiver in zip(_steps(job), workers, receivers, strict=True):
        _run(step, worker, receiver)
    return services.job_close(actor=world.users[MEMBER], job=job)


PERFORMER_SCORES = {"quality": 5, "delivery": 4, "communication": 5}


def test_ratings_go_both_ways_once(world, shops, closed_job):
    heat = shops[0]
    rating = services.rating_submit(
        actor=world.users[MEMBER],
        job=closed_job,
        rater=world.company,
        rated=heat,
        scores=PERFORMER_SCORES,
        comment="丁寧な仕上がり",
    )
    assert rating.rated_as_performer
    back = services.rating_submit(
        actor=owner_of(heat),
        job=closed_job,
        rater=heat,
        rated=world.company,
        scores={"clarity": 4, "payment": 5},
    )
    assert not back.rated_as_performer
    with pytest.raises(ApplicationError) as refused:
        services.rating_submit(
            actor=world.users[MEMBER],
            job=closed_job,
            rater=world.company,
            rated=heat,
            scores=PERFORMER_SCORES,
        )
    assert refused.value.code == "already_rated"
    services.rating_respond(actor=owner_of(heat), rating=rating, response="ありがとうございます")
    with pytest.raises(ApplicationError):
        services.rating_respond(actor=owner_of(heat), rating=rating, response="再度")
    with pytest.raises(PermissionRefused):
        services.rating_respond(actor=owner_of(heat), rating=back, response="x")


@pytest.mark.parametrize(
    ("scores", "field"),
    [({"quality": 0, "delivery": 4, "communication": 5}, "quality"), ({}, "delivery")],
)
def test_bad_scores_are_refused(world, shops, closed_job, scores, field):
    with pytest.raises(ApplicationError) as refused:
        services.rating_submit(
            actor=world.users[MEMBER],
            job=closed_job,
            rater=world.company,
            rated=shops[0],
            scores=scores,
        )
    assert field in refused.value.fields
    assert not Rating.objects.exists()


def test_only_parties_of_a_closed_job_rate(world, shops):
    job = _ordered_job(world, shops)
    with pytest.raises(ApplicationError) as refused:
        services.rating_submit(
            actor=world.users[MEMBER],
            job=job,
            rater=world.company,
            rated=shops[0],
            scores=PERFORMER_SCORES,
        )
    assert refused.value.code == "job_not_closed"


def test_a_company_that_did_not_work_on_the_job_cannot_be_rated(world, shops, closed_job):
    from machikoba.core.testing.factories import CompanyFactory

    with pytest.raises(ApplicationError) as refused:
        services.rating_submit(
            actor=world.users[MEMBER],
            job=closed_job,
            rater=world.company,
            rated=CompanyFactory(),
            scores=PERFORMER_SCORES,
        )
    assert refused.value.code == "not_a_party"


def test_the_profile_shows_the_figures_and_the_score_uses_them(world, shops, closed_job):
    heat = shops[0]
    services.rating_submit(
        actor=world.users[MEMBER],
        job=closed_job,
        rater=world.company,
        rated=heat,
        scores={"quality": 4, "delivery": 4, "communication": 4},
    )
    figures = reliability([heat.pk])[heat.pk]
    assert figures["jobs"] == 1
    assert figures["ratings"] == 1
    assert figures["rating"] == pytest.approx(4.0)
    assert figures["defect_rate"] == 0
    page = world.client_for(OTHER_COMPANY).get(reverse("companies:detail", args=[heat.pk]))
    text = page.content.decode()
    assert 'data-testid="reliability"' in text
    assert "4.0 (1 件" in text


def test_the_rating_forms_on_a_closed_job(world, shops, closed_job):
    owner = world.client_for(MEMBER)
    page = owner.get(reverse("network:job_detail", args=[closed_job.pk])).content.decode()
    assert page.count('data-testid="rating-form"') == 3  # one per partner shop
    owner.post(
        reverse("network:rating_submit", args=[closed_job.pk]),
        {"rater": world.company.pk, "rated": shops[0].pk, **PERFORMER_SCORES},
    )
    assert Rating.objects.get().quality == 5
    page = owner.get(reverse("network:job_detail", args=[closed_job.pk])).content.decode()
    assert page.count('data-testid="rating-form"') == 2


def test_tampered_rating_ids_are_not_found(world, shops, closed_job):
    response = world.client_for(MEMBER).post(
        reverse("network:rating_submit", args=[closed_job.pk]),
        {"rater": "abc", "rated": shops[0].pk, **PERFORMER_SCORES},
    )
    assert response.status_code == 404
    assert not Rating.objects.exists()
