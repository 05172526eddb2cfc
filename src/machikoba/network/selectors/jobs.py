"""Reads for jobs: lists, the steps a person sees, "my work", reliability figures and
who rates whom."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from machikoba.core.access import VIEW
from machikoba.network.access import next_step_by
from machikoba.network.choices import (
    OrderStatus,
    RecipientStatus,
    RfqStatus,
    StepStatus,
)
from machikoba.network.models import Job, Order, Rating, Rfq, RfqRecipient, Step
from machikoba.network.selectors.steps import route_of

if TYPE_CHECKING:
    from collections.abc import Iterable

    from machikoba.accounts.models import User
    from machikoba.companies.models import Company

ACTIVE_WORK = (StepStatus.ORDERED, StepStatus.IN_PROGRESS, StepStatus.DONE)


def jobs_of(*, user: User, company: Company) -> QuerySet[Job]:
    """The active company's own jobs with their steps, newest due date first."""
    return (
        Job.objects.for_user(user, VIEW)
        .filter(company=company)
        .prefetch_related(Prefetch("steps", queryset=Step.objects.select_related("process")))
        .order_by("status", "due_date", "-id")
    )


def jobs_performing(*, user: User, company: Company) -> QuerySet[Job]:
    """Other companies' jobs where ``company`` performs a step."""
    return (
        Job.objects.for_user(user, VIEW)
        .exclude(company=company)
        .filter(steps__performer=company)
        .distinct()
        .select_related("company")
        .order_by("due_date")
    )


def visible_steps(*, user: User, job: Job) -> QuerySet[Step]:
    """All steps for the owner; a partner's own steps only."""
    return (
        Step.objects.for_user(user, VIEW)
        .filter(job=job)
        .select_related("process", "performer")
        .order_by("position")
    )


def my_work(*, user: User, company: Company) -> dict[str, list[Any]]:
    """What ``company`` must do next, in one place."""
    today = timezone.localdate()
    steps = Step.objects.for_user(user, VIEW).select_related("job", "process", "job__company")
    to_do = steps.filter(performer=company, job__status="open").filter(
        Q(status__in=ACTIVE_WORK) | Q(in_house=True, status=StepStatus.PLANNED)
    )
    last = ~Exists(Step.objects.filter(job=OuterRef("job"), position=OuterRef("position") + 1))
    shipped_to_me = list(
        steps.filter(status=StepStatus.SHIPPED, job__status="open").filter(
            Q(next_step_by([company.pk])) | (Q(last) & Q(job__company=company))
        )
    )
    return {
        "to_do": list(to_do.order_by("planned_end", "job__due_date")),
        "to_receive": shipped_to_me,
        "rfqs_to_answer": list(
            RfqRecipient.objects.for_user(user, VIEW)
            .filter(company=company, status=RecipientStatus.INVITED, rfq__status=RfqStatus.OPEN)
            .filter(rfq__deadline__gt=timezone.now())
            .select_related("rfq__job__company")
            .order_by("rfq__deadline")
        ),
        "quotes_to_decide": list(
            Rfq.objects.for_user(user, VIEW)
            .filter(job__company=company, status=RfqStatus.OPEN)
            .filter(recipients__status=RecipientStatus.QUOTED)
            .distinct()
            .select_related("job")
        ),
        "orders_to_accept": list(
            Order.objects.for_user(user, VIEW)
            .filter(supplier=company, status=OrderStatus.ISSUED)
            .select_related("buyer", "job")
        ),
        "late": list(to_do.filter(planned_end__lt=today).order_by("planned_end")),
    }


def comparison(*, user: User, rfq: Rfq) -> list[RfqRecipient]:
    """One column per invited shop: its answer and quote (the owner's view)."""
    return list(
        RfqRecipient.objects.for_user(user, VIEW)
        .filter(rfq=rfq)
        .select_related("company", "quote")
        .order_by("id")
    )


FINISHED = (StepStatus.SHIPPED, StepStatus.RECEIVED, StepStatus.CLOSED)
OPEN_WORK = (StepStatus.ORDERED, StepStatus.IN_PROGRESS, StepStatus.DONE)


def reliability(company_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Per company, the figures every member sees on its profile and that feed the
        suggestion score: finished network steps and jobs, on-time and defect shares, open
        steps, average ratings received as a performer (1–5) and their count, and those received
    as the ordering party (clarity of specs, payment on time).

        Counts and averages only, never a job's content: read outside the job scopes."""
    from django.db.models import Avg, Count, F

    figures: dict[int, dict] = {pk: {} for pk in company_ids}
    steps = (
        Step.objects.filter(performer__in=company_ids, in_house=False)
        .values("performer")
        .annotate(
            finished=Count("pk", filter=Q(status__in=FINISHED)),
            jobs=Count("job", filter=Q(status__in=FINISHED), distinct=True),
            dated=Count("pk", filter=Q(status__in=FINISHED, planned_end__isnull=False)),
            on_time=Count(
                "pk",
                filter=Q(status__in=FINISHED, planned_end__isnull=False)
                & Q(shipped_at__date__lte=F("planned_end")),
            ),
            defective=Count("pk", filter=Q(defect_quantity__gt=0)),
            open=Count("pk", filter=Q(status__in=OPEN_WORK)),
        )
    )
    for row in steps:
        figures[row["performer"]].update(row)
    ratings = (
        Rating.objects.filter(rated__in=company_ids, rated_as_performer=True)
        .values("rated")
        .annotate(
            ratings=Count("pk"),
            quality=Avg("quality"),
            delivery=Avg("delivery"),
            communication=Avg("communication"),
        )
    )
    for row in ratings:
        figures[row["rated"]].update(row)
    as_owner = (
        Rating.objects.filter(rated__in=company_ids, rated_as_performer=False)
        .values("rated")
        .annotate(owner_ratings=Count("pk"), clarity=Avg("clarity"), payment=Avg("payment"))
    )
    for row in as_owner:
        figures[row["rated"]].update(row)
    for row in figures.values():
        dated, finished = row.get("dated", 0), row.get("finished", 0)
        row["on_time_rate"] = row["on_time"] / dated if dated else None
        row["defect_rate"] = row["defective"] / finished if finished else None
        averages = [row.get(k) for k in ("quality", "delivery", "communication")]
        averages = [a for a in averages if a is not None]
        row["rating"] = sum(averages) / len(averages) if averages else None
    return figures


def route_performer_ids(job: Job) -> dict[int, int | None]:
    """{position: performer id} for the whole route (``steps.route_of``)."""
    return route_of(job)[0]


def rating_pairs(job: Job) -> list[tuple[int, int, bool]]:
    """Who may rate whom on a closed job: (rater id, rated id, rated as performer)."""
    performers = sorted(
        {
            pk
            for pk in job.steps.filter(in_house=False).values_list("performer", flat=True)
            if pk and pk != job.company_id
        }
    )
    pairs = [(job.company_id, pk, True) for pk in performers]
    pairs += [(pk, job.company_id, False) for pk in performers]
    return pairs
