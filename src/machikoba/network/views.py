"""Pages of the network: jobs and their routes, RFQs, quotes and the comparison table,
orders, step progress, and each company's "my work" list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from machikoba.companies.models import Company, Material, ProcessCategory
from machikoba.core.access import CHANGE, VIEW, can, company_ids_for, get_for_user_or_404
from machikoba.core.errors import ApplicationError
from machikoba.core.views import (
    active_company_or_403,
    client_ip,
    content_disposition,
    run_and_flash,
    save_form,
)
from machikoba.drawings.models import Document
from machikoba.network import forms, selectors, services
from machikoba.network import network_plan as planning
from machikoba.network.access import is_editor, is_member
from machikoba.network.choices import (
    SPEC_FIELDS,
    GuestLinkChannel,
    RecipientStatus,
    RfqStatus,
    StepStatus,
)
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

# --- jobs -------------------------------------------------------------------------------


@login_required
def job_list(request):
    company = active_company_or_403(request)
    return render(
        request,
        "network/job_list.html",
        {
            "company": company,
            "own": selectors.jobs_of(user=request.user, company=company),
            "performing": selectors.jobs_performing(user=request.user, company=company),
            "can_create": can(request.user, CHANGE, company),
        },
    )


def _job_form(request, company, job=None):
    initial = {}
    if job is not None:
        initial = {
            "part_name": job.part_name,
            "drawing_number": job.drawing_number,
            "material": job.material,
            "material_note": job.material_note,
            "quantity": job.quantity,
            "due_date": job.due_date,
            "notes": job.notes,
            "documents": list(job.documents.all()),
        }
    return forms.JobForm(
        request.POST or None,
        initial=initial,
        materials=Material.objects.for_user(request.user, VIEW),
        documents=Document.objects.for_user(request.user, VIEW).filter(
            company=company, destroyed_at__isnull=True
        ),
    )


@login_required
def job_create(request):
    company = active_company_or_403(request)
    if not can(request.user, CHANGE, company):
        raise PermissionDenied
    form = _job_form(request, company)
    done = save_form(
        request,
        form,
        lambda data: services.job_create(
            actor=request.user,
            company=company,
            part_name=data["part_name"],
            drawing_number=data["drawing_number"],
            material=data["material"],
            material_note=data["material_note"],
            quantity=data["quantity"],
            size_mm=data["size_mm"],
            due_date=data["due_date"],
            notes=data["notes"],
            documents=list(data["documents"]),
        ),
        success_message=_("案件を登録しました。工程を追加してください。"),
        next_url=lambda job: reverse("network:job_detail", args=[job.pk]),
    )
    return done or render(request, "network/job_form.html", {"form": form})


@login_required
def job_detail(request, pk: int):
    job = get_for_user_or_404(
        Job.objects.select_related("company", "material"), request.user, VIEW, pk=pk
    )
    owner = is_member(request.user, job.company)
    editor = is_editor(request.user, job.company)
    steps = list(selectors.visible_steps(user=request.user, job=job))
    context = {
        "job": job,
        "rows": _step_rows(request.user, job, steps),
        "owner": owner,
        "editor": editor,
        "today": timezone.localdate(),
        "gantt": _gantt(job, steps),
        "can_rfq": editor and any(s.status == "planned" and not s.in_house for s in steps),
    }
    # Whom this side may write to about the job: the owner to each partner, a partner to
    # the owner (never partner to partner).
    context["partners"] = (
        list(
            {
                s.performer_id: s.performer
                for s in steps
                if s.performer_id and not s.in_house and s.performer_id != job.company_id
            }.values()
        )
        if owner
        else [job.company]
    )
    if job.status == "closed":
        context["ratings"] = _rating_context(request.user, job)
    context["claims"] = list(
        Claim.objects.for_user(request.user, VIEW)
        .filter(step__job=job)
        .select_related("step__process")
    )
    if owner:
        rfqs = list(job.rfqs.prefetch_related("steps__process").order_by("-created_at"))
        orders = list(
            Order.objects.for_user(request.user, VIEW).filter(job=job).select_related("supplier")
        )
        context["rfqs"], context["orders"] = rfqs, orders
        context["history"] = _history(request.user, job, steps, rfqs, orders)
        context["documents"] = job.documents.all()
    return render(request, "network/job_detail.html", context)


def _rating_context(user, job: Job) -> dict:
    """For a closed job: the ratings this user's companies gave or received on it, and
    the ratings still to give (for owners and staff)."""
    mine = set(company_ids_for(user, ("owner", "staff", "floor_worker")))
    editors = set(company_ids_for(user, ("owner", "staff")))
    given = list(
        Rating.objects.for_user(user, VIEW).filter(job=job).select_related("rater", "rated")
    )
    done = {(r.rater_id, r.rated_id) for r in given}
    pairs = services.rating_pairs(job)
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


def _history(user, job: Job, steps: list[Step], rfqs: list[Rfq], orders: list[Order]):
    """The job's trail: the audit events on the job, its steps, RFQs and orders (the
    owning company's owners read the trail; others get an empty list)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    from machikoba.core.models import AuditEvent

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
    return AuditEvent.objects.for_user(user, VIEW).filter(condition)[:50]


