from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from machikoba.accounts.models import User, WardRoleAssignment
from machikoba.accounts.services import ward_role_grant, ward_role_revoke, ward_role_update
from machikoba.core.admin import AdminViewsAudited


class WardRoleInline(admin.TabularInline):
    model = WardRoleAssignment
    fk_name = "user"
    extra = 0
    fields = ("role", "municipality", "group", "valid_until", "granted_at", "granted_by")
    readonly_fields = ("granted_at", "granted_by")
    can_delete = True


@admin.register(User)
class UserAdmin(AdminViewsAudited, DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "name", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "ward_roles__role")
    search_fields = ("email", "name", "name_kana")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("本人情報"), {"fields": ("name", "name_kana")}),
        (_("権限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("日時"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )
    inlines = [WardRoleInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not WardRoleAssignment:
            return super().save_formset(request, form, formset, change)
        # Role grants go through the services so each one is checked and audited.
        for assignment in formset.save(commit=False):
            if assignment.pk is None:
                ward_role_grant(
                    actor=request.user,
                    user=form.instance,
                    role=assignment.role,
                    valid_until=assignment.valid_until,
                    municipality=assignment.municipality,
                    group=assignment.group,
                )
            else:
                stored = WardRoleAssignment.objects.get(pk=assignment.pk)
                scope = (assignment.role, assignment.municipality_id, assignment.group_id)
                if (stored.role, stored.municipality_id, stored.group_id) != scope:
                    # A grant is not turned into another (role or ward): revoke it and
                    # grant the new one.
                    ward_role_revoke(actor=request.user, assignment=stored)
                    ward_role_grant(
                        actor=request.user,
                        user=form.instance,
                        role=assignment.role,
                        valid_until=assignment.valid_until,
                        municipality=assignment.municipality,
                        group=assignment.group,
                    )
                else:
                    ward_role_update(
                        actor=request.user, assignment=stored, valid_until=assignment.valid_until
                    )
        for assignment in formset.deleted_objects:
            ward_role_revoke(actor=request.user, assignment=assignment)
        return None
