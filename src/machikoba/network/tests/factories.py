"""Jobs for tests: the issue's shaft, 旋削 in-house → 焼入れ → 硬質クロムめっき → 研削."""

import datetime as dt

from django.utils import timezone

from machikoba.companies.models import ProcessCategory
from machikoba.network import services

SHAFT_ROUTE = (
    ("cutting.turning.nc_lathe", True),
    ("heat_treatment.quench_temper", False),
    ("surface.plating.hard_chrome", False),
    ("grinding.cylindrical", False),
)


def process(code: str) -> ProcessCategory:
    return ProcessCategory.objects.get(code=code)


def make_job(owner, company, *, route=SHAFT_ROUTE, quantity=50, documents=()):
    job = services.job_create(
        actor=owner,
        company=company,
        part_name="段付きシャフト",
        drawing_number="TK-2041",
        quantity=quantity,
        due_date=timezone.localdate() + dt.timedelta(days=30),
        documents=documents,
    )
    for code, in_house in route:
        services.step_add(actor=owner, job=job, process=process(code), in_house=in_house)
    return job


def deadline(days=3):
    return timezone.now() + dt.timedelta(days=days)


def order_terms(**overrides):
    today = timezone.localdate()
    terms = {
        "delivery_date": today + dt.timedelta(days=10),
        "delivery_place": "発注者の工場 (まちこば区北町1-2-3)",
        "inspection_date": today + dt.timedelta(days=12),
        "payment_date": today + dt.timedelta(days=40),
        "payment_method": "bank_transfer",
    }
    terms.update(overrides)
    return terms
