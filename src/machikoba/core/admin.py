from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from machikoba.core.audit import admin_view_record
from machikoba.core.models import AuditEvent
from machikoba.core.views import client_ip


class AdminViewsAudited:
    """For a ModelAdmin of a model holding company or personal data: every time a platform
    admin opens its list or one of its change pages, an ``admin.view`` event is recorded
    (who, which model, which object; the object's company sees it in its trail). Put it
    before ``admin.ModelAdmin`` in the bases. What admins can see: docs/admin-access.md."""

    model: Any

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response: HttpResponse = super().changelist_view(request, extra_context)  # type: ignore[misc]
        if request.method == "GET" and response.status_code == 200:
            admin_view_record(
                actor=request.user,  # type: ignore[arg-type]  # an admin, never anonymous
                target_model=self.model,
                ip_address=client_ip(request),
            )
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response: HttpResponse = super().change_view(  # type: ignore[misc]
            request, object_id, form_url, extra_context
        )
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
            admin_view_record(
                actor=request.user,  # type: ignore[arg-type]  # an admin, never anonymous
                target_model=self.model,
                obj=obj,
                ip_address=client_ip(request),
            )
        return response


# Registered models that hold neither company nor personal data (the ward's reference
# lists, permission groups): opening them is not logged. Every other registered model,
# third-party ones included, is wrapped by ``audit_admin_views``.
REFERENCE_MODELS = frozenset(
    {
        "auth.Group",
        "companies.CertificationKind",
        "companies.Material",
        "companies.MaterialGroup",
        "companies.ProcessCategory",
    }
)


def audit_admin_views(site: admin.AdminSite) -> None:
    """Give every ModelAdmin of ``site`` that is not of a reference model the
    ``AdminViewsAudited`` behaviour (the packages' own admins too: e-mail addresses, MFA
    authenticators, sign-in attempts, queued tasks). Called once the admins are registered
    (config/urls.py)."""
    for model, model_admin in list(site._registry.items()):
        if model._meta.label in REFERENCE_MODELS or isinstance(model_admin, AdminViewsAudited):
            continue
        base = type(model_admin)
        audited = type(f"Audited{base.__name__}", (AdminViewsAudited, base), {})
        site.unregister(model)
        site.register(model, audited)


@admin.register(AuditEvent)
class AuditEventAdmin(AdminViewsAudited, admin.ModelAdmin[AuditEvent]):
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
