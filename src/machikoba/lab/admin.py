"""The DX Lab in the Django admin, for platform admins. An admin opens a ward's lab here
(saved through ``services.lab_setup.lab_create``); everything else is read only, since the
lab's staff keep it through their pages (``lab.services``), and opening any row is logged
(``AdminViewsAudited``). Consultations, the entry log, registrations and referrals are not
shown: they are between the people involved (docs/admin-access.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from machikoba.core.admin import AdminViewsAudited
from machikoba.lab.models import Event, Item, Lab, Partner, Project, Training
from machikoba.lab.services.lab_setup import lab_create


class ReadOnlyAdmin(AdminViewsAudited, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Lab)
class LabAdmin(ReadOnlyAdmin):
    list_display = ("name", "municipality", "active")
    list_filter = ("municipality", "active")
    fields = ("municipality", "name", "address", "phone", "description")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def save_model(self, request: HttpRequest, obj: Lab, form: Any, change: bool) -> None:
        lab = lab_create(
            actor=request.user,  # type: ignore[arg-type]
            municipality=obj.municipality,
            name=obj.name,
            address=obj.address,
            phone=obj.phone,
            description=obj.description,
        )
        obj.pk = lab.pk
        obj.kiosk_secret = lab.kiosk_secret


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ("name", "lab", "kind", "exhibitor", "active")
    list_filter = ("lab", "kind", "active")
    search_fields = ("name", "maker", "model_number")


@admin.register(Training)
class TrainingAdmin(ReadOnlyAdmin):
    list_display = ("name", "lab", "validity_days", "active")


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("title", "lab", "kind", "starts_at", "status")
    list_filter = ("lab", "kind", "status")


@admin.register(Partner)
class PartnerAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "municipality", "company", "active")
    list_filter = ("kind", "municipality")


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "municipality", "starts_on", "ends_on", "status")
    list_filter = ("kind", "status", "municipality")
