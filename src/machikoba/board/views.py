"""Pages of the open board: the board itself, posting a request (buyers) or a job's steps
(shops), a request's page (summary or details, hands, admissions, teams, award), the team
screen (members, assignments, the internal split, one quote) and buyer registration."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from machikoba.accounts.models import User
from machikoba.board import forms, selectors, services
from machikoba.board.choices import MemberStatus, RequestStatus
from machikoba.board.models import Admission, Hand, Request, RequestProcess, Team, TeamMember
from machikoba.board.selectors import pages
from machikoba.companies.middleware import ACTIVE_COMPANY_SESSION_KEY
from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, MANAGE, VIEW, can, get_for_user_or_404
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.forms import ServiceForm
from machikoba.core.ids import parse_id
from machikoba.core.views import active_company_or_403, client_ip, run_and_flash, save_form
from machikoba.network.models import Job


class AuthenticatedRequest(HttpRequest):
    """Every board page requires a signed-in user (``login_required``)."""

    user: User


def _form_errors(form: ServiceForm) -> str:
    return " ".join(str(e) for errs in form.errors.values() for e in errs)


# --- the board --------------------------------------------------------------------------


@login_required
def board(request: AuthenticatedRequest) -> HttpResponse:
    company = active_company_or_403(request)
    page = pages.board_page(
        request.user,
        company,
        capable_only=request.GET.get("all") != "1",
        process_code=request.GET.get("process", ""),
        material_id=parse_id(request.GET.get("material")),
    )
    return render(request, "board/board.html", page.context())


def _request_form(request: AuthenticatedRequest, company: Company) -> forms.RequestForm:
    return forms.RequestForm(
        request.POST or None,
        initial={"answer_by": timezone.localdate() + dt.timedelta(days=7)},
        **pages.request_form_choices(request.user, company),
    )


@login_required
def request_create(request: AuthenticatedRequest) -> HttpResponse:
    company = active_company_or_403(request)
    if not can(request.user, CHANGE, company):
        raise PermissionDenied
    form = _request_form(request, company)
    done = save_form(
        request,
        form,
        lambda data: services.request_post(
            actor=request.user,
            company=company,
            part_name=data["part_name"],
            drawing_number=data["drawing_number"],
            material=data["material"],
            material_note=data["material_note"],
            quantity=data["quantity"],
            due_date=data["due_date"],
            answer_by=data["answer_by"],
            area=data["area"],
            delivery_place=data["delivery_place"],
            description=data["description"],
            documents=list(data["documents"]),
            audience=data["audience"],
            invited=list(data["invited"]),
            processes=form.route(),
        ),
        success_message=_("引き合いを出しました。手が挙がると通知が届きます。"),
        next_url=lambda req: reverse("board:request_detail", args=[req.pk]),
    )
    return done or render(request, "board/request_form.html", {"form": form})


@login_required
def job_post(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = get_for_user_or_404(Job.objects.select_related("company"), request.user, CHANGE, pk=pk)
    steps = pages.postable_steps(request.user, job)
    form = forms.JobPostForm(
        request.POST or None,
        initial={"answer_by": timezone.localdate() + dt.timedelta(days=7), "steps": list(steps)},
        steps=steps,
    )
    done = save_form(
        request,
        form,
        lambda data: services.request_post_job(
            actor=request.user,
            job=job,
            steps=list(data["steps"]),
            answer_by=data["answer_by"],
            description=data["description"],
        ),
        success_message=_("案件の工程を掲示板に出しました。"),
        next_url=lambda req: reverse("board:request_detail", args=[req.pk]),
    )
    return done or render(request, "board/job_post.html", {"form": form, "job": job})


# --- one request ------------------------------------------------------------------------


def _request(request: AuthenticatedRequest, pk: int, action: str = VIEW) -> Request:
    return get_for_user_or_404(
        Request.objects.select_related("company", "material", "job"), request.user, action, pk=pk
    )


@login_required
def request_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    req = _request(request, pk)
    page = pages.request_page(request.user, req, getattr(request, "active_company", None))
    return render(request, "board/request_detail.html", page.context())


@login_required
@require_POST
def admission_request(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    req = _request(request, pk)
    company = active_company_or_403(request)
    form = forms.AdmissionForm(request.POST)
    if not form.is_valid():
        messages.error(request, str(form.errors["agree"][0]))
        return redirect("board:request_detail", pk=pk)
    run_and_flash(
        request,
        lambda: services.admission_request(
            actor=request.user,
            company=company,
            request=req,
            nda_accepted=True,
            ip_address=client_ip(request),
        ),
        _("秘密保持に同意しました。発注企業が承認すると詳細を見られます。"),
    )
    return redirect("board:request_detail", pk=pk)


@login_required
@require_POST
def admission_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    admission = get_for_user_or_404(
        Admission.objects.select_related("request", "company"), request.user, CHANGE, pk=pk
    )
    admit = request.POST.get("decision") == "admit"
    run_and_flash(
        request,
        lambda: services.admission_decide(actor=request.user, admission=admission, admit=admit),
        _("承認しました。この企業は詳細と図面を見られます。") if admit else _("見送りました。"),
    )
    return redirect("board:request_detail", pk=admission.request_id)


@login_required
def hand_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Raise a hand on a process, or change the one the company has."""
    process = get_for_user_or_404(
        RequestProcess.objects.select_related("request", "process"), request.user, VIEW, pk=pk
    )
    company = active_company_or_403(request)
    hand = selectors.own_hand(user=request.user, process=process, company=company)
    initial = (
        {"price": hand.price, "lead_time_days": hand.lead_time_days, "comment": hand.comment}
        if hand
        else {}
    )
    form = forms.HandForm(request.POST or None, initial=initial)
    if request.method == "POST" and request.POST.get("withdraw") and hand is not None:
        run_and_flash(
            request,
            lambda: services.hand_withdraw(actor=request.user, hand=hand),
            _("手挙げを取り下げました。"),
        )
        return redirect("board:request_detail", pk=process.request_id)

    def save(data: dict[str, Any]) -> Hand:
        if hand is not None:
            return services.hand_update(actor=request.user, hand=hand, **data)
        return services.hand_raise(actor=request.user, company=company, process=process, **data)

    done = save_form(
        request,
        form,
        save,
        success_message=_("手挙げを変更しました。") if hand else _("手を挙げました。"),
        next_url=reverse("board:request_detail", args=[process.request_id]),
    )
    return done or render(
        request, "board/hand_form.html", {"form": form, "process": process, "hand": hand}
    )