def _step_rows(user, job: Job, steps: list[Step]) -> list[dict]:
    """Each visible step with what this user may do to it now."""
    mine = set(company_ids_for(user, ("owner", "staff", "floor_worker")))
    # Who performs each position (ids only) decides who receives: the next step's
    # performer, or the owner after the last step.
    performers = selectors.route_performer_ids(job)
    last = max(performers, default=0)
    editor = is_editor(user, job.company)
    open_job = job.status == "open"
    rows = []
    for step in steps:
        receiver = job.company_id if step.position == last else performers.get(step.position + 1)
        previous_done = step.position == 1 or steps_status(steps, step.position - 1) in (
            None,
            StepStatus.RECEIVED,
            StepStatus.CLOSED,
        )
        performs = open_job and step.performer_id in mine
        edit = open_job and editor and step.is_editable
        neighbours = {s.position: s for s in steps}
        rows.append(
            {
                "step": step,
                "spec_items": [
                    (SPEC_FIELDS[name], value)
                    for name, value in step.spec_fields.items()
                    if name in SPEC_FIELDS
                ],
                "edit": edit,
                "up": edit
                and step.position - 1 in neighbours
                and neighbours[step.position - 1].is_editable,
                "down": edit
                and step.position + 1 in neighbours
                and neighbours[step.position + 1].is_editable,
                "start": performs
                and (
                    step.status == StepStatus.ORDERED
                    or (step.in_house and step.status == StepStatus.PLANNED)
                ),
                "finish": performs and step.status == StepStatus.IN_PROGRESS,
                "ship": performs and step.status == StepStatus.DONE,
                "receive": open_job and receiver in mine and step.status == StepStatus.SHIPPED,
                # The traveler tag goes with the parts: owner and performer print it.
                "tag": step.performer_id is not None
                and (step.performer_id in mine or job.company_id in mine),
                # Only once someone could start: the step is ordered (or in-house).
                "allow": open_job
                and editor
                and not previous_done
                and not step.start_override_reason
                and (
                    step.status == StepStatus.ORDERED
                    or (step.in_house and step.status == StepStatus.PLANNED)
                ),
            }
        )
    return rows


def steps_status(steps: list[Step], position: int):
    """The status of the visible step at ``position``; None when this user cannot see it
    (a partner does not see the steps of other partners)."""
    return next((s.status for s in steps if s.position == position), None)


def _gantt(job: Job, steps: list[Step]) -> dict:
    """Bars as percentages of the span from the first planned date to the due date."""
    dates = [d for s in steps for d in (s.planned_start, s.planned_end) if d]
    today = timezone.localdate()
    start = min([*dates, today, job.due_date])
    end = max([*dates, today, job.due_date])
    span = max((end - start).days + 1, 1)

    def pct(day) -> float:
        return round((day - start).days / span * 100, 2)

    bars = []
    for step in steps:
        if not (step.planned_start and step.planned_end):
            bars.append({"step": step, "planned": None, "actual": None, "late": False})
            continue
        actual_start = step.started_at and timezone.localtime(step.started_at).date()
        actual_end = (step.shipped_at and timezone.localtime(step.shipped_at).date()) or (
            step.finished_at and timezone.localtime(step.finished_at).date()
        )
        finished = step.status in (StepStatus.SHIPPED, StepStatus.RECEIVED, StepStatus.CLOSED)
        late = (not finished and step.planned_end < today) or (
            finished and actual_end is not None and actual_end > step.planned_end
        )
        actual = None
        if actual_start:
            until = actual_end or today
            actual = {"left": pct(actual_start), "width": max(pct(until) - pct(actual_start), 1)}
        bars.append(
            {
                "step": step,
                "planned": {
                    "left": pct(step.planned_start),
                    "width": max(pct(step.planned_end) - pct(step.planned_start) + 100 / span, 1),
                },
                "actual": actual,
                "late": late,
            }
        )
    return {
        "bars": bars,
        "start": start,
        "end": end,
        "today": pct(today),
        "due": pct(job.due_date),
    }


@login_required
@require_POST
def job_close(request, pk: int):
    job = get_for_user_or_404(Job, request.user, CHANGE, pk=pk)
    run_and_flash(
        request,
        lambda: services.job_close(actor=request.user, job=job),
        _("案件を完了にしました。"),
    )
    return redirect("network:job_detail", pk=job.pk)


@login_required
@require_POST
def rating_submit(request, pk: int):
    job = get_for_user_or_404(Job, request.user, VIEW, pk=pk)
    rater_id, rated_id = request.POST.get("rater", ""), request.POST.get("rated", "")
    if not (rater_id.isdigit() and rated_id.isdigit()):
        raise Http404
    rater = get_for_user_or_404(Company, request.user, CHANGE, pk=int(rater_id))
    rated = get_for_user_or_404(Company, request.user, VIEW, pk=int(rated_id))
    scores = {}
    for name in (*services.PERFORMER_CRITERIA, *services.OWNER_CRITERIA):
        value = request.POST.get(name, "")
        if value.isdigit():
            scores[name] = int(value)
    run_and_flash(
        request,
        lambda: services.rating_submit(
            actor=request.user,
            job=job,
            rater=rater,
            rated=rated,
            scores=scores,
            comment=request.POST.get("comment", ""),
        ),
        _("評価を送りました。"),
    )
    return redirect("network:job_detail", pk=job.pk)


@login_required
@require_POST
def rating_respond(request, pk: int):
    rating = get_for_user_or_404(
        Rating.objects.select_related("rated"), request.user, CHANGE, pk=pk
    )
    run_and_flash(
        request,
        lambda: services.rating_respond(
            actor=request.user, rating=rating, response=request.POST.get("response", "")
        ),
        _("返信しました。"),
    )
    return redirect("network:job_detail", pk=rating.job_id)


