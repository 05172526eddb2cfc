"""Writes of an application's bonus points (加点): the applicant claims one of the call's
bonus criteria with an evidence document (``CHANGE`` on the application, while it is a
draft, returned or submitted) and the ward's officer verifies or rejects the claim
(``MANAGE``) before the selection. The DX道場 bonus is not claimed: it is verified from
the programmes' records when eligibility passes (``screening.eligibility_pass``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.access import CHANGE
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.drawings.uploads import describe_upload, store_upload
from machikoba.subsidies.choices import (
    EDITABLE_STATUSES,
    ApplicationStatus,
    BonusClaimStatus,
    BonusKind,
    DocumentKind,
)
from machikoba.subsidies.error_codes_screening import ScreeningErrorCode
from machikoba.subsidies.models import Application, ApplicationDocument, BonusCriterion
from machikoba.subsidies.models_screening import BonusClaim
from machikoba.subsidies.services._screening_checks import (
    NOTE_MAX_LENGTH,
    _bounded_text,
    _lock_open_stage,
    _require_officer,
    _required_text,
)
from machikoba.subsidies.services.internal import lock_application

EVIDENCE_KINDS = ("pdf", "png", "jpeg")
EVIDENCE_MAX_PAGES = 200


def evidence_max_bytes() -> int:
    return int(getattr(settings, "MACHIKOBA_SUBSIDY_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024))


# --- bonus points ---------------------------------------------------------------------------


@transaction.atomic
def bonus_claim_add(
    *,
    actor: User,
    application: Application,
    criterion: BonusCriterion,
    upload: File[bytes] | None,
    note: str = "",
) -> BonusClaim:
    """The applicant claims a bonus point of the call with an evidence document (PDF or
    image) and a note, while the application is a draft, returned or submitted. A claim
    not yet verified may be claimed again with new evidence, which replaces the old: its
    document goes, and its file once this is committed. A refused file stores nothing and
    keeps the old evidence."""
    if not Application.objects.for_user(actor, CHANGE).filter(pk=application.pk).exists():
        raise PermissionRefused(
            ScreeningErrorCode.BONUS_NOT_ALLOWED,
            _("加点を申告できるのは、申請した企業の経営者・スタッフだけです。"),
        )
    locked = lock_application(application.pk)
    if locked.status not in (*EDITABLE_STATUSES, ApplicationStatus.SUBMITTED):
        raise ApplicationError(
            ScreeningErrorCode.BONUS_NOT_ALLOWED,
            _("この申請は「%(status)s」のため、加点は申告できません。")
            % {"status": locked.get_status_display()},
            status_code=409,
        )
    if criterion.call_id != locked.stage.call_id:
        raise invalid_input(
            ScreeningErrorCode.BONUS_INVALID, criterion=_("この公募の加点項目を選んでください。")
        )
    if criterion.kind != BonusKind.CLAIMED:
        raise invalid_input(
            ScreeningErrorCode.BONUS_INVALID,
            criterion=_("この加点は区が記録から自動で確認します。申告は要りません。"),
        )
    claim = BonusClaim.objects.filter(application=locked, criterion=criterion).first()
    if claim is not None and claim.status == BonusClaimStatus.VERIFIED:
        raise ApplicationError(
            ScreeningErrorCode.BONUS_ALREADY_DECIDED,
            _("「%(name)s」は確認済みです。") % {"name": criterion.name},
            status_code=409,
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise invalid_input(
            ScreeningErrorCode.BONUS_INVALID,
            note=_("説明は %(n)s 文字以内で入力してください。") % {"n": NOTE_MAX_LENGTH},
        )
    if upload is None:
        raise invalid_input(
            ScreeningErrorCode.BONUS_INVALID, file=_("根拠資料のファイルを選んでください。")
        )
    document = ApplicationDocument(
        application=locked, kind=DocumentKind.BONUS_EVIDENCE, title=criterion.name[:120]
    )
    name = describe_upload(
        document,
        upload,
        actor=actor,
        kinds=EVIDENCE_KINDS,
        max_bytes=evidence_max_bytes(),
        max_pages=EVIDENCE_MAX_PAGES,
        code=ScreeningErrorCode.BONUS_INVALID,
        type_message=_("根拠資料は PDF・PNG・JPEG のファイルにしてください。"),
    )
    full_clean_or_raise(document, code=ScreeningErrorCode.BONUS_INVALID, exclude=["file"])
    claim = claim or BonusClaim(application=locked, criterion=criterion)
    replaced = claim.evidence if claim.evidence_id else None
    claim.status = BonusClaimStatus.CLAIMED
    claim.automatic = False
    claim.evidence_note = note
    claim.verified_by = None
    claim.verified_at = None
    claim.officer_note = ""
    full_clean_or_raise(claim, code=ScreeningErrorCode.BONUS_INVALID, exclude=["evidence"])

    def record() -> None:
        claim.evidence = document
        claim.save()
        audit_record(
            actor=actor,
            verb="subsidy_bonus.claim",
            target=claim,
            company=locked.company,
            before=(
                {"name": replaced.original_name, "sha256": replaced.sha256}
                if replaced is not None
                else None
            ),
            after={"criterion": criterion.name, "name": name, "sha256": document.sha256},
        )
        if replaced is not None:
            _evidence_remove(replaced)

    store_upload(document, upload, name, record=record)
    return claim


def _evidence_remove(document: ApplicationDocument) -> None:
    """Delete the evidence a new one replaced; its file goes once the claim is committed
    (a rollback keeps both the row and the file)."""
    storage, name = document.file.storage, document.file.name
    document.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _decidable_claim(actor: User, claim: BonusClaim) -> tuple[BonusClaim, Application]:
    application = claim.application
    _require_officer(actor, application)
    _lock_open_stage(
        application.stage,
        _("このステージの採択は %(when)s に確定しているため、加点の確認は変えられません。"),
    )
    locked = lock_application(application.pk)
    current = BonusClaim.objects.select_for_update().get(pk=claim.pk)
    if locked.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.SCREENING):
        raise ApplicationError(
            ScreeningErrorCode.BONUS_ALREADY_DECIDED,
            _("この申請は「%(status)s」のため、加点の確認は変えられません。")
            % {"status": locked.get_status_display()},
            status_code=409,
        )
    if current.automatic:
        raise ApplicationError(
            ScreeningErrorCode.BONUS_ALREADY_DECIDED,
            _("この加点は記録から自動で確認したものです。"),
            status_code=409,
        )
    return current, locked


def _decide_claim(
    actor: User, claim: BonusClaim, application: Application, status: str, note: str
) -> BonusClaim:
    before = snapshot(claim, ["status", "officer_note"])
    claim.status = status
    claim.officer_note = note
    claim.verified_by = actor
    claim.verified_at = timezone.now()
    claim.full_clean()
    claim.save()
    audit_record(
        actor=actor,
        verb=f"subsidy_bonus.{'verify' if status == BonusClaimStatus.VERIFIED else 'reject'}",
        target=claim,
        company=application.company,
        before=before,
        after=snapshot(claim, ["status", "officer_note"]),
    )
    return claim


@transaction.atomic
def bonus_claim_verify(*, actor: User, claim: BonusClaim, note: str = "") -> BonusClaim:
    """The officer verifies a claimed bonus from its evidence (or changes their mind
    about a rejection) before the selection."""
    current, application = _decidable_claim(actor, claim)
    if current.status == BonusClaimStatus.VERIFIED:
        raise ApplicationError(
            ScreeningErrorCode.BONUS_ALREADY_DECIDED,
            _("この加点はすでに確認済みです。"),
            status_code=409,
        )
    note = _bounded_text(note, field="note", max_length=NOTE_MAX_LENGTH)
    return _decide_claim(actor, current, application, BonusClaimStatus.VERIFIED, note)


@transaction.atomic
def bonus_claim_reject(*, actor: User, claim: BonusClaim, note: str) -> BonusClaim:
    """The officer does not accept a claimed bonus, saying why."""
    current, application = _decidable_claim(actor, claim)
    if current.status == BonusClaimStatus.REJECTED:
        raise ApplicationError(
            ScreeningErrorCode.BONUS_ALREADY_DECIDED,
            _("この加点はすでに「認めない」としています。"),
            status_code=409,
        )
    note = _required_text(
        note,
        field="note",
        max_length=NOTE_MAX_LENGTH,
        required=_("認めない理由を入力してください。"),
    )
    return _decide_claim(actor, current, application, BonusClaimStatus.REJECTED, note)
