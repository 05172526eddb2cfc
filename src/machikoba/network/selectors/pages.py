"""Page objects: everything a network page shows, read in one place so that views only
fetch the object of the URL, build forms and render. Query counts are pinned by tests
(they must not grow with the number of steps or recipients)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.companies.models import Company, Material, ProcessCategory
from machikoba.core.access import (
    CHANGE,
    EDITOR_ROLES,
    MEMBER_ROLES,
    VIEW,
    company_ids_for,
    has_role,
)
from machikoba.core.models import AuditEvent
from machikoba.drawings.models import Document, NdaText
from machikoba.drawings.selectors import owners_awaiting_nda
from machikoba.network.choices import (
    SPEC_FIELDS,
    JobStatus,
    OrderStatus,
    RecipientStatus,
    RfqStatus,
    StepStatus,
)
from machikoba.network.gantt import gantt
from machikoba.network.models import (
    Claim,
    Job,
    Order,
    Quote,
    Rating,
    Rfq,
    RfqQuestion,
    RfqRecipient,
    Step,
)
from machikoba.network.selectors.guest_links import guest_link_rows
from machikoba.network.selectors.jobs import (
    comparison,
    rating_pairs,
    visible_steps,
)
from machikoba.network.selectors.steps import route_of, step_actions
from machikoba.network.suggestions import suggest_partners
from machikoba.network.transitions import ALLOW_EARLY_START, FINISH, RECEIVE, SHIP, START

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.drawings.models import Document
    from machikoba.network.suggestions import Suggestion


class Page:
    """A page object's fields as a template context."""

    def context(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]


# --- the job page ------------------------------------------------------------------------


@dataclass(frozen=True)
class StepRow:
    """A visible step with what this user may do to it now."""

    step: Step
    spec_items: list[tuple[Any, Any]]
    actions: frozenset[str]
    edit: bool
    up: bool
    down: bool
    tag: bool
    # Offered only while the start actually waits for the previous step's parts.
    allow: bool
    # Ordered, the 請書 not in yet: the step is no longer "asked for a quote".
    awaiting_acceptance: bool = False

    @property
    def status_label(self) -> str:
        if self.awaiting_acceptance and self.step.status == StepStatus.REQUESTED:
            return str(_("発注済み (請書待ち)"))
        return self.step.get_status_display()

    @property
    def start(self) -> bool:
        return START in self.actions

    @property
    def finish(self) -> bool:
        return FINISH in self.actions

    @property
    def ship(self) -> bool:
        return SHIP in self.actions

    @property
    def receive(self) -> bool:
        return RECEIVE in self.actions


@dataclass(frozen=True)
class JobPage(Page):
    job: Job
    rows: list[StepRow]
    owner: bool
    editor: bool
    today: dt.date
    gantt: dict[str, Any]
    can_rfq: bool
    partners: list[Company]
    ratings: dict[str, Any] | None
    claims: list[Claim]
    rfqs: list[Rfq] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    # Whom the owner works for on this job, when it came as an order (a board award).
    customer: Company | None = None
    history: list[AuditEvent] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)


def job_page(user: User, job: Job) -> JobPage:
    """The job page: the steps this user sees with their buttons, the chart, whom to write
    to, ratings of a closed job, claims; for the owner also RFQs, orders, the trail and the
    documents."""
    owner = has_role(user, job.company, MEMBER_ROLES, VIEW)
    editor = has_role(user, job.company, EDITOR_ROLES)
    steps = list(visible_steps(user=user, job=job))
    today = timezone.localdate()
    owner_parts: dict[str, Any] = {}
    # Each party finds its own 注文書 again here (the access layer shows a partner only the
    # orders it is party to); the owner sees every order of the job.
    orders = list(
        Order.objects.for_user(user, VIEW).filter(job=job).select_related("supplier", "buyer")
    )
    if owner:
        rfqs = list(job.rfqs.prefetch_related("steps__process").order_by("-created_at"))
        owner_parts = {
            "rfqs": rfqs,
            "history": job_history(user, job, steps, rfqs, orders),
            "documents": list(job.documents.all()),
        }
    return JobPage(
        job=job,
        rows=step_rows(user, job, steps, awaiting=_awaiting_acceptance(orders)),
        owner=owner,
        editor=editor,
        today=today,
        gantt=gantt(steps=steps, due_date=job.due_date, today=today),
        can_rfq=editor and any(s.status == StepStatus.PLANNED and not s.in_house for s in steps),
        partners=_partners(job, steps) if owner else [job.company],
        ratings=job_ratings(user, job) if job.status == JobStatus.CLOSED else None,
        claims=list(
            Claim.objects.for_user(user, VIEW).filter(step__job=job).select_related("step__process")
        ),
        orders=orders,
        customer=next(
            (
                o.buyer
                for o in orders
                if o.supplier_id == job.company_id and o.status != OrderStatus.CANCELLED
            ),
            None,
        ),
        **owner_parts,
    )


