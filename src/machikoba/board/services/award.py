"""The buyer's award: the chosen team's lead gets a job with the route and performers
filled in (through network's caller-trusted entry points), the buyer's order to the lead
and an order from the lead to each member; every team company may view the buyer's
drawings; the other teams are told. Each step is a function of its own."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.board.choices import RequestStatus, TeamStatus
from machikoba.board.error_codes import BoardErrorCode
from machikoba.board.models import Request, RequestProcess, Team, TeamMember
from machikoba.board.services._documents import _revoke, _share_documents
from machikoba.board.services._guards import _require_open, _require_poster
from machikoba.core.audit import audit_record
from machikoba.core.dates import format_date
from machikoba.core.errors import ApplicationError, invalid_input
from machikoba.core.notifications import notify_company
from machikoba.network.choices import OrderOrigin
from machikoba.network.internal import RoutedStep, job_create_routed, order_issue
from machikoba.network.selectors import work_content_of
from machikoba.network.services import business_match_record, order_terms_errors

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.network.models import Job, Order, Step

# Process id -> the member assigned to it.
Assignments = dict[int, TeamMember]


def _not_quoted() -> ApplicationError:
    return ApplicationError(
        BoardErrorCode.TEAM_NOT_QUOTED, _("見積を提出したチームを選んでください。")
    )


def _check_quote(request: Request, team: Team, today: dt.date) -> int:
    """The team's quoted price, if the team answered this request and its quote holds."""
    if team.request_id != request.pk or team.status != TeamStatus.QUOTED or team.price is None:
        raise _not_quoted()
    if team.valid_until is None or team.valid_until < today:
        raise ApplicationError(
            BoardErrorCode.QUOTE_EXPIRED,
            _("この見積は有効期限 (%(date)s) を過ぎています。")
            % {"date": format_date(team.valid_until)},
        )
    return team.price


def _check_terms(
    request: Request,
    *,
    delivery_place: str,
    inspection_date: dt.date,
    payment_date: dt.date,
    payment_method: str,
) -> None:
    """The buyer's order terms (下請法 dates, payment method, place)."""
    errors = order_terms_errors(
        delivery_date=request.due_date,
        inspection_date=inspection_date,
        payment_date=payment_date,
        payment_method=payment_method,
        delivery_place=delivery_place,
    )
    if errors:
        raise invalid_input(BoardErrorCode.ORDER_INVALID, **errors)


def _member_terms(member: TeamMember) -> tuple[int, dt.date]:
    """A member's quoted amount and completion date (every working member of a quoted
    team has both)."""
    if member.internal_price is None or member.delivery_date is None:
        raise _not_quoted()
    return member.internal_price, member.delivery_date


def _check_member_dates(team: Team, members: list[TeamMember], today: dt.date) -> None:
    """A member's promised date must still lie ahead (the lead's own is its business)."""
    late = [m for m in members if m.company_id != team.lead_id and _member_terms(m)[1] < today]
    if late:
        raise ApplicationError(
            BoardErrorCode.MEMBER_DATE_PASSED,
            _("%(company)s の完了日が過ぎています。幹事企業に見積の出し直しを依頼してください。")
            % {"company": late[0].company.name},
        )


def _planned_windows(
    processes: list[RequestProcess], assignments: Assignments, today: dt.date
) -> dict[int, tuple[dt.date | None, dt.date | None]]:
    """Each step's planned window (by process id): from when the parts can reach it (the
    award, or the latest date promised before it) to the date its member promised. The
    lead's own steps too: the date the lead promised its team is its plan until it
    re-plans them on its machines (unless that date has passed, which only the lead's own
    may: then the lead plans them)."""
    windows: dict[int, tuple[dt.date | None, dt.date | None]] = {}
    ready = today
    for process in processes:
        member = assignments[process.pk]
        if member.delivery_date is None or member.delivery_date < today:
            windows[process.pk] = (None, None)
            continue
        end = member.delivery_date
        windows[process.pk] = (min(ready, end), end)
        ready = max(ready, end)
    return windows


def _create_job(
    actor: User, request: Request, team: Team, assignments: Assignments
) -> tuple[Job, dict[int, list[Step]]]:
    """The lead's job, routed as the team assigned it; returns the job and each member's
    steps (by member id)."""
    processes = list(request.processes.select_related("process").order_by("position"))
    windows = _planned_windows(processes, assignments, timezone.localdate())
    job, steps = job_create_routed(
        actor=actor,
        company=team.lead,
        part_name=request.part_name,
        drawing_number=request.drawing_number,
        material=request.material,
        material_note=request.material_note,
        quantity=request.quantity,
        due_date=request.due_date,
        notes=request.description,
        documents=request.documents.filter(destroyed_at__isnull=True),
        steps=[
            RoutedStep(
                position=process.position,
                process=process.process,
                spec=process.spec,
                performer=assignments[process.pk].company,
                planned_start=windows[process.pk][0],
                planned_end=windows[process.pk][1],
            )
            for process in processes
        ],
    )
    steps_of: dict[int, list[Step]] = {}
    for process, step in zip(processes, steps, strict=True):
        steps_of.setdefault(assignments[process.pk].pk, []).append(step)
    return job, steps_of


