"""ネットワーク計画: for a job's partner steps not yet asked for quotes, propose a performer
among the suggested partners and dates that meet the due date at the least cost.

The plan is private to the job's owning company (its members read it, its owners and staff
turn it into RFQs with ``services.plan_rfqs_send``). It reads, it never writes.

How the proposal is made (the page says the same in words):

* **Time axis.** One unit is one working hour; a working day has ``HOURS_PER_DAY`` hours;
  Saturdays, Sundays and 祝日 (``jpholiday``) are not working days. Hour 0 is the start of
  the first working day after today (today's work is taken). Dates on the page are the
  working days the hours fall on.
* **The route.** Steps already finished (加工完了 and later) are skipped; the parts start
  from the performer of the last finished step, or from the owner. Steps in-house, ordered
  or in progress keep their performer. Steps with an open RFQ (見積依頼中) choose among
  the shops asked. Steps still 計画 without a performer (the ones this plan proposes) choose
  among ``suggest_partners`` (the best ``CANDIDATES_PER_STEP`` by the suggestion score).
  After the last step the parts go back to the owner: the due date is for that arrival.
* **Duration of a step.** A quoted lead time (an RFQ in flight) if any; else, for a fixed
  step with a planned end date (for an ordered step without one, its order's delivery
  date), the working days from its planned start (or hour 0) to that end; else the
  performer's declared 標準納期 (``Capability.lead_time_days``, the shortest one among its
  capabilities in the step's process subtree), counted in working days; else
  ``DEFAULT_LEAD_TIME_DAYS`` (said so on the page). A partner's declared lead time is its
  capacity statement (the directory records no other): it includes its queue, so a
  partner is a resource of unlimited capacity. The quantity does not change a duration.
* **Start of a proposed step.** Not before the working day after the RFQ answer deadline
  (the order is placed then), nor before the parts arrive.
* **Transport** between two different companies: ``TRANSPORT_HANDLING_HOURS`` for packing
  and loading plus the road time at ``TRANSPORT_KMH``, rounded up to whole hours; it costs
  ``TRANSPORT_BASE_YEN`` plus ``TRANSPORT_YEN_PER_KM`` per started km. Distances are
  straight lines between the companies' locations; an unknown location counts as
  ``UNKNOWN_DISTANCE_KM``.
* **Price of a step** with a shop (yen, before tax): the shop's quote on the open RFQ when
  that RFQ asks for this step alone; else the median unit price of the shop's past quotes
  to the owner's company for the same process on single-step RFQs, times the quantity;
  else the network's range for the process (``planning.prices``: the interquartile range
  of independent, established shops' unit prices, one value per shop, widened to two
  significant figures, only with at least ``NETWORK_MIN_COMPANIES`` such shops and
  ``NETWORK_MIN_QUOTES`` quotes, never counting the owner's or its related companies'
  quotes or RFQs, so no single shop's price can be read back), compared and added up at
  its midpoint and shown as the range; else unknown. For the
  comparison an unknown price counts as the dearest known price among the step's
  candidates (an unknown shop never wins for being unknown); the page shows it as unknown
  and leaves it out of the total.
* **Choice.** ``machikoba.scheduling.solve`` with the objective ["tardiness", "cost"]:
  first the least lateness against the due date, then the least cost (price + transport;
  ties go to the better suggestion score). The cost of a candidate includes its transport
  in from the previous step when that step's performer is fixed (else from the owner, as
  the suggestions measure it) and its transport out when the next performer is fixed. The
  dates shown are the earliest the chosen chain allows (a forward pass).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.companies.directory import process_subtree_ids
from machikoba.companies.models import Capability
from machikoba.core.access import VIEW
from machikoba.core.dates import format_date
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.network.access import is_member
from machikoba.network.choices import (
    JobStatus,
    OrderStatus,
    RecipientStatus,
    RfqStatus,
    StepStatus,
)
from machikoba.network.error_codes import NetworkErrorCode
from machikoba.network.forms import default_deadline
from machikoba.network.models import Job, Order, Quote, Rfq, Step
from machikoba.network.planning.calendar import HOURS_PER_DAY, WorkingDays
from machikoba.network.planning.prices import PriceBook, PriceEstimate
from machikoba.network.planning.transport import Transport, transport
from machikoba.network.suggestions import suggest_partners
from machikoba.scheduling import (
    Alternative,
    Operation,
    Problem,
    Resource,
    SchedulingError,
    Status,
    TransportTimes,
    solve,
)
from machikoba.scheduling import Job as SolverJob

DEFAULT_LEAD_TIME_DAYS = 5
CANDIDATES_PER_STEP = 5
SOLVER_SECONDS = 3.0
SOLVER_SEED = 7

# When the performer's machine schedule does an in-house step: (first day, last day) or
# None. The schedule is shopfloor's, a layer above the network: shopfloor registers its
# reader here in its AppConfig.ready (``register_machine_plan_dates``).
MachinePlanDates = Callable[..., tuple[dt.date, dt.date] | None]
_machine_plan_dates: MachinePlanDates | None = None


def register_machine_plan_dates(reader: MachinePlanDates) -> None:
    """Let plans read the shops' machine schedules: ``reader(user=, step=)``."""
    global _machine_plan_dates
    _machine_plan_dates = reader


