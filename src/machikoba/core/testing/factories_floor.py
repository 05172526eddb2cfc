"""Shop-floor data for tests: a lathe shop's machines, steps it performs (in-house, and for
a partner through a real RFQ, quote, award and accepted order), reasons, daily reports
(日報) and their entries.

``make_report`` and ``make_entry`` write rows directly, for tests of what reads them
(metrics, plans, costs); the tests of the 日報 itself go through ``services_reports``."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Equipment, ProcessCategory
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory, WardRoleFactory
from machikoba.network import services as network
from machikoba.network.choices import PaymentMethod
from machikoba.shopfloor.choices import ReasonKind, ReportStatus
from machikoba.shopfloor.internal_reports import reasons_seed
from machikoba.shopfloor.models_reports import DailyReport, Reason, ReportEntry

NC = "cutting.turning.nc_lathe"
MANUAL = "cutting.turning.manual_lathe"
GRINDING = "grinding.cylindrical"


@dataclass
class Floor:
    """A lathe shop and its customer, lighter than the permission matrix's ``World``: the
    shop's owner, staff and floor worker, the customer's owner, and an officer of their
    ward."""

    shop: Any
    customer: Any
    owner: Any
    staff: Any
    worker: Any
    customer_owner: Any
    officer: Any


def floor() -> Floor:
    from machikoba.accounts.choices import WardRole

    shop = CompanyFactory(name="高橋精機製作所")
    customer = CompanyFactory(name="小林研削工業")

    def member(company: Any, role: str, name: str) -> Any:
        return MembershipFactory(company=company, role=role, user__name=name).user

    return Floor(
        shop=shop,
        customer=customer,
        owner=member(shop, CompanyRole.OWNER, "高橋 一郎"),
        staff=member(shop, CompanyRole.STAFF, "高橋 花子"),
        worker=member(shop, CompanyRole.FLOOR_WORKER, "佐藤 健"),
        customer_owner=member(customer, CompanyRole.OWNER, "小林 誠"),
        officer=WardRoleFactory(role=WardRole.OFFICER).user,
    )


def process(code: str) -> ProcessCategory:
    return ProcessCategory.objects.get(code=code)


def floor_machines(company: Any) -> dict[str, Equipment]:
    """Two NC lathes (one row, count 2) and a manual lathe."""
    return {
        "nc": Equipment.objects.create(
            company=company,
            kind="NC旋盤",
            maker="オークマ",
            model_name="LB3000",
            count=2,
            process=process(NC),
        ),
        "manual": Equipment.objects.create(
            company=company,
            kind="汎用旋盤",
            maker="ワシノ",
            model_name="LEO-80A",
            count=1,
            process=process(MANUAL),
        ),
    }


def in_house_step(owner: Any, company: Any, *, name: str = "段付きシャフト", code: str = NC) -> Any:
    """A job of ``company`` with one in-house step (performed by the company itself)."""
    job = network.job_create(
        actor=owner,
        company=company,
        part_name=name,
        quantity=20,
        due_date=timezone.localdate() + dt.timedelta(days=14),
    )
    return network.step_add(actor=owner, job=job, process=process(code), in_house=True)


def partner_step(
    *,
    customer: Any,
    customer_owner: Any,
    shop: Any,
    shop_owner: Any,
    name: str = "研削前シャフト",
    price: int = 54_000,
) -> tuple[Any, Any]:
    """``customer``'s job whose turning ``shop`` quoted, won and accepted: the step ``shop``
    performs for a partner, and its order (price ``price``)."""
    today = timezone.localdate()
    job = network.job_create(
        actor=customer_owner,
        company=customer,
        part_name=name,
        quantity=30,
        due_date=today + dt.timedelta(days=20),
    )
    turning = network.step_add(actor=customer_owner, job=job, process=process(NC))
    network.step_add(actor=customer_owner, job=job, process=process(GRINDING), in_house=True)
    rfq = network.rfq_send(
        actor=customer_owner,
        job=job,
        steps=[turning],
        recipients=[shop],
        deadline=timezone.now() + dt.timedelta(days=2),
    )
    recipient = rfq.recipients.get()
    network.quote_submit(
        actor=shop_owner,
        recipient=recipient,
        price=price,
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
    network.order_accept(actor=shop_owner, order=order)
    turning.refresh_from_db()
    return turning, order


def seeded_reasons(company: Any) -> dict[str, Reason]:
    """The default reasons (the first use of the 日報), by ``"<kind>:<code>"``."""
    reasons_seed(company=company, actor=None)
    return {f"{r.kind}:{r.code}": r for r in Reason.objects.filter(company=company)}


def make_reason(
    company: Any,
    *,
    kind: str = ReasonKind.STOP,
    code: str = "setup",
    label: str = "段取り替え",
    planned: bool = False,
    active: bool = True,
) -> Reason:
    return Reason.objects.create(
        company=company, kind=kind, code=code, label=label, planned=planned, active=active
    )


def make_report(
    company: Any,
    worker: Any,
    *,
    day: dt.date | None = None,
    status: str = ReportStatus.DRAFT,
    reviewer: Any = None,
) -> DailyReport:
    now = timezone.now()
    report, _created = DailyReport.objects.get_or_create(
        company=company, worker=worker, date=day or timezone.localdate()
    )
    report.status = status
    if status != ReportStatus.DRAFT:
        report.submitted_at = now
    if status in (ReportStatus.APPROVED, ReportStatus.RETURNED):
        report.reviewed_by, report.reviewed_at = reviewer, now
        report.review_note = "数量を確認してください" if status == ReportStatus.RETURNED else ""
    report.save()
    return report


def make_entry(
    report: DailyReport,
    step: Any,
    *,
    minutes: int | None = 60,
    equipment: Equipment | None = None,
    unit: int = 1,
    machine_minutes: int | None = None,
    good: int = 0,
    defect: int = 0,
    defect_reason: Reason | None = None,
    stop_minutes: int = 0,
    stop_reason: Reason | None = None,
    started_at: dt.datetime | None = None,
    ended_at: dt.datetime | None = None,
) -> ReportEntry:
    if defect and defect_reason is None:
        defect_reason = Reason.objects.get_or_create(
            company=report.company,
            kind=ReasonKind.DEFECT,
            code="dimension",
            defaults={"label": "寸法不良"},
        )[0]
    if stop_minutes and stop_reason is None:
        stop_reason = Reason.objects.get_or_create(
            company=report.company,
            kind=ReasonKind.STOP,
            code="setup",
            defaults={"label": "段取り替え"},
        )[0]
    return ReportEntry.objects.create(
        report=report,
        step=step,
        minutes=minutes,
        equipment=equipment,
        unit=unit,
        machine_minutes=machine_minutes,
        good=good,
        defect=defect,
        defect_reason=defect_reason,
        stop_minutes=stop_minutes,
        stop_reason=stop_reason,
        started_at=started_at,
        ended_at=ended_at,
        idempotency_key=uuid.uuid4(),
    )


def approved_entry(company: Any, worker: Any, step: Any, **fields: Any) -> ReportEntry:
    """An entry of an approved report of ``worker`` (today unless ``day``)."""
    day = fields.pop("day", None)
    reviewer = fields.pop("reviewer", None)
    report = make_report(company, worker, day=day, status=ReportStatus.APPROVED, reviewer=reviewer)
    return make_entry(report, step, **fields)
