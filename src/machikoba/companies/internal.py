"""Caller-trusted services of the companies app: they check no person's rights, because
their caller proved something another way. Only services import them (``lint-imports``
keeps views and API handlers out)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.companies.choices import ClaimStatus
from machikoba.companies.error_codes import CompaniesErrorCode
from machikoba.companies.models import Company
from machikoba.companies.models_claims import CompanyClaim
from machikoba.companies.selectors_claims import company_has_account
from machikoba.companies.services_claims import claim_notify_ward, claim_secret_issue
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, invalid_input


@transaction.atomic
def company_claim_request(
    *,
    company: Company,
    name: str,
    email: str = "",
    phone: str = "",
    note: str = "",
    origin: str = "",
    ip_address: str | None = None,
) -> CompanyClaim:
    """Someone asks for ``company``'s first account. The caller proved only that they hold
    a one-time link addressed to the company, which proves nothing about who they are; so
    this never creates an account. If the ward holds an address for the company, a secret
    goes there (never to an address the requester typed); otherwise the request waits for
    a ward officer. Refused once the company has an account, and past
    ``MACHIKOBA_CLAIM_REQUESTS_PER_COMPANY_DAY`` requests in 24 hours."""
    # The company row is the lock: two requests at once count each other.
    company = Company.objects.select_for_update().get(pk=company.pk)
    if company_has_account(company):
        raise ApplicationError(
            CompaniesErrorCode.CLAIM_HAS_ACCOUNT,
            _("この企業のアカウントはすでにあります。ログインしてください。"),
        )
    since = timezone.now() - dt.timedelta(hours=24)
    recent = CompanyClaim.objects.filter(company=company, created_at__gte=since).count()
    if recent >= settings.MACHIKOBA_CLAIM_REQUESTS_PER_COMPANY_DAY:
        raise ApplicationError(
            CompaniesErrorCode.CLAIM_TOO_MANY,
            _(
                "この企業のアカウントの申請が続いています。"
                "明日以降にもう一度申請するか、区の担当窓口にお問い合わせください。"
            ),
            status_code=429,
        )
    name, email, phone, note = name.strip(), email.strip().lower(), phone.strip(), note.strip()
    errors = {}
    if not name:
        errors["name"] = _("氏名を入力してください。")
    elif len(name) > 100:
        errors["name"] = _("氏名は 100 文字以内で入力してください。")
    if email or not company.contact_email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("メールアドレスを正しく入力してください。")
    if len(phone) > 30:
        errors["phone"] = _("電話番号は 30 文字以内で入力してください。")
    if len(note) > 500:
        errors["note"] = _("500 文字以内で入力してください。")
    if errors:
        raise invalid_input(CompaniesErrorCode.CLAIM_INVALID, **errors)
    claim = CompanyClaim(
        company=company,
        status=ClaimStatus.EMAIL_SENT if company.contact_email else ClaimStatus.AWAITING_OFFICER,
        requester_name=name,
        requester_email=email,
        requester_phone=phone,
        note=note,
        origin=origin[:200],
        ip_address=ip_address,
    )
    if company.contact_email:
        claim_secret_issue(claim=claim, to=company.contact_email)
    claim.save()
    audit_record(
        actor=None,
        verb="company_claim.request",
        target=claim,
        company=company,
        after={
            "status": claim.status,
            "requester_name": name,
            "requester_email": email,
            "origin": claim.origin,
            "sent_to": claim.sent_to,
        },
        ip_address=ip_address,
    )
    if claim.status == ClaimStatus.EMAIL_SENT:
        text = _(
            "%(company)s のアカウントの申請がありました (申請者: %(name)s、経路: %(origin)s)。"
            "区の台帳の登録メールアドレスに確認メールを送りました。"
        )
    else:
        text = _(
            "%(company)s のアカウントの申請がありました (申請者: %(name)s、経路: %(origin)s)。"
            "登録メールアドレスがないため、区の承認を待っています。"
            "本人であることを確かめてから、承認するか見送ってください。"
        )
    claim_notify_ward(
        claim=claim,
        title=_("企業アカウントの申請: %(company)s") % {"company": company.name},
        text=text % {"company": company.name, "name": name, "origin": claim.origin or "-"},
    )
    return claim
