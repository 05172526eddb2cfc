"""Messaging API: the inbox, a thread's messages (attachments as the drawings access layer
lets the caller see them), posting (with files, through the drawings upload service) and
marking a thread read; the same selectors, services and access layer as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.decorators import decorate_view
from pydantic import Field

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import VIEW, company_ids_for, get_for_user_or_404
from machikoba.core.api_pages import Page, PageParams, page_of
from machikoba.core.ids import PathId
from machikoba.core.views import active_company_or_403
from machikoba.drawings.api import (
    drawing_max_bytes,
    limit_api_upload_size,
    refuse_oversized_upload,
)
from machikoba.messaging import selectors, services
from machikoba.messaging.access import ALL_ROLES
from machikoba.messaging.models import BODY_MAX_LENGTH, Message, Thread, ThreadParticipant

router = Router(tags=["messaging"])


class SignedInRequest(HttpRequest):
    """The default auth lets only signed-in callers through."""

    user: User


# --- schemas ----------------------------------------------------------------------------


class MessagingParticipantOut(Schema):
    company_id: int
    company_name: str


class ThreadOut(Schema):
    id: int
    title: str
    subject_path: str = Field(description="the page the thread is about")
    job_id: int | None
    last_message_at: dt.datetime | None
    unread: int = Field(description="messages from other companies not read yet")
    last_body: str | None = Field(description="the newest message (a preview)")
    participants: list[MessagingParticipantOut]


class MessagingAttachmentOut(Schema):
    document_id: int
    visible: bool = Field(description="the caller may open it in the viewer")
    revision_number: int | None
    name: str | None = Field(description="the file's name, when visible")
    viewer_url: str | None = Field(description="the drawings API's viewer, when visible")
    destroyed: bool
    nda_id: int | None = Field(
        description="the owner's NDA to accept first (drawings API), when that is all missing"
    )


class MessageOut(Schema):
    id: int
    company_id: int
    company_name: str
    author_name: str | None
    body: str
    created_at: dt.datetime
    mine: bool = Field(description="sent for one of the caller's companies")
    attachments: list[MessagingAttachmentOut]


class ThreadDetailOut(ThreadOut):
    writing_company_id: int | None = Field(
        description="the company the caller writes for here (null: may only read)"
    )
    last_read_at: dt.datetime | None
    messages: list[MessageOut] = Field(description="the newest 200, oldest first")


class ThreadFilters(Schema):
    unread_only: bool = False


class MessageIn(Schema):
    body: str = Field("", max_length=BODY_MAX_LENGTH)


class UnreadOut(Schema):
    unread: int


# --- helpers ----------------------------------------------------------------------------


def _writing_company(request: SignedInRequest, participants: list[ThreadParticipant]) -> Any:
    """As on the page: the active company when it takes part, else the first of the
    caller's that does."""
    taking_part = {p.company_id: p.company for p in participants}
    mine = company_ids_for(request.user, ALL_ROLES)
    active = getattr(request, "active_company", None) or None
    if active is not None and active.pk in taking_part and active.pk in mine:
        return taking_part[active.pk]
    return next((taking_part[pk] for pk in mine if pk in taking_part), None)


def _participants(rows: list[ThreadParticipant]) -> list[MessagingParticipantOut]:
    return [
        MessagingParticipantOut(company_id=p.company_id, company_name=p.company.name) for p in rows
    ]


def _thread_out(thread: Any) -> ThreadOut:
    return ThreadOut(
        id=thread.pk,
        title=thread.title,
        subject_path=thread.subject_path,
        job_id=thread.job_id,
        last_message_at=thread.last_message_at,
        unread=thread.unread,
        last_body=(thread.last_body or "")[:200] if thread.last_body is not None else None,
        participants=_participants(thread.current_participants),
    )