def _partners(job: Job, steps: list[Step]) -> list[Company]:
    """Whom the owner may write to about the job: each partner performing a step (a
    partner writes to the owner only, never to another partner)."""
    return list(
        {
            s.performer_id: s.performer
            for s in steps
            if s.performer_id and not s.in_house and s.performer_id != job.company_id
        }.values()
    )


def _awaiting_acceptance(orders: list[Order]) -> set[int]:
    """The steps of ``orders`` (those this user sees) issued and not accepted yet."""
    issued = [o.pk for o in orders if o.status == OrderStatus.ISSUED]
    if not issued:
        return set()
    through = Order.steps.through.objects.filter(order_id__in=issued)
    return set(through.values_list("step_id", flat=True))


def step_rows(
    user: User, job: Job, steps: list[Step], *, awaiting: set[int] | None = None
) -> list[StepRow]:
    """Each visible step with what this user may do to it now (``step_actions``);
    ``awaiting``: the ids of steps ordered whose 請書 is not in yet."""
    mine = set(company_ids_for(user, MEMBER_ROLES))
    # Who performs each position (ids only) decides who receives: the next step's
    # performer, or the owner after the last step.
    route, statuses = route_of(job)
    editor = has_role(user, job.company, EDITOR_ROLES)
    open_job = job.status == JobStatus.OPEN
    by_position = {s.position: s for s in steps}
    rows = []
    for step in steps:
        step.job = job
        previous = by_position.get(step.position - 1)
        # A partner does not see the steps of other partners: an unseen previous step
        # counts as received.
        previous_done = previous is None or previous.status in (
            StepStatus.RECEIVED,
            StepStatus.CLOSED,
        )
        actions = step_actions(user, step, route=route, statuses=statuses)
        edit = open_job and editor and step.is_editable
        up, down = by_position.get(step.position - 1), by_position.get(step.position + 1)
        rows.append(
            StepRow(
                step=step,
                spec_items=[
                    (SPEC_FIELDS[name], value)
                    for name, value in step.spec_fields.items()
                    if name in SPEC_FIELDS
                ],
                actions=actions,
                edit=edit,
                up=edit and up is not None and up.is_editable,
                down=edit and down is not None and down.is_editable,
                # The traveler tag goes with the parts: owner and performer print it.
                tag=step.performer_id is not None
                and (step.performer_id in mine or job.company_id in mine),
                allow=ALLOW_EARLY_START in actions
                and not previous_done
                and not step.start_override_reason,
                awaiting_acceptance=step.pk in (awaiting or ()),
            )
        )
    return rows


def job_ratings(user: User, job: Job) -> dict[str, Any]:
    """For a closed job: the ratings this user's companies gave or received on it, and
    the ratings still to give (for owners and staff)."""
    mine = set(company_ids_for(user, MEMBER_ROLES, VIEW))
    editors = set(company_ids_for(user, EDITOR_ROLES))
    given = list(
        Rating.objects.for_user(user, VIEW).filter(job=job).select_related("rater", "rated")
    )
    done = {(r.rater_id, r.rated_id) for r in given}
    pairs = rating_pairs(job)
    companies = {
        c.pk: c
        for c in Company.objects.for_user(user, VIEW).filter(
            pk__in={pk for pair in pairs for pk in pair[:2]}
        )
    }
    to_give = [
        {"rater": companies[rater], "rated": companies[rated], "as_performer": as_performer}
        for rater, rated, as_performer in pairs
        if rater in editors and (rater, rated) not in done
    ]
    return {"given": given, "to_give": to_give, "mine": mine}


