"""Pages of one-time links (回答用リンク): the owner issues a link (by e-mail or printed
for FAX); the holder, without an account, sees the RFQ and its drawings, quotes or
declines, and may then ask the ward for its company's first account (the link itself
never gives one: docs/guest-links.md). Rate limits and the token check are in
``guest_throttle``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from machikoba.core.access import CHANGE, get_for_user_or_404
from machikoba.core.errors import ApplicationError
from machikoba.core.ids import parse_id
from machikoba.core.views import client_ip, run_and_flash, save_form
from machikoba.drawings.grantee_pages import grantee_page_png, grantee_view_record
from machikoba.network import forms, selectors, services
from machikoba.network.choices import GuestLinkChannel
from machikoba.network.guest_throttle import guest_page
from machikoba.network.models import GuestLink, Rfq, RfqRecipient
from machikoba.network.paperwork import guest_link_pdf
from machikoba.network.views._common import pdf_response


def _owner_recipient(request: HttpRequest, pk: int, recipient_pk: int) -> RfqRecipient:
    rfq = get_for_user_or_404(Rfq.objects.select_related("job"), request.user, CHANGE, pk=pk)
    found = (
        rfq.recipients.select_related("company", "rfq__job__company")
        .filter(pk=recipient_pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


@login_required
@require_POST
def guest_link_email(request: HttpRequest, pk: int, recipient_pk: int) -> HttpResponse:
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
def guest_link_print(request: HttpRequest, pk: int, recipient_pk: int) -> HttpResponse:
    """Issue a print link and answer with its one-page PDF: the only time the link exists
    in the clear, so the PDF is not stored and cannot be fetched again."""

    recipient = _owner_recipient(request, pk, recipient_pk)
    try:
        link, token = services.guest_link_issue(
            actor=request.user, recipient=recipient, channel=GuestLinkChannel.PRINT
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("network:rfq_detail", pk=pk)
    content = guest_link_pdf(
        link,
        url=selectors.guest_link_url(token),
        contact=selectors.guest_contact(link.recipient.rfq),
    )
    return pdf_response(content, f"rfq-{pk}-{recipient.company_id}.pdf")


def _thanks(
    request: HttpRequest, link: GuestLink, token: str, account_form: Any, status: int = 200
) -> HttpResponse:
    recipient = link.recipient
    return render(
        request,
        "network/guest/thanks.html",
        {
            "link": link,
            "token": token,
            "recipient": recipient,
            "rfq": recipient.rfq,
            "quote": selectors.guest_quote(recipient),
            "account_route": selectors.guest_account_route(link),
            "account_form": account_form,
        },
        status=status,
    )


def _guest_rfq(
    request: HttpRequest,
    link: GuestLink,
    token: str,
    *,
    quote_form: Any = None,
    decline_form: Any = None,
    status: int = 200,
) -> HttpResponse:

    if link.used_at is not None:
        return _thanks(request, link, token, forms.GuestAccountRequestForm(), status=status)
    view = selectors.guest_rfq_view(link)
    if request.method == "GET":
        grantee_view_record(
            grantee=link.recipient.company,
            rows=view["documents"],
            via=selectors.guest_viewer_label(link),
            ip_address=client_ip(request),
        )
    return render(
        request,
        "network/guest/rfq.html",
        {
            **view,
            "link": link,
            "token": token,
            "quote_form": quote_form
            or forms.QuoteForm(
                initial={"valid_until": timezone.localdate() + timezone.timedelta(days=30)}
            ),
            "decline_form": decline_form or forms.DeclineForm(),
        },
        status=status,
    )


@require_GET
@guest_page(opens=True)
def guest_rfq_page(request: HttpRequest, link: GuestLink, token: str) -> HttpResponse:
    """The RFQ as its one-time link shows it; once answered, the thanks and the claim."""
    return _guest_rfq(request, link, token)


def _guest_answer(
    request: HttpRequest,
    link: GuestLink,
    token: str,
    form: Any,
    answer: Any,
    success: str,
    form_name: str,
) -> HttpResponse:
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
    return _guest_rfq(request, link, token, **{form_name: form})


@require_POST
@guest_page
def guest_quote(request: HttpRequest, link: GuestLink, token: str) -> HttpResponse:
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
@guest_page
def guest_decline(request: HttpRequest, link: GuestLink, token: str) -> HttpResponse:
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
@guest_page
def guest_claim(request: HttpRequest, link: GuestLink, token: str) -> HttpResponse:
    """After answering, ask the ward for the company's first account (never an account
    from the link itself)."""
    if link.used_at is None:
        return redirect("network:guest_rfq", token=token)
    form = forms.GuestAccountRequestForm(request.POST)
    if form.is_valid():
        try:
            claim = services.guest_account_request(
                link=link,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
                note=form.cleaned_data["note"],
                ip_address=client_ip(request),
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            return render(
                request,
                "network/guest/account_requested.html",
                {
                    "company": link.recipient.company,
                    "by_email": bool(claim.sent_to),
                    "masked_email": selectors.mask_email(claim.sent_to),
                },
            )
    return _thanks(request, link, token, form)


@require_POST
@guest_page
def guest_nda(request: HttpRequest, link: GuestLink, token: str) -> HttpResponse:
    """The link holder accepts the sender's NDA, so that the shared drawings show."""
    if link.used_at is not None:
        return redirect("network:guest_rfq", token=token)
    try:
        services.guest_nda_accept(
            link=link,
            nda_id=parse_id(request.POST.get("nda")),
            agreed=request.POST.get("agree") == "yes",
            ip_address=client_ip(request),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("秘密保持に同意しました。図面を見られます。"))
    return redirect("network:guest_rfq", token=token)


@require_GET
@guest_page
def guest_page_image(
    request: HttpRequest, link: GuestLink, token: str, document_pk: int, page: int
) -> HttpResponse:
    """A drawing page for the link holder: only documents granted to its company for
    this RFQ, watermarked with the company, the link and the time; never after answering."""

    if link.used_at is not None:
        raise Http404
    recipient = link.recipient
    png = grantee_page_png(
        grantee=recipient.company,
        grant_ids=recipient.grants.values_list("pk", flat=True),
        document_pk=document_pk,
        page=page,
        viewer=selectors.guest_viewer_label(link),
        zoom=request.GET.get("size") == "zoom",
    )
    if png is None:
        raise Http404
    response = HttpResponse(png, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    return response