def _message_out(message: Message, views: list[Any], mine: set[int]) -> MessageOut:
    attachments = []
    for view in views:
        revision = view.revision if view.visible else None
        attachments.append(
            MessagingAttachmentOut(
                document_id=view.attachment.document_id,
                visible=view.visible,
                revision_number=revision.number if revision else None,
                name=revision.original_name if revision else None,
                viewer_url=reverse(
                    "api:drawings_viewer", args=[revision.document_id, revision.number]
                )
                if revision
                else None,
                destroyed=view.destroyed,
                nda_id=view.nda.pk if view.nda is not None else None,
            )
        )
    return MessageOut(
        id=message.pk,
        company_id=message.company_id,
        company_name=message.company.name,
        author_name=message.author.get_full_name() if message.author else None,
        body=message.body,
        created_at=message.created_at,
        mine=message.company_id in mine,
        attachments=attachments,
    )


def _thread(request: SignedInRequest, thread_id: int) -> Thread:
    return get_for_user_or_404(Thread, request.user, VIEW, pk=thread_id)


def _detail(request: SignedInRequest, thread: Thread) -> ThreadDetailOut:
    participants = selectors.current_participants(user=request.user, thread=thread)
    company = _writing_company(request, participants)
    messages = selectors.thread_messages(user=request.user, thread=thread)
    views = selectors.attachment_views(user=request.user, company=company, messages=messages)
    mine = set(company_ids_for(request.user, ALL_ROLES, VIEW))
    row = selectors.threads_for(request.user).filter(pk=thread.pk).first()
    return ThreadDetailOut(
        id=thread.pk,
        title=thread.title,
        subject_path=thread.subject_path,
        job_id=thread.job_id,
        last_message_at=thread.last_message_at,
        unread=row.unread if row is not None else 0,
        last_body=messages[-1].body[:200] if messages else None,
        participants=_participants(participants),
        writing_company_id=company.pk if company is not None else None,
        last_read_at=selectors.last_read_at(user=request.user, thread=thread),
        messages=[_message_out(m, views.get(m.pk, []), mine) for m in messages],
    )


# --- operations -------------------------------------------------------------------------


@router.get(
    "/threads",
    response=Page[ThreadOut],
    summary="The inbox: our companies' threads, newest message first, with unread counts",
)
def messaging_threads(request, params: Query[PageParams], filters: Query[ThreadFilters]):
    active_company_or_403(request)
    threads = selectors.threads_for(request.user)
    if filters.unread_only:
        threads = threads.filter(unread__gt=0)
    return page_of(threads, params, _thread_out)


@router.get("/unread", response=UnreadOut, summary="Unread messages in all our threads")
def messaging_unread(request):
    return UnreadOut(unread=selectors.unread_count(request.user))


@router.get(
    "/threads/{thread_id}",
    response=ThreadDetailOut,
    summary="A thread: participants and messages (reading it does not mark it read)",
)
def messaging_thread(request, thread_id: PathId):
    return _detail(request, _thread(request, thread_id))


@router.post(
    "/threads/{thread_id}/read",
    response=ThreadDetailOut,
    summary="Mark everything in the thread up to now as read",
)
def messaging_thread_read(request, thread_id: PathId):
    thread = _thread(request, thread_id)
    services.thread_mark_read(user=request.user, thread=thread)
    return _detail(request, thread)


@router.post(
    "/threads/{thread_id}/messages",
    response={201: MessageOut},
    summary="Post a message for our company, with up to 5 files (owners and staff)",
)
@decorate_view(limit_api_upload_size(drawing_max_bytes))
def messaging_message_post(
    request,
    thread_id: PathId,
    payload: Form[MessageIn],
    files: Annotated[
        list[UploadedFile] | None,
        File(None, max_length=services.MAX_ATTACHMENTS, description="up to 5 files"),
    ] = None,
):
    thread = _thread(request, thread_id)
    refuse_oversized_upload(request)
    participants = selectors.current_participants(user=request.user, thread=thread)
    company: Company | None = _writing_company(request, participants)
    message = services.message_post(
        actor=request.user,
        company=company,
        thread=thread,
        body=payload.body,
        uploads=list(files or []),
    )
    views = selectors.attachment_views(user=request.user, company=company, messages=[message])
    mine = set(company_ids_for(request.user, ALL_ROLES, VIEW))
    return Status(201, _message_out(message, views.get(message.pk, []), mine))
