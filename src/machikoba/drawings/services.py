"""Writes for documents, revisions, grants and NDAs. Views call only these."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.companies.selectors import memberships_of
from machikoba.core.access import CHANGE, DELETE, can
from machikoba.core.audit import SYSTEM_ACTOR_LABEL, audit_record, snapshot
from machikoba.core.dates import format_date
from machikoba.core.errors import ApplicationError, PermissionRefused, full_clean_or_raise
from machikoba.core.fiscal import add_months
from machikoba.core.queueing import enqueue_on_commit
from machikoba.core.stored_files import delete_quietly
from machikoba.drawings.choices import DocumentAction, PreviewStatus, RetentionRule
from machikoba.drawings.error_codes import DrawingsErrorCode
from machikoba.drawings.models import (
    DestructionCertificate,
    Document,
    DocumentEvent,
    Grant,
    NdaAcceptance,
    NdaText,
    PreviewPage,
    Revision,
)
from machikoba.drawings.sniffing import clean_filename, sniff_file


def _require_editor(actor: User, company: Company) -> None:
    if not can(actor, CHANGE, company):
        raise PermissionRefused(
            DrawingsErrorCode.NOT_DOCUMENT_EDITOR,
            _("図面を登録・共有できるのは、この企業の経営者とスタッフだけです。"),
        )


def _require_not_destroyed(document: Document) -> None:
    # Asked of the database: the caller's instance may predate the destruction.
    if Document.objects.filter(pk=document.pk, destroyed_at__isnull=False).exists():
        raise ApplicationError(
            DrawingsErrorCode.DOCUMENT_DESTROYED,
            _("この図面は破棄済みです。新しい版の登録や共有はできません。"),
        )


def document_event_record(
    *,
    document: Document,
    action: str,
    actor: User | AnonymousUser | None = None,
    revision: Revision | None = None,
    ip_address: str | None = None,
    detail: str = "",
) -> DocumentEvent:
    """Append one line to the document's access log."""
    person = actor if actor is not None and actor.is_authenticated else None
    memberships = memberships_of(person) if person is not None else []
    return DocumentEvent.objects.create(
        document=document,
        revision=revision,
        action=action,
        actor=person,
        actor_label=(
            person.email
            if person is not None
            else "anonymous"
            if actor is not None
            else SYSTEM_ACTOR_LABEL
        ),
        actor_company_name=", ".join(m.company.name for m in memberships)[:200],
        ip_address=ip_address,
        detail=detail[:300],
    )


def document_refusal_record(
    *,
    document_pk: int,
    actor: User | AnonymousUser | None,
    ip_address: str | None = None,
    detail: str = "",
) -> None:
    """Log a refused attempt on a document that exists (the refused person learns
    nothing: they get the same 404/403 either way)."""
    document = Document.objects.filter(pk=document_pk).first()
    if document is not None:
        document_event_record(
            document=document,
            action=DocumentAction.DENIED,
            actor=actor,
            ip_address=ip_address,
            detail=detail,
        )