def job_history(
    user: User, job: Job, steps: list[Step], rfqs: list[Rfq], orders: list[Order]
) -> list[AuditEvent]:
    """The job's trail: the audit events on the job, its steps, RFQs and orders (the
    owning company's owners read the trail; others get an empty list)."""
    types = ContentType.objects.get_for_models(Job, Step, Rfq, Order)
    targets = {
        Job: [job.pk],
        Step: [s.pk for s in steps],
        Rfq: [r.pk for r in rfqs],
        Order: [o.pk for o in orders],
    }
    condition = Q(pk__in=[])
    for model, ids in targets.items():
        if ids:
            condition |= Q(target_type=types[model], target_id__in=[str(i) for i in ids])
    return list(AuditEvent.objects.for_user(user, VIEW).filter(condition)[:50])


# --- the RFQ page ------------------------------------------------------------------------


def quote_shown(recipient: RfqRecipient) -> Quote | None:
    """The quote a viewer of ``recipient`` may see: only once the shop has answered (the
    one rule for the page and the API)."""
    if recipient.status == RecipientStatus.INVITED:
        return None
    return getattr(recipient, "quote", None)


@dataclass(frozen=True)
class RfqPage(Page):
    rfq: Rfq
    owner: bool
    steps: list[Step]
    questions: list[RfqQuestion]
    can_answer_questions: bool
    # The owner's side.
    columns: list[RfqRecipient] = field(default_factory=list)
    scores: list[Suggestion | None] = field(default_factory=list)
    # The same, one (answer, score) pair per shop: a card per shop on a phone.
    cards: list[tuple[RfqRecipient, Suggestion | None]] = field(default_factory=list)
    can_award: bool = False
    order: Order | None = None
    guest_rows: list[dict[str, Any]] = field(default_factory=list)
    # A recipient's side.
    mine: RfqRecipient | None = None
    quote: Quote | None = None
    can_answer: bool = False
    documents: list[Document] = field(default_factory=list)
    # The RFQ owner's NDA, when drawings were shared and the recipient has not accepted it.
    nda_pending: NdaText | None = None


def rfq_page(user: User, rfq: Rfq, *, company: Company | None) -> RfqPage | None:
    """The RFQ as the owner sees it (every answer side by side, the scores, the award and
    the one-time links) or as the recipient ``company`` sees it (its own answer). None when
    ``company`` was not asked."""
    owner = has_role(user, rfq.job.company, MEMBER_ROLES, VIEW)
    editor = has_role(user, rfq.job.company, EDITOR_ROLES)
    common = {
        "rfq": rfq,
        "owner": owner,
        "steps": list(rfq.steps.select_related("process")),
        "questions": list(
            RfqQuestion.objects.for_user(user, VIEW).filter(rfq=rfq).select_related("company")
        ),
        "can_answer_questions": editor,
    }
    if owner:
        columns = comparison(user=user, rfq=rfq)
        quoted = [c for c in columns if c.status == RecipientStatus.QUOTED]
        scores = rfq_scores(user, rfq, columns)
        return RfqPage(
            **common,
            columns=columns,
            scores=scores,
            cards=list(zip(columns, scores, strict=True)),
            can_award=rfq.status == RfqStatus.OPEN and bool(quoted) and editor,
            order=Order.objects.for_user(user, VIEW).filter(rfq=rfq).first(),
            guest_rows=guest_link_rows(user=user, rfq=rfq) if editor else [],
        )
    mine = (
        RfqRecipient.objects.for_user(user, VIEW)
        .filter(rfq=rfq, company=company)
        .select_related("company", "quote")
        .first()
    )
    if mine is None:
        return None
    return RfqPage(
        **common,
        mine=mine,
        quote=quote_shown(mine),
        can_answer=mine.status == RecipientStatus.INVITED
        and rfq.status == RfqStatus.OPEN
        and has_role(user, mine.company, EDITOR_ROLES),
        documents=rfq_documents(user, rfq),
        nda_pending=next(
            (
                nda
                for nda in owners_awaiting_nda(user=user, company=mine.company)
                if nda.company_id == rfq.job.company_id
            ),
            None,
        )
        # Accepting binds the company: its owners and staff do it.
        if has_role(user, mine.company, EDITOR_ROLES)
        else None,
    )


def rfq_has_quotes(rfq: Rfq) -> bool:
    return rfq.recipients.filter(status=RecipientStatus.QUOTED).exists()