def _no_machine_plan(*, user, step) -> None:
    return None


FINISHED = (StepStatus.DONE, StepStatus.SHIPPED, StepStatus.RECEIVED, StepStatus.CLOSED)
# Cost in the solver is yen × COST_SCALE + the candidate's rank by suggestion score, so
# equal costs go to the better-scored shop (ranks of a route never add up to a yen).
COST_SCALE = 100


# --- the plan -----------------------------------------------------------------------------


@dataclass
class Candidate:
    company: object
    lead_time_days: int
    lead_time_basis: str
    price: PriceEstimate
    score: int | None = None
    reasons: list[str] = field(default_factory=list)
    rank: int = 0
    transport_in: Transport | None = None  # from the previous performer as planned
    chosen: bool = False
    finish: dt.date | None = None  # when the job would arrive with this shop instead

    @property
    def hours(self) -> int:
        return self.lead_time_days * HOURS_PER_DAY


@dataclass
class PlanRow:
    step: Step | None  # None for the delivery back to the owner
    kind: str  # "proposed", "requested", "fixed", "delivery"
    candidates: list[Candidate]
    ready_hour: int = 0
    chosen: Candidate | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    start_hour: int = 0
    end_hour: int = 0
    transport: Transport | None = None  # in, from the previous performer
    transport_from: object = None
    why: list[str] = field(default_factory=list)
    bar: dict | None = None

    @property
    def performer(self):
        return self.chosen.company if self.chosen else None

    @property
    def others(self) -> list[Candidate]:
        return [c for c in self.candidates if not c.chosen]


@dataclass
class NetworkPlan:
    job: Job
    rows: list[PlanRow]
    skipped: list[Step]
    answer_deadline: dt.datetime
    order_day: dt.date
    first_day: dt.date
    arrival: dt.date
    due_met: bool
    days_late: int
    total_known: int  # work_known + transport_total
    work_known: int  # the known prices of the steps still to order
    transport_total: int
    unknown_prices: int
    solver_status: str
    timeline: dict

    @property
    def proposed(self) -> list[PlanRow]:
        return [r for r in self.rows if r.kind == "proposed"]

    @property
    def requests(self) -> list[tuple[object, list[PlanRow]]]:
        """The RFQs one action sends: one per proposed shop, with its steps."""
        groups: dict[int, tuple[object, list[PlanRow]]] = {}
        for row in self.proposed:
            groups.setdefault(row.performer.pk, (row.performer, []))[1].append(row)
        return list(groups.values())


def _declared_lead_times(company_ids, process) -> dict[int, int]:
    """{company id: shortest declared lead time (days) in the process subtree}."""
    found: dict[int, int] = {}
    for company_id, days in (
        Capability.objects.filter(
            company__in=company_ids,
            process__in=process_subtree_ids(process.code),
            lead_time_days__isnull=False,
        )
        .order_by()
        .values_list("company_id", "lead_time_days")
    ):
        found[company_id] = min(days, found.get(company_id, days))
    return found


