"""Reads of requests: the board and the poster's list, their processes and hands,
admissions, and the joint-order figure. Every query starts from ``for_user``; amounts and
identities that only some parties may see are masked here, so templates never decide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from machikoba.board.access import details_scope, hand_terms_visible
from machikoba.board.choices import AdmissionStatus, RequestStatus, TeamStatus
from machikoba.board.models import Admission, Hand, Request, RequestProcess, Team
from machikoba.companies.models import Capability, ProcessCategory
from machikoba.core.access import VIEW

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.models import Company


def capable_process_ids(company: Company) -> set[int]:
    """Processes a company can take: its capabilities, their sub-processes (a shop with
    切削 takes 旋削) and their parents (a shop with NC旋盤 takes a request for 旋削)."""
    codes = set(Capability.objects.filter(company=company).values_list("process__code", flat=True))
    if not codes:
        return set()
    matched = set()
    for pk, code in ProcessCategory.objects.values_list("pk", "code"):
        if any(
            code == mine or code.startswith(f"{mine}.") or mine.startswith(f"{code}.")
            for mine in codes
        ):
            matched.add(pk)
    return matched


def active_processes() -> QuerySet[ProcessCategory]:
    """The processes a request or the board's filter offers."""
    return ProcessCategory.objects.filter(is_active=True).order_by("code")


def process_by_code(code: str) -> ProcessCategory | None:
    return ProcessCategory.objects.filter(code=code).first() if code else None


@dataclass
class BoardFilter:
    capable_only: bool = True
    process: ProcessCategory | None = None
    material_id: int | None = None


def board_requests(*, user: User, company: Company, query: BoardFilter) -> QuerySet[Request]:
    """Open requests on the board (and those sent to ``company``), newest answer date
    first, for a shop; the company's own are listed apart."""
    requests = (
        Request.objects.for_user(user, VIEW)
        .filter(status=RequestStatus.OPEN, answer_by__gte=timezone.localdate())
        .exclude(company=company)
        .select_related("material")
        .prefetch_related(
            Prefetch(
                "processes",
                queryset=RequestProcess.objects.select_related("process").order_by("position"),
            )
        )
        .annotate(hand_count=Count("processes__hands", distinct=True))
        .order_by("answer_by", "-id")
    )
    if query.capable_only:
        requests = requests.filter(processes__process__in=capable_process_ids(company))
    if query.process is not None:
        requests = requests.filter(
            Q(processes__process__code=query.process.code)
            | Q(processes__process__code__startswith=f"{query.process.code}.")
        )
    if query.material_id:
        requests = requests.filter(material_id=query.material_id)
    return requests.distinct()


def own_requests(*, user: User, company: Company) -> QuerySet[Request]:
    return (
        Request.objects.for_user(user, VIEW)
        .filter(company=company)
        .annotate(
            hand_count=Count("processes__hands", distinct=True),
            waiting=Count(
                "admissions",
                filter=Q(admissions__status=AdmissionStatus.REQUESTED),
                distinct=True,
            ),
            quotes=Count("teams", filter=Q(teams__status=TeamStatus.QUOTED), distinct=True),
        )
        .order_by("-created_at")
    )


def sees_details(user: User, request: Request) -> bool:
    seen: bool = Request.objects.filter(details_scope(user), pk=request.pk).exists()
    return seen


@dataclass
class HandRow:
    hand: Hand
    show_terms: bool


@dataclass
class ProcessRow:
    process: RequestProcess
    hands: list[HandRow] = field(default_factory=list)
    my_hand: Hand | None = None


def process_rows(*, user: User, request: Request, company: Company | None) -> list[ProcessRow]:
    """The request's processes with the hands the user may see; prices and lead times
    only where ``hand_terms_visible``."""
    visible = (
        Hand.objects.for_user(user, VIEW)
        .filter(process__request=request)
        .select_related("company", "process__request")
    )
    by_process: dict[int, list[Hand]] = {}
    for hand in visible:
        by_process.setdefault(hand.process_id, []).append(hand)
    rows = []
    for process in request.processes.select_related("process", "step").order_by("position"):
        hands = by_process.get(process.pk, [])
        rows.append(
            ProcessRow(
                process=process,
                hands=[HandRow(h, hand_terms_visible(user, h)) for h in hands],
                my_hand=next((h for h in hands if company and h.company_id == company.pk), None),
            )
        )
    return rows


def request_processes(request: Request) -> QuerySet[RequestProcess]:
    """The request's processes in route order."""
    return request.processes.order_by("position")


def own_hand(*, user: User, process: RequestProcess, company: Company) -> Hand | None:
    """The hand ``company`` raised on ``process``, if any."""
    hand: Hand | None = (
        Hand.objects.for_user(user, VIEW).filter(process=process, company=company).first()
    )
    return hand


def hands_chosen(*, user: User, process: RequestProcess, pks: Iterable[str]) -> list[Hand]:
    """The hands on ``process`` among ``pks`` (ids from a form) that the user sees."""
    return list(Hand.objects.for_user(user, VIEW).filter(process=process, pk__in=list(pks)))


def admission_of(*, request: Request, company: Company | None) -> Admission | None:
    if company is None:
        return None
    admission: Admission | None = Admission.objects.filter(request=request, company=company).first()
    return admission


def waiting_admissions(*, user: User, request: Request) -> QuerySet[Admission]:
    return (
        Admission.objects.for_user(user, VIEW)
        .filter(request=request)
        .select_related("company", "nda_accepted_by")
        .order_by("status", "created_at")
    )


def quoted_teams(*, user: User, request: Request) -> QuerySet[Team]:
    """The teams whose quotes the buyer may choose from."""
    return (
        Team.objects.for_user(user, VIEW)
        .filter(request=request, status=TeamStatus.QUOTED)
        .select_related("lead")
    )


def joint_orders(*, start: dt.datetime, end: dt.datetime) -> QuerySet[Team]:
    """KGI 企業間連携による共同受注: teams awarded in [start, end) in which at least two
    companies worked (the lead and one member or more) when it was awarded, and whose buyer
    has not withdrawn the work since. Counted by the KPI dashboard."""
    return Team.objects.filter(
        awarded_at__gte=start,
        awarded_at__lt=end,
        status=TeamStatus.AWARDED,
        companies_at_award__gte=2,
    )