@login_required
def hand_rfq(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """On a posted job, the owner asks the shops whose hands it picks for a quote."""
    process = get_for_user_or_404(
        RequestProcess.objects.select_related("request__job", "process", "step"),
        request.user,
        CHANGE,
        pk=pk,
    )
    chosen = selectors.hands_chosen(
        user=request.user, process=process, pks=request.POST.getlist("hands")
    )
    if request.method == "POST":
        deadline = timezone.make_aware(
            dt.datetime.combine(process.request.answer_by, dt.time(17, 0))
        )
        if deadline <= timezone.now():
            deadline = timezone.now() + dt.timedelta(days=2)
        try:
            rfq = services.hand_rfq(
                actor=request.user, process=process, hands=chosen, deadline=deadline
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("選んだ企業に見積依頼を送りました。"))
            return redirect("network:rfq_detail", pk=rfq.pk)
    return redirect("board:request_detail", pk=process.request_id)


@login_required
def request_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    req = _request(request, pk, CHANGE)
    form = forms.ReasonForm(request.POST or None)
    done = save_form(
        request,
        form,
        lambda data: services.request_cancel(
            actor=request.user, request=req, reason=data["reason"]
        ),
        success_message=_("引き合いを取り下げました。関係する企業に知らせました。"),
        next_url=reverse("board:request_detail", args=[req.pk]),
    )
    return done or render(request, "board/request_cancel.html", {"form": form, "req": req})


@login_required
def request_award(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    req = _request(request, pk, CHANGE)
    teams = selectors.quoted_teams(user=request.user, request=req)
    if req.status != RequestStatus.OPEN or not teams.exists():
        messages.error(request, _("この引き合いには、発注できる見積がありません。"))
        return redirect("board:request_detail", pk=pk)
    # The team picked on the request page (?team=<id>), or the only one there is.
    picked = parse_id(request.GET.get("team"))
    only = teams.first() if teams.count() == 1 else None
    form = forms.AwardForm(
        request.POST or None,
        initial={
            "team": picked if teams.filter(pk=picked).exists() else (only.pk if only else None),
            "delivery_place": req.delivery_place,
            "inspection_date": req.due_date,
            "payment_date": req.due_date + dt.timedelta(days=30),
        },
        teams=teams,
    )
    done = save_form(
        request,
        form,
        lambda data: services.request_award(actor=request.user, request=req, **data),
        success_message=_("発注先のチームを決めて、注文書を発行しました。"),
        next_url=lambda team: reverse("network:order_detail", args=[team.buyer_order_id]),
    )
    return done or render(request, "board/award_form.html", {"form": form, "req": req})


# --- teams ------------------------------------------------------------------------------


@login_required
@require_POST
def team_form(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    req = _request(request, pk)
    company = active_company_or_403(request)
    try:
        team = services.team_form(actor=request.user, company=company, request=req)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("board:request_detail", pk=pk)
    messages.success(
        request, _("チームを作りました。メンバーを招待して、工程を割り当ててください。")
    )
    return redirect("board:team_detail", pk=team.pk)


def _team(request: AuthenticatedRequest, pk: int, action: str = VIEW) -> Team:
    return get_for_user_or_404(
        Team.objects.select_related("request__company", "lead"), request.user, action, pk=pk
    )


@login_required
def team_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    page = pages.team_page(request.user, team, getattr(request, "active_company", None))
    context = page.context()
    if page.lead and page.forming:
        context["invite_form"] = forms.InviteForm(companies=page.invitable)
        context["terms_form"] = forms.TermsForm(
            initial={
                "margin": team.margin,
                "payment_days": team.payment_days,
                "share_split": team.share_split,
            }
        )
        context["quote_form"] = forms.TeamQuoteForm(
            initial={"valid_until": team.request.answer_by + dt.timedelta(days=30)}
        )
    me = page.me
    if me is not None and me.status == MemberStatus.JOINED and page.forming:
        context["member_quote_form"] = forms.MemberQuoteForm(
            initial={
                "price": me.internal_price,
                "delivery_date": me.delivery_date or team.request.due_date,
                "note": me.note,
            }
        )
    return render(request, "board/team_detail.html", context)


@login_required
@require_POST
def team_invite(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    team = _team(request, pk, CHANGE)
    company = pages.company_to_invite(request.user, str(request.POST.get("company", "")))
    if company is None:
        messages.error(request, _("招待する企業を選んでください。"))
    else:
        run_and_flash(
            request,
            lambda: services.team_invite(actor=request.user, team=team, company=company),
            _("%(company)s を招待しました。") % {"company": company.name},
        )
    return redirect("board:team_detail", pk=pk)


@login_required
@require_POST
def team_assign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    team = _team(request, pk, CHANGE)
    chosen: dict[RequestProcess, TeamMember | None] = {}
    for process in selectors.request_processes(team.request):
        value = request.POST.get(f"process_{process.pk}")
        if value is None:
            continue
        member = None
        if value:  # empty: take the process back
            member = selectors.team_member_of(user=request.user, team=team, pk=value)
            if member is None:
                messages.error(request, _("チームのメンバーを選んでください。"))
                return redirect("board:team_detail", pk=pk)
        chosen[process] = member
    try:
        with transaction.atomic():  # the whole table or nothing
            for process, member in chosen.items():
                services.team_assign(actor=request.user, team=team, process=process, member=member)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("board:team_detail", pk=pk)
    messages.success(request, _("担当を保存しました。"))
    return redirect("board:team_detail", pk=pk)


@login_required
@require_POST
def team_terms(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    team = _team(request, pk, CHANGE)
    form = forms.TermsForm(request.POST)
    if form.is_valid():
        run_and_flash(
            request,
            lambda: services.team_terms_set(actor=request.user, team=team, **form.cleaned_data),
            _("内訳の設定を保存しました。"),
        )
    else:
        messages.error(request, _form_errors(form))
    return redirect("board:team_detail", pk=pk)


@login_required
@require_POST
def team_quote(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    team = _team(request, pk, CHANGE)
    if request.POST.get("withdraw"):
        run_and_flash(
            request,
            lambda: services.team_quote_withdraw(actor=request.user, team=team),
            _("見積を取り下げました。チームを変更できます。"),
        )
        return redirect("board:team_detail", pk=pk)
    form = forms.TeamQuoteForm(request.POST)
    if form.is_valid():
        run_and_flash(
            request,
            lambda: services.team_quote_send(actor=request.user, team=team, **form.cleaned_data),
            _("発注企業にチームの見積を送りました。"),
        )
    else:
        messages.error(request, _form_errors(form))
    return redirect("board:team_detail", pk=pk)


def _member(request: AuthenticatedRequest, pk: int, action: str) -> TeamMember:
    return get_for_user_or_404(
        TeamMember.objects.select_related("team", "company"), request.user, action, pk=pk
    )


@login_required
@require_POST
def member_answer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = _member(request, pk, CHANGE)
    join = request.POST.get("answer") == "join"
    run_and_flash(
        request,
        lambda: services.member_answer(actor=request.user, member=member, join=join),
        _("チームに参加しました。担当工程の見積を出してください。")
        if join
        else _("辞退しました。"),
    )
    return redirect("board:team_detail", pk=member.team_id)


@login_required
@require_POST
def member_quote(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = _member(request, pk, CHANGE)
    form = forms.MemberQuoteForm(request.POST)
    if form.is_valid():
        run_and_flash(
            request,
            lambda: services.member_quote(actor=request.user, member=member, **form.cleaned_data),
            _("幹事企業に見積を出しました。"),
        )
    else:
        messages.error(request, _form_errors(form))
    return redirect("board:team_detail", pk=member.team_id)


@login_required
def member_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = _member(request, pk, MANAGE)
    form = forms.ReasonForm(request.POST or None)
    done = save_form(
        request,
        form,
        lambda data: services.member_remove(
            actor=request.user, member=member, reason=data["reason"]
        ),
        success_message=_("%(company)s をチームから外しました。")
        % {"company": member.company.name},
        next_url=reverse("board:team_detail", args=[member.team_id]),
    )
    return done or render(request, "board/member_remove.html", {"form": form, "member": member})


# --- buyers -----------------------------------------------------------------------------


@login_required
def buyer_register(request: AuthenticatedRequest) -> HttpResponse:
    """A person who buys for a company outside the network registers it as a buyer."""
    form = forms.BuyerForm(request.POST or None)

    def save(data: dict[str, Any]) -> Company:
        company = services.buyer_register(actor=request.user, ip_address=client_ip(request), **data)
        request.session[ACTIVE_COMPANY_SESSION_KEY] = company.pk
        return company

    done = save_form(
        request,
        form,
        save,
        success_message=_("発注企業として登録しました。引き合いを出せます。"),
        next_url=reverse("board:request_create"),
    )
    return done or render(request, "board/buyer_register.html", {"form": form})


# --- messages ---------------------------------------------------------------------------


@login_required
def request_messages(request: AuthenticatedRequest, pk: int, company_pk: int) -> HttpResponse:
    """The thread between a request's poster and one admitted shop (or a team's lead)."""
    req = _request(request, pk)
    company = active_company_or_403(request)
    party = (
        req.company
        if company_pk == req.company_id
        else get_for_user_or_404(Company, request.user, VIEW, pk=company_pk)
    )
    try:
        thread = services.request_thread_open(
            actor=request.user, request=req, company=company, party=party
        )
    except PermissionRefused:
        raise Http404 from None
    return redirect("messaging:thread", pk=thread.pk)


@login_required
def team_messages(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One thread for the whole team: the lead and its current members."""
    team = _team(request, pk)
    try:
        thread = services.team_thread_open(actor=request.user, team=team)
    except PermissionRefused:
        raise Http404 from None
    return redirect("messaging:thread", pk=thread.pk)