def _lead_time(company_id, declared: dict[int, int]) -> tuple[int, str]:
    if company_id in declared and declared[company_id] >= 1:
        days = declared[company_id]
        return days, _("標準納期 %(n)d 日 (登録値)") % {"n": days}
    return DEFAULT_LEAD_TIME_DAYS, _("標準納期の登録なし (%(n)d 日と仮定)") % {
        "n": DEFAULT_LEAD_TIME_DAYS
    }


def _fixed_candidate(
    user, step: Step, company, calendar: WorkingDays, machine_plan_dates: MachinePlanDates
) -> Candidate:
    end, start = step.planned_end, step.planned_start
    machine_plan = None
    if end is None and step.in_house:
        # The shop's machine schedule says when its own steps are done.
        machine_plan = machine_plan_dates(user=user, step=step)
        if machine_plan is not None:
            start, end = machine_plan
    if end is None and not step.in_house:
        # Ordered without planned dates: the order's delivery date (受領日) is the end.
        order = (
            Order.objects.for_user(user, VIEW)
            .filter(steps=step)
            .exclude(status=OrderStatus.CANCELLED)
            .order_by("-created_at")
            .first()
        )
        end, start = (order.delivery_date, None) if order else (None, None)
    if end and end >= calendar.first:
        start = max(start or calendar.first, calendar.first)
        before = calendar.days_up_to(start - dt.timedelta(days=1))
        days = max(1, calendar.days_up_to(end) - before)
        label = (
            _("設備の計画 %(start)s〜%(end)s") if machine_plan else _("予定日 %(start)s〜%(end)s")
        )
        basis = label % {"start": f"{start:%m/%d}", "end": f"{end:%m/%d}"}
    else:
        days, basis = _lead_time(company.pk, _declared_lead_times([company.pk], step.process))
    return Candidate(
        company=company,
        lead_time_days=days,
        lead_time_basis=basis,
        price=PriceEstimate(None, _("決定済み")),
    )


def _require_plannable(user, job: Job) -> None:
    if not is_member(user, job.company):
        raise PermissionRefused(
            NetworkErrorCode.NOT_JOB_MEMBER,
            _("ネットワーク計画を見られるのは、発注元企業の人だけです。"),
        )
    if job.status != JobStatus.OPEN:
        raise ApplicationError(
            NetworkErrorCode.JOB_NOT_OPEN,
            _("この案件は完了または中止しているため、計画を立てられません。"),
        )


def _open_rfq_of(step: Step) -> Rfq | None:
    return (
        step.rfqs.filter(status=RfqStatus.OPEN)
        .prefetch_related("steps", "recipients__company")
        .order_by("-created_at")
        .first()
    )


def _requested_candidates(user, step: Step, job: Job) -> tuple[list[Candidate], dt.datetime]:
    """The shops asked on the step's open RFQ (not declined), with their quotes."""
    rfq = _open_rfq_of(step)
    if rfq is None:
        return [], timezone.now()
    recipients = [
        r
        for r in rfq.recipients.all()
        if r.status in (RecipientStatus.INVITED, RecipientStatus.QUOTED)
    ]
    declared = _declared_lead_times([r.company_id for r in recipients], step.process)
    book = PriceBook(user=user, owner=job.company, process=step.process, quantity=job.quantity)
    quotes = {
        q.recipient_id: q
        for q in Quote.objects.for_user(user, VIEW).filter(recipient__in=recipients)
    }
    single = len(rfq.steps.all()) == 1
    candidates = []
    for rank, recipient in enumerate(recipients):
        quote = quotes.get(recipient.pk)
        if quote is not None:
            days, basis = (
                quote.lead_time_days,
                _("見積の納期 %(n)d 日") % {"n": quote.lead_time_days},
            )
        else:
            days, basis = _lead_time(recipient.company_id, declared)
        if quote is not None and single:
            price = PriceEstimate(quote.price, _("提出された見積"))
        else:
            price = book.estimate(recipient.company)
        candidates.append(Candidate(recipient.company, days, basis, price, rank=rank))
    return candidates, rfq.deadline