def _store_revision(
    *, actor: User, document: Document, upload: File[bytes], change_note: str
) -> Revision:
    """Sniff the upload (type from content, limits), then store it. A refusal stores
    nothing; a failure after the file was written removes the file again."""
    name = clean_filename(upload.name or "")
    sniffed = sniff_file(
        upload,
        name=name,
        max_bytes=settings.MACHIKOBA_DRAWING_MAX_BYTES,
        max_pages=settings.MACHIKOBA_DRAWING_MAX_PAGES,
    )
    number = (document.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    revision = Revision(
        document=document,
        number=number,
        change_note=change_note.strip(),
        original_name=name,
        file_kind=sniffed.kind,
        mime=sniffed.mime,
        extension=sniffed.extension,
        size=sniffed.size,
        sha256=sniffed.sha256,
        page_count=sniffed.page_count,
        uploaded_by=actor,
        preview_status=PreviewStatus.PENDING,
    )
    # Everything but the file is checked before anything is written to storage.
    full_clean_or_raise(revision, code=DrawingsErrorCode.REVISION_INVALID, exclude=["file"])
    upload.seek(0)
    revision.file.save(name, File(upload), save=False)
    try:
        revision.save()
        document_event_record(
            document=document,
            revision=revision,
            action=DocumentAction.UPLOAD,
            actor=actor,
            detail=f"rev.{revision.label} {name}",
        )
    except Exception:  # the row or the log line failed: the stored file goes too
        if revision.file.name:
            revision.file.storage.delete(revision.file.name)
        raise
    _enqueue_previews(revision)
    return revision


def _enqueue_previews(revision: Revision) -> None:
    enqueue_on_commit("machikoba.drawings.tasks.build_previews", revision.pk)


@transaction.atomic
def document_create(
    *,
    actor: User,
    company: Company,
    title: str,
    drawing_number: str = "",
    kind: str,
    upload: File[bytes],
    change_note: str = "",
) -> Document:
    _require_editor(actor, company)
    document = Document(
        company=company,
        title=title.strip(),
        drawing_number=drawing_number.strip(),
        kind=kind,
        created_by=actor,
    )
    full_clean_or_raise(document, code=DrawingsErrorCode.DOCUMENT_INVALID)
    document.save()
    _store_revision(actor=actor, document=document, upload=upload, change_note=change_note)
    audit_record(actor=actor, verb="document.create", target=document, company=company)
    return document


@transaction.atomic
def revision_add(
    *, actor: User, document: Document, upload: File[bytes], change_note: str
) -> Revision:
    _require_editor(actor, document.company)
    _require_not_destroyed(document)
    if not change_note.strip():
        raise ApplicationError(
            DrawingsErrorCode.CHANGE_NOTE_REQUIRED,
            _("入力内容を確認してください。"),
            fields={"change_note": [_("新しい版では、何を変えたかを書いてください。")]},
        )
    revision = _store_revision(
        actor=actor, document=document, upload=upload, change_note=change_note
    )
    document.save(update_fields=["updated_at"])
    return revision


@transaction.atomic
def grant_create(
    *,
    actor: User,
    document: Document,
    grantee: Company,
    revision: Revision | None = None,
    can_download: bool = False,
    expires_at: dt.datetime | None = None,
    ip_address: str | None = None,
) -> Grant:
    """Share a document (or one revision) with another company."""
    _require_editor(actor, document.company)
    _require_not_destroyed(document)
    errors = {}
    if grantee.pk == document.company_id:
        errors["grantee"] = [_("自社には共有できません (自社のメンバーはいつでも見られます)。")]
    elif not grantee.is_active:
        errors["grantee"] = [_("利用停止中の企業には共有できません。")]
    if revision is not None and revision.document_id != document.pk:
        errors["revision"] = [_("この図面の版を選んでください。")]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("有効期限には未来の日時を指定してください。")]
    if errors:
        raise ApplicationError(
            DrawingsErrorCode.GRANT_INVALID, _("入力内容を確認してください。"), fields=errors
        )
    grant = Grant(
        document=document,
        revision=revision,
        grantee=grantee,
        can_download=can_download,
        expires_at=expires_at,
        granted_by=actor,
    )
    full_clean_or_raise(grant, code=DrawingsErrorCode.GRANT_INVALID)
    grant.save()
    document_event_record(
        document=document,
        revision=revision,
        action=DocumentAction.GRANT,
        actor=actor,
        ip_address=ip_address,
        detail=_("%(company)s に%(mode)s")
        % {
            "company": grantee.name,
            "mode": _("閲覧とダウンロード") if can_download else _("閲覧のみ"),
        },
    )
    audit_record(actor=actor, verb="document.grant", target=grant, company=document.company)
    return grant


@transaction.atomic
def grant_revoke(*, actor: User, grant: Grant, ip_address: str | None = None) -> Grant:
    """Takes effect at once: the next request of the grantee is refused."""
    _require_editor(actor, grant.document.company)
    if grant.revoked_at is not None:
        raise ApplicationError(
            DrawingsErrorCode.GRANT_ALREADY_REVOKED, _("この共有はすでに取り消されています。")
        )
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at", "updated_at"])
    document_event_record(
        document=grant.document,
        revision=grant.revision,
        action=DocumentAction.REVOKE,
        actor=actor,
        ip_address=ip_address,
        detail=grant.grantee.name,
    )
    audit_record(actor=actor, verb="document.revoke", target=grant, company=grant.document.company)
    return grant


def grant_end(*, grant: Grant, actor: User | None = None, reason: str = "") -> Grant:
    """Revoke a grant because the work it served ended for that company (it left a team,
    its buyer withdrew). The calling service has checked who may end the work; the
    document owner's log shows the revocation and why."""
    if grant.revoked_at is not None:
        return grant
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at", "updated_at"])
    document_event_record(
        document=grant.document,
        revision=grant.revision,
        action=DocumentAction.REVOKE,
        actor=actor,
        detail=f"{grant.grantee.name}: {reason}" if reason else grant.grantee.name,
    )
    return grant


