"""Message threads between companies: one per job and partner, per request and shop, per
joint-order team. Participants are explicit rows (deny by default); messages are
append-only; attachments are documents of the drawings store, shared with the other
participants through grants; read states give unread counts and e-mail digests.

Who sees what is decided in ``messaging.access``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import AccessManager, ScopedPolicy, own_rows_scope
from machikoba.core.models import AppendOnlyModel
from machikoba.messaging import access

BODY_MAX_LENGTH = 5000


class Thread(models.Model):
    """One conversation about one thing (a job with one partner, a request, a team)."""

    title = models.CharField(_("件名"), max_length=200)
    # What the thread is about, e.g. "job:12:partner:5": opening it again finds it again.
    subject_key = models.CharField(_("対象キー"), max_length=100, unique=True)
    subject_path = models.CharField(_("対象のページ"), max_length=300, blank=True)
    job = models.ForeignKey(
        "network.Job",
        verbose_name=_("案件"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="message_threads",
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    # Kept by the post service, so the inbox sorts on a column instead of an aggregate.
    last_message_at = models.DateTimeField(_("最後のメッセージ"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.thread_scope)

    class Meta:
        verbose_name = _("メッセージのスレッド")
        verbose_name_plural = _("メッセージのスレッド")
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="thread_title_not_empty"),
            models.CheckConstraint(condition=~Q(subject_key=""), name="thread_key_not_empty"),
        ]

    def __str__(self) -> str:
        # Not the title (written by the parties): a name for logs and the admin.
        return f"THREAD-{self.pk}"


class ThreadParticipant(models.Model):
    """A company taking part in a thread; a removed company sees nothing of it."""

    thread = models.ForeignKey(
        Thread, verbose_name=_("スレッド"), on_delete=models.CASCADE, related_name="participants"
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        on_delete=models.CASCADE,
        related_name="message_participations",
    )
    added_at = models.DateTimeField(_("参加日時"), auto_now_add=True)
    removed_at = models.DateTimeField(_("外れた日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.participant_scope)

    class Meta:
        verbose_name = _("スレッドの参加企業")
        verbose_name_plural = _("スレッドの参加企業")
        ordering = ["thread", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["thread", "company"], name="unique_thread_participant"),
        ]

    def __str__(self) -> str:
        return f"{self.thread} — {self.company}"

    @property
    def is_current(self) -> bool:
        return self.removed_at is None


class Message(AppendOnlyModel):
    """What one person wrote for their company. Never edited, never deleted."""

    thread = models.ForeignKey(
        Thread, verbose_name=_("スレッド"), on_delete=models.CASCADE, related_name="messages"
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("送信した企業"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("送信者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("本文"), max_length=BODY_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("送信日時"), auto_now_add=True, db_index=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.message_scope)

    class Meta:
        verbose_name = _("メッセージ")
        verbose_name_plural = _("メッセージ")
        ordering = ["thread", "created_at", "id"]
        indexes = [models.Index(fields=["thread", "created_at"])]

    def __str__(self) -> str:
        return f"{self.thread} #{self.pk}"


class MessageAttachment(models.Model):
    """A file sent with a message: a document of the author's company in the drawings
    store, shared view-only with the thread's other participants."""

    message = models.ForeignKey(
        Message, verbose_name=_("メッセージ"), on_delete=models.CASCADE, related_name="attachments"
    )
    document = models.ForeignKey(
        "drawings.Document",
        verbose_name=_("図面・文書"),
        on_delete=models.PROTECT,
        related_name="message_attachments",
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.attachment_scope)

    class Meta:
        verbose_name = _("添付ファイル")
        verbose_name_plural = _("添付ファイル")
        ordering = ["message", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "document"], name="unique_message_attachment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message} — {self.document_id}"


class ThreadReadState(models.Model):
    """How far one person has read a thread, and how far an e-mail digest told them."""

    thread = models.ForeignKey(
        Thread, verbose_name=_("スレッド"), on_delete=models.CASCADE, related_name="read_states"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("利用者"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    last_read_at = models.DateTimeField(_("最後に読んだ日時"), null=True, blank=True)
    digested_through = models.DateTimeField(_("まとめメールで知らせた範囲"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(own_rows_scope)

    class Meta:
        verbose_name = _("既読の状態")
        verbose_name_plural = _("既読の状態")
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="unique_thread_read_state"),
        ]

    def __str__(self) -> str:
        return f"{self.thread_id} {self.user_id}"