def _suggested_candidates(user, step: Step, job: Job) -> list[Candidate]:
    suggestions = suggest_partners(user=user, step=step, limit=CANDIDATES_PER_STEP)
    declared = _declared_lead_times([s.company.pk for s in suggestions], step.process)
    book = PriceBook(user=user, owner=job.company, process=step.process, quantity=job.quantity)
    candidates = []
    for rank, suggestion in enumerate(suggestions):
        days, basis = _lead_time(suggestion.company.pk, declared)
        candidates.append(
            Candidate(
                company=suggestion.company,
                lead_time_days=days,
                lead_time_basis=basis,
                price=book.estimate(suggestion.company),
                score=suggestion.score,
                reasons=suggestion.reasons,
                rank=rank,
            )
        )
    return candidates


def _ready_after(calendar: WorkingDays, deadline: dt.datetime) -> int:
    """The first hour of the working day after the answer deadline's date (the order)."""
    day = timezone.localtime(deadline).date() + dt.timedelta(days=1)
    return calendar.hour_of_day_start(day)


def _build_rows(user, job: Job, steps: list[Step], calendar, answer_deadline, machine_plan_dates):
    """The rows of the plan (one per step still to do, then the delivery), the steps
    skipped, and where the parts are now."""
    skipped = []
    index = 0
    while index < len(steps) and steps[index].status in FINISHED:
        skipped.append(steps[index])
        index += 1
    remaining = steps[index:]
    if not any(s.status == StepStatus.PLANNED and not s.in_house for s in remaining):
        raise ApplicationError(
            NetworkErrorCode.PLAN_NOTHING_TO_PLAN,
            _(
                "見積依頼前の外注工程がありません。計画するのは、担当が決まっていない"
                "「計画」の外注工程です。"
            ),
        )
    origin = skipped[-1].performer if skipped and skipped[-1].performer else job.company
    proposal_ready = _ready_after(calendar, answer_deadline)
    rows = []
    for step in remaining:
        if step.in_house or step.performer_id is not None:
            company = step.performer or job.company
            fixed = _fixed_candidate(user, step, company, calendar, machine_plan_dates)
            row = PlanRow(step, "fixed", [fixed])
        elif step.status == StepStatus.REQUESTED:
            candidates, deadline = _requested_candidates(user, step, job)
            row = PlanRow(step, "requested", candidates, _ready_after(calendar, deadline))
        elif step.status == StepStatus.PLANNED:
            row = PlanRow(step, "proposed", _suggested_candidates(user, step, job), proposal_ready)
        else:  # ordered without a performer cannot happen; plan it as it stands
            fixed = _fixed_candidate(user, step, job.company, calendar, machine_plan_dates)
            row = PlanRow(step, "fixed", [fixed])
        if not row.candidates:
            raise ApplicationError(
                NetworkErrorCode.PLAN_NO_PARTNER,
                _(
                    "%(position)d. %(process)s に対応できる企業が見つかりません。"
                    "工程の条件 (寸法・公差) を見直すか、企業を探すから依頼先を探してください。"
                )
                % {"position": step.position, "process": step.process},
            )
        rows.append(row)
    delivery = Candidate(job.company, 0, "", PriceEstimate(0, ""))
    rows.append(PlanRow(None, "delivery", [delivery]))
    return rows, skipped, origin


def _comparison_prices(rows: list[PlanRow]) -> dict[tuple[int, int], int]:
    """{(row, candidate): yen} with unknown prices as the dearest known of the row."""
    prices = {}
    for r, row in enumerate(rows):
        known = [c.price.yen for c in row.candidates if c.price.yen is not None]
        dearest = max(known, default=0)
        for c, candidate in enumerate(row.candidates):
            prices[(r, c)] = dearest if candidate.price.yen is None else candidate.price.yen
    return prices


