"""Reads of a company's applications: "my applications" (each with its status, what
happens next and the amount fixed so far) and one application's page (its body, what
happens next, and the buttons its reader has).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company, Membership
from machikoba.core.access import CHANGE, EDITOR_ROLES, VIEW
from machikoba.core.dates import format_date
from machikoba.subsidies.choices import EDITABLE_STATUSES, ApplicationStatus
from machikoba.subsidies.models import Application
from machikoba.subsidies.selectors.body import ApplicationBody, application_body, may_consent
from machikoba.subsidies.selectors.breakdown import rate_label
from machikoba.subsidies.selectors.calls import closes_label
from machikoba.subsidies.selectors.plan import field_label
from machikoba.subsidies.selectors.wizard import Problem, submission_problems

# --- the company's applications ------------------------------------------------------------


def next_step(application: Application, *, consent_missing: bool = False) -> str:
    """In plain words: what happens next with ``application``."""
    status = application.status
    call = application.stage.call
    if status == ApplicationStatus.DRAFT:
        if consent_missing:
            return _("アドバイザーが作成した申請です。内容を確認して、代表者が同意してください。")
        return _("入力を続けて、%(closes)s までに提出してください。") % {
            "closes": closes_label(call)
        }
    texts = {
        ApplicationStatus.SUBMITTED: _(
            "受け付けました。区が要件を確認しています。結果はお知らせでお伝えします。"
        ),
        ApplicationStatus.RETURNED: _(
            "区から差し戻されました。下の履歴のコメントを読んで直し、もう一度提出してください。"
        ),
        ApplicationStatus.SCREENING: _(
            "審査中です。採択の結果は %(decision)s ごろにお知らせします。"
        ),
        ApplicationStatus.INELIGIBLE: _(
            "要件を満たさないため、審査に進めませんでした。理由は下の履歴をご覧ください。"
        ),
        ApplicationStatus.SELECTED: _(
            "採択されました (交付候補)。交付申請をしてください。"
            "事業を始めるのは交付決定のあとです。"
        ),
        ApplicationStatus.NOT_SELECTED: _(
            "残念ながら不採択となりました。理由は通知書をご覧ください。"
        ),
        ApplicationStatus.GRANT_REQUESTED: _("交付申請を区が確認しています。"),
        ApplicationStatus.GRANTED: _(
            "交付が決定しました。計画どおりに事業を行い、終わったら実績報告をしてください。"
        ),
        ApplicationStatus.REPORTED: _("実績報告を区が確認しています (確定検査)。"),
        ApplicationStatus.CONFIRMED: _("補助金の額が確定しました。お支払いをお待ちください。"),
        ApplicationStatus.PAID: _(
            "補助金をお支払いしました。これから5年間、毎年の事業化状況報告をお願いします。"
        ),
        ApplicationStatus.WITHDRAWN: _("取り下げた申請です。"),
    }
    return texts[ApplicationStatus(status)] % {
        "closes": closes_label(call),
        "decision": format_date(call.decision_on),
    }


@dataclass(frozen=True)
class MyApplicationRow:
    application: Application
    rate_label: str
    next_step: str
    amount_label: str
    amount: int | None
    consent_missing: bool


def _headline_amount(application: Application) -> tuple[str, int | None]:
    for name in ("confirmed_amount", "decided_amount", "requested_amount"):
        value = getattr(application, name)
        if value is not None:
            return field_label(name), value
    return "", None


def my_applications(user: User, company: Company | None) -> list[MyApplicationRow]:
    """The company's applications (an advisor without a company: those they filed), newest
    first, each with its status, what happens next and the amount fixed so far."""
    filer_is_editor = Membership.objects.filter(
        company=OuterRef("company"), user=OuterRef("filed_by"), role__in=EDITOR_ROLES
    )
    applications = (
        Application.objects.for_user(user, VIEW)
        .select_related("stage__call", "company")
        .annotate(filer_is_editor=Exists(filer_is_editor))
    )
    if company is not None:
        applications = applications.filter(company=company)
    else:
        applications = applications.filter(filed_by=user)
    rows = []
    for application in applications.order_by("-created_at", "-pk"):
        missing = (
            application.editable
            and application.consent_at is None
            and application.filed_by_id is not None
            and not application.filer_is_editor
        )
        label, amount = _headline_amount(application)
        rows.append(
            MyApplicationRow(
                application=application,
                rate_label=rate_label(application.stage),
                next_step=next_step(application, consent_missing=missing),
                amount_label=label,
                amount=amount,
                consent_missing=missing,
            )
        )
    return rows


# --- one application's page ------------------------------------------------------------------

# Statuses from which the grant steps (交付申請 …) and the decision notice are reached.
GRANT_STEP_STATUSES = (
    ApplicationStatus.SELECTED,
    ApplicationStatus.GRANT_REQUESTED,
    ApplicationStatus.GRANTED,
    ApplicationStatus.REPORTED,
    ApplicationStatus.CONFIRMED,
    ApplicationStatus.PAID,
)
DECISION_NOTICE_STATUSES = (ApplicationStatus.SELECTED, ApplicationStatus.NOT_SELECTED)
# While the applicant may claim a bonus point with evidence (screening's page).
BONUS_CLAIM_STATUSES = (*EDITABLE_STATUSES, ApplicationStatus.SUBMITTED)
WITHDRAWABLE = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.RETURNED,
    ApplicationStatus.SCREENING,
    ApplicationStatus.SELECTED,
    ApplicationStatus.GRANT_REQUESTED,
    ApplicationStatus.GRANTED,
)


@dataclass(frozen=True)
class DetailPage:
    body: ApplicationBody
    next_step: str
    may_edit: bool
    may_withdraw: bool
    may_consent: bool
    may_request_consent: bool
    show_grant_steps: bool
    show_decision_notice: bool
    show_bonus_claim: bool = False  # claimed bonus points (賃上げの表明 …) with evidence
    return_comment: str = ""  # the office's words when it returned the application
    problems: list[Problem] = field(default_factory=list)

    @property
    def has_actions(self) -> bool:
        return (
            self.may_edit
            or self.may_consent
            or self.may_request_consent
            or self.show_grant_steps
            or self.show_decision_notice
            or self.show_bonus_claim
        )

    @property
    def may_submit(self) -> bool:
        return self.may_edit and not self.problems


def _return_comment(body: ApplicationBody) -> str:
    if body.application.status != ApplicationStatus.RETURNED:
        return ""
    returns = [row for row in body.history if row.event.to_status == ApplicationStatus.RETURNED]
    return returns[-1].event.comment if returns else ""


def detail_page(user: User, application: Application) -> DetailPage:
    body = application_body(user, application)
    application = body.application
    changer = Application.objects.for_user(user, CHANGE).filter(pk=application.pk).exists()
    may_edit = changer and application.editable
    return DetailPage(
        body=body,
        next_step=next_step(application, consent_missing=body.consent_missing),
        may_edit=may_edit,
        may_withdraw=changer and application.status in WITHDRAWABLE,
        may_consent=may_consent(user, application),
        may_request_consent=may_edit
        and body.consent_missing
        and application.filed_by_id == user.pk,
        show_grant_steps=application.status in GRANT_STEP_STATUSES,
        show_decision_notice=application.status in DECISION_NOTICE_STATUSES,
        show_bonus_claim=changer and application.status in BONUS_CLAIM_STATUSES,
        return_comment=_return_comment(body),
        problems=submission_problems(body, actor=user) if may_edit else [],
    )
