"""Writes for companies and memberships. Views, admin and commands call only these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib.sessions.backends.base import SessionBase
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import CharField
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.accounts.rules import is_platform_admin, is_ward_officer
from machikoba.companies.checklist import refresh_profile_score
from machikoba.companies.choices import CompanyRole, LocationSource
from machikoba.companies.coverage import coverage_update
from machikoba.companies.error_codes import CompaniesErrorCode
from machikoba.companies.middleware import ACTIVE_COMPANY_SESSION_KEY
from machikoba.companies.models import (
    Capability,
    Company,
    CompanyCertification,
    CompanyPhoto,
    DXStageAssessment,
    Equipment,
    Material,
    Membership,
)
from machikoba.companies.photos import prepare_photo
from machikoba.companies.postal import lookup_postal_code
from machikoba.companies.search import search_index_update
from machikoba.companies.services_wards import (
    place_by_address,
    record_placement,
    ward_of_address,
)
from machikoba.companies.validators import normalize_corporate_number, normalize_invoice_number
from machikoba.core.access import (
    CHANGE,
    MANAGE,
    VIEW,
    can,
    forget_cached_roles,
    get_for_user_or_404,
)
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import ApplicationError, PermissionRefused, full_clean_or_raise

COMPANY_AUDIT_FIELDS = [
    "name",
    "name_kana",
    "name_en",
    "corporate_number",
    "invoice_number",
    "postal_code",
    "prefecture",
    "municipality",
    "address_line",
    "latitude",
    "longitude",
    "location_source",
    "employees",
    "founded_year",
    "representative_name",
    "representative_title",
    "successor_status",
    "website",
    "pr_text",
    "kind",
    "contact_email",
]


def _apply_profile(company: Company, changes: dict[str, Any]) -> None:
    """Normalise what people type (full-width digits, spaces, hyphens) and set it."""
    unknown = set(changes) - {*COMPANY_AUDIT_FIELDS, "is_active"}
    if unknown:
        raise ValueError(f"not company profile fields: {sorted(unknown)}")
    for name, value in changes.items():
        if name == "corporate_number":
            value = normalize_corporate_number(value or "") or None
        elif name == "invoice_number":
            value = normalize_invoice_number(value or "")
        elif name == "postal_code" and value:
            digits = normalize_corporate_number(value)
            value = f"{digits[:3]}-{digits[3:]}" if len(digits) == 7 else value.strip()
        elif name == "contact_email":
            value = (value or "").strip().lower()
        elif isinstance(value, str):
            value = value.strip()
        elif value is None and isinstance(Company._meta.get_field(name), CharField):
            value = ""
        setattr(company, name, value)


def _check_postal_code_and_locate(
    company: Company, *, postal_code_changed: bool, place_in_ward: bool
) -> None:
    """An unknown postal code is refused; a known one places the company at its area's
    representative point unless the owner set a position on the map, and (when it is new
    or changed, ``place_in_ward``) in the municipality it lies in
    (``services_wards.place_by_address``)."""
    if not company.postal_code:
        return
    found = lookup_postal_code(company.postal_code)
    if found is None:
        raise ApplicationError(
            CompaniesErrorCode.POSTAL_CODE_UNKNOWN,
            _("入力内容を確認してください。"),
            fields={
                "postal_code": [
                    _("郵便番号 %(code)s は見つかりません。番号を確認してください。")
                    % {"code": company.postal_code}
                ]
            },
        )
    if place_in_ward:
        place_by_address(company, ward_of_address(found))
    if postal_code_changed and company.location_source != LocationSource.MANUAL:
        if found.latitude is not None:
            company.latitude, company.longitude = found.latitude, found.longitude
            company.location_source = LocationSource.POSTAL_CODE
        else:
            company.latitude = company.longitude = None
            company.location_source = ""


def _check_invoice_matches_corporate_number(company: Company) -> None:
    # For a corporation the registration number is T + its 法人番号.
    if (
        company.corporate_number
        and company.invoice_number
        and (company.invoice_number[1:] != company.corporate_number)
    ):
        raise ApplicationError(
            CompaniesErrorCode.INVOICE_NUMBER_MISMATCH,
            _("入力内容を確認してください。"),
            fields={
                "invoice_number": [
                    _("法人の登録番号は「T」+ 法人番号です (T%(number)s)。")
                    % {"number": company.corporate_number}
                ]
            },
        )


def company_profile_check(*, company: Company, changes: dict[str, Any]) -> Company:
    """Apply ``changes`` to ``company`` (unsaved, or a copy) and run every check that
    ``company_create`` / ``company_update`` run, in their order. Writes nothing; raises
    ``ApplicationError`` naming the fields. Imports use it to check rows cheaply."""
    creating = company.pk is None
    postal_before = company.postal_code
    position_before = (company.latitude, company.longitude)
    _apply_profile(company, changes)
    moved = (company.latitude, company.longitude) != position_before
    if not creating and moved and company.latitude is not None:
        company.location_source = LocationSource.MANUAL  # placed by hand on the profile
    full_clean_or_raise(company, code=CompaniesErrorCode.COMPANY_INVALID)
    _check_invoice_matches_corporate_number(company)
    if creating:
        postal_code_changed = company.latitude is None and bool(company.postal_code)
    else:
        postal_code_changed = company.postal_code != postal_before
    # A new company's ward comes from its postal code even when it came with a position.
    place_in_ward = bool(company.postal_code) and (creating or postal_code_changed)
    _check_postal_code_and_locate(
        company, postal_code_changed=postal_code_changed, place_in_ward=place_in_ward
    )
    return company


@transaction.atomic
def company_create(
    *,
    actor: User | None,
    name: str,
    owner: User | None = None,
    is_active: bool = True,
    **profile: Any,
) -> Company:
    """Register a company; ``owner`` (if given) becomes its first owner.

    Registering is the ward's act: platform admins, ward officers, or the system
    itself (``actor=None``: imports, demo data). ``profile`` takes any of
    ``COMPANY_AUDIT_FIELDS``.
    """
    if actor is not None and not (is_platform_admin(actor) or is_ward_officer(actor)):
        raise PermissionRefused(
            CompaniesErrorCode.NOT_ALLOWED_TO_REGISTER,
            _("企業を登録できるのは区の担当者と管理者だけです。"),
        )
    # The ward (or an admin, or the system) registers only companies it knows: verified.
    company = company_profile_check(
        company=Company(is_active=is_active, verified_at=timezone.now()),
        changes={"name": name, **profile},
    )
    company.save()
    record_placement(actor=actor, company=company)
    search_index_update(company=company)
    refresh_profile_score(company)  # the PR text is an item of the checklist
    audit_record(
        actor=actor,
        verb="company.create",
        target=company,
        company=company,
        after=snapshot(company, COMPANY_AUDIT_FIELDS),
    )
    if owner is not None:
        _membership_create(actor=actor, company=company, user=owner, role=CompanyRole.OWNER)
    return company


def _membership_create(
    *, actor: User | None, company: Company, user: User, role: str
) -> Membership:
    membership = Membership(company=company, user=user, role=role)
    full_clean_or_raise(
        membership,
        code=CompaniesErrorCode.MEMBERSHIP_INVALID,
        duplicate_code=CompaniesErrorCode.MEMBERSHIP_EXISTS,
        duplicate_message=_("この人はすでにこの企業に所属しています。"),
    )
    membership.save()
    forget_cached_roles(user)
    audit_record(
        actor=actor,
        verb="membership.create",
        target=membership,
        company=company,
        after={"user": user.email, "role": role},
    )
    return membership


@transaction.atomic
def membership_add(*, actor: User | None, company: Company, user: User, role: str) -> Membership:
    """An owner (or a platform admin) adds a person to their company with a role.

    ``actor=None`` is the system itself (demo data, imports run by an operator).
    """
    if actor is not None and not (is_platform_admin(actor) or can(actor, MANAGE, company)):
        raise PermissionRefused(
            CompaniesErrorCode.NOT_COMPANY_OWNER,
            _("所属を管理できるのはこの企業の経営者だけです。"),
        )
    return _membership_create(actor=actor, company=company, user=user, role=role)


@transaction.atomic
def company_update(*, actor: User | None, company: Company, **changes: Any) -> Company:
    """Change profile fields of a company.

    Owners and staff of the company may change its profile; platform admins (Django
    admin) may change it too. (De)activating is ``company_deactivate`` /
    ``company_reactivate``.
    """
    admin = actor is not None and is_platform_admin(actor)
    if actor is not None and not admin and not can(actor, CHANGE, company):
        raise PermissionRefused(
            CompaniesErrorCode.NOT_COMPANY_EDITOR,
            _("企業情報を変更できるのはこの企業の経営者とスタッフだけです。"),
        )
    if "is_active" in changes:
        raise ValueError("(de)activate a company with company_deactivate / company_reactivate")
    fields = [*COMPANY_AUDIT_FIELDS, "is_active"]
    before = snapshot(company, fields)
    company_profile_check(company=company, changes=changes)
    company.save()
    record_placement(actor=actor, company=company)
    search_index_update(company=company)
    refresh_profile_score(company)  # the PR text is an item of the checklist
    after = snapshot(company, fields)
    audit_record(
        actor=actor,
        verb="company.update",
        target=company,
        company=company,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    return company


def _require_platform_admin(actor: User | None) -> None:
    # actor=None is the system itself (an operator's command, demo data).
    if actor is not None and not is_platform_admin(actor):
        raise PermissionRefused(
            CompaniesErrorCode.NOT_PLATFORM_ADMIN,
            _("企業の利用停止と再開は、プラットフォーム管理者だけが行えます。"),
        )


@transaction.atomic
def company_deactivate(*, actor: User | None, company: Company, reason: str = "") -> Company:
    """Stop a company's use of the platform (a platform admin's act). From now on its
    people change nothing and start nothing (no RFQs, quotes, messages, uploads, grants),
    other companies can no longer choose it, and its people read only its own records for
    ``MACHIKOBA_DEACTIVATED_READ_DAYS`` (to download what is theirs); after that, nothing
    (``core.access.company_usable``). What other companies hold of shared work stays theirs."""
    _require_platform_admin(actor)
    company = Company.objects.select_for_update().get(pk=company.pk)
    if not company.is_active:
        raise ApplicationError(
            CompaniesErrorCode.ALREADY_DEACTIVATED, _("この企業はすでに利用停止中です。")
        )
    company.is_active, company.deactivated_at = False, timezone.now()
    company.save(update_fields=["is_active", "deactivated_at", "updated_at"])
    search_index_update(company=company)
    audit_record(
        actor=actor,
        verb="company.deactivate",
        target=company,
        company=company,
        before={"is_active": True},
        after={"is_active": False, "reason": reason.strip()[:500]},
    )
    return company


@transaction.atomic
def company_reactivate(*, actor: User | None, company: Company) -> Company:
    """Let a deactivated company use the platform again (a platform admin's act)."""
    _require_platform_admin(actor)
    company = Company.objects.select_for_update().get(pk=company.pk)
    if company.is_active:
        raise ApplicationError(CompaniesErrorCode.NOT_DEACTIVATED, _("この企業は利用中です。"))
    company.is_active, company.deactivated_at = True, None
    company.save(update_fields=["is_active", "deactivated_at", "updated_at"])
    search_index_update(company=company)
    audit_record(
        actor=actor,
        verb="company.reactivate",
        target=company,
        company=company,
        before={"is_active": False},
        after={"is_active": True},
    )
    return company


# --- profile parts: capabilities, equipment, certifications, photos, DX stage ----------


def _require_editor(actor: User | None, company: Company) -> None:
    # actor=None is the system itself (imports, demo data).
    if actor is not None and not can(actor, CHANGE, company):
        raise PermissionRefused(
            CompaniesErrorCode.NOT_COMPANY_EDITOR,
            _("企業情報を変更できるのはこの企業の経営者とスタッフだけです。"),
        )


_Part = TypeVar("_Part", Capability, Equipment, CompanyCertification)


def _save_part(
    *,
    actor: User | None,
    company: Company,
    part: _Part,
    verb: str,
    code: CompaniesErrorCode,
    duplicate_code: CompaniesErrorCode | None = None,
    duplicate_message: Any = None,
) -> _Part:
    _require_editor(actor, company)
    creating = part.pk is None
    part.company = company
    full_clean_or_raise(
        part,
        code=code,
        duplicate_code=duplicate_code,
        duplicate_message=duplicate_message,
    )
    part.save()
    audit_record(
        actor=actor,
        verb=f"{verb}.{'create' if creating else 'update'}",
        target=part,
        company=company,
    )
    return part


@transaction.atomic
def capability_save(
    *,
    actor: User | None,
    company: Company,
    capability: Capability,
    materials: Iterable[Material],
) -> Capability:
    """Create or update one process capability with its materials."""
    dimensions = [
        d
        for d in (capability.max_length_mm, capability.max_width_mm, capability.max_height_mm)
        if d is not None
    ]
    capability.envelope_mm = max(dimensions) if dimensions else None
    _save_part(
        actor=actor,
        company=company,
        part=capability,
        verb="capability",
        code=CompaniesErrorCode.CAPABILITY_INVALID,
        duplicate_code=CompaniesErrorCode.CAPABILITY_EXISTS,
        duplicate_message=_("この工程はすでに登録されています。既存の行を編集してください。"),
    )
    capability.materials.set(materials)
    search_index_update(company=company)
    coverage_update(company=company)
    refresh_profile_score(company)
    return capability


@transaction.atomic
def equipment_save(*, actor: User | None, company: Company, equipment: Equipment) -> Equipment:
    _save_part(
        actor=actor,
        company=company,
        part=equipment,
        verb="equipment",
        code=CompaniesErrorCode.EQUIPMENT_INVALID,
    )
    search_index_update(company=company)
    refresh_profile_score(company)
    return equipment


@transaction.atomic
def certification_save(
    *, actor: User | None, company: Company, certification: CompanyCertification
) -> CompanyCertification:
    _save_part(
        actor=actor,
        company=company,
        part=certification,
        verb="certification",
        code=CompaniesErrorCode.CERTIFICATION_INVALID,
        duplicate_code=CompaniesErrorCode.CERTIFICATION_EXISTS,
        duplicate_message=_("この認証はすでに登録されています。既存の行を編集してください。"),
    )
    refresh_profile_score(company)
    return certification


@transaction.atomic
def profile_part_delete(
    *, actor: User | None, part: Capability | Equipment | CompanyCertification | CompanyPhoto
) -> None:
    """Remove a capability, machine, certification or photo from a company's profile."""
    company = part.company
    _require_editor(actor, company)
    verb = {
        Capability: "capability",
        Equipment: "equipment",
        CompanyCertification: "certification",
        CompanyPhoto: "photo",
    }[type(part)]
    audit_record(actor=actor, verb=f"{verb}.delete", target=part, company=company)
    if isinstance(part, CompanyPhoto):
        # The file goes only once the row is gone for good.
        name, storage = part.image.name, part.image.storage
        transaction.on_commit(lambda: storage.delete(name))
    part.delete()
    if verb in ("capability", "equipment"):
        search_index_update(company=company)
    if verb == "capability":
        coverage_update(company=company)
    refresh_profile_score(company)


@transaction.atomic
def photo_add(
    *, actor: User | None, company: Company, upload: UploadedFile, caption: str = ""
) -> CompanyPhoto:
    """Store a validated, re-encoded photo (see ``photos.prepare_photo``)."""
    _require_editor(actor, company)
    content = prepare_photo(upload)  # raises ApplicationError before anything is stored
    photo = CompanyPhoto(
        company=company,
        caption=caption.strip(),
        sort_order=CompanyPhoto.objects.filter(company=company).count(),
        width=content.image_size[0],
        height=content.image_size[1],
    )
    photo.image.save(content.name, content, save=False)
    # A failure after the file was written must not leave it behind.
    try:
        full_clean_or_raise(photo, code=CompaniesErrorCode.PHOTO_INVALID)
        photo.save()
        refresh_profile_score(company)
        audit_record(actor=actor, verb="photo.create", target=photo, company=company)
    except Exception:
        photo.image.storage.delete(photo.image.name)
        raise
    return photo


@transaction.atomic
def dx_stage_record(
    *,
    actor: User | None,
    company: Company,
    stage: int,
    assessed_on: dt.date | None = None,
    note: str = "",
) -> DXStageAssessment:
    """Add a dated DX-stage self-assessment (history is kept; the KSI reads it)."""
    _require_editor(actor, company)
    assessment = DXStageAssessment(
        company=company, stage=stage, note=note.strip(), recorded_by=actor
    )
    if assessed_on is not None:
        assessment.assessed_on = assessed_on
    if assessment.assessed_on > timezone.localdate():
        raise ApplicationError(
            CompaniesErrorCode.DX_STAGE_FUTURE,
            _("入力内容を確認してください。"),
            fields={"assessed_on": [_("評価日に未来の日付は指定できません。")]},
        )
    full_clean_or_raise(assessment, code=CompaniesErrorCode.DX_STAGE_INVALID)
    assessment.save()
    audit_record(
        actor=actor,
        verb="dx_stage.record",
        target=assessment,
        company=company,
        after={"stage": stage, "assessed_on": str(assessment.assessed_on)},
    )
    return assessment


def active_company_switch(*, actor: User, session: SessionBase, company_id: int) -> Company:
    """Make one of ``actor``'s companies the one they work for in this session: an active
    one, or a deactivated one still in its grace period (to read and download its records).

    Anything else (another company, one deactivated past its grace period, an unknown id)
    is a 404 and the session is left as it was.
    """
    # The membership's policy lets through only companies the actor may read.
    membership = get_for_user_or_404(Membership, actor, VIEW, user=actor, company_id=company_id)
    previous = session.get(ACTIVE_COMPANY_SESSION_KEY)
    session[ACTIVE_COMPANY_SESSION_KEY] = membership.company_id
    audit_record(
        actor=actor,
        verb="company.switch",
        target=membership.company,
        company=membership.company,
        before={"company": previous},
        after={"company": membership.company_id},
    )
    return membership.company


@transaction.atomic
def membership_change_role(*, actor: User | None, membership: Membership, role: str) -> Membership:
    """An owner (or a platform admin) changes a member's company role."""
    company = membership.company
    if actor is not None and not (is_platform_admin(actor) or can(actor, MANAGE, company)):
        raise PermissionRefused(
            CompaniesErrorCode.NOT_COMPANY_OWNER,
            _("所属を管理できるのはこの企業の経営者だけです。"),
        )
    before = membership.role
    membership.role = role
    full_clean_or_raise(membership, code=CompaniesErrorCode.MEMBERSHIP_INVALID)
    membership.save(update_fields=["role", "updated_at"])
    forget_cached_roles(membership.user)
    audit_record(
        actor=actor,
        verb="membership.update",
        target=membership,
        company=company,
        before={"role": before},
        after={"role": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: User | None, membership: Membership) -> None:
    company = membership.company
    if actor is not None and not (is_platform_admin(actor) or can(actor, MANAGE, company)):
        raise PermissionRefused(
            CompaniesErrorCode.NOT_COMPANY_OWNER,
            _("所属を管理できるのはこの企業の経営者だけです。"),
        )
    audit_record(
        actor=actor,
        verb="membership.delete",
        target=membership,
        company=company,
        before={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()
    forget_cached_roles(membership.user)
