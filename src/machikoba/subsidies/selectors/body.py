"""The body of an application, the same on every page that shows one (the applicant's,
the officer's screening page, the reviewer's): the plan, the expenses with their quotes,
the attachments, the amounts, the history, and what changed since the last submission
(the diff of two snapshots). Also who filed it (an advisor's application waits for the
owner's consent) and who may give that consent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import EDITOR_ROLES, OWNER_ROLES, VIEW, get_for_user_or_404, has_role
from machikoba.subsidies import money
from machikoba.subsidies.arithmetic import Breakdown
from machikoba.subsidies.choices import ApplicationStatus, DocumentKind
from machikoba.subsidies.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationSnapshot,
    AttachmentRequirement,
    Call,
    ExpenseLine,
    Stage,
)
from machikoba.subsidies.selectors.breakdown import BreakdownView, breakdown_view, rate_label
from machikoba.subsidies.selectors.plan import (
    PLAN_FIELDS,
    REQUIRED_FIELDS,
    display_value,
    field_label,
)

# --- the application body -----------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    name: str
    label: str
    value: str
    missing: bool
    step: int


@dataclass(frozen=True)
class ExpenseRow:
    line: ExpenseLine
    category_name: str
    quotes: list[ApplicationDocument]
    quotes_required: int
    ineligible: bool

    @property
    def quotes_missing(self) -> int:
        return max(self.quotes_required - len(self.quotes), 0)

    @property
    def needs_two_quotes(self) -> bool:
        return self.quotes_required >= 2


@dataclass(frozen=True)
class AttachmentRow:
    requirement: AttachmentRequirement
    documents: list[ApplicationDocument]

    @property
    def present(self) -> bool:
        return bool(self.documents)


@dataclass(frozen=True)
class HistoryRow:
    event: ApplicationEvent
    actor_name: str
    from_label: str
    to_label: str


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class LineChange:
    category_name: str
    vendor: str
    description: str
    amount: int


@dataclass(frozen=True)
class SnapshotDiff:
    """What changed between two submissions (versions ``old`` and ``new``)."""

    old_version: int
    new_version: int
    fields: list[FieldChange]
    added_lines: list[LineChange]
    removed_lines: list[LineChange]

    @property
    def unchanged(self) -> bool:
        return not (self.fields or self.added_lines or self.removed_lines)


@dataclass(frozen=True)
class Amount:
    label: str
    value: int | None


@dataclass(frozen=True)
class ApplicationBody:
    application: Application
    stage: Stage
    call: Call
    company: Company
    rate_label: str
    plan: list[PlanRow]
    expenses: list[ExpenseRow]
    attachments: list[AttachmentRow]
    expert_required: bool
    expert_documents: list[ApplicationDocument]
    breakdown: Breakdown
    live: BreakdownView
    amounts: list[Amount]
    history: list[HistoryRow]
    diff: SnapshotDiff | None
    versions: int  # how many times it was submitted
    filed_by_advisor: bool
    filed_by_name: str
    consent_by_name: str

    @property
    def consent_missing(self) -> bool:
        return self.filed_by_advisor and self.application.consent_at is None

    @property
    def attachments_missing(self) -> list[AttachmentRow]:
        return [row for row in self.attachments if not row.present]

    @property
    def quotes_missing(self) -> list[ExpenseRow]:
        return [row for row in self.expenses if row.quotes_missing]

    @property
    def plan_missing(self) -> list[PlanRow]:
        return [row for row in self.plan if row.missing]


def _name(user: User | None) -> str:
    if user is None:
        return _("(削除された利用者)")
    return user.get_full_name() or user.email


def is_advisor_filed(application: Application) -> bool:
    """Filed by someone who is not the company's owner or staff (an advisor): it is
    submitted only with the owner's recorded consent."""
    filer = application.filed_by
    if filer is None:
        return False
    return not has_role(filer, application.company, EDITOR_ROLES, VIEW)


def may_consent(user: User, application: Application) -> bool:
    return (
        application.editable
        and is_advisor_filed(application)
        and application.consent_at is None
        and has_role(user, application.company, OWNER_ROLES)
    )


def _plan_rows(application: Application, expert_required: bool) -> list[PlanRow]:
    rows = []
    for name, step in PLAN_FIELDS:
        value = getattr(application, name)
        if name == "partners" and not application.stage.allows_partners and not value:
            continue
        if name == "expert_name" and not expert_required and not value:
            continue
        required = name in REQUIRED_FIELDS or (name == "expert_name" and expert_required)
        rows.append(
            PlanRow(
                name=name,
                label=field_label(name),
                value=display_value(name, value),
                missing=required and value in (None, ""),
                step=step,
            )
        )
    return rows


def _line_change(data: dict[str, Any]) -> LineChange:
    return LineChange(
        category_name=str(data.get("category_name", "")),
        vendor=str(data.get("vendor", "")),
        description=str(data.get("description", "")),
        amount=int(data.get("amount", 0)),
    )


