"""Reads for message threads, every one starting from the access layer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    DateTimeField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import VIEW, AccessQuerySet
from machikoba.drawings.models import Revision
from machikoba.drawings.selectors import owners_awaiting_nda
from machikoba.messaging.access import my_companies
from machikoba.messaging.models import (
    Message,
    MessageAttachment,
    Thread,
    ThreadParticipant,
    ThreadReadState,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class InboxRow(TypedDict):
    unread: int
    last_body: str | None
    current_participants: list[ThreadParticipant]


# Before any message: "never read" compares as read up to here.
_NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def count_subquery(queryset: QuerySet[Any]) -> Subquery:
    """``SELECT COUNT(*)`` of ``queryset`` as an expression, so several counts (the header's
    unread notices and messages) come back in one query."""
    return Subquery(
        queryset.order_by()
        .annotate(_n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
        .values("_n")[:1],
        output_field=IntegerField(),
    )


def _last_read(user: User, thread_ref: str) -> Coalesce:
    return Coalesce(
        Subquery(
            ThreadReadState.objects.filter(thread=OuterRef(thread_ref), user=user).values(
                "last_read_at"
            )[:1]
        ),
        Value(_NEVER),
        output_field=DateTimeField(),
    )


def unread_messages(user: User) -> AccessQuerySet[Message]:
    """Messages ``user`` may read, sent by another company, newer than where they stopped
    reading that thread (what colleagues send for one's own company is not news). Built
    from subqueries only: evaluating a count is one query."""
    return (
        Message.objects.for_user(user, VIEW)
        .exclude(company__in=my_companies(user, action=VIEW))
        .filter(created_at__gt=_last_read(user, "thread"))
    )


def unread_count(user: User | AnonymousUser | None) -> int:
    """Unread messages in all the user's threads (the navigation badge)."""
    if not (user and user.is_authenticated):
        return 0
    return unread_messages(user).count()


def threads_for(user: User) -> AccessQuerySet[WithAnnotations[Thread, InboxRow]]:
    """The inbox: the user's threads, newest message first, each with ``unread`` (its
    unread message count), ``last_body`` (a preview of its newest message) and its current
    participants with their companies prefetched. Two queries, however many threads."""
    unread = count_subquery(
        Message.objects.filter(thread=OuterRef("pk"))
        .exclude(company__in=my_companies(user, action=VIEW))
        .filter(created_at__gt=_last_read(user, "thread"))
    )
    last_body = Subquery(
        Message.objects.filter(thread=OuterRef("pk"))
        .order_by("-created_at", "-id")
        .values("body")[:1]
    )
    return (
        Thread.objects.for_user(user, VIEW)
        .annotate(unread=unread, last_body=last_body)
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=ThreadParticipant.objects.filter(removed_at__isnull=True).select_related(
                    "company"
                ),
                to_attr="current_participants",
            )
        )
        .order_by(F("last_message_at").desc(nulls_last=True), "-created_at", "-id")
    )


def thread_messages(*, user: User, thread: Thread, limit: int = 200) -> list[Message]:
    """The newest ``limit`` messages of a thread, oldest first, with author, company and
    attachments (three queries)."""
    newest = list(
        Message.objects.for_user(user, VIEW)
        .filter(thread=thread)
        .select_related("company", "author")
        .prefetch_related(
            Prefetch("attachments", queryset=MessageAttachment.objects.order_by("id"))
        )
        .order_by("-created_at", "-id")[:limit]
    )
    newest.reverse()
    return newest


def current_participants(*, user: User, thread: Thread) -> list[ThreadParticipant]:
    return list(
        ThreadParticipant.objects.for_user(user, VIEW)
        .filter(thread=thread, removed_at__isnull=True)
        .select_related("company")
        .order_by("added_at", "id")
    )


def last_read_at(*, user: User, thread: Thread) -> dt.datetime | None:
    state = ThreadReadState.objects.for_user(user, VIEW).filter(thread=thread).first()
    return state.last_read_at if state else None


@dataclass
class AttachmentView:
    """What the thread page shows of one attachment to one person."""

    attachment: MessageAttachment
    revision: object | None = None  # the attached revision, when the person may see it
    nda: object | None = None  # the owner's NDA to accept first, when that is what is missing
    destroyed: bool = False

    @property
    def visible(self) -> bool:
        return self.revision is not None and not self.destroyed


def attachment_views(
    *, user: User, company: Company | None, messages: list[Message]
) -> dict[int, list[AttachmentView]]:
    """Each message's attachments as ``user`` (working for ``company``) may see them: a
    link to the viewer when the drawings access layer lets them see the file; otherwise
    the owner's NDA to accept, when that is all that is missing; otherwise nothing."""

    attachments = [a for m in messages for a in m.attachments.all()]
    if not attachments:
        return {}
    document_ids = {a.document_id for a in attachments}
    # The first revision is the file that was sent; later ones the owner may add in drawings.
    revisions = {
        r.document_id: r
        for r in Revision.objects.for_user(user, VIEW)
        .filter(document_id__in=document_ids, number=1)
        .select_related("document")
    }
    pending = {}
    if document_ids - revisions.keys() and company is not None:
        pending = {nda.company_id: nda for nda in owners_awaiting_nda(user=user, company=company)}
    result: dict[int, list[AttachmentView]] = {}
    owner_of = {m.pk: m.company_id for m in messages}
    for attachment in attachments:
        revision = revisions.get(attachment.document_id)
        view = AttachmentView(attachment=attachment, revision=revision)
        if revision is not None:
            view.destroyed = revision.document.is_destroyed
        else:
            view.nda = pending.get(owner_of[attachment.message_id])
        result.setdefault(attachment.message_id, []).append(view)
    return result
