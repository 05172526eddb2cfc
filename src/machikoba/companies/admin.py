from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from machikoba.companies.coverage import companies_in_subtree, coverage_rebuild
from machikoba.companies.models import (
    CertificationKind,
    Company,
    Material,
    MaterialGroup,
    Membership,
    ProcessCategory,
)
from machikoba.companies.models_claims import JoinPolicy
from machikoba.companies.models_people import Invitation
from machikoba.companies.services import (
    COMPANY_AUDIT_FIELDS,
    company_create,
    company_deactivate,
    company_reactivate,
    company_update,
    membership_add,
    membership_change_role,
    membership_remove,
)
from machikoba.core.admin import AdminViewsAudited


class MembershipWritesThroughServices:
    """Membership changes made in the admin are checked and audited like any other."""

    def save_membership(self, request, membership, *, creating: bool):
        if creating:
            return membership_add(
                actor=request.user,
                company=membership.company,
                user=membership.user,
                role=membership.role,
            )
        stored = Membership.objects.get(pk=membership.pk)
        if stored.user_id != membership.user_id or stored.company_id != membership.company_id:
            # Another person or company is another membership: remove, then add.
            self.remove_membership(request, stored)
            return membership_add(
                actor=request.user,
                company=membership.company,
                user=membership.user,
                role=membership.role,
            )
        return membership_change_role(actor=request.user, membership=stored, role=membership.role)

    def remove_membership(self, request, membership):
        membership_remove(actor=request.user, membership=membership)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Company)
class CompanyAdmin(AdminViewsAudited, MembershipWritesThroughServices, admin.ModelAdmin):
    list_display = (
        "name",
        "name_kana",
        "corporate_number",
        "municipality",
        "employees",
        "is_active",
        "deactivated_at",
    )
    search_fields = ("name", "name_kana", "name_en", "corporate_number")
    list_filter = ("is_active", "kind")
    readonly_fields = ("deactivated_at",)
    actions = ["deactivate", "reactivate"]
    inlines = [MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        # Profile writes go through the services so they are validated and audited.
        # Validation already ran in the form; an ApplicationError here is a race.

        data = {name: form.cleaned_data.get(name) for name in COMPANY_AUDIT_FIELDS}
        active = bool(form.cleaned_data.get("is_active"))
        if change:
            # The form has already written its values onto obj; restore the stored row so
            # the service sees (and audits) the real before/after.
            obj.refresh_from_db()
            company_update(actor=request.user, company=obj, **data)
            if obj.is_active and not active:
                company_deactivate(actor=request.user, company=obj)
            elif active and not obj.is_active:
                company_reactivate(actor=request.user, company=obj)
            obj.refresh_from_db()
        else:
            saved = company_create(actor=request.user, is_active=active, **data)
            obj.pk = saved.pk
            obj._state.adding = False

    @admin.action(description=_("選んだ企業の利用を停止する"))
    def deactivate(self, request, queryset):
        for company in queryset.filter(is_active=True):
            company_deactivate(actor=request.user, company=company)

    @admin.action(description=_("選んだ企業の利用を再開する"))
    def reactivate(self, request, queryset):
        for company in queryset.filter(is_active=False):
            company_reactivate(actor=request.user, company=company)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        for membership in formset.save(commit=False):
            self.save_membership(request, membership, creating=membership.pk is None)
        for membership in formset.deleted_objects:
            self.remove_membership(request, membership)
        return None


@admin.register(Membership)
class MembershipAdmin(AdminViewsAudited, MembershipWritesThroughServices, admin.ModelAdmin):
    list_display = ("user", "company", "role")
    list_filter = ("role",)
    search_fields = ("user__email", "company__name")
    autocomplete_fields = ("user", "company")

    def save_model(self, request, obj, form, change):
        saved = self.save_membership(request, obj, creating=not change)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        self.remove_membership(request, obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            self.remove_membership(request, membership)


@admin.register(Invitation)
class InvitationAdmin(AdminViewsAudited, admin.ModelAdmin):
    """Invitations into companies, for support questions ("my link does not work"): read
    only, since owners issue and revoke them on their people page; the secret's hash is
    not shown."""

    list_display = (
        "company",
        "role",
        "channel",
        "email",
        "invited_by",
        "created_at",
        "expires_at",
        "used_by",
        "revoked_at",
    )
    list_filter = ("role", "channel")
    search_fields = ("company__name", "email")
    exclude = ("token_hash",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- the ward's reference data: extensible by platform admins -------------------------


@admin.register(ProcessCategory)
class ProcessCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ja", "name_en", "jis_symbol", "parent", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name_ja", "name_en")
    ordering = ("sort_order", "code")
    autocomplete_fields = ("parent",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "code" in form.changed_data:
            # A new path: the companies with capabilities under it cover other ancestors.
            coverage_rebuild(companies_in_subtree(obj.code))


@admin.register(MaterialGroup)
class MaterialGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ja", "name_en", "sort_order")
    search_fields = ("code", "name_ja", "name_en")


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ja", "name_en", "group")
    list_filter = ("group",)
    search_fields = ("code", "name_ja", "name_en")


@admin.register(CertificationKind)
class CertificationKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ja", "name_en", "group")
    list_filter = ("group",)
    search_fields = ("code", "name_ja", "name_en")


@admin.register(JoinPolicy)
class JoinPolicyAdmin(admin.ModelAdmin):
    """Which ways of proving a claim each ward offers (a ward with none set offers all)."""

    list_display = ("ward", "code", "letter", "officer")
