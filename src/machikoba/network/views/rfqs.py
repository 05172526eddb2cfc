"""Pages of RFQs: sending one, the RFQ page (the owner's comparison table or a shop's
answer), quotes, declines, questions, and the award."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from machikoba.core.access import CHANGE, VIEW, get_for_user_or_404
from machikoba.core.ids import parse_id
from machikoba.core.views import active_company_or_403, client_ip, run_and_flash, save_form
from machikoba.network import forms, services
from machikoba.network.choices import RfqStatus
from machikoba.network.models import Job, Rfq, RfqQuestion, RfqRecipient
from machikoba.network.selectors import pages


@login_required
def rfq_create(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_for_user_or_404(Job, request.user, CHANGE, pk=pk)
    # From the suggestions page: ?step=…&to=…&to=… preselects the step and the shops.
    initial = {
        "deadline": forms.default_deadline(),
        "questions_public": True,
        "steps": request.GET.getlist("step"),
        "recipients": request.GET.getlist("to"),
    }
    form = forms.RfqForm(
        request.POST or None, initial=initial, **pages.rfq_form_choices(request.user, job)
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


def _quote_form(data: Any = None) -> forms.QuoteForm:
    return forms.QuoteForm(
        data, initial={"valid_until": timezone.localdate() + timezone.timedelta(days=30)}
    )


@login_required
def rfq_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rfq = get_for_user_or_404(
        Rfq.objects.select_related("job__company", "job__material"), request.user, VIEW, pk=pk
    )
    active = getattr(request, "active_company", None) or None
    page = pages.rfq_page(request.user, rfq, company=active)
    if page is None:
        active_company_or_403(request)
        raise Http404
    context = page.context()
    if page.owner:
        if page.can_award:
            context["award_form"] = _award_form(request, rfq)
    else:
        context.update(quote_form=_quote_form(), decline_form=forms.DeclineForm())
    return render(request, "network/rfq_detail.html", context)


def _award_form(request: HttpRequest, rfq: Rfq, data: Any = None) -> forms.AwardForm:
    # The comparison's 「この会社に決める」 names the shop (?winner=<recipient id>).
    winner_id = parse_id(request.GET.get("winner"))
    recipients, initial = pages.award_choices(request.user, rfq, winner_id=winner_id)
    return forms.AwardForm(data, recipients=recipients, initial=initial)


def _my_recipient(request: HttpRequest, pk: int) -> RfqRecipient:
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
def quote_submit(request: HttpRequest, pk: int) -> HttpResponse:
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
    rfq = get_for_user_or_404(Rfq.objects.select_related("job__company"), request.user, VIEW, pk=pk)
    page = pages.rfq_page(request.user, rfq, company=recipient.company)
    if page is None:
        raise Http404
    context = {
        **page.context(),
        "can_answer": True,
        "quote_form": form,
        "decline_form": forms.DeclineForm(),
    }
    return render(request, "network/rfq_detail.html", context)


@login_required
@require_POST
def quote_decline(request: HttpRequest, pk: int) -> HttpResponse:
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
def rfq_ask(request: HttpRequest, pk: int) -> HttpResponse:
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
def rfq_answer(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
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
def rfq_award(request: HttpRequest, pk: int) -> HttpResponse:
    rfq = get_for_user_or_404(
        Rfq.objects.select_related("job__company"), request.user, CHANGE, pk=pk
    )
    if rfq.status != RfqStatus.OPEN or not pages.rfq_has_quotes(rfq):
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