def snapshot_diff(old: ApplicationSnapshot, new: ApplicationSnapshot) -> SnapshotDiff:
    """The plan fields that changed (old → new) and the expense lines added or removed
    (a line whose amount changed is one removed and one added)."""
    old_plan, new_plan = old.data.get("plan", {}), new.data.get("plan", {})
    fields = [
        FieldChange(
            label=field_label(name),
            old=display_value(name, old_plan.get(name)),
            new=display_value(name, new_plan.get(name)),
        )
        for name, _step in PLAN_FIELDS
        if (old_plan.get(name) or None) != (new_plan.get(name) or None)
    ]
    old_lines = [_line_change(line) for line in old.data.get("lines", [])]
    new_lines = [_line_change(line) for line in new.data.get("lines", [])]
    remaining = list(old_lines)
    added = []
    for line in new_lines:
        if line in remaining:
            remaining.remove(line)
        else:
            added.append(line)
    return SnapshotDiff(
        old_version=old.version,
        new_version=new.version,
        fields=fields,
        added_lines=added,
        removed_lines=remaining,
    )


def _amounts(application: Application) -> list[Amount]:
    # A draft's amount is the live breakdown's; these are the amounts the process fixed.
    rows = []
    if application.eligible_cost is not None:
        rows.append(Amount(field_label("eligible_cost"), application.eligible_cost))
    for name in ("requested_amount", "decided_amount", "confirmed_amount"):
        value = getattr(application, name)
        if value is not None:
            rows.append(Amount(field_label(name), value))
    return rows


def body_application(user: User, pk: int) -> Application:
    """The application ``user`` opens, with what its body needs (404 when they may not see
    it: another company, another ward, a reviewer not assigned or not yet cleared)."""
    queryset = Application.objects.select_related(
        "stage__call__municipality", "company", "filed_by", "consent_by", "submitted_by"
    )
    return get_for_user_or_404(queryset, user, VIEW, pk=pk)


def application_body(user: User, application: Application) -> ApplicationBody:
    """Everything the application page shows of ``application``, read for ``user`` (a
    reviewer assigned but not yet cleared of conflicts gets a 404, like anyone who may not
    see it). A bounded number of queries whatever the number of lines and documents."""
    application = body_application(user, application.pk)
    stage = application.stage
    documents = list(
        ApplicationDocument.objects.for_user(user, VIEW)
        .filter(application=application)
        .order_by("uploaded_at", "pk")
    )
    quotes: dict[int, list[ApplicationDocument]] = {}
    by_requirement: dict[int, list[ApplicationDocument]] = {}
    expert_documents = []
    for document in documents:
        if document.kind == DocumentKind.QUOTE and document.expense_id:
            quotes.setdefault(document.expense_id, []).append(document)
        elif document.kind == DocumentKind.ATTACHMENT and document.requirement_id:
            by_requirement.setdefault(document.requirement_id, []).append(document)
        elif document.kind == DocumentKind.EXPERT_EVALUATION:
            expert_documents.append(document)
    lines = (
        ExpenseLine.objects.for_user(user, VIEW)
        .filter(application=application)
        .select_related("category")
    )
    expenses = [
        ExpenseRow(
            line=line,
            category_name=line.category.name,
            quotes=quotes.get(line.pk, []),
            quotes_required=line.category.quotes_required,
            ineligible=line.category.stage_id != stage.pk,
        )
        for line in lines
    ]
    requirements = AttachmentRequirement.objects.filter(stage=stage).order_by("order", "pk")
    attachments = [
        AttachmentRow(requirement=requirement, documents=by_requirement.get(requirement.pk, []))
        for requirement in requirements
    ]
    events = (
        ApplicationEvent.objects.for_user(user, VIEW)
        .filter(application=application)
        .select_related("actor")
    )
    history = [
        HistoryRow(
            event=event,
            actor_name=_name(event.actor),
            from_label=str(ApplicationStatus(event.from_status).label) if event.from_status else "",
            to_label=str(ApplicationStatus(event.to_status).label),
        )
        for event in events
    ]
    snapshots = list(
        ApplicationSnapshot.objects.for_user(user, VIEW)
        .filter(application=application)
        .order_by("-version")[:2]
    )
    diff = snapshot_diff(snapshots[1], snapshots[0]) if len(snapshots) == 2 else None
    breakdown = money.application_breakdown(application)
    advisor_filed = is_advisor_filed(application)
    return ApplicationBody(
        application=application,
        stage=stage,
        call=stage.call,
        company=application.company,
        rate_label=rate_label(stage),
        plan=_plan_rows(application, stage.requires_expert_evaluation),
        expenses=expenses,
        attachments=attachments,
        expert_required=stage.requires_expert_evaluation,
        expert_documents=expert_documents,
        breakdown=breakdown,
        live=breakdown_view(stage, breakdown),
        amounts=_amounts(application),
        history=history,
        diff=diff,
        versions=snapshots[0].version if snapshots else 0,
        filed_by_advisor=advisor_filed,
        filed_by_name=_name(application.filed_by) if application.filed_by_id else "",
        consent_by_name=_name(application.consent_by) if application.consent_by_id else "",
    )
