"""Partner suggestions: capable shops ranked by the documented score, each with reasons."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.companies.models import Material
from machikoba.core.testing.factories import CompanyFactory, make_capability
from machikoba.core.testing.matrix import MEMBER
from machikoba.network.models import Step
from machikoba.network.suggestions import suggest_partners
from machikoba.network.tests.factories import make_job, process

pytestmark = pytest.mark.clock_sensitive

# Kamata (the owner) and points east of it: 0.01° of longitude is ~0.91 km at 35.56° N.
HOME = (35.5620, 139.7160)


def _shop(name, *, km_east, process_code="heat_treatment.quench_temper", materials=(), **fields):
    company = CompanyFactory(name=name, latitude=HOME[0], longitude=HOME[1] + km_east / 90.7)
    make_capability(company, process(process_code), materials=materials, **fields)
    return company


def _history(company, *, on_time, late, open_steps=0):
    """Finished (and open) network steps of ``company`` on another company's job."""
    from machikoba.network.models import Job

    past = Job.objects.create(
        company=CompanyFactory(name="過去の発注元"),
        part_name="過去の部品",
        quantity=1,
        due_date=timezone.localdate(),
    )
    planned_end = timezone.localdate() - dt.timedelta(days=5)
    for index in range(on_time + late + open_steps):
        finished = index < on_time + late
        shipped_days_ago = 10 if index < on_time else 1  # 10 days ago: before planned_end
        Step.objects.create(
            job=past,
            position=index + 1,
            process=process("heat_treatment.quench_temper"),
            performer=company,
            status="received" if finished else "in_progress",
            planned_end=planned_end,
            shipped_at=timezone.now() - dt.timedelta(days=shipped_days_ago) if finished else None,
        )


@pytest.fixture
def job(world):
    world.company.latitude, world.company.longitude = HOME
    world.company.save()
    job = make_job(world.users[MEMBER], world.company)
    job.material = Material.objects.get(code="SUS304")
    job.save()
    return job


def test_capable_shops_are_ranked_with_their_reasons(world, job):
    sus = Material.objects.get(code="SUS304")
    _shop("近所熱処理", km_east=0.5, materials=[sus])
    _shop("遠方熱処理", km_east=15)
    reliable = _shop("実績熱処理", km_east=3, materials=[sus])
    _history(reliable, on_time=3, late=1, open_steps=2)
    _shop("めっき屋", km_east=0.2, process_code="surface.plating.hard_chrome")

    step = job.steps.get(position=2)  # 焼入れ・焼戻し after in-house turning
    suggestions = suggest_partners(user=world.users[MEMBER], step=step)
    names = [s.company.name for s in suggestions]
    assert "めっき屋" not in names  # cannot do the step
    assert world.company.name not in names  # never the owner itself
    assert names.index("近所熱処理") < names.index("遠方熱処理")
    by_name = {s.company.name: s for s in suggestions}
    assert by_name["近所熱処理"].reasons == [
        "焼入れ・焼戻し対応",
        "SUS304対応",
        "0.5 km",
        "取引実績なし",
    ]
    assert "納期遵守率 75 %" in by_name["実績熱処理"].reasons
    assert "進行中 2 件" in by_name["実績熱処理"].reasons
    assert "SUS304対応" not in by_name["遠方熱処理"].reasons
    # The documented score: fit 35 + distance 25·(1−0.5/20) + no record 15 + load 10 = 84
    assert by_name["近所熱処理"].score == 84
    # fit 35 + 25·(1−3/20) + 30·0.75 + 10/(1+2/3) = 35 + 21.25 + 22.5 + 6 = 84.75
    assert by_name["実績熱処理"].score == 85


def test_distance_is_from_the_previous_steps_shop(world, job):
    sus = Material.objects.get(code="SUS304")
    heat = _shop("前工程の熱処理", km_east=10, materials=[sus])
    _shop("隣のめっき", km_east=10.2, process_code="surface.plating.hard_chrome")
    _shop("地元めっき", km_east=0.1, process_code="surface.plating.hard_chrome")
    Step.objects.filter(job=job, position=2).update(performer=heat)
    plating = job.steps.get(position=3)
    by_name = {s.company.name: s for s in suggest_partners(user=world.users[MEMBER], step=plating)}
    assert by_name["隣のめっき"].distance_km == pytest.approx(0.2, abs=0.05)
    assert by_name["地元めっき"].distance_km == pytest.approx(9.9, abs=0.2)
    assert by_name["隣のめっき"].score > by_name["地元めっき"].score


def test_the_suggestions_page_leads_to_a_prefilled_rfq(world, job):
    sus = Material.objects.get(code="SUS304")
    shop = _shop("近所熱処理", km_east=0.5, materials=[sus])
    client = world.client_for(MEMBER)
    step = job.steps.get(position=2)
    page = client.get(reverse("network:step_suggestions", args=[step.pk])).content.decode()
    assert "近所熱処理" in page
    assert "0.5 km" in page
    form = client.get(
        reverse("network:rfq_create", args=[job.pk]), {"step": step.pk, "to": shop.pk}
    ).content.decode()
    assert re.search(rf'name="recipients" value="{shop.pk}"[^>]*checked', form)
    assert re.search(rf'name="steps" value="{step.pk}"[^>]*checked', form)


def test_the_part_size_and_the_tolerance_narrow_the_candidates(world, job):
    _shop("大物熱処理", km_east=1, max_length_mm=1500, best_tolerance_mm=Decimal("0.005"))
    _shop("小物熱処理", km_east=1, max_length_mm=300, best_tolerance_mm=Decimal("0.05"))
    step = job.steps.get(position=2)

    def names():
        return {s.company.name for s in suggest_partners(user=world.users[MEMBER], step=step)}

    assert {"大物熱処理", "小物熱処理"} <= names()
    job.size_mm = 800
    job.save()
    assert "小物熱処理" not in names()
    assert "大物熱処理" in names()
    job.size_mm = None
    job.save()
    step.spec_fields = {"tolerance_mm": "0.01"}
    step.save()
    assert "小物熱処理" not in names()
    assert "大物熱処理" in names()
