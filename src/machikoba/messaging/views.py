"""Pages of messages: the inbox and a thread (read and write). The way from a job to its
thread with one partner is a network page (``network:job_thread``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from machikoba.core.access import VIEW, company_ids_for, get_for_user_or_404
from machikoba.core.uploads import limit_upload_size
from machikoba.core.views import active_company_or_403, save_form
from machikoba.drawings.sniffing import too_large_message
from machikoba.messaging import selectors, services
from machikoba.messaging.access import ALL_ROLES, EDITOR_ROLES
from machikoba.messaging.forms import MessageForm
from machikoba.messaging.models import Thread


@login_required
def inbox(request):
    company = active_company_or_403(request)
    threads = list(selectors.threads_for(request.user)[:200])
    return render(
        request,
        "messaging/inbox.html",
        {
            "threads": threads,
            "company": company,
            "several_companies": len(getattr(request, "memberships", [])) > 1,
        },
    )


def _writing_company(request, participants):
    """The company the person writes for: the active one when it takes part, else the
    first of theirs that does (a person may belong to several)."""
    taking_part = {p.company_id: p.company for p in participants}
    mine = company_ids_for(request.user, ALL_ROLES)
    active = getattr(request, "active_company", None) or None
    if active is not None and active.pk in taking_part and active.pk in mine:
        return taking_part[active.pk]
    return next((taking_part[pk] for pk in mine if pk in taking_part), None)


def _max_upload_bytes() -> int:
    return settings.MACHIKOBA_DRAWING_MAX_BYTES


@login_required
@limit_upload_size(_max_upload_bytes)
def thread_detail(request, pk: int):
    """The thread, oldest message first, and the form to write; opening it marks it read."""

    thread = get_for_user_or_404(Thread, request.user, VIEW, pk=pk)
    participants = selectors.current_participants(user=request.user, thread=thread)
    company = _writing_company(request, participants)
    can_attach = company is not None and company.pk in company_ids_for(request.user, EDITOR_ROLES)
    form = MessageForm(request.POST or None, request.FILES or None, can_attach=can_attach)
    if request.oversized_uploads:
        form.add_error("file" if can_attach else None, too_large_message(_max_upload_bytes()))
    done = save_form(
        request,
        form,
        lambda data: services.message_post(
            actor=request.user,
            company=company,
            thread=thread,
            body=data["body"],
            uploads=[data["file"]] if data.get("file") else [],
        ),
        success_message=_("メッセージを送りました。"),
        next_url=lambda message: (
            reverse("messaging:thread", args=[thread.pk]) + f"#message-{message.pk}"
        ),
    )
    if done:
        return done
    mine = company_ids_for(request.user, ALL_ROLES, VIEW)
    read_before = selectors.last_read_at(user=request.user, thread=thread)
    messages = selectors.thread_messages(user=request.user, thread=thread)
    if request.method == "GET":
        services.thread_mark_read(user=request.user, thread=thread)
    views = selectors.attachment_views(user=request.user, company=company, messages=messages)
    for message in messages:
        message.attachment_views = views.get(message.pk, [])
    first_unread = next(
        (
            m.pk
            for m in messages
            if m.company_id not in mine and (read_before is None or m.created_at > read_before)
        ),
        None,
    )
    return render(
        request,
        "messaging/thread.html",
        {
            "thread": thread,
            "participants": participants,
            "company": company,
            "messages_list": messages,
            "first_unread": first_unread,
            "form": form,
            "can_attach": can_attach,
        },
    )