def _solve(rows: list[PlanRow], origin, job: Job, due_hour: int) -> tuple[list[int], str]:
    """The index of the chosen candidate of each row, and the solver's status."""
    prices = _comparison_prices(rows)
    # Operation 0: the parts where they are now.
    chain = [[origin], *[[c.company for c in row.candidates] for row in rows]]

    def rid(op: int, company) -> str:
        return f"{op}:{company.pk}"

    def fixed(op: int) -> bool:
        return len(chain[op]) == 1

    resources = [Resource(rid(0, origin), capacity=None)]
    operations = [Operation((Alternative(rid(0, origin), 0, 0),), name="origin")]
    for r, row in enumerate(rows):
        op = r + 1
        alternatives = []
        for c, candidate in enumerate(row.candidates):
            yen = prices[(r, c)]
            source = chain[op - 1][0] if fixed(op - 1) else job.company
            yen += transport(source, candidate.company).yen
            if op + 1 < len(chain) and fixed(op + 1):
                yen += transport(candidate.company, chain[op + 1][0]).yen
            windows = None if row.ready_hour == 0 else ((row.ready_hour, 10**8),)
            resources.append(Resource(rid(op, candidate.company), capacity=None, windows=windows))
            alternatives.append(
                Alternative(
                    rid(op, candidate.company),
                    candidate.hours,
                    yen * COST_SCALE + candidate.rank,
                )
            )
        operations.append(Operation(tuple(alternatives), name=str(op)))
    between = {}
    for op in range(1, len(chain)):
        for a in chain[op - 1]:
            for b in chain[op]:
                between[(rid(op - 1, a), rid(op, b))] = transport(a, b).hours
    problem = Problem(
        jobs=(SolverJob("job", tuple(operations), release=0, due=due_hour),),
        resources=tuple(resources),
        transport=TransportTimes(default=0, between=between),
        name=f"network plan job {job.pk}",
    )
    try:
        result = solve(
            problem,
            objective=["tardiness", "cost"],
            time_limit=SOLVER_SECONDS,
            workers=1,
            seed=SOLVER_SEED,
            deterministic=True,
        )
    except SchedulingError:
        result = None
    if result is None or result.status not in (Status.OPTIMAL, Status.FEASIBLE):
        raise ApplicationError(
            NetworkErrorCode.PLAN_UNSOLVED,
            _("計画を立てられませんでした。工程と納期を確認して、もう一度お試しください。"),
        )
    chosen = {}
    for assignment in result.assignments:
        if assignment.operation >= 1:
            chosen[assignment.operation - 1] = int(assignment.resource.split(":")[1])
    picks = []
    for r, row in enumerate(rows):
        pk = chosen[r]
        picks.append(next(i for i, c in enumerate(row.candidates) if c.company.pk == pk))
    return picks, str(result.status)


def _forward(rows: list[PlanRow], picks: list[int], origin) -> list[tuple[int, int, Transport]]:
    """Earliest (start, end, transport in) of each row for the chosen candidates."""
    timings = []
    previous, end = origin, 0
    for row, pick in zip(rows, picks, strict=True):
        candidate = row.candidates[pick]
        moved = transport(previous, candidate.company)
        start = max(row.ready_hour, end + moved.hours)
        end = start + candidate.hours
        timings.append((start, end, moved))
        previous = candidate.company
    return timings


def _explain(rows, picks, origin, calendar, due_hour, arrival_hour) -> None:
    """Why each proposed shop, and when the job would arrive with each other candidate."""
    prices = _comparison_prices(rows)
    for r, row in enumerate(rows):
        if row.kind not in ("proposed", "requested"):
            continue
        chosen = row.candidates[picks[r]]

        def cost(c: int, r=r, row=row) -> int:
            previous = rows[r - 1].candidates[picks[r - 1]].company if r else origin
            following = rows[r + 1].candidates[picks[r + 1]].company
            company = row.candidates[c].company
            return (
                prices[(r, c)]
                + transport(previous, company).yen
                + transport(company, following).yen
            )

        for c, candidate in enumerate(row.candidates):
            swapped = list(picks)
            swapped[r] = c
            candidate.finish = calendar.day_of_end(_forward(rows, swapped, origin)[-1][1])
        chosen_cost = cost(picks[r])
        cheaper = [(cost(c), c) for c in range(len(row.candidates)) if cost(c) < chosen_cost]
        if chosen.price.yen is None and len(row.candidates) > 1:
            row.why.append(
                _("価格は不明です (比較では、候補のうち分かっている最高額として扱いました)。")
            )
        if not cheaper:
            if len(row.candidates) == 1:
                row.why.append(_("対応できる候補はこの 1 社だけです。"))
            else:
                row.why.append(
                    _("候補 %(n)d 社のうち、価格と運搬費の合計が最も安い。")
                    % {"n": len(row.candidates)}
                )
        else:
            _cost, c = min(cheaper)
            other = row.candidates[c]
            swapped = list(picks)
            swapped[r] = c
            other_arrival = _forward(rows, swapped, origin)[-1][1]
            if arrival_hour > due_hour and other_arrival > arrival_hour:
                row.why.append(
                    _("より安い %(name)s では、さらに遅れます (%(date)s 着)。")
                    % {"name": other.company.name, "date": format_date(other.finish)}
                )
            elif max(other_arrival - due_hour, 0) > max(arrival_hour - due_hour, 0):
                row.why.append(
                    _("より安い %(name)s では納期に間に合いません (%(date)s 着)。")
                    % {"name": other.company.name, "date": format_date(other.finish)}
                )
            else:
                row.why.append(_("前後の工程との運搬を含めた総額で最も安い組み合わせです。"))


