"""The ward's roster of advisors: officers add a person (an existing account, given the
ADVISOR role for the wards it will serve) and keep their kind, specialties, wards,
capacity, fee and whether they are dispatched now."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from machikoba.accounts.choices import WardRole
from machikoba.accounts.models import User, WardRoleAssignment
from machikoba.accounts.services import ward_role_grant
from machikoba.advisory.choices import AdvisorKind
from machikoba.advisory.error_codes import AdvisoryErrorCode
from machikoba.advisory.models import Advisor
from machikoba.advisory.services._common import officer_ward_ids
from machikoba.core.access import MANAGE, can, forget_cached_roles
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.wards.models import Municipality

ADVISOR_FIELDS = ["kind", "organisation", "specialties", "capacity", "hourly_fee", "active"]
MAX_CAPACITY = 20
MAX_HOURLY_FEE = 100_000


def _require_officer(actor: User) -> list[int]:
    wards = officer_ward_ids(actor)
    if not wards:
        raise PermissionRefused(
            AdvisoryErrorCode.NOT_WARD_OFFICER,
            _("アドバイザーの名簿を変えられるのは、区の担当職員だけです。"),
        )
    return wards


def _check_fields(
    *, kind: str, wards: Sequence[Municipality], served: list[int], capacity: int, fee: int
) -> None:
    errors: dict[str, str] = {}
    if kind not in AdvisorKind.values:
        errors["kind"] = _("専門の種類を選んでください。")
    if not wards:
        errors["wards"] = _("担当できる区を1つ以上選んでください。")
    elif any(w.pk not in served for w in wards):
        errors["wards"] = _("あなたが担当している区から選んでください。")
    if not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = _("同時に担当できる社数は 1〜%(max)s 社にしてください。") % {
            "max": MAX_CAPACITY
        }
    if not 0 <= fee <= MAX_HOURLY_FEE:
        errors["hourly_fee"] = _("時間単価は 0〜%(max)s 円にしてください。") % {
            "max": f"{MAX_HOURLY_FEE:,}"
        }
    if errors:
        raise invalid_input(AdvisoryErrorCode.ADVISOR_INVALID, **errors)


def _grant_advisor_role(user: User, wards: Sequence[Municipality]) -> None:
    """The ADVISOR role for each ward the advisor serves. The caller (an officer of those
    wards) proved the right; the grant itself is recorded as the system's."""
    held = set(
        WardRoleAssignment.objects.filter(user=user, role=WardRole.ADVISOR).values_list(
            "municipality_id", flat=True
        )
    )
    for ward in wards:
        if ward.pk not in held:
            ward_role_grant(actor=None, user=user, role=WardRole.ADVISOR, municipality=ward)
    forget_cached_roles(user)


@transaction.atomic
def advisor_create(
    *,
    actor: User,
    email: str,
    kind: str,
    wards: Sequence[Municipality],
    capacity: int,
    hourly_fee: int,
    organisation: str = "",
    specialties: str = "",
    active: bool = True,
) -> Advisor:
    """An officer puts the person with the account ``email`` on the roster for ``wards``
    (all of them wards the officer serves); the person is given the ADVISOR role there."""
    served = _require_officer(actor)
    _check_fields(kind=kind, wards=wards, served=served, capacity=capacity, fee=hourly_fee)
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise invalid_input(
            AdvisoryErrorCode.ADVISOR_INVALID,
            email=_(
                "このメールアドレスのアカウントが見つかりません。"
                "先にご本人にアカウントを作ってもらってください。"
            ),
        )
    if Advisor.objects.filter(user=user).exists():
        raise ApplicationError(
            AdvisoryErrorCode.ADVISOR_EXISTS,
            _("%(person)s さんはすでにアドバイザーの名簿にいます。")
            % {"person": user.get_full_name()},
        )
    advisor = Advisor(
        user=user,
        kind=kind,
        organisation=organisation.strip(),
        specialties=specialties.strip(),
        capacity=capacity,
        hourly_fee=hourly_fee,
        active=active,
    )
    full_clean_or_raise(advisor, code=AdvisoryErrorCode.ADVISOR_INVALID)
    advisor.save()
    advisor.wards.set(wards)
    _grant_advisor_role(user, wards)
    audit_record(
        actor=actor,
        verb="advisor.create",
        target=advisor,
        after={**snapshot(advisor, ADVISOR_FIELDS), "wards": sorted(w.pk for w in wards)},
    )
    return advisor


@transaction.atomic
def advisor_update(
    *,
    actor: User,
    advisor: Advisor,
    kind: str,
    wards: Sequence[Municipality],
    capacity: int,
    hourly_fee: int,
    organisation: str = "",
    specialties: str = "",
    active: bool = True,
) -> Advisor:
    """An officer of a ward the advisor serves changes the entry. ``wards`` replaces only
    the wards the officer serves; the advisor's other wards stay. Lowering the capacity
    below the current load keeps the engagements; it only stops new ones."""
    served = _require_officer(actor)
    if not can(actor, MANAGE, advisor):
        raise PermissionRefused(
            AdvisoryErrorCode.NOT_WARD_OFFICER,
            _("このアドバイザーは、あなたの区の名簿にいません。"),
        )
    _check_fields(kind=kind, wards=wards, served=served, capacity=capacity, fee=hourly_fee)
    advisor = Advisor.objects.select_for_update().get(pk=advisor.pk)
    before = {
        **snapshot(advisor, ADVISOR_FIELDS),
        "wards": sorted(advisor.wards.values_list("pk", flat=True)),
    }
    advisor.kind = kind
    advisor.organisation = organisation.strip()
    advisor.specialties = specialties.strip()
    advisor.capacity = capacity
    advisor.hourly_fee = hourly_fee
    advisor.active = active
    full_clean_or_raise(advisor, code=AdvisoryErrorCode.ADVISOR_INVALID)
    advisor.save()
    others = [w for w in advisor.wards.all() if w.pk not in served]
    advisor.wards.set([*others, *wards])
    _grant_advisor_role(advisor.user, wards)
    audit_record(
        actor=actor,
        verb="advisor.update",
        target=advisor,
        before=before,
        after={
            **snapshot(advisor, ADVISOR_FIELDS),
            "wards": sorted(advisor.wards.values_list("pk", flat=True)),
        },
    )
    return advisor
