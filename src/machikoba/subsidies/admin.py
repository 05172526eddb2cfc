"""The DX subsidy in the Django admin, for platform admins answering support questions
("which stage did this company apply to, and where does it stand?"). Read only: every
write belongs to the officers of the call's ward (``subsidies.services``; a platform admin
is not a ward officer, so those services would refuse the admin's save), and an
application's status changes only through its transitions.

What the admin does not show, as for the network's records (docs/admin-access.md): the
plan an applicant wrote, expense lines and actual expenses, the documents, the submitted
snapshots, reviewers' scores and comments, and the figures of the value-added reports.
The rows it lists name a company and where it stands. Opening any of them is logged
(``AdminViewsAudited``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from machikoba.core.admin import AdminViewsAudited
from machikoba.subsidies.models import (
    Application,
    AttachmentRequirement,
    BonusClaim,
    BonusCriterion,
    Call,
    ChangeRequest,
    CompletionReport,
    ExpenseCategory,
    Payment,
    ReviewerAssignment,
    RubricCriterion,
    Selection,
    Stage,
    ValueAddedReport,
)


class ReadOnlyAdmin(AdminViewsAudited, admin.ModelAdmin):
    """Shows the rows; adds, changes and deletes nothing (the services do)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- the ward's calls and their rules --------------------------------------------------


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ("name", "municipality", "fiscal_year", "opens_at", "closes_at", "budget")
    list_filter = ("fiscal_year", "municipality")
    search_fields = ("name",)


@admin.register(Stage)
class StageAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "call", "rate_numerator", "rate_denominator", "cap", "budget")
    list_filter = ("call__fiscal_year", "call__municipality")


@admin.register(ExpenseCategory)
class ExpenseCategoryAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "stage", "max_share_percent", "max_amount", "quotes_required")
    search_fields = ("name", "code")


@admin.register(AttachmentRequirement)
class AttachmentRequirementAdmin(ReadOnlyAdmin):
    list_display = ("name", "stage")


@admin.register(RubricCriterion)
class RubricCriterionAdmin(ReadOnlyAdmin):
    list_display = ("name", "call", "max_score")


@admin.register(BonusCriterion)
class BonusCriterionAdmin(ReadOnlyAdmin):
    list_display = ("name", "call", "kind", "points")
    list_filter = ("kind",)


# --- applications and what follows: who and where, not what they wrote -------------------


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("reference", "company", "stage", "status", "submitted_at")
    list_filter = ("status", "stage__call__fiscal_year", "stage__call__municipality")
    search_fields = ("reference", "company__name")
    fields = (
        "reference",
        "company",
        "stage",
        "status",
        "filed_by",
        "consent_by",
        "consent_at",
        "submitted_by",
        "submitted_at",
        "decided_at",
    )


@admin.register(ReviewerAssignment)
class ReviewerAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("application", "reviewer", "status", "assigned_at", "submitted_at")
    list_filter = ("status",)
    fields = ("application", "reviewer", "status", "assigned_by", "assigned_at", "submitted_at")


@admin.register(BonusClaim)
class BonusClaimAdmin(ReadOnlyAdmin):
    list_display = ("application", "criterion", "status", "automatic", "verified_at")
    list_filter = ("status", "automatic")
    fields = ("application", "criterion", "status", "automatic", "verified_by", "verified_at")


@admin.register(Selection)
class SelectionAdmin(ReadOnlyAdmin):
    list_display = ("stage", "edited", "confirmed_by", "confirmed_at")
    fields = ("stage", "edited", "confirmed_by", "confirmed_at")


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ("application", "status", "requested_at", "decided_at")
    list_filter = ("status",)
    fields = ("application", "status", "requested_by", "requested_at", "decided_by", "decided_at")


@admin.register(CompletionReport)
class CompletionReportAdmin(ReadOnlyAdmin):
    list_display = ("application", "status", "submitted_at", "inspected_at")
    list_filter = ("status",)
    fields = (
        "application",
        "status",
        "submitted_by",
        "submitted_at",
        "inspected_by",
        "inspected_at",
    )


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("application", "paid_on", "recorded_by")
    fields = ("application", "paid_on", "reference", "recorded_by", "recorded_at")


@admin.register(ValueAddedReport)
class ValueAddedReportAdmin(ReadOnlyAdmin):
    list_display = ("company", "municipality", "kind", "fiscal_year", "status", "due_on")
    list_filter = ("kind", "status", "fiscal_year")
    search_fields = ("company__name",)
    fields = (
        "company",
        "municipality",
        "kind",
        "application",
        "year_index",
        "fiscal_year",
        "status",
        "requested_at",
        "due_on",
        "submitted_at",
    )
