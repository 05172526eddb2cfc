"""Who sees what of the ward's DX subsidy.

- Officers act on the calls of the wards they serve (``municipality_ids_for``), and on
  every application, score, selection and report under them: never another ward's.
- A company's owner and staff see and change their own applications and reports; never
  another applicant's, never a reviewer's score, never the ranking.
- A reviewer sees an application only while assigned to it, after declaring no conflict of
  interest, only while their reviewer grant for that ward is in force, and only while the
  application is in screening: after the selection the money and the reports are between
  the company and the ward's office. They see their own scores, never another reviewer's.
- An advisor who files an application for a company sees and edits that application while
  their engagement with the company is active (and their advisor grant in force).
- Reviewers and the filing advisor read only the documents of the application itself
  (quotes, attachments, the expert's evaluation, bonus evidence); the 実績報告's receipts and
  payment proofs are the company's and the office's only.
- Nobody else anything: not another company, not the metro viewer (aggregates come through
  selectors), not an anonymous visitor.

Models are read through ``apps.get_model``: the models modules import this one.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q, QuerySet

from machikoba.advisory.choices import EngagementStatus
from machikoba.core.access import (
    ADVISOR,
    CHANGE,
    DELETE,
    EDITOR_ROLES,
    EVERYTHING,
    MANAGE,
    MEMBER_ROLES,
    NOTHING,
    REVIEWER,
    VIEW,
    WARD_OFFICER,
    company_ids_for,
    municipality_ids_for,
)
from machikoba.subsidies.choices import ApplicationStatus, DocumentKind

# Assignment statuses in which the reviewer has declared no conflict and may read.
_OPEN_TO_REVIEWER = ("cleared", "submitted")
# The documents of the application itself: what a reviewer reads and the filing advisor
# files. The 実績報告's receipts and payment proofs are not among them.
APPLICATION_DOCUMENT_KINDS = (
    DocumentKind.QUOTE,
    DocumentKind.ATTACHMENT,
    DocumentKind.EXPERT_EVALUATION,
    DocumentKind.BONUS_EVIDENCE,
)


def _model(name: str):
    return apps.get_model("subsidies", name)


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def officer_ward_ids(user) -> list[int]:
    return municipality_ids_for(user, WARD_OFFICER)


def _reviewer_application_ids(user) -> QuerySet:
    """Applications ``user`` reviews: assigned, no conflict declared, their reviewer grant
    for the call's ward in force (an ended grant ends the access at once), and the
    application still in screening (the selection ends the access)."""
    wards = municipality_ids_for(user, REVIEWER)
    if not wards:
        return _model("Application").objects.none().values("pk")
    return (
        _model("ReviewerAssignment")
        .objects.filter(
            reviewer=user,
            status__in=_OPEN_TO_REVIEWER,
            application__status=ApplicationStatus.SCREENING,
            application__stage__call__municipality__in=wards,
        )
        .values("application")
    )


def _advised_company_ids(user, wards: list[int]) -> QuerySet:
    """The companies an active engagement names ``user`` for as an advisor (their roster
    entry active, the engagement in a ward of their advisor grant): a closed or cancelled
    engagement ends the filing advisor's access at once."""
    return (
        apps.get_model("advisory", "Engagement")
        .objects.filter(
            status=EngagementStatus.ACTIVE,
            municipality__in=wards,
            members__advisor__user=user,
            members__advisor__active=True,
        )
        .values("company")
    )


def _filer_q(user, prefix: str) -> Q:
    """The advisor who filed the application, while their advisor grant for the call's
    ward is in force and their engagement with the company is active."""
    wards = municipality_ids_for(user, ADVISOR)
    if not wards:
        return NOTHING
    return Q(
        **{
            f"{prefix}filed_by": user,
            f"{prefix}stage__call__municipality__in": wards,
            f"{prefix}company__in": _advised_company_ids(user, wards),
        }
    )


def _member_ward_ids(user) -> QuerySet:
    company = apps.get_model("companies", "Company")
    return company.objects.filter(pk__in=company_ids_for(user, MEMBER_ROLES, VIEW)).values("ward")


def call_scope(user, action: str, prefix: str = "") -> Q:
    """Calls: the ward's officers manage them; members of a company in the ward read them
    (to apply); reviewers of the ward read them (the rubric they score on)."""
    if not _signed_in(user):
        return NOTHING
    office = Q(**{f"{prefix}municipality__in": officer_ward_ids(user)})
    if action == VIEW:
        q = office | Q(**{f"{prefix}municipality__in": municipality_ids_for(user, REVIEWER)})
        q |= Q(**{f"{prefix}municipality__in": municipality_ids_for(user, ADVISOR)})
        if company_ids_for(user, MEMBER_ROLES, VIEW):
            q |= Q(**{f"{prefix}municipality__in": _member_ward_ids(user)})
        return q
    if action in (CHANGE, MANAGE, DELETE):
        return office
    return NOTHING


