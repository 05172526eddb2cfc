"""Writes for message threads. Views, other apps' services and tasks call only these.

Other apps' services open threads with ``messaging.internal.thread_open`` (one per subject
key, idempotent) and link to ``messaging:thread``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company, Membership
from machikoba.core.access import CHANGE, VIEW, company_ids_for
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.models import Notification, NotificationPreference
from machikoba.core.notifications import KINDS
from machikoba.drawings import selectors as drawing_selectors
from machikoba.drawings import services as drawing_services
from machikoba.drawings.choices import DocumentKind
from machikoba.drawings.models import Document
from machikoba.drawings.sniffing import clean_filename
from machikoba.messaging.access import ALL_ROLES, EDITOR_ROLES
from machikoba.messaging.error_codes import MessagingErrorCode
from machikoba.messaging.models import (
    BODY_MAX_LENGTH,
    Message,
    MessageAttachment,
    Thread,
    ThreadParticipant,
    ThreadReadState,
)

logger = logging.getLogger(__name__)

# At most this many files per message (each becomes a document of the drawings store).
MAX_ATTACHMENTS = 5
# A digest waits this long after a message, so a person reading along gets no e-mail.
DIGEST_DELAY = dt.timedelta(minutes=5)
# Digests tell of messages at most this old (a person new to a company is not mailed
# the company's whole history; it stays unread in the inbox).
DIGEST_LOOKBACK = dt.timedelta(days=7)
DIGEST_KIND = "message_digest"


# --- threads ----------------------------------------------------------------------------


@transaction.atomic
def thread_participant_remove(
    *, actor: User, thread: Thread, company: Company | None
) -> ThreadParticipant:
    """Take ``company`` out of the thread: its people see nothing of it from now on, and
    the grants of the attachments that ``actor``'s companies sent to it are revoked.

    ``actor`` must be an owner or staff member of a current participant (another app's
    service normally calls this, e.g. when a partner's order is cancelled)."""

    current = set(
        ThreadParticipant.objects.filter(thread=thread, removed_at__isnull=True).values_list(
            "company_id", flat=True
        )
    )
    if not current & set(company_ids_for(actor, EDITOR_ROLES)):
        raise PermissionRefused(
            MessagingErrorCode.NOT_THREAD_EDITOR,
            _("参加企業を外せるのは、参加している企業の経営者とスタッフだけです。"),
        )
    participant = (
        ThreadParticipant.objects.select_for_update().filter(thread=thread, company=company).first()
    )
    if participant is None or participant.removed_at is not None:
        raise ApplicationError(
            MessagingErrorCode.NOT_A_PARTICIPANT, _("この企業はこのスレッドに参加していません。")
        )
    participant.removed_at = timezone.now()
    participant.save(update_fields=["removed_at"])
    sent = MessageAttachment.objects.filter(message__thread=thread).values("document")
    for document in Document.objects.for_user(actor, CHANGE).filter(pk__in=sent):
        grants = drawing_selectors.grants_of(user=actor, document=document).filter(
            grantee=company, revoked_at__isnull=True
        )
        for grant in grants:
            drawing_services.grant_revoke(actor=actor, grant=grant)
    return participant


def _posting_roles_refusal() -> PermissionRefused:
    return PermissionRefused(
        MessagingErrorCode.NOT_THREAD_PARTICIPANT,
        _("このスレッドに書き込めるのは、参加している企業の人だけです。"),
    )


def _require_participant(actor: User, company: Company | None, thread: Thread) -> Company:
    if company is None or company.pk not in company_ids_for(actor, ALL_ROLES):
        raise _posting_roles_refusal()
    if not ThreadParticipant.objects.filter(
        thread=thread, company=company, removed_at__isnull=True
    ).exists():
        raise _posting_roles_refusal()
    return company


@transaction.atomic
def message_post(
    *,
    actor: User,
    company: Company | None,
    thread: Thread,
    body: str,
    uploads: Iterable[UploadedFile | None] = (),
) -> Message:
    """Post a message for ``company`` (the actor's, a current participant). Each upload is
    stored as a document of ``company`` in the drawings store (sniffed, size-limited,
    previews built) and shared view-only — the watermarked viewer — with the other current
    participants; those whose people have not accepted ``company``'s NDA see it once they do.

    All or nothing: a refused file or any failure leaves no message, no document and no
    stored file behind."""

    company = _require_participant(actor, company, thread)
    files = [u for u in uploads if u is not None]
    body = (body or "").strip()
    if not body and not files:
        raise invalid_input(
            MessagingErrorCode.MESSAGE_EMPTY,
            body=_("メッセージを入力するか、ファイルを添付してください。"),
        )
    if len(body) > BODY_MAX_LENGTH:
        raise invalid_input(
            MessagingErrorCode.MESSAGE_TOO_LONG,
            body=_("メッセージは %(max)s 文字以内で入力してください。") % {"max": BODY_MAX_LENGTH},
        )
    if len(files) > MAX_ATTACHMENTS:
        raise invalid_input(
            MessagingErrorCode.TOO_MANY_ATTACHMENTS,
            file=_("添付できるファイルは %(max)s 個までです。") % {"max": MAX_ATTACHMENTS},
        )
    if files and company.pk not in company_ids_for(actor, EDITOR_ROLES):
        raise PermissionRefused(
            MessagingErrorCode.ATTACHMENT_NOT_ALLOWED,
            _("ファイルを添付できるのは、経営者とスタッフだけです。"),
            fields={"file": [_("ファイルを添付できるのは、経営者とスタッフだけです。")]},
        )
    message = Message(thread=thread, company=company, author=actor, body=body)
    full_clean_or_raise(message, code=MessagingErrorCode.MESSAGE_INVALID)
    message.save()
    others = [
        p.company
        for p in ThreadParticipant.objects.filter(thread=thread, removed_at__isnull=True)
        .exclude(company=company)
        .select_related("company")
    ]
    stored: list[FieldFile] = []  # files written to storage so far, removed again if anything fails
    try:
        for upload in files:
            name = clean_filename(upload.name or "")
            document = drawing_services.document_create(
                actor=actor,
                company=company,
                title=name,
                kind=DocumentKind.OTHER,
                upload=upload,
                change_note=(_("メッセージに添付: %(thread)s") % {"thread": thread.title})[:500],
            )
            stored.extend(r.file for r in document.revisions.all())
            for grantee in others:
                drawing_services.grant_create(
                    actor=actor, document=document, grantee=grantee, can_download=False
                )
            MessageAttachment.objects.create(message=message, document=document)
    except Exception:
        for file in stored:
            if file.name:
                file.storage.delete(file.name)
        raise
    Thread.objects.filter(pk=thread.pk).update(last_message_at=message.created_at)
    thread.last_message_at = message.created_at
    _read_through(user=actor, thread=thread, when=message.created_at)
    return message


def _read_through(*, user: User, thread: Thread, when: dt.datetime) -> ThreadReadState:
    state, created = ThreadReadState.objects.get_or_create(
        thread=thread, user=user, defaults={"last_read_at": when}
    )
    if not created and (state.last_read_at is None or state.last_read_at < when):
        state.last_read_at = when
        state.save(update_fields=["last_read_at"])
    return state


@transaction.atomic
def thread_mark_read(*, user: User, thread: Thread) -> ThreadReadState:
    """Everything in the thread up to now counts as read by ``user``."""
    if not Thread.objects.for_user(user, VIEW).filter(pk=thread.pk).exists():
        raise PermissionRefused(
            MessagingErrorCode.THREAD_NOT_VISIBLE,
            _("このスレッドを見られるのは、参加している企業の人だけです。"),
        )
    return _read_through(user=user, thread=thread, when=timezone.now())


# --- e-mail digests ---------------------------------------------------------------------


def message_digests_send(*, now: dt.datetime | None = None) -> int:
    """E-mail each person with unread messages (older than a few minutes, not yet in a
    digest) one digest listing the threads and counts, as they choose in their notice
    settings (kind ``message_digest``; e-mail and in-app both on unless turned off). What a
    digest told is recorded per thread, so nothing is mailed twice. Returns the number of
    people told. The e-mail goes through the queued backend, after each person's commit."""
    now = now or timezone.now()
    rows = list(
        Message.objects.filter(
            created_at__lte=now - DIGEST_DELAY, created_at__gt=now - DIGEST_LOOKBACK
        ).values_list("thread_id", "company_id", "created_at")
    )
    news = _digest_news(rows) if rows else {}
    return _digests_deliver(news) if news else 0


def _digest_news(rows: list[tuple[int, int, dt.datetime]]) -> dict[tuple[int, int], list]:
    """(user, thread) -> [count, newest message time, author companies] for every message
    in ``rows`` (thread, author company, time) that a current participant has neither read
    nor been told of, and that was not sent for one of their own companies."""
    thread_ids = {row[0] for row in rows}
    companies_of = defaultdict(set)  # thread → current participant companies
    for thread_id, company_id in ThreadParticipant.objects.filter(
        thread_id__in=thread_ids, removed_at__isnull=True
    ).values_list("thread_id", "company_id"):
        companies_of[thread_id].add(company_id)
    people_of = defaultdict(set)  # company → active people
    companies_of_user = defaultdict(set)
    for company_id, user_id in Membership.objects.filter(
        company_id__in={c for cs in companies_of.values() for c in cs},
        role__in=ALL_ROLES,
        user__is_active=True,
    ).values_list("company_id", "user_id"):
        people_of[company_id].add(user_id)
        companies_of_user[user_id].add(company_id)
    readers = {t: {u for c in cs for u in people_of[c]} for t, cs in companies_of.items()}
    states = {
        (s.thread_id, s.user_id): s
        for s in ThreadReadState.objects.filter(
            thread_id__in=thread_ids, user_id__in={u for us in readers.values() for u in us}
        )
    }
    news: dict[tuple[int, int], list] = {}
    for thread_id, company_id, created_at in rows:
        for user_id in readers.get(thread_id, ()):
            if company_id in companies_of_user[user_id]:
                continue  # sent for one of their own companies: not news to them
            state = states.get((thread_id, user_id))
            if state is not None:
                seen = [t for t in (state.last_read_at, state.digested_through) if t is not None]
                if seen and created_at <= max(seen):
                    continue
            entry = news.setdefault((user_id, thread_id), [0, created_at, set()])
            entry[0] += 1
            entry[1] = max(entry[1], created_at)
            entry[2].add(company_id)
    return news


def _digests_deliver(news: dict[tuple[int, int], list]) -> int:
    """One digest per person, as their notice settings say; returns the people told."""
    user_ids = {u for u, _t in news}
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids, is_active=True)}
    preferences = {
        p.user_id: p
        for p in NotificationPreference.objects.filter(user_id__in=user_ids, kind=DIGEST_KIND)
    }
    threads = {t.pk: t for t in Thread.objects.filter(pk__in={t for _u, t in news})}
    names = dict(
        Company.objects.filter(pk__in={c for e in news.values() for c in e[2]}).values_list(
            "pk", "name"
        )
    )
    told = 0
    for user_id in sorted(user_ids):
        user = users.get(user_id)
        if user is None:
            continue
        preference = preferences.get(user_id)
        in_app = preference.in_app if preference else True
        email = (preference.email if preference else True) and bool(user.email)
        if not (in_app or email):
            continue
        items = sorted(
            ((threads[t], entry) for (u, t), entry in news.items() if u == user_id),
            key=lambda item: item[1][1],
            reverse=True,
        )
        try:
            _digest_send(user=user, items=items, names=names, in_app=in_app, email=email)
        except Exception:  # one person's failure must not stop the others' digests
            logger.exception("message digest for user %s failed", user_id)
            continue
        told += 1
    return told


