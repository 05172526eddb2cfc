"""The platform admin's view of the KPI records. Everything is read-only here: a
definition changes by a new version written with ``services.definition_revise`` (never an
edit in place), targets and surveys through the ward's own pages."""

from __future__ import annotations

from django.contrib import admin

from machikoba.core.admin import AdminViewsAudited
from machikoba.kpi.models import (
    Definition,
    Indicator,
    Publication,
    Snapshot,
    SurveyResponse,
    SurveyRound,
    Target,
)


class ReadOnlyAdmin(AdminViewsAudited, admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("code", "measure", "level", "position")


@admin.register(Definition)
class DefinitionAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "version", "name", "unit", "target", "computation", "created_at")
    list_filter = ("indicator",)


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "municipality", "target", "target_year", "set_at")


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    list_display = ("definition", "municipality", "fiscal_year", "kind", "value", "reason")
    list_filter = ("fiscal_year", "kind")


@admin.register(SurveyRound)
class SurveyRoundAdmin(ReadOnlyAdmin):
    list_display = ("municipality", "fiscal_year", "method", "status", "due_on", "sent_at")


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    list_display = ("round", "company", "status", "submitted_at")


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ("municipality", "enabled", "updated_at")
