"""The ネットワーク計画 page and its one action: the proposal becomes one RFQ per shop."""

import datetime as dt
import html
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, STAFF
from machikoba.network.models import Rfq, Step
from machikoba.network.tests.test_network_plan import HEAT, HOME, PLATING, _past_quote, _shop

pytestmark = pytest.mark.clock_sensitive

ROUTE = (("cutting.turning.nc_lathe", True), (HEAT, False), (PLATING, False), (HEAT, False))


@pytest.fixture
def job(world):
    from machikoba.network.tests.factories import make_job

    world.company.latitude, world.company.longitude = HOME
    world.company.save()
    return make_job(world.users[MEMBER], world.company, route=ROUTE)


@pytest.fixture
def shops(world):
    heat = _shop("大森熱処理", km_east=1, lead_time_days=3)
    dear_heat = _shop("羽田熱錬", km_east=1, lead_time_days=3)
    plating = _shop("六郷鍍金", km_east=2, code=PLATING, lead_time_days=4)
    _past_quote(world.company, heat, HEAT, price=60_000)
    _past_quote(world.company, dear_heat, HEAT, price=90_000)
    return {"heat": heat, "dear_heat": dear_heat, "plating": plating}


def _page(client, job, **params):
    response = client.get(reverse("network:job_plan", args=[job.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def _posted_form(page: str) -> dict:
    """The hidden inputs of the send form, as a browser would post them."""
    rows = [html.unescape(v) for v in re.findall(r'name="row" value="([^"]+)"', page)]
    deadline = re.search(r'type="hidden" name="deadline" value="([^"]+)"', page).group(1)
    return {"row": rows, "deadline": deadline, "message": ""}


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_page_shows_the_proposal_with_a_timeline_and_the_action(world, job, shops):
    page = _page(world.client_for(MEMBER), job)
    assert "ネットワーク計画" in page
    row = page[page.index('data-testid="plan-row-2"') :]
    row = row[: row.index("</tr>")]
    assert "大森熱処理" in row
    assert "60,000円" in row
    assert "羽田熱錬" in row  # among the other candidates
    assert 'data-testid="plan-row-delivery"' in page
    assert page.count('class="absolute top-1 bottom-1') == 5  # 3 steps + turning + delivery
    assert "間に合います" in page
    assert "この提案で見積依頼を送る" in page
    assert len(_posted_form(page)["row"]) == 3


def test_floor_workers_read_the_plan_without_the_action(world, job, shops):
    page = _page(world.client_for(FLOOR_WORKER), job)
    assert "大森熱処理" in page
    assert 'name="row"' not in page


def test_the_job_page_links_to_the_plan_for_editors(world, job, shops):
    url = reverse("network:job_plan", args=[job.pk])
    detail = reverse("network:job_detail", args=[job.pk])
    assert url in world.client_for(STAFF).get(detail).content.decode()
    assert url not in world.client_for(FLOOR_WORKER).get(detail).content.decode()


def test_one_action_sends_one_rfq_per_proposed_shop(world, job, shops):
    client = world.client_for(MEMBER)
    data = _posted_form(_page(client, job))
    response = client.post(reverse("network:job_plan_send", args=[job.pk]), data)
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("network:job_detail", args=[job.pk])
    assert _messages(response) == ["この提案で見積依頼を 2 件送りました。"]

    rfqs = {r.recipients.get().company: r for r in Rfq.objects.filter(job=job)}
    assert set(rfqs) == {shops["heat"], shops["plating"]}
    assert [s.position for s in rfqs[shops["heat"]].steps.order_by("position")] == [2, 4]
    assert [s.position for s in rfqs[shops["plating"]].steps.all()] == [3]
    steps = {s.position: s for s in Step.objects.filter(job=job)}
    assert [steps[p].status for p in (1, 2, 3, 4)] == [
        "planned",
        "requested",
        "requested",
        "requested",
    ]
    # The proposed dates became the planned dates and are written in the request.
    assert steps[2].planned_start is not None
    assert steps[2].planned_end >= steps[2].planned_start
    assert steps[3].planned_start >= steps[2].planned_end
    message = rfqs[shops["heat"]].message
    assert message.startswith("ネットワーク計画による見積依頼です。")
    assert f"2. 焼入れ・焼戻し: {steps[2].planned_start:%Y/%m/%d} 着手" in message
    deadline = timezone.localtime(rfqs[shops["heat"]].deadline)
    assert f"{deadline:%Y-%m-%dT%H:%M}" == data["deadline"]


def test_a_past_deadline_is_refused_and_creates_nothing(world, job, shops):
    client = world.client_for(MEMBER)
    data = _posted_form(_page(client, job))
    data["deadline"] = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("network:job_plan_send", args=[job.pk]), data)
    assert response.headers["Location"] == reverse("network:job_plan", args=[job.pk])
    assert _messages(response) == ["回答期限には未来の日時を指定してください。"]
    assert not Rfq.objects.filter(job=job).exists()
    assert set(Step.objects.filter(job=job).values_list("status", flat=True)) == {"planned"}
    assert not Step.objects.filter(job=job, planned_start__isnull=False).exists()

    # Recomputing the page for a past deadline says so and plans with the default.
    page = _page(client, job, deadline=data["deadline"])
    assert "回答期限には未来の日時を指定してください。" in page
    assert "大森熱処理" in page


def test_a_deadline_years_away_is_refused_and_creates_nothing(world, job, shops):
    client = world.client_for(MEMBER)
    data = _posted_form(_page(client, job))
    data["deadline"] = "9999-12-31T23:59"
    response = client.post(reverse("network:job_plan_send", args=[job.pk]), data)
    assert _messages(response) == ["回答期限は 90 日以内にしてください。"]
    assert not Rfq.objects.filter(job=job).exists()
    # Recomputing the page for it says so at once (it does not walk the calendar there).
    page = _page(client, job, deadline=data["deadline"])
    assert "回答期限は 90 日以内にしてください。" in page
    assert "大森熱処理" in page


def test_a_second_submit_is_refused_and_changes_nothing(world, job, shops):
    client = world.client_for(MEMBER)
    data = _posted_form(_page(client, job))
    url = reverse("network:job_plan_send", args=[job.pk])
    client.post(url, data)
    assert Rfq.objects.filter(job=job).count() == 2
    response = client.post(url, data)
    assert response.headers["Location"] == reverse("network:job_plan", args=[job.pk])
    assert _messages(response)[-1] == (
        "2. 焼入れ・焼戻し はすでに見積依頼・発注されています。"
        "計画を作り直してください (何も送っていません)。"
    )
    assert Rfq.objects.filter(job=job).count() == 2
    # With every partner step asked, the page says there is nothing left to plan.
    assert "見積依頼前の外注工程がありません" in _page(client, job)


def test_one_step_asked_meanwhile_refuses_the_whole_proposal(world, job, shops):
    from machikoba.network import services
    from machikoba.network.tests.factories import deadline

    client = world.client_for(MEMBER)
    data = _posted_form(_page(client, job))
    services.rfq_send(
        actor=world.users[MEMBER],
        job=job,
        steps=[job.steps.get(position=3)],
        recipients=[shops["plating"]],
        deadline=deadline(),
    )
    response = client.post(reverse("network:job_plan_send", args=[job.pk]), data)
    assert "3. 硬質クロムめっき はすでに見積依頼・発注されています" in _messages(response)[0]
    assert Rfq.objects.filter(job=job).count() == 1  # only the one sent by hand
    assert Step.objects.get(job=job, position=2).status == "planned"


def test_a_tampered_row_is_refused(world, job, shops):
    client = world.client_for(MEMBER)
    data = _posted_form(_page(client, job))
    data["row"] = ["99999:1:2030-01-01:2030-01-02"]
    response = client.post(reverse("network:job_plan_send", args=[job.pk]), data)
    assert _messages(response) == ["計画の内容を読み取れませんでした。計画を作り直してください。"]
    assert not Rfq.objects.filter(job=job).exists()


def test_a_job_that_cannot_be_planned_shows_why(world, job):
    page = _page(world.client_for(MEMBER), job)
    assert "2. 焼入れ・焼戻し に対応できる企業が見つかりません" in page
    assert 'name="row"' not in page
