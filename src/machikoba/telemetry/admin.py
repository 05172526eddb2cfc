"""Machine monitoring in the Django admin, for platform admins. A machine added or changed
here goes through ``services.machine_register`` / ``machine_update`` (checked and audited
like a company's own change); the collector's records (unknown keys that publish, the
polled sources' cursors, the counters per machine) are read only. Opening any of them is
logged (``AdminViewsAudited``, docs/admin-access.md). State intervals are not shown: a
company's production record stays with the company."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from machikoba.core.admin import AdminViewsAudited
from machikoba.core.errors import ApplicationError
from machikoba.telemetry.models import IngestStats, Machine, SourceCursor, UnknownSource
from machikoba.telemetry.services import (
    MACHINE_FIELDS,
    machine_activate,
    machine_deactivate,
    machine_register,
    machine_update,
)


class ReadOnlyAdmin(AdminViewsAudited, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MachineAdminForm(ModelForm[Machine]):
    """Parses the admin's input only; the service checks it (``clean`` turns its refusal
    into the form's errors, so nothing is saved and the admin sees why)."""

    class Meta:
        model = Machine
        fields = ["company", *MACHINE_FIELDS]

    actor: Any = None  # the admin (set by MachineAdmin.get_form)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        fields: dict[str, Any] = {name: data.get(name) for name in MACHINE_FIELDS}
        try:
            # A dry run, always rolled back: ``save_model`` saves for real.
            with transaction.atomic():
                if self.instance.pk is None:
                    machine_register(actor=self.actor, company=data["company"], **fields)
                else:
                    stored = Machine.objects.get(pk=self.instance.pk)
                    machine_update(actor=self.actor, machine=stored, **fields)
                transaction.set_rollback(True)
        except ApplicationError as error:
            raise ValidationError(
                [str(error.message)]
                + [f"{name}: {message}" for name, msgs in error.fields.items() for message in msgs]
            ) from None
        return data


@admin.register(Machine)
class MachineAdmin(AdminViewsAudited, admin.ModelAdmin[Machine]):
    form = MachineAdminForm
    list_display = ("name", "company", "equipment", "unit", "source", "active")
    list_filter = ("source", "active")
    search_fields = ("name", "company__name", "key")
    autocomplete_fields = ("company",)
    raw_id_fields = ("equipment",)
    readonly_fields = ("key", "active", "created_at", "updated_at")
    actions = ["deactivate", "activate"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A machine stays with its company.
        return (*self.readonly_fields, "company") if obj is not None else self.readonly_fields

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Stop monitoring instead: the intervals stay the company's record.
        return False

    def save_model(self, request: HttpRequest, obj: Machine, form: Any, change: bool) -> None:
        fields: dict[str, Any] = {name: form.cleaned_data.get(name) for name in MACHINE_FIELDS}
        if change:
            stored = Machine.objects.get(pk=obj.pk)
            saved = machine_update(actor=request.user, machine=stored, **fields)  # type: ignore[arg-type]
        else:
            saved = machine_register(
                actor=request.user,  # type: ignore[arg-type]
                company=form.cleaned_data["company"],
                **fields,
            )
        obj.pk, obj.key, obj.config = saved.pk, saved.key, saved.config

    @admin.action(description=_("選んだ設備の監視を止める"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Machine]) -> None:
        self._each(request, queryset, machine_deactivate)

    @admin.action(description=_("選んだ設備の監視を再開する"))
    def activate(self, request: HttpRequest, queryset: QuerySet[Machine]) -> None:
        self._each(request, queryset, machine_activate)

    def _each(self, request: HttpRequest, queryset: QuerySet[Machine], service: Any) -> None:
        done = 0
        for machine in queryset:
            try:
                service(actor=request.user, machine=machine)
                done += 1
            except ApplicationError as error:
                self.message_user(request, f"{machine}: {error.message}", messages.WARNING)
        if done:
            self.message_user(request, _("%(n)s 台を変更しました。") % {"n": done})


@admin.register(IngestStats)
class IngestStatsAdmin(ReadOnlyAdmin):
    list_display = (
        "machine",
        "received",
        "stored",
        "duplicates",
        "malformed",
        "skewed",
        "rate_limited",
        "last_seen",
        "last_error_at",
    )
    list_select_related = ("machine",)
    search_fields = ("machine__name", "machine__company__name")
    ordering = ("-last_seen",)


@admin.register(UnknownSource)
class UnknownSourceAdmin(ReadOnlyAdmin):
    """Which keys publish although no machine has them: a sensor set up with a mistyped
    or an old (rotated) key, or someone probing."""

    list_display = ("key", "source", "count", "first_seen", "last_seen")
    list_filter = ("source",)
    search_fields = ("key",)
    ordering = ("-last_seen",)


@admin.register(SourceCursor)
class SourceCursorAdmin(ReadOnlyAdmin):
    list_display = ("key", "instance", "next_sequence", "gaps", "updated_at")
    search_fields = ("key",)
    ordering = ("key",)
