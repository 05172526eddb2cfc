"""Starting or finishing a step sends the person back to the page they came from
(``next``), but only to a page of this site: never an open redirect."""

import pytest
from django.urls import reverse

from machikoba.core.testing.matrix import MEMBER
from machikoba.network.choices import StepStatus
from machikoba.network.tests.factories import make_job

pytestmark = pytest.mark.clock_sensitive

OFF_SITE = ["https://evil.example/", "//evil.example", "/\\evil.example"]


def _step(world):
    return make_job(world.users[MEMBER], world.company).steps.get(position=1)


def _progress(client, step, action, next_url):
    url = reverse("network:step_progress", kwargs={"pk": step.pk, "action": action})
    return client.post(url, {"next": next_url})


@pytest.mark.parametrize("target", OFF_SITE)
def test_an_off_site_next_goes_back_to_the_job(client, world, target):
    step = _step(world)
    client.force_login(world.users[MEMBER])
    job_url = reverse("network:job_detail", args=[step.job_id])
    started = _progress(client, step, "start", target)
    assert started.status_code == 302
    assert started["Location"] == job_url
    finished = _progress(client, step, "finish", target)
    assert finished["Location"] == job_url
    step.refresh_from_db()
    assert step.status == StepStatus.DONE


def test_a_page_of_this_site_is_kept(client, world):
    step = _step(world)
    client.force_login(world.users[MEMBER])
    response = _progress(client, step, "start", reverse("network:my_work"))
    assert response["Location"] == reverse("network:my_work")
