"""The programmes in the Django admin, for platform admins answering support questions
("which cohort is this company in?"). Read only: every write of a programme belongs to
the officers of its ward through ``programs.services`` (a platform admin is not a ward
officer, so those services would refuse the admin's save), and applications, attendance,
graduations and follow-ups change only through their services' transitions. Opening any
of them is logged (``AdminViewsAudited``): they hold companies' and people's records."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from machikoba.core.admin import AdminViewsAudited
from machikoba.programs.models import (
    Application,
    Attendance,
    Cohort,
    FollowUp,
    Graduation,
    Program,
    Session,
    SessionMaterial,
)


class ReadOnlyAdmin(AdminViewsAudited, admin.ModelAdmin):
    """Shows the rows; adds, changes and deletes nothing (the services do)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Program)
class ProgramAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "municipality", "participant_role", "max_per_company")
    list_filter = ("kind", "municipality")
    search_fields = ("name",)


@admin.register(Cohort)
class CohortAdmin(ReadOnlyAdmin):
    list_display = ("program", "fiscal_year", "name", "capacity", "applications_close_at")
    list_filter = ("fiscal_year", "program__municipality")
    search_fields = ("name", "program__name")


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ("cohort", "number", "title", "starts_at", "place", "instructor")
    search_fields = ("title", "cohort__name", "cohort__program__name")
    # The check-in code is a credential for the session's window: not shown.
    exclude = ("checkin_code",)


@admin.register(SessionMaterial)
class SessionMaterialAdmin(ReadOnlyAdmin):
    list_display = ("title", "session", "original_name", "mime", "size", "uploaded_at")
    search_fields = ("title", "original_name")


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "cohort", "company", "participant", "status", "applied_at")
    list_filter = ("status",)
    search_fields = ("company__name", "participant__email", "cohort__name")


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ("session", "application", "status", "method", "recorded_at")
    list_filter = ("status", "method")


@admin.register(Graduation)
class GraduationAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "company", "program_kind", "graduated_on", "sessions_attended")
    list_filter = ("program_kind",)
    search_fields = ("company__name", "certificate_code")


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "graduation", "due_on", "reminders_sent", "answered_at", "invested")
    list_filter = ("invested",)