def _timeline(rows: list[PlanRow], first: dt.date, due: dt.date) -> dict:
    last = max([due, *[r.end for r in rows if r.end]])
    span = (last - first).days + 1

    def pct(day: dt.date) -> float:
        return round((day - first).days / span * 100, 2)

    for row in rows:
        if row.start and row.end:
            row.bar = {
                "left": pct(row.start),
                "width": max(pct(row.end) - pct(row.start) + 100 / span, 1),
            }
    return {"start": first, "end": last, "due": pct(due) + round(100 / span, 2)}


def network_plan(
    *,
    user,
    job: Job,
    answer_deadline: dt.datetime | None = None,
    machine_plan_dates: MachinePlanDates | None = None,
) -> NetworkPlan:
    """The proposal for ``job`` (see the module's docstring for every rule).

    ``answer_deadline`` is the deadline the RFQs would carry (default: the RFQ form's);
    proposed steps start after it. ``machine_plan_dates`` reads when a shop's machine
    schedule does an in-house step (default: the reader shopfloor registered). Raises
    ``ApplicationError`` with a message for a job that cannot be planned."""
    machine_plan_dates = machine_plan_dates or _machine_plan_dates or _no_machine_plan
    _require_plannable(user, job)
    answer_deadline = answer_deadline or default_deadline()
    calendar = WorkingDays(timezone.localdate())
    steps = list(
        Step.objects.for_user(user, VIEW)
        .filter(job=job)
        .select_related("process", "performer")
        .order_by("position")
    )
    rows, skipped, origin = _build_rows(
        user, job, steps, calendar, answer_deadline, machine_plan_dates
    )
    due_hour = calendar.days_up_to(job.due_date) * HOURS_PER_DAY
    picks, status = _solve(rows, origin, job, due_hour)
    timings = _forward(rows, picks, origin)
    previous = origin
    for row, pick, (start, end, moved) in zip(rows, picks, timings, strict=True):
        row.chosen = row.candidates[pick]
        row.chosen.chosen = True
        row.start_hour, row.end_hour = start, end
        row.transport, row.transport_from = moved, previous
        if row.kind == "delivery":
            row.start = row.end = calendar.day_of_end(max(start, 1))
        else:
            row.start, row.end = calendar.day_of_start(start), calendar.day_of_end(end)
        previous = row.chosen.company
    arrival_hour = timings[-1][1]
    _explain(rows, picks, origin, calendar, due_hour, arrival_hour)
    work = [r for r in rows if r.kind in ("proposed", "requested")]
    prices = [r.chosen.price.yen for r in work]
    work_known = sum(p for p in prices if p is not None)
    transport_total = sum(r.transport.yen for r in rows)
    total = work_known + transport_total
    days_late = calendar.working_days_late(arrival_hour, due_hour)
    return NetworkPlan(
        job=job,
        rows=rows,
        skipped=skipped,
        answer_deadline=answer_deadline,
        order_day=calendar.day_of_start(_ready_after(calendar, answer_deadline)),
        first_day=calendar.first,
        arrival=rows[-1].end,
        due_met=arrival_hour <= due_hour,
        days_late=days_late,
        total_known=total,
        work_known=work_known,
        transport_total=transport_total,
        unknown_prices=sum(1 for p in prices if p is None),
        solver_status=status,
        timeline=_timeline(rows, calendar.first, job.due_date),
    )