@transaction.atomic
def _digest_send(
    *,
    user: User,
    items: list[tuple[Thread, list[Any]]],
    names: dict[int, str],
    in_app: bool,
    email: bool,
) -> None:
    from django.core.mail import EmailMessage
    from django.utils import translation

    site = settings.MACHIKOBA_SITE_URL.rstrip("/")
    inbox = reverse("messaging:inbox")
    with translation.override(settings.LANGUAGE_CODE):
        _label, subject, body = KINDS[DIGEST_KIND]
        lines = [
            _("・%(title)s (%(companies)s): %(count)s 件\n  %(url)s")
            % {
                "title": thread.title,
                "companies": "、".join(sorted(names[c] for c in entry[2])),
                "count": entry[0],
                "url": site + reverse("messaging:thread", args=[thread.pk]),
            }
            for thread, entry in items
        ]
        count = sum(entry[0] for _thread, entry in items)
        title = str(subject) % {"count": count}
        text = str(body) % {"threads": "\n".join(lines)}
    for thread, entry in items:
        state, _created = ThreadReadState.objects.select_for_update().get_or_create(
            thread=thread, user=user
        )
        if state.digested_through is None or state.digested_through < entry[1]:
            state.digested_through = entry[1]
            state.save(update_fields=["digested_through"])
    if in_app:
        Notification.objects.create(
            user=user, kind=DIGEST_KIND, title=title[:200], body=text[:2000], url=inbox
        )
    if email:
        # The project's EMAIL_BACKEND queues the message; it leaves after this commits.
        EmailMessage(
            subject=f"[machikoba] {title}", body=f"{text}\n\n{site}{inbox}\n", to=[user.email]
        ).send()
