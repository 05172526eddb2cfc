"""The demo shop's week of work for the machine schedule: its own jobs with in-house
turning, and a turning job it took on for a partner (RFQ, quote, order). Used by
``seed_demo`` and by the browser test that plans this very week."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from machikoba.companies.models import Equipment, ProcessCategory
from machikoba.network import services as network
from machikoba.network.choices import PaymentMethod

from .models import StepWork

NC = "cutting.turning.nc_lathe"
MANUAL = "cutting.turning.manual_lathe"

# Which process a kind of machine does, for machines registered without one.
EQUIPMENT_PROCESSES = {
    "NC旋盤": NC,
    "汎用旋盤": MANUAL,
    "マシニングセンタ": "cutting.milling.mc_3axis",
    "5軸マシニングセンタ": "cutting.milling.mc_5axis",
    "ファイバーレーザー加工機": "forming.sheet_metal.laser_cutting",
    "ベンディングマシン": "forming.sheet_metal.bending",
    "TIG溶接機": "welding.tig",
    "半自動溶接機": "welding.mig_mag",
    "真空熱処理炉": "heat_treatment.vacuum",
    "高周波焼入れ装置": "heat_treatment.induction",
    "めっきライン": "surface.plating.hard_chrome",
    "円筒研削盤": "grinding.cylindrical",
    "平面研削盤": "grinding.surface",
    "ワイヤー放電加工機": "special.edm.wire",
    "形彫り放電加工機": "special.edm.sinker",
}

# (part, quantity, due in days, [(process, minutes or None for "estimate")]).
OWN_JOBS: list[tuple[str, int, int, list[tuple[str, int | None]]]] = [
    ("段付きピン", 80, 3, [(NC, 360)]),
    ("ノズル", 60, 4, [(NC, 420), (MANUAL, 120)]),
    ("ブッシュ", 40, 5, [(MANUAL, 240)]),
    ("油圧継手", 120, 6, [(NC, 780)]),
    ("ロッドエンド", 150, 7, [(NC, 600), (MANUAL, 180)]),
    ("スペーサー", 300, 8, [(NC, 540)]),
    ("アダプター", 25, 9, [(NC, None)]),
]


def equipment_process_fill(company) -> None:
    processes = {
        p.code: p for p in ProcessCategory.objects.filter(code__in=EQUIPMENT_PROCESSES.values())
    }
    for equipment in Equipment.objects.filter(company=company, process__isnull=True):
        code = EQUIPMENT_PROCESSES.get(equipment.kind)
        if code:
            equipment.process = processes[code]
            equipment.save(update_fields=["process"])


def seed_week(*, company, owner, customer, customer_owner) -> None:
    """A week of turning at ``company``; ``customer`` orders one job's turning from it."""
    today = timezone.localdate()
    equipment_process_fill(company)
    processes = {p.code: p for p in ProcessCategory.objects.filter(code__in=(NC, MANUAL))}
    for part, quantity, due_in, route in OWN_JOBS:
        job = network.job_create(
            actor=owner,
            company=company,
            part_name=part,
            quantity=quantity,
            due_date=today + dt.timedelta(days=due_in),
            material_note="S45C",
        )
        for code, minutes in route:
            step = network.step_add(actor=owner, job=job, process=processes[code], in_house=True)
            if minutes is not None:
                StepWork.objects.create(company=company, step=step, minutes=minutes)

    job = network.job_create(
        actor=customer_owner,
        company=customer,
        part_name="研削前シャフト",
        quantity=30,
        due_date=today + dt.timedelta(days=20),
        material_note="SCM440",
    )
    turning = network.step_add(actor=customer_owner, job=job, process=processes[NC])
    network.step_add(
        actor=customer_owner,
        job=job,
        process=ProcessCategory.objects.get(code="grinding.cylindrical"),
        in_house=True,
    )
    rfq = network.rfq_send(
        actor=customer_owner,
        job=job,
        steps=[turning],
        recipients=[company],
        deadline=timezone.now() + dt.timedelta(days=2),
        message="研削代 0.2 mm を残して旋削してください。",
    )
    recipient = rfq.recipients.get()
    network.quote_submit(
        actor=owner,
        recipient=recipient,
        price=54_000,
        lead_time_days=5,
        valid_until=today + dt.timedelta(days=30),
    )
    delivery = today + dt.timedelta(days=6)
    order = network.rfq_award(
        actor=customer_owner,
        rfq=rfq,
        winner=recipient,
        delivery_date=delivery,
        delivery_place="当社工場",
        inspection_date=delivery + dt.timedelta(days=2),
        payment_date=delivery + dt.timedelta(days=40),
        payment_method=PaymentMethod.BANK_TRANSFER,
    )
    network.order_accept(actor=owner, order=order)
    StepWork.objects.create(company=company, step=turning, minutes=300)