def call_part_scope(user, action: str) -> Q:
    """Stages, rubric lines and bonus criteria: as their call."""
    return call_scope(user, action, "call__")


def stage_part_scope(user, action: str) -> Q:
    """Expense categories and attachment requirements: as their stage's call."""
    return call_scope(user, action, "stage__call__")


def _application_q(user, action: str, prefix: str = "", outsider_limit: Q = EVERYTHING) -> Q:
    """The company's editors and the ward's office, the filing advisor and the reviewers;
    ``outsider_limit`` narrows what the last two reach (rows of some kinds only)."""
    if not _signed_in(user):
        return NOTHING
    office = Q(**{f"{prefix}stage__call__municipality__in": officer_ward_ids(user)})
    company = Q(**{f"{prefix}company__in": company_ids_for(user, EDITOR_ROLES, action)})
    filer = _filer_q(user, prefix)
    if action == VIEW:
        reviewing = Q(**{f"{prefix}pk__in": _reviewer_application_ids(user)})
        return office | company | ((filer | reviewing) & outsider_limit)
    if action in (CHANGE, DELETE):
        return company | (filer & outsider_limit)
    if action == MANAGE:  # the office's steps: eligibility, assignment, decisions
        return office
    return NOTHING


def application_scope(user, action: str) -> Q:
    return _application_q(user, action)


def application_part_scope(user, action: str) -> Q:
    """Expense lines, history, snapshots, bonus claims: as their application."""
    return _application_q(user, action, "application__")


def document_scope(user, action: str) -> Q:
    """As their application, but a reviewer and the filing advisor reach only the
    application's own documents (``APPLICATION_DOCUMENT_KINDS``), never a receipt or a
    payment proof of the 実績報告."""
    return _application_q(
        user, action, "application__", outsider_limit=Q(kind__in=APPLICATION_DOCUMENT_KINDS)
    )


def assignment_scope(user, action: str) -> Q:
    """A reviewer sees and acts on their own assignments (while their grant is in force);
    the ward's officers manage them."""
    if not _signed_in(user):
        return NOTHING
    office = Q(application__stage__call__municipality__in=officer_ward_ids(user))
    wards = municipality_ids_for(user, REVIEWER)
    own = Q(reviewer=user, application__stage__call__municipality__in=wards) if wards else NOTHING
    if action == VIEW:
        return office | own
    if action == CHANGE:
        return own
    if action == MANAGE:
        return office
    return NOTHING


def score_scope(user, action: str) -> Q:
    """Scores: their reviewer and the ward's officers; never the applicant, never another
    reviewer."""
    if not _signed_in(user):
        return NOTHING
    office = Q(assignment__application__stage__call__municipality__in=officer_ward_ids(user))
    wards = municipality_ids_for(user, REVIEWER)
    own = (
        Q(
            assignment__reviewer=user,
            assignment__application__stage__call__municipality__in=wards,
        )
        if wards
        else NOTHING
    )
    if action == VIEW:
        return office | own
    if action == CHANGE:
        return own
    return NOTHING


def selection_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    if action in (VIEW, CHANGE, MANAGE):
        return Q(stage__call__municipality__in=officer_ward_ids(user))
    return NOTHING


def _after_q(user, action: str, prefix: str) -> Q:
    """What follows the selection is between the company and the ward's office."""
    if not _signed_in(user):
        return NOTHING
    office = Q(**{f"{prefix}stage__call__municipality__in": officer_ward_ids(user)})
    company = Q(**{f"{prefix}company__in": company_ids_for(user, EDITOR_ROLES, action)})
    if action == VIEW:
        return office | company
    if action in (CHANGE, DELETE):
        return company
    if action == MANAGE:
        return office
    return NOTHING


def after_scope(user, action: str) -> Q:
    """Change requests, the 実績報告 and the payment."""
    return _after_q(user, action, "application__")


def actual_expense_scope(user, action: str) -> Q:
    return _after_q(user, action, "report__application__")


def value_added_scope(user, action: str) -> Q:
    """Value-added reports and survey answers: the company and its ward's officers."""
    if not _signed_in(user):
        return NOTHING
    office = Q(municipality__in=officer_ward_ids(user))
    company = Q(company__in=company_ids_for(user, EDITOR_ROLES, action))
    if action == VIEW:
        return office | company
    if action == CHANGE:
        return company
    if action == MANAGE:
        return office
    return NOTHING