def _issue_buyer_order(
    actor: User,
    request: Request,
    team: Team,
    job: Job,
    *,
    price: int,
    steps: list[Step],
    delivery_place: str,
    inspection_date: dt.date,
    payment_date: dt.date,
    payment_method: str,
) -> Order:
    """The buyer's order to the lead for the whole job."""
    order = order_issue(
        actor=actor,
        job=job,
        buyer=request.company,
        supplier=team.lead,
        steps=[],
        work_content=work_content_of(job, sorted(steps, key=lambda s: s.position)),
        price=price,
        delivery_date=request.due_date,
        delivery_place=delivery_place,
        inspection_date=inspection_date,
        payment_date=payment_date,
        payment_method=payment_method,
        origin=OrderOrigin.BOARD,
    )
    business_match_record(order=order)
    return order


def _issue_member_orders(
    team: Team, job: Job, members: list[TeamMember], steps_of: dict[int, list[Step]]
) -> None:
    """The lead's order to each other member for its steps, paid ``payment_days`` after
    delivery. Issued by the platform on the lead's behalf (no actor)."""
    for member in members:
        if member.company_id == team.lead_id:
            continue
        price, delivery = _member_terms(member)
        member.order = order_issue(
            actor=None,
            job=job,
            buyer=team.lead,
            supplier=member.company,
            steps=steps_of[member.pk],
            work_content=work_content_of(job, steps_of[member.pk]),
            price=price,
            delivery_date=delivery,
            delivery_place=team.lead.address or team.lead.name,
            inspection_date=delivery,
            payment_date=delivery + dt.timedelta(days=team.payment_days),
            origin=OrderOrigin.BOARD,
        )
        member.save(update_fields=["order", "updated_at"])
        business_match_record(order=member.order)


def _share_with_team(actor: User, request: Request, members: list[TeamMember]) -> None:
    for member in members:
        member.grants.set(_share_documents(actor, request, member.company))


def _mark_awarded(
    request: Request, team: Team, job: Job, buyer_order: Order, members: list[TeamMember]
) -> None:
    now = timezone.now()
    team.status, team.awarded_at = TeamStatus.AWARDED, now
    team.job, team.buyer_order = job, buyer_order
    team.companies_at_award = len({m.company_id for m in members})
    team.save(
        update_fields=[
            "status",
            "awarded_at",
            "job",
            "buyer_order",
            "companies_at_award",
            "updated_at",
        ]
    )
    request.status, request.awarded_at = RequestStatus.AWARDED, now
    request.save(update_fields=["status", "awarded_at", "updated_at"])


def _close_other_teams(actor: User, request: Request, team: Team) -> None:
    """The other live teams have lost (their leads are told); admitted shops outside the
    winning team lose the drawings."""
    team_companies = {m.company_id for m in team.members.all()}
    for other in request.teams.exclude(pk=team.pk).exclude(
        status__in=(TeamStatus.WITHDRAWN, TeamStatus.CANCELLED)
    ):
        other.status = TeamStatus.NOT_AWARDED
        other.save(update_fields=["status", "updated_at"])
        notify_company(
            company=other.lead,
            kind="team_not_awarded",
            params={"part": request.part_name},
            path=reverse("board:team_detail", args=[other.pk]),
        )
    for admission in request.admissions.exclude(company__in=team_companies):
        _revoke(actor, admission.grants)


def _notify_award(team: Team, job: Job, buyer_order: Order, members: list[TeamMember]) -> None:
    """Each member hears of its order, the lead of the buyer's."""
    for member in members:
        if member.order is None or member.company_id == team.lead_id:
            continue
        notify_company(
            company=member.company,
            kind="awarded",
            params={"buyer": team.lead.name, "part": job.part_name, "order": member.order.number},
            path=reverse("network:order_detail", args=[member.order.pk]),
        )
    notify_company(
        company=team.lead,
        kind="team_awarded",
        params={"part": job.part_name, "order": buyer_order.number},
        path=reverse("network:order_detail", args=[buyer_order.pk]),
    )


@transaction.atomic
def request_award(
    *,
    actor: User,
    request: Request,
    team: Team,
    delivery_place: str,
    inspection_date: dt.date,
    payment_date: dt.date,
    payment_method: str,
) -> Team:
    """The buyer chooses a team (see the module's docstring for what follows)."""
    _require_poster(actor, request)
    request = Request.objects.select_for_update().get(pk=request.pk)
    _require_open(request)
    team = Team.objects.select_for_update().select_related("lead").get(pk=team.pk)
    today = timezone.localdate()
    price = _check_quote(request, team, today)
    _check_terms(
        request,
        delivery_place=delivery_place,
        inspection_date=inspection_date,
        payment_date=payment_date,
        payment_method=payment_method,
    )
    assignments: Assignments = {
        a.process_id: a.member
        for a in team.assignments.select_related("member__company", "process")
    }
    members = list({m.pk: m for m in assignments.values()}.values())
    _check_member_dates(team, members, today)

    job, steps_of = _create_job(actor, request, team, assignments)
    all_steps = [s for group in steps_of.values() for s in group]
    buyer_order = _issue_buyer_order(
        actor,
        request,
        team,
        job,
        price=price,
        steps=all_steps,
        delivery_place=delivery_place,
        inspection_date=inspection_date,
        payment_date=payment_date,
        payment_method=payment_method,
    )
    _issue_member_orders(team, job, members, steps_of)
    _share_with_team(actor, request, members)
    _mark_awarded(request, team, job, buyer_order, members)
    _close_other_teams(actor, request, team)
    _notify_award(team, job, buyer_order, members)
    audit_record(actor=actor, verb="request.award", target=team, company=request.company)
    return team
