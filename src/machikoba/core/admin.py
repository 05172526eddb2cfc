from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from machikoba.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("occurred_at", "actor_label", "verb", "target_repr", "company")
    list_filter = ("verb",)
    search_fields = ("actor_label", "verb", "target_repr")
    date_hierarchy = "occurred_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


admin.site.site_header = _("machikoba 管理")
admin.site.site_title = _("machikoba 管理")
admin.site.index_title = _("プラットフォーム管理")
