"""Writes of the lab's trainings (講習) by its staff: a training's definition (which items
it unlocks, how long a pass is valid), a record added by hand for a person who passed it
(the one writer is ``services.internal.training_record_create``; a training session's
attendance uses it too) and the revocation of a record, with the reason, told to the
person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company, Membership
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import ApplicationError, full_clean_or_raise
from machikoba.core.notifications import notify_users
from machikoba.lab.error_codes_catalogue import CatalogueErrorCode
from machikoba.lab.models import Item, Lab, Training, TrainingRecord
from machikoba.lab.services.internal import training_record_create
from machikoba.lab.services.labs import require_lab_staff

MAX_VALIDITY_DAYS = 3650
TRAINING_FIELDS = ["lab", "name", "description", "validity_days", "active"]


def _invalid(code: CatalogueErrorCode, field: str, message: str) -> ApplicationError:
    return ApplicationError(code, _("入力内容を確認してください。"), fields={field: [message]})


def _check_training(training: Training, unlocks: list[Item]) -> None:
    if not training.name.strip():
        raise _invalid(
            CatalogueErrorCode.TRAINING_INVALID, "name", _("講習の名称を入力してください。")
        )
    if training.validity_days is None or not 1 <= training.validity_days <= MAX_VALIDITY_DAYS:
        raise _invalid(
            CatalogueErrorCode.TRAINING_INVALID,
            "validity_days",
            _("有効期間は 1 日から %(max)s 日までにしてください。") % {"max": MAX_VALIDITY_DAYS},
        )
    foreign = [item for item in unlocks if item.lab_id != training.lab_id]
    if foreign:
        raise _invalid(
            CatalogueErrorCode.TRAINING_INVALID,
            "unlocks",
            _("「%(item)s」はこのラボの機器ではありません。") % {"item": foreign[0].name},
        )
    same_name = Training.objects.filter(
        lab_id=training.lab_id, name=training.name, active=True
    ).exclude(pk=training.pk)
    if training.active and same_name.exists():
        raise _invalid(
            CatalogueErrorCode.TRAINING_INVALID,
            "name",
            _("同じ名称の講習がすでにあります。別の名称にしてください。"),
        )


def _snapshot(training: Training) -> dict:
    data = snapshot(training, TRAINING_FIELDS)
    data["unlocks"] = sorted(training.unlocks.values_list("pk", flat=True))
    return data


@transaction.atomic
def training_create(
    *,
    actor: User,
    lab: Lab,
    name: str,
    description: str = "",
    unlocks: Iterable[Item] = (),
    validity_days: int = 365,
    active: bool = True,
) -> Training:
    """Define a training of ``lab``: booking any item of ``unlocks`` then needs a valid
    record of it; a pass is valid ``validity_days`` days."""
    require_lab_staff(actor, lab)
    items = list(unlocks)
    training = Training(
        lab=lab,
        name=(name or "").strip(),
        description=(description or "").strip(),
        validity_days=validity_days,
        active=active,
    )
    _check_training(training, items)
    full_clean_or_raise(training, code=CatalogueErrorCode.TRAINING_INVALID)
    training.save()
    training.unlocks.set(items)
    audit_record(
        actor=actor, verb="lab_training.create", target=training, after=_snapshot(training)
    )
    return training


@transaction.atomic
def training_update(
    *,
    actor: User,
    training: Training,
    name: str,
    description: str = "",
    unlocks: Iterable[Item] = (),
    validity_days: int = 365,
    active: bool = True,
) -> Training:
    """Change a training. Records already made keep their expiry; the new validity applies
    to records made from now on. A retired training (``active`` off) no longer blocks its
    items."""
    require_lab_staff(actor, training.lab)
    training = Training.objects.select_for_update(of=("self",)).get(pk=training.pk)
    before = _snapshot(training)
    items = list(unlocks)
    training.name = (name or "").strip()
    training.description = (description or "").strip()
    training.validity_days = validity_days
    training.active = active
    _check_training(training, items)
    full_clean_or_raise(training, code=CatalogueErrorCode.TRAINING_INVALID)
    training.save()
    training.unlocks.set(items)
    audit_record(
        actor=actor,
        verb="lab_training.update",
        target=training,
        before=before,
        after=_snapshot(training),
    )
    return training


# --- records -----------------------------------------------------------------------------


def _person(email: str) -> User:
    email = (email or "").strip()
    person = User.objects.filter(email__iexact=email, is_active=True).first() if email else None
    if person is None:
        raise ApplicationError(
            CatalogueErrorCode.RECORD_USER_UNKNOWN,
            _("入力内容を確認してください。"),
            fields={
                "email": [
                    _(
                        "このメールアドレスの利用者は見つかりません。"
                        "受講者に machikoba のアカウントを作ってもらってから記録してください。"
                    )
                ]
            },
        )
    return person


def _company_of(person: User, company: Company | None) -> Company | None:
    memberships = Membership.objects.filter(user=person, company__is_active=True)
    if company is not None:
        if not memberships.filter(company=company).exists():
            raise _invalid(
                CatalogueErrorCode.RECORD_INVALID,
                "company",
                _("%(person)s さんは %(company)s に所属していません。")
                % {"person": person.get_full_name() or person.email, "company": company.name},
            )
        return company
    companies = list(memberships.values_list("company", flat=True).distinct())
    if len(companies) > 1:
        raise _invalid(
            CatalogueErrorCode.RECORD_INVALID,
            "company",
            _("この方は複数の企業に所属しています。どの企業の方として記録するか選んでください。"),
        )
    return Company.objects.get(pk=companies[0]) if companies else None


@transaction.atomic
def training_record_add(
    *,
    actor: User,
    training: Training,
    email: str,
    company: Company | None = None,
    passed_on: dt.date | None = None,
) -> TrainingRecord:
    """Record by hand that the person with ``email`` (an existing account) passed
    ``training`` on ``passed_on`` (today by default; never a day to come), for
    ``company`` (one of theirs; their only one when not given)."""
    require_lab_staff(actor, training.lab)
    person = _person(email)
    attributed = _company_of(person, company)
    today = timezone.localdate()
    passed = passed_on or today
    if passed > today:
        raise _invalid(
            CatalogueErrorCode.RECORD_INVALID, "passed_on", _("修了日に先の日付は選べません。")
        )
    if not training.active:
        raise ApplicationError(
            CatalogueErrorCode.TRAINING_INVALID,
            _("終了した講習には修了を記録できません。講習を「実施中」に戻してください。"),
        )
    duplicate = TrainingRecord.objects.filter(
        training=training, user=person, passed_on=passed, revoked_at__isnull=True
    )
    if duplicate.exists():
        raise _invalid(
            CatalogueErrorCode.RECORD_INVALID,
            "passed_on",
            _("この方のこの日の修了記録はすでにあります。"),
        )
    return training_record_create(
        training=training, user=person, actor=actor, company=attributed, passed_on=passed
    )


@transaction.atomic
def training_record_revoke(*, actor: User, record: TrainingRecord, reason: str) -> TrainingRecord:
    """Revoke a record (a safety breach, a record made by mistake) with ``reason``; the
    person is told. A revoked record no longer unlocks anything."""
    require_lab_staff(actor, record.training.lab)
    record = (
        TrainingRecord.objects.select_for_update(of=("self",))
        .select_related("training__lab")
        .get(pk=record.pk)
    )
    reason = (reason or "").strip()
    if not reason:
        raise _invalid(
            CatalogueErrorCode.RECORD_INVALID, "reason", _("取り消す理由を入力してください。")
        )
    if record.revoked_at is not None:
        raise ApplicationError(
            CatalogueErrorCode.RECORD_REVOKED,
            _("この修了記録はすでに取り消されています。"),
            status_code=409,
        )
    record.revoked_at = timezone.now()
    record.revoke_reason = reason
    full_clean_or_raise(record, code=CatalogueErrorCode.RECORD_INVALID)
    record.save(update_fields=["revoked_at", "revoke_reason", "updated_at"])
    audit_record(
        actor=actor,
        verb="lab_training_record.revoke",
        target=record,
        company=record.company,
        after={"reason": reason},
    )
    notify_users(
        users=[record.user],
        kind="lab_training_revoked",
        params={
            "training": record.training.name,
            "lab": record.training.lab.name,
            "reason": reason,
        },
        path=reverse("lab:my_trainings"),
    )
    return record
