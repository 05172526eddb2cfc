"""Writes of joining the network (参加): a signed-up person claims a company the ward
imported, or registers a new one, and proves it is theirs.

Nobody becomes a company's owner by asking. The proof is one of the ways the company's
ward offers (``JoinPolicy``): a code the platform sends to the e-mail address or phone
the ward holds for the company (never one the requester typed); a code printed on a
letter the ward mails to the registered address; or an officer's approval after checking
evidence (登記事項証明書, a visit). Codes are stored hashed, expire, and allow
``CODE_ATTEMPTS`` tries. A company that already has an owner gains owners only through
its owners (``services_people``), and one person's claim blocks another's until it ends.
A company registered by its owner is theirs at once (to fill in its profile) but seen by
the network only once verified (``Company.verified_at``, ``companies.access``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from machikoba.companies.checklist import refresh_profile_score
from machikoba.companies.choices import ClaimStatus, CompanyKind, CompanyRole, JoinMethod
from machikoba.companies.error_codes import CompaniesErrorCode
from machikoba.companies.models import Company
from machikoba.companies.models_claims import OPEN_CLAIM_STATUSES, CompanyClaim
from machikoba.companies.selectors_claims import company_has_account
from machikoba.companies.selectors_join import join_methods, open_claims
from machikoba.companies.services import (
    _membership_create,
    company_profile_check,
    record_placement,
    search_index_update,
)
from machikoba.companies.services_claims import claim_notify_ward, ward_label
from machikoba.companies.validators import normalize_corporate_number
from machikoba.core.access import CHANGE, can
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, PermissionRefused, invalid_input
from machikoba.core.mail import QueuedEmailBackend
from machikoba.core.models import Notification
from machikoba.core.sms import send_sms

if TYPE_CHECKING:
    from machikoba.accounts.models import User

CODE_ATTEMPTS = 5
CODE_MINUTES = 30
LETTER_DAYS = 30
CLAIMS_PER_PERSON_DAY = 5
EVIDENCE_TYPES = {"application/pdf", "image/jpeg", "image/png"}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def code_hash(claim: CompanyClaim, code: str) -> str:
    """A code is six digits: hashed with the claim and the site's key, so a stored hash
    reveals nothing and cannot be tried against another claim."""
    message = f"{claim.pk}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _refuse(code: str, message: str, status: int = 400) -> ApplicationError:
    return ApplicationError(code, message, status_code=status)


def _check_may_claim(actor: User, company: Company) -> None:
    if company_has_account(company):
        raise _refuse(
            CompaniesErrorCode.CLAIM_HAS_ACCOUNT,
            _("この企業にはすでに経営者のアカウントがあります。経営者に招待を頼んでください。"),
        )
    # Another person's claim blocks this one while it can still succeed (a secret out and
    # not expired, or the ward's work pending).
    others = open_claims(company).exclude(requester=actor)
    if others.exists():
        raise _refuse(
            CompaniesErrorCode.CLAIM_IN_PROGRESS,
            _("この企業は、ほかの方が参加を申請中です。区の担当窓口にお問い合わせください。"),
            409,
        )
    since = timezone.now() - dt.timedelta(hours=24)
    if CompanyClaim.objects.filter(requester=actor, created_at__gte=since).count() >= (
        CLAIMS_PER_PERSON_DAY
    ):
        raise _refuse(
            CompaniesErrorCode.CLAIM_TOO_MANY,
            _("申請が続いています。明日以降にもう一度お試しください。"),
            429,
        )


def _check_method_offered(company: Company, method: str) -> None:
    if method not in join_methods(company):
        raise invalid_input(
            CompaniesErrorCode.CLAIM_INVALID,
            method=_("この企業の区が用意している確認方法から選んでください。"),
        )


def _check_evidence(evidence: UploadedFile | None) -> None:
    if evidence is None:
        return
    if evidence.size and evidence.size > EVIDENCE_MAX_BYTES:
        raise invalid_input(
            CompaniesErrorCode.CLAIM_INVALID,
            evidence=_("確認書類は 10 MB までです。"),
        )
    head = evidence.read(8)
    evidence.seek(0)
    if not (head.startswith(b"%PDF") or head.startswith(b"\xff\xd8") or head[:4] == b"\x89PNG"):
        raise invalid_input(
            CompaniesErrorCode.CLAIM_INVALID,
            evidence=_("確認書類は PDF・JPEG・PNG のいずれかにしてください。"),
        )


def _send_code(claim: CompanyClaim) -> str:
    """Issue a code for ``claim`` and send it to the ward's ledger address (e-mail, or
    SMS when the ward holds only a phone number); returns where it went, masked."""
    company = claim.company
    code = _new_code()
    claim.secret_hash = code_hash(claim, code)
    claim.secret_expires_at = timezone.now() + dt.timedelta(minutes=CODE_MINUTES)
    claim.code_attempts = 0
    claim.status = ClaimStatus.CODE_SENT
    with translation.override("ja"):
        text = _(
            "machikoba (%(ward)s) で %(company)s の参加の申請がありました。\n"
            "確認コード: %(code)s (%(minutes)s 分間有効)\n"
            "お心当たりがなければ、このメッセージは破棄してください。"
        ) % {
            "ward": ward_label(company),
            "company": company.name,
            "code": code,
            "minutes": CODE_MINUTES,
        }
        if company.contact_email:
            claim.sent_to = company.contact_email
            EmailMessage(
                subject=_("[machikoba] 参加の確認コード"),
                body=text,
                to=[company.contact_email],
                connection=QueuedEmailBackend(),
            ).send()
        else:
            claim.sent_to = ""
            send_sms(company.contact_phone, text)
    return claim.sent_to or company.contact_phone


@transaction.atomic
def join_claim_start(
    *,
    actor: User,
    company: Company,
    method: str,
    note: str = "",
    evidence: UploadedFile | None = None,
    ip_address: str | None = None,
) -> CompanyClaim:
    """``actor`` asks to become the first owner of ``company`` and how it will prove it."""
    company = Company.objects.select_for_update().get(pk=company.pk)
    _check_may_claim(actor, company)
    _check_method_offered(company, method)
    if method == JoinMethod.OFFICER:
        _check_evidence(evidence)
    # Whatever this person started before for the company ends here.
    CompanyClaim.objects.filter(
        company=company, requester=actor, status__in=OPEN_CLAIM_STATUSES
    ).update(status=ClaimStatus.EXPIRED, secret_hash="")
    claim = CompanyClaim.objects.create(
        company=company,
        requester=actor,
        requester_name=actor.get_full_name() or actor.email,
        requester_email=actor.email,
        method=method,
        note=note.strip()[:500],
        ip_address=ip_address,
        origin="join",
        status=ClaimStatus.AWAITING_OFFICER,
    )
    if method == JoinMethod.CODE:
        _send_code(claim)
    elif method == JoinMethod.LETTER:
        claim.status = ClaimStatus.LETTER_REQUESTED
    elif evidence is not None:
        claim.evidence.save(f"evidence{_suffix(evidence)}", evidence, save=False)
    claim.save()
    audit_record(
        actor=actor,
        verb="company_claim.join",
        target=claim,
        company=company,
        after={"method": method, "status": claim.status},
    )
    if claim.status in (ClaimStatus.AWAITING_OFFICER, ClaimStatus.LETTER_REQUESTED):
        title = _("参加の申請: %(company)s") % {"company": company.name}
        claim_notify_ward(
            claim=claim,
            title=title,
            text=_("%(name)s さんが %(company)s の参加を申請しました (%(method)s)。")
            % {
                "name": claim.requester_name,
                "company": company.name,
                "method": JoinMethod(method).label,
            },
        )
    return claim


def _suffix(upload: UploadedFile) -> str:
    name = (upload.name or "").lower()
    return next((s for s in (".pdf", ".jpg", ".jpeg", ".png") if name.endswith(s)), "")


def join_code_enter(*, actor: User, claim: CompanyClaim, code: str) -> CompanyClaim:
    """The requester types the code (from the e-mail, the SMS or the letter). A wrong or
    late code is counted and kept (the claim ends after ``CODE_ATTEMPTS``), then refused."""
    with transaction.atomic():
        claim, refusal = _try_code(actor, claim, code)
        if refusal is None:
            return _complete(actor, claim, decided_by=None)
    raise refusal


def _try_code(
    actor: User, claim: CompanyClaim, code: str
) -> tuple[CompanyClaim, ApplicationError | None]:
    claim = CompanyClaim.objects.select_for_update().select_related("company").get(pk=claim.pk)
    if claim.requester_id != actor.pk:
        raise PermissionRefused(
            CompaniesErrorCode.CLAIM_NOT_YOURS, _("この申請はあなたのものではありません。")
        )
    if claim.status not in (ClaimStatus.CODE_SENT, ClaimStatus.LETTER_SENT):
        raise _refuse(
            CompaniesErrorCode.CLAIM_NOT_PENDING, _("この申請は確認コードを待っていません。")
        )
    if claim.secret_expires_at is None or claim.secret_expires_at <= timezone.now():
        claim.status, claim.secret_hash = ClaimStatus.EXPIRED, ""
        claim.save(update_fields=["status", "secret_hash", "updated_at"])
        return claim, _refuse(
            CompaniesErrorCode.CLAIM_LINK_UNUSABLE,
            _("確認コードの有効期限が切れました。もう一度申請してください。"),
        )
    digits = "".join(ch for ch in code if ch.isdigit())
    if hmac.compare_digest(code_hash(claim, digits), claim.secret_hash):
        return claim, None
    claim.code_attempts += 1
    left = CODE_ATTEMPTS - claim.code_attempts
    if left <= 0:
        claim.status, claim.secret_hash = ClaimStatus.EXPIRED, ""
    claim.save(update_fields=["code_attempts", "status", "secret_hash", "updated_at"])
    audit_record(
        actor=actor,
        verb="company_claim.code_wrong",
        target=claim,
        company=claim.company,
        after={"attempts": claim.code_attempts},
    )
    if left > 0:
        message = _("確認コードが違います (あと %(left)s 回)。") % {"left": left}
    else:
        message = _("確認コードを %(n)s 回まちがえたため、この申請は終わりました。") % {
            "n": CODE_ATTEMPTS
        }
    return claim, ApplicationError(
        CompaniesErrorCode.CLAIM_CODE_WRONG, message, fields={"code": [message]}
    )


def _complete(actor: User | None, claim: CompanyClaim, decided_by: User | None) -> CompanyClaim:
    """The proof is in: the requester owns the company and the company is verified."""
    company = Company.objects.select_for_update().get(pk=claim.company_id)
    requester = claim.requester
    if requester is None:
        raise ValueError("a join claim has its requester")
    if not company.memberships.filter(user=requester).exists():
        if company_has_account(company):
            raise _refuse(
                CompaniesErrorCode.CLAIM_HAS_ACCOUNT,
                _("この企業にはすでに経営者のアカウントがあります。"),
            )
        _membership_create(actor=actor, company=company, user=requester, role=CompanyRole.OWNER)
    if company.verified_at is None:
        company.verified_at = timezone.now()
        company.save(update_fields=["verified_at", "updated_at"])
        search_index_update(company=company)
    now = timezone.now()
    claim.status, claim.secret_hash = ClaimStatus.COMPLETED, ""
    claim.completed_at, claim.user = now, requester
    if decided_by is not None:
        claim.decided_by, claim.decided_at = decided_by, now
    claim.save()
    CompanyClaim.objects.filter(company=company, status__in=OPEN_CLAIM_STATUSES).exclude(
        pk=claim.pk
    ).update(status=ClaimStatus.EXPIRED, secret_hash="")
    audit_record(
        actor=actor,
        verb="company_claim.verified",
        target=claim,
        company=company,
        after={"method": claim.method, "owner": requester.email},
    )
    Notification.objects.create(
        user=requester,
        kind="company_claim",
        title=(_("%(company)s に参加しました") % {"company": company.name})[:200],
        body=_("確認が済み、%(company)s の経営者として登録されました。")
        % {"company": company.name},
        url="/",
    )
    return claim


@transaction.atomic
def join_company_create(
    *,
    actor: User,
    name: str,
    method: str,
    note: str = "",
    evidence: UploadedFile | None = None,
    ip_address: str | None = None,
    **profile,
) -> CompanyClaim:
    """Register a company not in the ward's list (法人番号 checked; a sole proprietor
    gives 屋号 and address, without one). ``actor`` owns it at once and fills in its
    profile; the network sees it once the ward verified it (a letter or an officer: no
    ledger holds an address of a company the ward does not know)."""
    if method not in (JoinMethod.LETTER, JoinMethod.OFFICER):
        raise invalid_input(
            CompaniesErrorCode.CLAIM_INVALID,
            method=_("新しく登録する企業は、郵送の確認コードか区の担当者の確認を選んでください。"),
        )
    if not profile.get("postal_code"):
        raise invalid_input(
            CompaniesErrorCode.CLAIM_INVALID,
            postal_code=_("郵便番号を入力してください (区が所在地を確かめます)。"),
        )
    if method == JoinMethod.OFFICER:
        _check_evidence(evidence)
    number = normalize_corporate_number(profile.get("corporate_number") or "")
    if number and Company.objects.filter(corporate_number=number).exists():
        raise _already_registered()
    company = company_profile_check(
        company=Company(kind=CompanyKind.SHOP, verified_at=None),
        changes={"name": name, **profile},
    )
    _check_method_offered(company, method)
    try:
        with transaction.atomic():
            company.save()
    except IntegrityError:
        raise _already_registered() from None
    record_placement(actor=actor, company=company)
    search_index_update(company=company)
    refresh_profile_score(company)  # the PR text is an item of the checklist
    audit_record(actor=actor, verb="company.create", target=company, company=company)
    _membership_create(actor=actor, company=company, user=actor, role=CompanyRole.OWNER)
    claim = CompanyClaim.objects.create(
        company=company,
        requester=actor,
        requester_name=actor.get_full_name() or actor.email,
        requester_email=actor.email,
        method=method,
        note=note.strip()[:500],
        ip_address=ip_address,
        origin="join",
        new_company=True,
        status=ClaimStatus.LETTER_REQUESTED
        if method == JoinMethod.LETTER
        else ClaimStatus.AWAITING_OFFICER,
    )
    if evidence is not None and method == JoinMethod.OFFICER:
        claim.evidence.save(f"evidence{_suffix(evidence)}", evidence, save=True)
    claim_notify_ward(
        claim=claim,
        title=_("新しい企業の参加: %(company)s") % {"company": company.name},
        text=_(
            "%(name)s さんが %(company)s を新しく登録しました。所在地と事業の確認をお願いします。"
        )
        % {"name": claim.requester_name, "company": company.name},
    )
    return claim


def _already_registered() -> ApplicationError:
    message = _(
        "この法人番号の企業はすでに登録されています。検索して、その企業の参加を申請してください。"
    )
    return ApplicationError(
        CompaniesErrorCode.COMPANY_EXISTS, message, fields={"corporate_number": [message]}
    )


# --- the ward's side --------------------------------------------------------------------


def _lock_for_officer(actor: User, claim: CompanyClaim, statuses) -> CompanyClaim:
    if not can(actor, CHANGE, claim):
        raise PermissionRefused(
            CompaniesErrorCode.NOT_WARD_OFFICER, _("申請を判断できるのは区の担当者だけです。")
        )
    locked = CompanyClaim.objects.select_for_update().select_related("company").get(pk=claim.pk)
    if locked.status not in statuses or locked.requester_id is None:
        raise _refuse(CompaniesErrorCode.CLAIM_NOT_PENDING, _("この申請はすでに判断されています。"))
    return locked


@transaction.atomic
def join_letter_issue(*, actor: User, claim: CompanyClaim) -> tuple[CompanyClaim, str]:
    """An officer prints the letter: a fresh code (valid ``LETTER_DAYS``) for the PDF
    mailed to the registered address; only its hash is kept. Printing again replaces it."""
    claim = _lock_for_officer(actor, claim, (ClaimStatus.LETTER_REQUESTED, ClaimStatus.LETTER_SENT))
    code = _new_code()
    claim.secret_hash = code_hash(claim, code)
    claim.secret_expires_at = timezone.now() + dt.timedelta(days=LETTER_DAYS)
    claim.code_attempts = 0
    claim.status = ClaimStatus.LETTER_SENT
    claim.decided_by, claim.decided_at = actor, timezone.now()
    claim.save()
    audit_record(actor=actor, verb="company_claim.letter", target=claim, company=claim.company)
    return claim, code


@transaction.atomic
def join_claim_approve(*, actor: User, claim: CompanyClaim) -> CompanyClaim:
    """An officer who checked the evidence (or visited) approves a join claim."""
    claim = _lock_for_officer(actor, claim, (ClaimStatus.AWAITING_OFFICER,))
    return _complete(actor, claim, decided_by=actor)


@transaction.atomic
def join_claim_reject(*, actor: User, claim: CompanyClaim, reason: str) -> CompanyClaim:
    """An officer refuses a join claim with a reason the requester is told."""
    reason = reason.strip()
    if not reason or len(reason) > 300:
        message = _("見送りの理由を 300 文字以内で入力してください。")
        raise invalid_input(CompaniesErrorCode.CLAIM_INVALID, reason=message)
    claim = _lock_for_officer(
        actor,
        claim,
        (ClaimStatus.AWAITING_OFFICER, ClaimStatus.LETTER_REQUESTED, ClaimStatus.LETTER_SENT),
    )
    claim.status, claim.secret_hash = ClaimStatus.REJECTED, ""
    claim.decided_by, claim.decided_at, claim.decision_reason = actor, timezone.now(), reason
    claim.save()
    audit_record(
        actor=actor,
        verb="company_claim.reject",
        target=claim,
        company=claim.company,
        after={"reason": reason},
    )
    if claim.requester is not None:
        Notification.objects.create(
            user=claim.requester,
            kind="company_claim",
            title=(
                _("%(company)s の参加の申請は承認されませんでした")
                % {"company": claim.company.name}
            )[:200],
            body=_("理由: %(reason)s") % {"reason": reason},
            url="/join/",
        )
    return claim