@login_required
@require_POST
def claim_resolve(request, pk: int):
    claim = get_for_user_or_404(
        Claim.objects.select_related("step__job"), request.user, CHANGE, pk=pk
    )
    run_and_flash(
        request,
        lambda: services.claim_resolve(actor=request.user, claim=claim),
        _("解決済みにしました。"),
    )
    return redirect("network:job_detail", pk=claim.step.job_id)


@login_required
@require_POST
def job_copy(request, pk: int):
    job = get_for_user_or_404(Job, request.user, CHANGE, pk=pk)
    try:
        copy = services.job_copy(
            actor=request.user,
            job=job,
            due_date=max(job.due_date, timezone.localdate()),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("network:job_detail", pk=job.pk)
    messages.success(
        request, _("リピート品として案件をコピーしました。納期と数量を確認してください。")
    )
    return redirect("network:job_detail", pk=copy.pk)


# --- route ------------------------------------------------------------------------------


@login_required
def step_add(request, pk: int):
    job = get_for_user_or_404(Job, request.user, CHANGE, pk=pk)
    form = forms.StepForm(
        request.POST or None,
        processes=ProcessCategory.objects.for_user(request.user, VIEW).filter(is_active=True),
    )
    done = save_form(
        request,
        form,
        lambda data: services.step_add(
            actor=request.user,
            job=job,
            process=data["process"],
            spec=data["spec"],
            spec_fields=form.spec_fields(),
            in_house=data["in_house"],
            position=data["position"],
            planned_start=data["planned_start"],
            planned_end=data["planned_end"],
        ),
        success_message=_("工程を追加しました。"),
        next_url=reverse("network:job_detail", args=[job.pk]),
    )
    return done or render(request, "network/step_form.html", {"form": form, "job": job})


def _step(request, pk: int, action=VIEW) -> Step:
    return get_for_user_or_404(
        Step.objects.select_related("job", "process", "performer"), request.user, action, pk=pk
    )


@login_required
@require_POST
def step_move(request, pk: int):
    step = _step(request, pk, CHANGE)
    offset = -1 if request.POST.get("direction") == "up" else 1
    run_and_flash(
        request,
        lambda: services.step_move(
            actor=request.user, step=step, to_position=step.position + offset
        ),
        _("工程の順番を変えました。"),
    )
    return redirect("network:job_detail", pk=step.job_id)


@login_required
@require_POST
def step_remove(request, pk: int):
    step = _step(request, pk, CHANGE)
    run_and_flash(
        request,
        lambda: services.step_remove(actor=request.user, step=step),
        _("工程を削除しました。"),
    )
    return redirect("network:job_detail", pk=step.job_id)


@login_required
def step_progress(request, pk: int, action: str):
    """Start, finish, ship, receive or allow an early start: one page per action, a
    button (start, finish) or a short form (ship, receive, early start)."""
    step = _step(request, pk)
    job_url = reverse("network:job_detail", args=[step.job_id])
    if action in ("start", "finish"):
        if request.method != "POST":
            return redirect(job_url)
        call = {"start": services.step_start, "finish": services.step_finish}[action]
        done = {"start": _("開始しました。"), "finish": _("加工完了を記録しました。")}[action]
        run_and_flash(request, lambda: call(actor=request.user, step=step), done)
        return redirect(request.POST.get("next") or job_url)
    if action == "ship":
        form = forms.ShipForm(request.POST or None, initial={"quantity": step.job.quantity})
        save = lambda data: services.step_ship(  # noqa: E731
            actor=request.user, step=step, quantity=data["quantity"]
        )
        success = _("出荷を記録しました。")
    elif action == "receive":
        form = forms.ReceiveForm(
            request.POST or None, initial={"good_quantity": step.shipped_quantity}
        )
        save = lambda data: services.step_receive(  # noqa: E731
            actor=request.user,
            step=step,
            good_quantity=data["good_quantity"],
            defect_quantity=data["defect_quantity"],
            note=data["note"],
        )
        success = _("受け入れを記録しました。")
    elif action == "allow":
        form = forms.EarlyStartForm(request.POST or None)
        save = lambda data: services.step_allow_early_start(  # noqa: E731
            actor=request.user, step=step, reason=data["reason"]
        )
        success = _("前工程の受け入れ前に開始できるようにしました。")
    else:
        raise Http404
    done = save_form(request, form, save, success_message=success, next_url=job_url)
    return done or render(
        request,
        "network/step_progress.html",
        {"form": form, "step": step, "action": action, "receiver": services.receiver_of(step)},
    )


# --- RFQs -------------------------------------------------------------------------------


@login_required
def step_suggestions(request, pk: int):
    from machikoba.network.suggestions import suggest_partners

    step = _step(request, pk, CHANGE)
    return render(
        request,
        "network/step_suggestions.html",
        {"step": step, "suggestions": suggest_partners(user=request.user, step=step)},
    )


@login_required
def rfq_create(request, pk: int):
    job = get_for_user_or_404(Job, request.user, CHANGE, pk=pk)
    # From the suggestions page: ?step=…&to=…&to=… preselects the step and the shops.
    initial = {
        "deadline": forms.default_deadline(),
        "questions_public": True,
        "steps": request.GET.getlist("step"),
        "recipients": request.GET.getlist("to"),
    }
    form = forms.RfqForm(
        request.POST or None,
        initial=initial,
        steps=Step.objects.for_user(request.user, VIEW)
        .filter(job=job, in_house=False, status=StepStatus.PLANNED)
        .select_related("process"),
        companies=Company.objects.for_user(request.user, VIEW)
        .filter(is_active=True)
        .exclude(pk=job.company_id)
        .order_by("name"),
    )
    done = save_form(
        request,
        form,
        lambda data: services.rfq_send(
            actor=request.user,
            job=job,
            steps=list(data["steps"]),
            recipients=list(data["recipients"]),
            deadline=data["deadline"],
            message=data["message"],
            questions_public=data["questions_public"],
            ip_address=client_ip(request),
        ),
        success_message=_("見積依頼を送りました。"),
        next_url=lambda rfq: reverse("network:rfq_detail", args=[rfq.pk]),
    )
    return done or render(request, "network/rfq_form.html", {"form": form, "job": job})


# --- network plan -----------------------------------------------------------------------


def _plan_job(request, pk: int) -> Job:
    """The job whose plan is asked for. Another company's job is a 404; a partner of the
    job sees the job but not its plan (candidates and prices are the owner's): 403."""
    job = get_for_user_or_404(Job.objects.select_related("company"), request.user, VIEW, pk=pk)
    if not is_member(request.user, job.company):
        raise PermissionDenied
    return job


@login_required
@require_GET
def job_plan(request, pk: int):
    """The proposal for the job's partner steps not yet asked (see ``network_plan``), with
    a form to recompute it for another RFQ answer deadline, and the one action."""
    job = _plan_job(request, pk)
    bound = "deadline" in request.GET
    form = forms.PlanForm(
        request.GET if bound else None, initial={"deadline": forms.default_deadline()}
    )
    deadline = form.cleaned_data["deadline"] if bound and form.is_valid() else None
    plan, refusal = None, None
    try:
        plan = planning.network_plan(user=request.user, job=job, answer_deadline=deadline)
    except ApplicationError as error:
        refusal = error.message
    return render(
        request,
        "network/job_plan.html",
        {
            "job": job,
            "plan": plan,
            "refusal": refusal,
            "form": form,
            "editor": is_editor(request.user, job.company),
            "defaults": {
                "lead_time_days": planning.DEFAULT_LEAD_TIME_DAYS,
                "hours_per_day": planning.HOURS_PER_DAY,
            },
        },
    )


def _posted_plan_rows(request, job: Job) -> list:
    """The proposal rows posted back ("step:company:start:end"), resolved through the
    access layer; None when one cannot be read."""
    import datetime as dt

    parsed = []
    for value in request.POST.getlist("row"):
        parts = value.split(":")
        if len(parts) != 4 or not (parts[0].isdigit() and parts[1].isdigit()):
            return None
        try:
            start = dt.date.fromisoformat(parts[2]) if parts[2] else None
            end = dt.date.fromisoformat(parts[3]) if parts[3] else None
        except ValueError:
            return None
        parsed.append((int(parts[0]), int(parts[1]), start, end))
    steps = Step.objects.for_user(request.user, CHANGE).filter(
        job=job, pk__in=[p[0] for p in parsed]
    )
    steps = {s.pk: s for s in steps}
    companies = Company.objects.for_user(request.user, VIEW).filter(
        is_active=True, pk__in=[p[1] for p in parsed]
    )
    companies = {c.pk: c for c in companies}
    rows = []
    for step_pk, company_pk, start, end in parsed:
        if step_pk not in steps or company_pk not in companies:
            return None
        rows.append(
            services.PlannedRequest(
                step=steps[step_pk], company=companies[company_pk], start=start, end=end
            )
        )
    return rows


@login_required
@require_POST
def job_plan_send(request, pk: int):
    """The one action: the proposal as posted becomes one RFQ per proposed shop."""
    job = get_for_user_or_404(Job.objects.select_related("company"), request.user, CHANGE, pk=pk)
    plan_url = reverse("network:job_plan", args=[job.pk])
    form = forms.PlanForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(plan_url)
    rows = _posted_plan_rows(request, job)
    if rows is None:
        messages.error(request, _("計画の内容を読み取れませんでした。計画を作り直してください。"))
        return redirect(plan_url)
    try:
        rfqs = services.plan_rfqs_send(
            actor=request.user,
            job=job,
            rows=rows,
            deadline=form.cleaned_data["deadline"],
            message=form.cleaned_data["message"],
            ip_address=client_ip(request),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(plan_url)
    messages.success(request, _("この提案で見積依頼を %(n)d 件送りました。") % {"n": len(rfqs)})
    return redirect("network:job_detail", pk=job.pk)


@login_required
def rfq_detail(request, pk: int):
    rfq = get_for_user_or_404(
        Rfq.objects.select_related("job__company", "job__material"), request.user, VIEW, pk=pk
    )
    owner = is_member(request.user, rfq.job.company)
    context = {
        "rfq": rfq,
        "owner": owner,
        "steps": rfq.steps.select_related("process"),
        "questions": RfqQuestion.objects.for_user(request.user, VIEW)
        .filter(rfq=rfq)
        .select_related("company"),
        "can_answer_questions": is_editor(request.user, rfq.job.company),
    }
    if owner:
        columns = selectors.comparison(user=request.user, rfq=rfq)
        context["columns"] = columns
        context["scores"] = _scores(request.user, rfq, columns)
        quoted = [c for c in columns if c.status == RecipientStatus.QUOTED]
        if rfq.status == RfqStatus.OPEN and quoted and is_editor(request.user, rfq.job.company):
            context["award_form"] = _award_form(request, rfq)
        context["order"] = Order.objects.for_user(request.user, VIEW).filter(rfq=rfq).first()
        if is_editor(request.user, rfq.job.company):
            context["guest_rows"] = selectors.guest_link_rows(user=request.user, rfq=rfq)
    else:
        mine = (
            RfqRecipient.objects.for_user(request.user, VIEW)
            .filter(rfq=rfq, company=active_company_or_403(request))
            .select_related("company")
            .first()
        )
        if mine is None:
            raise Http404
        context["mine"] = mine
        context["quote"] = getattr(mine, "quote", None) if mine.status != "invited" else None
        context["can_answer"] = (
            mine.status == RecipientStatus.INVITED
            and rfq.status == RfqStatus.OPEN
            and is_editor(request.user, mine.company)
        )
        context["quote_form"] = forms.QuoteForm(
            initial={"valid_until": timezone.localdate() + timezone.timedelta(days=30)}
        )
        context["decline_form"] = forms.DeclineForm()
        context["documents"] = rfq.job.documents.filter(
            pk__in=Document.objects.for_user(request.user, VIEW).values("pk")
        )
    return render(request, "network/rfq_detail.html", context)


def _scores(user, rfq: Rfq, columns) -> list:
    """The suggestion score of each invited shop for the RFQ's first step (the same
    transparent score as the suggestions page), in column order."""
    from machikoba.network.suggestions import suggest_partners

    first = rfq.steps.order_by("position").first()
    if first is None:
        return [None for _column in columns]
    ranked = {s.company.pk: s for s in suggest_partners(user=user, step=first, limit=1000)}
    return [ranked.get(column.company_id) for column in columns]


def _award_form(request, rfq, data=None):
    job = rfq.job
    quoted = (
        RfqRecipient.objects.for_user(request.user, VIEW)
        .filter(rfq=rfq, status=RecipientStatus.QUOTED)
        .select_related("company", "quote")
    )
    first = quoted.first()
    delivery = timezone.localdate() + timezone.timedelta(days=first.quote.lead_time_days)
    return forms.AwardForm(
        data,
        recipients=quoted,
        initial={
            "delivery_date": delivery,
            "inspection_date": delivery + timezone.timedelta(days=2),
            "payment_date": delivery + timezone.timedelta(days=30),
            "delivery_place": " ".join(
                p for p in (job.company.municipality, job.company.address_line) if p
            )
            or job.company.name,
        },
    )


def _my_recipient(request, pk: int) -> RfqRecipient:
    company = active_company_or_403(request)
    return get_for_user_or_404(
        RfqRecipient.objects.select_related("rfq", "company"),
        request.user,
        VIEW,
        rfq_id=pk,
        company=company,
    )


@login_required
@require_POST
def quote_submit(request, pk: int):
    recipient = _my_recipient(request, pk)
    form = forms.QuoteForm(request.POST)
    done = save_form(
        request,
        form,
        lambda data: services.quote_submit(
            actor=request.user,
            recipient=recipient,
            price=data["price"],
            lead_time_days=data["lead_time_days"],
            valid_until=data["valid_until"],
            conditions=data["conditions"],
            quantity_breaks=data["quantity_breaks"],
        ),
        success_message=_("見積を提出しました。"),
        next_url=reverse("network:rfq_detail", args=[pk]),
    )
    if done:
        return done
    rfq = recipient.rfq
    return render(
        request,
        "network/rfq_detail.html",
        {
            "rfq": rfq,
            "owner": False,
            "steps": rfq.steps.select_related("process"),
            "mine": recipient,
            "can_answer": True,
            "quote_form": form,
            "decline_form": forms.DeclineForm(),
            "questions": RfqQuestion.objects.for_user(request.user, VIEW).filter(rfq=rfq),
        },
    )


@login_required
@require_POST
def quote_decline(request, pk: int):
    recipient = _my_recipient(request, pk)
    form = forms.DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("辞退の理由を入力してください。"))
    else:
        run_and_flash(
            request,
            lambda: services.quote_decline(
                actor=request.user, recipient=recipient, reason=form.cleaned_data["reason"]
            ),
            _("辞退を伝えました。"),
        )
    return redirect("network:rfq_detail", pk=pk)


@login_required
@require_POST
def rfq_ask(request, pk: int):
    recipient = _my_recipient(request, pk)
    run_and_flash(
        request,
        lambda: services.rfq_question_ask(
            actor=request.user, recipient=recipient, question=request.POST.get("question", "")
        ),
        _("質問を送りました。"),
    )
    return redirect("network:rfq_detail", pk=pk)


@login_required
@require_POST
def rfq_answer(request, pk: int, question_pk: int):
    rfq = get_for_user_or_404(Rfq.objects.select_related("job"), request.user, CHANGE, pk=pk)
    question = get_for_user_or_404(
        RfqQuestion.objects.select_related("rfq__job"),
        request.user,
        CHANGE,
        pk=question_pk,
        rfq=rfq,
    )
    run_and_flash(
        request,
        lambda: services.rfq_question_answer(
            actor=request.user, question=question, answer=request.POST.get("answer", "")
        ),
        _("回答しました。"),
    )
    return redirect("network:rfq_detail", pk=pk)


@login_required
def rfq_award(request, pk: int):
    rfq = get_for_user_or_404(
        Rfq.objects.select_related("job__company"), request.user, CHANGE, pk=pk
    )
    if (
        rfq.status != RfqStatus.OPEN
        or not rfq.recipients.filter(status=RecipientStatus.QUOTED).exists()
    ):
        messages.error(request, _("この見積依頼には、発注できる見積がありません。"))
        return redirect("network:rfq_detail", pk=pk)
    form = _award_form(request, rfq, request.POST or None)
    done = save_form(
        request,
        form,
        lambda data: services.rfq_award(
            actor=request.user,
            rfq=rfq,
            winner=data["winner"],
            delivery_date=data["delivery_date"],
            delivery_place=data["delivery_place"],
            inspection_date=data["inspection_date"],
            payment_date=data["payment_date"],
            payment_method=data["payment_method"],
            outcome_note=data["outcome_note"],
        ),
        success_message=_("発注先を決めて、注文書を発行しました。"),
        next_url=lambda order: reverse("network:order_detail", args=[order.pk]),
    )
    return done or render(request, "network/award_form.html", {"form": form, "rfq": rfq})


# --- orders -----------------------------------------------------------------------------


@login_required
def order_detail(request, pk: int):
    order = get_for_user_or_404(
        Order.objects.select_related("buyer", "supplier", "job"), request.user, VIEW, pk=pk
    )
    return render(
        request,
        "network/order_detail.html",
        {
            "order": order,
            "supplier": is_member(request.user, order.supplier),
            "can_accept": order.status == "issued" and is_editor(request.user, order.supplier),
            "can_change": order.status != "cancelled" and is_editor(request.user, order.buyer),
            "events": order.events.select_related("actor"),
        },
    )


@login_required
def order_change(request, pk: int):
    order = get_for_user_or_404(
        Order.objects.select_related("buyer", "supplier"), request.user, CHANGE, pk=pk
    )
    from machikoba.network.services import ORDER_TERMS

    form = forms.OrderChangeForm(
        request.POST or None, initial={name: getattr(order, name) for name in ORDER_TERMS}
    )
    done = save_form(
        request,
        form,
        lambda data: services.order_change(
            actor=request.user,
            order=order,
            reason=data["reason"],
            **{name: data[name] for name in ORDER_TERMS},
        ),
        success_message=_("注文を変更しました。受注企業が改めて請けると確定します。"),
        next_url=reverse("network:order_detail", args=[order.pk]),
    )
    return done or render(request, "network/order_change.html", {"form": form, "order": order})


@login_required
@require_POST
def order_cancel(request, pk: int):
    order = get_for_user_or_404(Order, request.user, CHANGE, pk=pk)
    run_and_flash(
        request,
        lambda: services.order_cancel(
            actor=request.user, order=order, reason=request.POST.get("reason", "")
        ),
        _("注文を取り消しました。工程は計画に戻りました。"),
    )
    return redirect("network:order_detail", pk=order.pk)


@login_required
@require_POST
def order_accept(request, pk: int):
    order = get_for_user_or_404(Order, request.user, VIEW, pk=pk)
    run_and_flash(
        request,
        lambda: services.order_accept(actor=request.user, order=order),
        _("注文を請けました (注文請書を記録しました)。"),
    )
    return redirect("network:order_detail", pk=order.pk)


# --- my work ----------------------------------------------------------------------------


@login_required
def my_work(request):
    company = active_company_or_403(request)
    return render(
        request,
        "network/my_work.html",
        {"company": company, **selectors.my_work(user=request.user, company=company)},
    )


# --- paperwork and the traveler's phone page --------------------------------------------


def _pdf_response(content: bytes, filename: str):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename, inline=True)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def order_pdf(request, pk: int):
    from machikoba.network.paperwork import order_pdf as render_order

    order = get_for_user_or_404(
        Order.objects.select_related("buyer", "supplier"), request.user, VIEW, pk=pk
    )
    return _pdf_response(render_order(order), f"{order.number}.pdf")


