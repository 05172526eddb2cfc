"""Consultations (導入相談): a shop's owner or staff asks the vendor about one of its
exhibits, the vendor's owner or staff answers, the shop closes it. A message between the
two companies: nobody else reads it (``access.consultation_scope``)."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import EDITOR_ROLES, require_role
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, full_clean_or_raise, invalid_input
from machikoba.core.notifications import notify_company
from machikoba.lab.choices import ConsultationStatus
from machikoba.lab.error_codes_vendors import VendorErrorCode
from machikoba.lab.models import Item
from machikoba.lab.models_vendors import Consultation
from machikoba.lab.services.demos import refuse_own_exhibit, require_exhibit

SUBJECT_MAX = 120
TEXT_MAX = 4000

# Which status may follow which; the page reads the same table for its buttons.
CONSULTATION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ConsultationStatus.OPEN: (ConsultationStatus.ANSWERED, ConsultationStatus.CLOSED),
    ConsultationStatus.ANSWERED: (ConsultationStatus.CLOSED,),
    ConsultationStatus.CLOSED: (),
}


def consultation_may_move(current: str, to: str) -> bool:
    return to in CONSULTATION_TRANSITIONS.get(current, ())


def _path(consultation: Consultation) -> str:
    return reverse("lab:consultation", args=[consultation.pk])


def _text(name: str, value: str, limit: int, missing: str) -> dict[str, str]:
    if not value:
        return {name: missing}
    if len(value) > limit:
        return {name: _("%(max)s 文字以内で書いてください。") % {"max": limit}}
    return {}


@transaction.atomic
def consultation_create(
    *, actor: User, company: Company, item: Item, subject: str, message: str
) -> Consultation:
    """A shop's owner or staff asks the vendor exhibiting ``item``; the vendor is told."""
    require_role(
        actor,
        company,
        EDITOR_ROLES,
        VendorErrorCode.NOT_SHOP_EDITOR,
        _("導入相談を送れるのは、%(company)s の経営者と事務・技術スタッフだけです。")
        % {"company": company.name},
    )
    vendor = require_exhibit(item)
    refuse_own_exhibit(company, item, _("自社の展示品について相談を送ることはできません。"))
    subject, message = subject.strip(), message.strip()
    errors = _text("subject", subject, SUBJECT_MAX, _("件名を書いてください。"))
    errors |= _text("message", message, TEXT_MAX, _("相談の内容を書いてください。"))
    if errors:
        raise invalid_input(VendorErrorCode.CONSULTATION_INVALID, **errors)
    consultation = Consultation(
        vendor=vendor, item=item, company=company, user=actor, subject=subject, message=message
    )
    full_clean_or_raise(consultation, code=VendorErrorCode.CONSULTATION_INVALID)
    consultation.save()
    audit_record(
        actor=actor,
        verb="lab_consultation.create",
        target=consultation,
        company=company,
        after={"vendor": vendor.pk, "item": item.pk, "subject": subject},
    )
    notify_company(
        company=vendor,
        kind="lab_consultation_received",
        params={"company": company.name, "item": item.name, "subject": subject},
        path=_path(consultation),
    )
    return consultation


def _lock(consultation: Consultation) -> Consultation:
    return (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("vendor", "company", "item")
        .get(pk=consultation.pk)
    )


def _move(consultation: Consultation, to: str, message: str) -> str:
    if not consultation_may_move(consultation.status, to):
        raise ApplicationError(
            VendorErrorCode.CONSULTATION_STATE,
            message % {"status": consultation.get_status_display()},
        )
    before = consultation.status
    consultation.status = to
    return before


@transaction.atomic
def consultation_answer(*, actor: User, consultation: Consultation, answer: str) -> Consultation:
    """The vendor's owner or staff answers an open consultation; the shop is told."""
    consultation = _lock(consultation)
    require_role(
        actor,
        consultation.vendor,
        EDITOR_ROLES,
        VendorErrorCode.NOT_VENDOR_EDITOR,
        _("回答できるのは、相談を受けた %(vendor)s の経営者とスタッフだけです。")
        % {"vendor": consultation.vendor.name},
    )
    answer = answer.strip()
    errors = _text("answer", answer, TEXT_MAX, _("回答を書いてください。"))
    if errors:
        raise invalid_input(VendorErrorCode.CONSULTATION_INVALID, **errors)
    before = _move(
        consultation,
        ConsultationStatus.ANSWERED,
        _("この相談は「%(status)s」のため、回答できません。"),
    )
    consultation.answer = answer
    consultation.answered_by = actor
    consultation.answered_at = timezone.now()
    full_clean_or_raise(consultation, code=VendorErrorCode.CONSULTATION_INVALID, exclude=["user"])
    consultation.save()
    audit_record(
        actor=actor,
        verb="lab_consultation.answer",
        target=consultation,
        company=consultation.vendor,
        before={"status": before},
        after={"status": consultation.status},
    )
    notify_company(
        company=consultation.company,
        kind="lab_consultation_answered",
        params={"vendor": consultation.vendor.name, "subject": consultation.subject},
        path=_path(consultation),
    )
    return consultation


@transaction.atomic
def consultation_close(*, actor: User, consultation: Consultation) -> Consultation:
    """The shop's owner or staff closes its consultation (answered or not)."""
    consultation = _lock(consultation)
    require_role(
        actor,
        consultation.company,
        EDITOR_ROLES,
        VendorErrorCode.NOT_SHOP_EDITOR,
        _("相談を終了できるのは、相談した %(company)s の経営者とスタッフだけです。")
        % {"company": consultation.company.name},
    )
    before = _move(
        consultation,
        ConsultationStatus.CLOSED,
        _("この相談はすでに「%(status)s」です。"),
    )
    consultation.closed_at = timezone.now()
    full_clean_or_raise(consultation, code=VendorErrorCode.CONSULTATION_INVALID, exclude=["user"])
    consultation.save()
    audit_record(
        actor=actor,
        verb="lab_consultation.close",
        target=consultation,
        company=consultation.company,
        before={"status": before},
        after={"status": consultation.status},
    )
    return consultation