@transaction.atomic
def nda_publish(*, actor: User, company: Company, body: str) -> NdaText:
    """A new version of the company's NDA: partners must accept it again."""
    _require_editor(actor, company)
    if not body.strip():
        raise ApplicationError(
            DrawingsErrorCode.NDA_EMPTY,
            _("入力内容を確認してください。"),
            fields={"body": [_("秘密保持の条項を入力してください。")]},
        )
    version = (company.nda_texts.aggregate(v=Max("version"))["v"] or 0) + 1
    nda = NdaText(company=company, version=version, body=body.strip(), created_by=actor)
    full_clean_or_raise(nda, code=DrawingsErrorCode.NDA_INVALID)
    nda.save()
    audit_record(actor=actor, verb="nda.publish", target=nda, company=company)
    return nda


@transaction.atomic
def nda_accept(
    *, actor: User, company: Company, nda: NdaText, ip_address: str | None = None
) -> NdaAcceptance:
    """``company`` (the actor's) accepts ``nda``; recorded on every document shared with it."""
    if not can(actor, CHANGE, company):
        raise PermissionRefused(
            DrawingsErrorCode.NOT_COMPANY_EDITOR,
            _("秘密保持に同意できるのは、その企業の経営者とスタッフだけです。"),
        )
    return _nda_acceptance_record(
        nda=nda, company=company, actor=actor, ip_address=ip_address, detail=f"NDA v{nda.version}"
    )


def _nda_acceptance_record(
    *,
    nda: NdaText,
    company: Company,
    actor: User | None,
    ip_address: str | None,
    detail: str,
) -> NdaAcceptance:
    """Record that ``company`` accepted ``nda`` (refused unless it is the owner's latest
    version), on every document shared with it; the caller has checked who may accept.
    Shared by ``nda_accept`` and ``drawings.internal.nda_accept_by_link``."""
    latest = nda.company.nda_texts.order_by("-version").first()
    if latest is None or latest.pk != nda.pk:
        raise ApplicationError(
            DrawingsErrorCode.NDA_OUTDATED,
            _("新しい版の秘密保持条項があります。最新の条項を読んでから同意してください。"),
        )
    acceptance, created = NdaAcceptance.objects.get_or_create(
        nda=nda, company=company, defaults={"accepted_by": actor, "ip_address": ip_address}
    )
    if created:
        for grant in Grant.objects.filter(document__company=nda.company, grantee=company):
            document_event_record(
                document=grant.document,
                action=DocumentAction.NDA_ACCEPT,
                actor=actor,
                ip_address=ip_address,
                detail=detail,
            )
        audit_record(actor=actor, verb="nda.accept", target=acceptance, company=company)
    return acceptance


def _destroy_on(
    rule: str, *, date: dt.date | None, months: int | None, closed_on: dt.date | None
) -> dt.date | None:
    if rule == RetentionRule.ON_DATE:
        return date
    if rule == RetentionRule.AFTER_CLOSE and closed_on is not None:
        return add_months(closed_on, months)
    return None


@transaction.atomic
def document_retention_set(
    *,
    actor: User,
    document: Document,
    rule: str,
    date: dt.date | None = None,
    months: int | None = None,
    closed_on: dt.date | None = None,
    ip_address: str | None = None,
) -> Document:
    """How long the owner keeps the document: for good, until a date, or N months after
    the deal closes (the date it closed may come later). Sets the derived ``destroy_on``."""
    _require_editor(actor, document.company)
    _require_not_destroyed(document)
    today = timezone.localdate()
    errors = {}
    if rule not in RetentionRule.values:
        errors["rule"] = [_("保存期間の決め方を選んでください。")]
    if rule == RetentionRule.ON_DATE:
        if date is None:
            errors["date"] = [_("破棄する日を入力してください。")]
        elif date < today:
            errors["date"] = [_("破棄する日には今日以降の日付を指定してください。")]
    if rule == RetentionRule.AFTER_CLOSE and not (months and 1 <= months <= 600):
        errors["months"] = [_("月数は 1 から 600 の間で入力してください。")]
    if closed_on is not None and closed_on > today:
        errors["closed_on"] = [_("取引終了日に未来の日付は指定できません。")]
    if errors:
        raise ApplicationError(
            DrawingsErrorCode.RETENTION_INVALID, _("入力内容を確認してください。"), fields=errors
        )
    before = snapshot(document, _RETENTION_FIELDS)
    document.retention_rule = rule
    document.retention_date = date if rule == RetentionRule.ON_DATE else None
    document.retention_months = months if rule == RetentionRule.AFTER_CLOSE else None
    document.closed_on = closed_on
    document.destroy_on = _destroy_on(rule, date=date, months=months, closed_on=closed_on)
    full_clean_or_raise(document, code=DrawingsErrorCode.RETENTION_INVALID)
    document.save()
    document_event_record(
        document=document,
        action=DocumentAction.RETENTION,
        actor=actor,
        ip_address=ip_address,
        detail=_("破棄予定日: %(date)s")
        % {"date": format_date(document.destroy_on) if document.destroy_on else _("なし")},
    )
    audit_record(
        actor=actor,
        verb="document.retention",
        target=document,
        company=document.company,
        before=before,
        after=snapshot(document, _RETENTION_FIELDS),
    )
    return document