@login_required
def traveler_pdf(request, pk: int):
    from machikoba.network.paperwork import traveler_pdf as render_tag

    step = _step(request, pk)
    receiver = services.receiver_of(step)
    url = request.build_absolute_uri(reverse("network:handoff", args=[step.pk]))
    content = render_tag(step, handoff_url=url, next_party=receiver.name if receiver else _("未定"))
    return _pdf_response(content, f"traveler-{step.job_id}-{step.position}.pdf")


def _handoff_action(user, step: Step) -> str | None:
    """The one thing this person can record on the step now, if any."""
    mine = set(company_ids_for(user, ("owner", "staff", "floor_worker")))
    if step.job.status != "open":
        return None
    if step.performer_id in mine:
        if step.status == StepStatus.ORDERED or (
            step.in_house and step.status == StepStatus.PLANNED
        ):
            return "start"
        if step.status == StepStatus.IN_PROGRESS:
            return "finish"
        if step.status == StepStatus.DONE:
            return "ship"
    receiver = services.receiver_of(step)
    if step.status == StepStatus.SHIPPED and receiver is not None and receiver.pk in mine:
        return "receive"
    return None


@login_required
def handoff(request, pk: int):
    """The page a traveler tag's QR code opens: the next action in one tap."""
    step = _step(request, pk)
    action = _handoff_action(request.user, step)
    if request.method == "POST":
        if request.POST.get("action") != action or action is None:
            messages.error(request, _("この操作は今はできません。画面を更新してください。"))
            return redirect("network:handoff", pk=step.pk)
        calls = {
            "start": lambda: services.step_start(actor=request.user, step=step),
            "finish": lambda: services.step_finish(actor=request.user, step=step),
            "ship": lambda: services.step_ship(
                actor=request.user, step=step, quantity=services.ship_quantity_default(step)
            ),
            "receive": lambda: services.step_receive(
                actor=request.user, step=step, good_quantity=step.shipped_quantity
            ),
        }
        run_and_flash(request, calls[action], _("記録しました。"))
        return redirect("network:handoff", pk=step.pk)
    return render(
        request,
        "network/handoff.html",
        {
            "step": step,
            "action": action,
            "ship_quantity": services.ship_quantity_default(step) if action == "ship" else None,
            "receiver": services.receiver_of(step),
        },
    )


