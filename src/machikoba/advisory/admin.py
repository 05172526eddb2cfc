"""The advisor dispatch in the Django admin, for platform admins answering support
questions ("who advises this company?"). Read only: the roster, requests, engagements,
visits and measurements change only through ``advisory.services`` (the officers of the
ward, the team, the company's owner), which would refuse a platform admin. Opening any of
them is logged (``AdminViewsAudited``): they hold companies' and people's records."""

from __future__ import annotations

from django.contrib import admin

from machikoba.advisory.models import (
    Advisor,
    Engagement,
    Measurement,
    PhaseEvidence,
    SupportRequest,
    Visit,
)

# The same read-only admin as the programmes' (rows shown, nothing changed).
from machikoba.programs.admin import ReadOnlyAdmin


@admin.register(Advisor)
class AdvisorAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "organisation", "capacity", "hourly_fee", "active")
    list_filter = ("kind", "active", "wards")
    search_fields = ("user__name", "user__email", "organisation")


@admin.register(SupportRequest)
class SupportRequestAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "company", "municipality", "origin", "status", "created_at")
    list_filter = ("status", "origin", "municipality")
    search_fields = ("company__name",)


@admin.register(Engagement)
class EngagementAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "company", "municipality", "status", "starts_on", "ends_on")
    list_filter = ("status", "municipality")
    search_fields = ("company__name",)


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "engagement", "advisor", "starts_at", "minutes", "signed_off_at")
    list_filter = ("signed_off_at",)


@admin.register(Measurement)
class MeasurementAdmin(ReadOnlyAdmin):
    list_display = ("name", "engagement", "unit", "before_value", "after_value")


@admin.register(PhaseEvidence)
class PhaseEvidenceAdmin(ReadOnlyAdmin):
    list_display = ("title", "phase", "original_name", "size", "uploaded_at")