_RETENTION_FIELDS = [
    "retention_rule",
    "retention_date",
    "retention_months",
    "closed_on",
    "destroy_on",
]


def document_destroy(
    *, actor: User | None, document: Document, reason: str, ip_address: str | None = None
) -> DestructionCertificate:
    """Purge every stored file of the document (originals and previews), revoke its grants
    and issue the 破棄証明. The document row stays as a tombstone with the certificate.

    Files go first, outside the transaction: deleting is idempotent, so a failure part-way
    leaves the document due and the next run finishes the job."""
    if actor is not None and not can(actor, DELETE, document):
        raise PermissionRefused(
            DrawingsErrorCode.NOT_DOCUMENT_OWNER,
            _("図面を破棄できるのは、所有企業の経営者だけです。"),
        )
    _require_not_destroyed(document)
    revisions = list(document.revisions.order_by("number"))
    previews = list(PreviewPage.objects.filter(revision__document=document))
    removed = 0
    for preview in previews:
        removed += delete_quietly(preview.screen) + delete_quietly(preview.zoom)
    for revision in revisions:
        removed += delete_quietly(revision.file)
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.is_destroyed:  # another run got there first
            return document.destruction_certificate
        now = timezone.now()
        pages_per_revision = {r.pk: 0 for r in revisions}
        for preview in previews:
            pages_per_revision[preview.revision_id] += 1
        PreviewPage.objects.filter(revision__document=document).delete()
        Revision.objects.filter(document=document).update(
            file="", preview_status=PreviewStatus.NONE, preview_pages_done=0, updated_at=now
        )
        revoked = Grant.objects.filter(document=document, revoked_at__isnull=True).update(
            revoked_at=now, updated_at=now
        )
        document.destroyed_at = now
        document.destroy_on = None
        document.save(update_fields=["destroyed_at", "destroy_on", "updated_at"])
        person = actor if actor is not None and actor.is_authenticated else None
        certificate = DestructionCertificate.objects.create(
            document=document,
            number=f"DC-{timezone.localtime(now):%Y%m%d}-{document.pk:06d}",
            destroyed_at=now,
            company_name=document.company.name,
            document_title=document.title,
            drawing_number=document.drawing_number,
            reason=reason[:300],
            requested_by=person,
            requested_by_label=person.email if person is not None else _("保存期間による自動破棄"),
            revisions=[
                {
                    "label": r.label,
                    "original_name": r.original_name,
                    "file_kind": r.file_kind,
                    "size": r.size,
                    "sha256": r.sha256,
                    "uploaded_at": r.created_at.isoformat(),
                    "preview_pages": pages_per_revision[r.pk],
                }
                for r in revisions
            ],
            files_removed=removed,
            grants_revoked=revoked,
        )
        document_event_record(
            document=document,
            action=DocumentAction.DESTROY,
            actor=actor,
            ip_address=ip_address,
            detail=f"{certificate.number} {reason}"[:300],
        )
        audit_record(
            actor=actor, verb="document.destroy", target=document, company=document.company
        )
    return certificate


def documents_purge_due(*, today: dt.date | None = None) -> list[DestructionCertificate]:
    """Destroy every document whose retention period has ended (the scheduled purge)."""
    today = today or timezone.localdate()
    due = Document.objects.filter(destroy_on__lte=today, destroyed_at__isnull=True).order_by(
        "destroy_on", "pk"
    )
    certificates = []
    for document in due:
        reason = _("保存期間の終了 (破棄予定日 %(date)s)") % {
            "date": format_date(document.destroy_on)
        }
        certificates.append(document_destroy(actor=None, document=document, reason=reason))
    return certificates
