"""Reads of the lab's trainings: whether a person holds a valid training (the booking's
check, ``missing_trainings``), a person's own records, and the staff's pages of trainings
and records.

A record is valid on a day from its ``passed_on`` through its ``expires_on`` (both
included) unless revoked. Only active trainings are required: a training the lab retired
no longer blocks its items (staff take an item off a training's ``unlocks`` the same way).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, MANAGE, VIEW
from machikoba.lab.models import Item, Lab, Training, TrainingRecord


def _records_of(user: User | AnonymousUser | None) -> QuerySet[TrainingRecord]:
    if user is None or not user.is_authenticated:
        return TrainingRecord.objects.none()
    return TrainingRecord.objects.for_user(user, VIEW).filter(user=user)


def _valid_on(on: dt.date) -> Q:
    return Q(revoked_at__isnull=True, passed_on__lte=on, expires_on__gte=on)


def valid_training_ids(user: User | AnonymousUser | None, on: dt.date) -> set[int]:
    """The trainings ``user`` holds a valid, unrevoked record of on ``on``."""
    return set(_records_of(user).filter(_valid_on(on)).values_list("training_id", flat=True))


def required_trainings(item: Item) -> list[Training]:
    """The active trainings that unlock ``item``, by name."""
    return list(item.required_trainings.filter(active=True).order_by("name", "id"))


def missing_trainings(user: User | AnonymousUser | None, item: Item, on: dt.date) -> list[Training]:
    """The trainings ``item`` requires that ``user`` holds no valid, unrevoked record of on
    ``on`` (empty: the user may book it as far as trainings go)."""
    required = required_trainings(item)
    if not required:
        return []
    held = valid_training_ids(user, on)
    return [training for training in required if training.pk not in held]


def person_companies(user: User, lab: Lab, email: str) -> list[Company]:
    """The active companies the active person with ``email`` belongs to, for the staff of
    ``lab`` recording a training by hand (they typed the address; anyone else: none)."""
    if not Lab.objects.for_user(user, CHANGE).filter(pk=lab.pk).exists():
        return []
    return list(
        Company.objects.filter(
            memberships__user__email__iexact=(email or "").strip(),
            memberships__user__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("name", "pk")
    )


# --- a person's own records ------------------------------------------------------------


@dataclass(frozen=True)
class MyRecord:
    record: TrainingRecord
    valid: bool
    expires_soon: bool  # within 30 days
    status_label: str


EXPIRES_SOON_DAYS = 30


def my_training_records(user: User, *, on: dt.date | None = None) -> list[MyRecord]:
    """``user``'s own training records (revoked ones too, with why), newest first."""
    today = on or timezone.localdate()
    rows = []
    records = _records_of(user).select_related("training", "training__lab", "company", "event")
    for record in records.order_by("-passed_on", "-id"):
        if record.revoked_at is not None:
            valid, label = False, _("取消し")
        elif record.expires_on < today:
            valid, label = False, _("期限切れ")
        elif record.passed_on > today:
            valid, label = False, _("有効期間前")
        else:
            valid, label = True, _("有効")
        soon = valid and (record.expires_on - today).days <= EXPIRES_SOON_DAYS
        rows.append(MyRecord(record, valid, soon, label))
    return rows


# --- the staff's pages -----------------------------------------------------------------


def lab_trainings(user: User, lab: Lab) -> list[Training]:
    """The lab's trainings (retired ones too) for its staff, with the items they unlock and
    the count of records valid today."""
    today = timezone.localdate()
    return list(
        Training.objects.for_user(user, MANAGE)
        .filter(lab=lab)
        .prefetch_related(Prefetch("unlocks", queryset=Item.objects.order_by("name", "id")))
        .annotate(
            valid_count=Count(
                "records",
                filter=Q(
                    records__revoked_at__isnull=True,
                    records__passed_on__lte=today,
                    records__expires_on__gte=today,
                ),
            )
        )
        .order_by("-active", "name", "id")
    )


def training_records(user: User, training: Training) -> list[TrainingRecord]:
    """The records of ``training`` that ``user`` (its lab's staff) sees, newest first."""
    return list(
        TrainingRecord.objects.for_user(user, MANAGE)
        .filter(training=training)
        .select_related("user", "company", "recorded_by", "event")
        .order_by("-passed_on", "-id")
    )