# --- one-time links for shops without an account (回答用リンク) ---------------------------


def _owner_recipient(request, pk: int, recipient_pk: int) -> RfqRecipient:
    rfq = get_for_user_or_404(Rfq.objects.select_related("job"), request.user, CHANGE, pk=pk)
    recipient = rfq.recipients.select_related("company", "rfq__job__company").filter(
        pk=recipient_pk
    )
    found = recipient.first()
    if found is None:
        raise Http404
    return found


@login_required
@require_POST
def guest_link_email(request, pk: int, recipient_pk: int):
    recipient = _owner_recipient(request, pk, recipient_pk)
    form = forms.GuestLinkEmailForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("メールアドレスを正しく入力してください。"))
    else:
        run_and_flash(
            request,
            lambda: services.guest_link_issue(
                actor=request.user,
                recipient=recipient,
                channel=GuestLinkChannel.EMAIL,
                email=form.cleaned_data["email"],
            ),
            _("回答用リンクをメールで送りました。"),
        )
    return redirect("network:rfq_detail", pk=pk)


@login_required
@require_POST
def guest_link_print(request, pk: int, recipient_pk: int):
    """Issue a print link and answer with its one-page PDF: the only time the link exists
    in the clear, so the PDF is not stored and cannot be fetched again."""
    from machikoba.network.paperwork import guest_link_pdf

    recipient = _owner_recipient(request, pk, recipient_pk)
    try:
        link, token = services.guest_link_issue(
            actor=request.user, recipient=recipient, channel=GuestLinkChannel.PRINT
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("network:rfq_detail", pk=pk)
    content = guest_link_pdf(
        link, url=services.guest_link_url(token), contact=services.guest_contact(link.recipient.rfq)
    )
    return _pdf_response(content, f"rfq-{pk}-{recipient.company_id}.pdf")


# Per client address: every request to /r/…, and failed look-ups (guessing); per link.
GUEST_WINDOW_SECONDS = 600
GUEST_REQUESTS_PER_IP = 60
GUEST_FAILURES_PER_IP = 10
GUEST_REQUESTS_PER_LINK = 60


def _count(key: str) -> int:
    """Add one to a counter that lives for the window (atomic on every cache backend)."""
    from django.core.cache import cache

    cache.add(key, 0, timeout=GUEST_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=GUEST_WINDOW_SECONDS)
        return 1


def _guest_too_many(request, token: str) -> bool:
    from django.core.cache import cache

    ip = client_ip(request) or "unknown"
    if _count(f"guest-link:ip:{ip}") > GUEST_REQUESTS_PER_IP:
        return True
    if (cache.get(f"guest-link:fail:{ip}") or 0) >= GUEST_FAILURES_PER_IP:
        return True
    # Keyed by a hash: the cache never holds a usable token.
    key = services.guest_token_hash(token[:100])[:32]
    return _count(f"guest-link:token:{key}") > GUEST_REQUESTS_PER_LINK


def _guest_headers(response):
    response["Cache-Control"] = "private, no-store"
    # The token is in the address: never sent to another site. (Not "no-referrer": the
    # browser would then send "Origin: null" with the forms, which CSRF rightly refuses.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _guest(view=None, *, opens: bool = False):
    """A page opened by a one-time link: rate-limited, the token resolved (every refusal
    logged; with ``opens`` the opening is logged and counted), and a refusal shown as a
    page that says only what the holder may know."""
    if view is None:
        return lambda function: _guest(function, opens=opens)
    import functools

    @functools.wraps(view)
    def wrapper(request, token: str, *args, **kwargs):
        if _guest_too_many(request, token):
            response = render(request, "network/guest/too_many.html", status=429)
            response["Retry-After"] = str(GUEST_WINDOW_SECONDS)
            return _guest_headers(response)
        try:
            link = services.guest_link_resolve(
                token=token,
                ip_address=client_ip(request),
                record_open=opens,
            )
        except services.GuestLinkRefused as refused:
            if refused.link is None:
                _count(f"guest-link:fail:{client_ip(request) or 'unknown'}")
            return _guest_headers(
                render(
                    request,
                    "network/guest/unusable.html",
                    {
                        "refusal": refused,
                        # A genuine link's holder received the sender's name with it.
                        "sender": refused.link.recipient.rfq.job.company if refused.link else None,
                    },
                    status=refused.status_code,
                )
            )
        return _guest_headers(view(request, link, token, *args, **kwargs))

    return wrapper


def _guest_viewer(link) -> str:
    return f"{_('回答用リンク')} {link.email or _('FAX')}"


def _guest_page(request, link, token, *, quote_form=None, decline_form=None, status=200):
    from machikoba.drawings.grantee_pages import grantee_documents, grantee_view_record

    recipient = link.recipient
    rfq = recipient.rfq
    if link.used_at is not None:
        return render(
            request,
            "network/guest/thanks.html",
            {
                "link": link,
                "token": token,
                "recipient": recipient,
                "rfq": rfq,
                "quote": Quote.objects.filter(recipient=recipient).first(),
                "can_claim": link.claimed_at is None
                and not services.company_has_account(recipient.company),
                "claim_form": forms.GuestClaimForm(),
            },
            status=status,
        )
    grant_ids = list(recipient.grants.values_list("pk", flat=True))
    documents = grantee_documents(grantee=recipient.company, grant_ids=grant_ids)
    if request.method == "GET":
        grantee_view_record(
            grantee=recipient.company,
            rows=documents,
            via=_guest_viewer(link),
            ip_address=client_ip(request),
        )
    active_grants = recipient.grants.filter(revoked_at__isnull=True).count()
    nda = None
    if active_grants > len(documents):
        from machikoba.drawings.models import NdaText

        nda = NdaText.objects.filter(company=rfq.job.company).order_by("-version").first()
    return render(
        request,
        "network/guest/rfq.html",
        {
            "link": link,
            "token": token,
            "rfq": rfq,
            "recipient": recipient,
            "steps": rfq.steps.select_related("process").order_by("position"),
            "documents": documents,
            "documents_hidden": active_grants > len(documents),
            "nda": nda,
            "contact": rfq.created_by,
            "quote_form": quote_form
            or forms.QuoteForm(
                initial={"valid_until": timezone.localdate() + timezone.timedelta(days=30)}
            ),
            "decline_form": decline_form or forms.DeclineForm(),
        },
        status=status,
    )


@require_GET
@_guest(opens=True)
def guest_rfq_page(request, link, token):
    """The RFQ as its one-time link shows it; once answered, the thanks and the claim."""
    return _guest_page(request, link, token)


def _guest_answer(request, link, token, form, answer, success: str, form_name: str):
    """A quote or a decline through the link: the service answers and uses the link up;
    a refusal shows the form again; a link already used goes back to its thanks page."""
    done = save_form(
        request,
        form,
        answer,
        success_message=success,
        next_url=reverse("network:guest_rfq", args=[token]),
    )
    if done:
        return done
    if link.used_at is not None:
        return redirect("network:guest_rfq", token=token)
    return _guest_page(request, link, token, **{form_name: form})


@require_POST
@_guest
def guest_quote(request, link, token):
    return _guest_answer(
        request,
        link,
        token,
        forms.QuoteForm(request.POST),
        lambda data: services.guest_quote_submit(
            link=link,
            price=data["price"],
            lead_time_days=data["lead_time_days"],
            valid_until=data["valid_until"],
            conditions=data["conditions"],
            quantity_breaks=data["quantity_breaks"],
            ip_address=client_ip(request),
        ),
        _("見積を提出しました。"),
        "quote_form",
    )


@require_POST
@_guest
def guest_decline(request, link, token):
    return _guest_answer(
        request,
        link,
        token,
        forms.DeclineForm(request.POST),
        lambda data: services.guest_decline(
            link=link, reason=data["reason"], ip_address=client_ip(request)
        ),
        _("辞退を伝えました。"),
        "decline_form",
    )


@require_POST
@_guest
def guest_claim(request, link, token):
    form = forms.GuestClaimForm(request.POST)
    if form.is_valid():
        try:
            user = services.guest_claim(
                link=link,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password"],
                ip_address=client_ip(request),
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            return render(
                request,
                "network/guest/claimed.html",
                {"user": user, "company": link.recipient.company},
            )
    if link.used_at is None:
        return redirect("network:guest_rfq", token=token)
    return render(
        request,
        "network/guest/thanks.html",
        {
            "link": link,
            "token": token,
            "recipient": link.recipient,
            "rfq": link.recipient.rfq,
            "quote": Quote.objects.filter(recipient=link.recipient).first(),
            "can_claim": link.claimed_at is None
            and not services.company_has_account(link.recipient.company),
            "claim_form": form,
        },
    )


@require_POST
@_guest
def guest_nda(request, link, token):
    """The link holder accepts the sender's NDA, so that the shared drawings show."""
    from machikoba.drawings.internal import nda_accept_by_link
    from machikoba.drawings.models import NdaText

    if link.used_at is not None:
        return redirect("network:guest_rfq", token=token)
    nda = NdaText.objects.filter(
        pk=request.POST.get("nda") if str(request.POST.get("nda", "")).isdigit() else None,
        company=link.recipient.rfq.job.company,
    ).first()
    if nda is None or request.POST.get("agree") != "yes":
        messages.error(request, _("図面を見るには、秘密保持の条項に同意してください。"))
        return redirect("network:guest_rfq", token=token)
    try:
        nda_accept_by_link(
            company=link.recipient.company,
            nda=nda,
            via=_guest_viewer(link),
            ip_address=client_ip(request),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("秘密保持に同意しました。図面を見られます。"))
    return redirect("network:guest_rfq", token=token)


@require_GET
@_guest
def guest_page_image(request, link, token, document_pk: int, page: int):
    """A drawing page for the link holder: only documents granted to its company for
    this RFQ, watermarked with the company, the link and the time; never after answering."""
    from machikoba.drawings.grantee_pages import grantee_page_png

    if link.used_at is not None:
        raise Http404
    recipient = link.recipient
    png = grantee_page_png(
        grantee=recipient.company,
        grant_ids=recipient.grants.values_list("pk", flat=True),
        document_pk=document_pk,
        page=page,
        viewer=_guest_viewer(link),
        zoom=request.GET.get("size") == "zoom",
    )
    if png is None:
        raise Http404
    response = HttpResponse(png, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    return response