def rfq_documents(user: User, rfq: Rfq) -> list[Document]:
    """The job's documents this user may view (a recipient: those granted to it)."""

    return list(rfq.job.documents.filter(pk__in=Document.objects.for_user(user, VIEW).values("pk")))


def rfq_scores(user: User, rfq: Rfq, columns: list[RfqRecipient]) -> list[Suggestion | None]:
    """The suggestion score of each invited shop for the RFQ's first step (the same
    transparent score as the suggestions page), in column order."""

    first = rfq.steps.order_by("position").first()
    if first is None:
        return [None for _column in columns]
    ranked = {s.company.pk: s for s in suggest_partners(user=user, step=first, limit=1000)}
    return [ranked.get(column.company_id) for column in columns]


def award_choices(
    user: User, rfq: Rfq, *, winner_id: int | None = None
) -> tuple[QuerySet[RfqRecipient], dict[str, Any]]:
    """The shops that quoted (to choose the winner from) and the award form's defaults:
    the shop picked in the comparison (``winner_id``, else the lowest price), delivery after
    that shop's lead time from today, inspection two days and payment thirty days after
    delivery, delivery at the owner's address."""
    job = rfq.job
    quoted = (
        RfqRecipient.objects.for_user(user, VIEW)
        .filter(rfq=rfq, status=RecipientStatus.QUOTED)
        .select_related("company", "quote")
        .order_by("quote__price", "pk")
    )
    chosen = next((r for r in quoted if r.pk == winner_id), None) or quoted.first()
    delivery = timezone.localdate() + dt.timedelta(days=chosen.quote.lead_time_days)
    return quoted, {
        "winner": chosen.pk,
        "delivery_date": delivery,
        "inspection_date": delivery + dt.timedelta(days=2),
        "payment_date": delivery + dt.timedelta(days=30),
        "delivery_place": " ".join(
            p for p in (job.company.municipality, job.company.address_line) if p
        )
        or job.company.name,
    }


# --- forms' choices ----------------------------------------------------------------------


def job_form_choices(user: User, company: Company) -> dict[str, QuerySet[Any]]:
    """What the job form offers: materials, and the company's own live documents."""

    return {
        "materials": Material.objects.for_user(user, VIEW),
        "documents": Document.objects.for_user(user, VIEW).filter(
            company=company, destroyed_at__isnull=True
        ),
    }


def process_choices(user: User) -> QuerySet[Any]:

    return ProcessCategory.objects.for_user(user, VIEW).filter(is_active=True)


def rfq_form_choices(user: User, job: Job) -> dict[str, QuerySet[Any]]:
    """What the RFQ form offers: the job's planned partner steps, and every other active
    company."""
    return {
        "steps": Step.objects.for_user(user, VIEW)
        .filter(job=job, in_house=False, status=StepStatus.PLANNED)
        .select_related("process"),
        "companies": Company.objects.for_user(user, VIEW)
        .filter(is_active=True)
        .exclude(pk=job.company_id)
        .order_by("name"),
    }


def plan_targets(
    user: User, job: Job, step_ids: list[int], company_ids: list[int]
) -> tuple[dict[int, Step], dict[int, Company]]:
    """The steps of ``job`` this user may change and the active companies it sees, among
    the ids posted back with a network plan."""

    steps = Step.objects.for_user(user, CHANGE).filter(job=job, pk__in=step_ids)
    companies = Company.objects.for_user(user, VIEW).filter(is_active=True, pk__in=company_ids)
    return {s.pk: s for s in steps}, {c.pk: c for c in companies}


# --- orders, the traveler's phone page ---------------------------------------------------


@dataclass(frozen=True)
class OrderPage(Page):
    order: Order
    supplier: bool
    can_accept: bool
    can_change: bool
    events: list[Any]


def order_page(user: User, order: Order) -> OrderPage:

    return OrderPage(
        order=order,
        supplier=has_role(user, order.supplier, MEMBER_ROLES, VIEW),
        can_accept=order.status == OrderStatus.ISSUED
        and has_role(user, order.supplier, EDITOR_ROLES),
        can_change=order.status != OrderStatus.CANCELLED
        and has_role(user, order.buyer, EDITOR_ROLES),
        events=list(order.events.select_related("actor")),
    )
