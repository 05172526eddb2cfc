"""Handouts of a session: uploaded by the ward's officers or the cohort's instructors,
checked from their content (PDF or an image only), stored like every document and served
only through ``views_office.material``. A refused upload stores nothing; a deleted
material's file goes once the deletion is committed."""

from __future__ import annotations

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.access import CHANGE, DELETE
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import ApplicationError, PermissionRefused, full_clean_or_raise
from machikoba.drawings.uploads import describe_upload, store_upload
from machikoba.programs.error_codes import ProgramErrorCode
from machikoba.programs.models import Session, SessionMaterial

MATERIAL_MAX_BYTES = 20 * 1024 * 1024
MATERIAL_MAX_PAGES = 300
# What a handout may be: a PDF or a picture (the sniffer's kinds).
MATERIAL_KINDS = ("pdf", "png", "jpeg")
MATERIAL_FIELDS = ["session", "title", "original_name", "mime", "size", "sha256"]


def material_max_bytes() -> int:
    """The upload limit (for ``core.uploads.limit_upload_size``)."""
    return MATERIAL_MAX_BYTES


def material_too_large_message(size: int = 0) -> str:
    return _("講義資料は 20 MB までのファイルにしてください。")


def _refuse_file(code: ProgramErrorCode, message: str) -> ApplicationError:
    return ApplicationError(code, message, fields={"file": [message]})


@transaction.atomic
def material_upload(
    *, actor: User, session: Session, title: str, file: File[bytes]
) -> SessionMaterial:
    """Store a handout of ``session``. The ward's officers and the cohort's instructors
    may; the file must be a PDF, PNG or JPEG of at most 20 MB (checked from its content).
    On any refusal nothing is written, in the database or in the storage."""
    if not Session.objects.for_user(actor, CHANGE).filter(pk=session.pk).exists():
        raise PermissionRefused(
            ProgramErrorCode.OFFICE_NOT_ALLOWED,
            _("講義資料を登録できるのは、区の職員とこの期の講師だけです。"),
        )
    if file is None:
        raise _refuse_file(
            ProgramErrorCode.OFFICE_MATERIAL_INVALID, _("ファイルを選んでください。")
        )
    material = SessionMaterial(session=session, title=title.strip())
    name = describe_upload(
        material,
        file,
        actor=actor,
        kinds=MATERIAL_KINDS,
        max_bytes=MATERIAL_MAX_BYTES,
        max_pages=MATERIAL_MAX_PAGES,
        code=ProgramErrorCode.OFFICE_MATERIAL_TYPE,
        type_message=_("講義資料は PDF・PNG・JPEG のいずれかのファイルにしてください。"),
    )
    # Everything but the file is checked before anything is written to storage.
    full_clean_or_raise(material, code=ProgramErrorCode.OFFICE_MATERIAL_INVALID, exclude=["file"])
    store_upload(
        material,
        file,
        name,
        record=lambda: audit_record(
            actor=actor,
            verb="programs.material.upload",
            target=material,
            after=snapshot(material, MATERIAL_FIELDS),
        ),
    )
    return material


@transaction.atomic
def material_delete(*, actor: User, material: SessionMaterial) -> None:
    """Remove a handout; its file is deleted from the storage after the commit."""
    if not SessionMaterial.objects.for_user(actor, DELETE).filter(pk=material.pk).exists():
        raise PermissionRefused(
            ProgramErrorCode.OFFICE_NOT_ALLOWED,
            _("講義資料を削除できるのは、区の職員とこの期の講師だけです。"),
        )
    before = snapshot(material, MATERIAL_FIELDS)
    storage, name = material.file.storage, material.file.name
    audit_record(actor=actor, verb="programs.material.delete", target=material, before=before)
    material.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
