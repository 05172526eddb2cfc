from django.contrib import admin

from machikoba.companies.models import Company, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "name_kana", "corporate_number", "address", "employees", "is_active")
    search_fields = ("name", "name_kana", "name_en", "corporate_number")
    list_filter = ("is_active",)
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        # Profile writes go through the services so they are validated and audited.
        # Validation already ran in the form; an ApplicationError here is a race.
        from machikoba.companies.services import (
            COMPANY_AUDIT_FIELDS,
            company_create,
            company_update,
        )

        data = {name: form.cleaned_data.get(name) for name in [*COMPANY_AUDIT_FIELDS, "is_active"]}
        if change:
            # The form has already written its values onto obj; restore the stored row so
            # the service sees (and audits) the real before/after.
            obj.refresh_from_db()
            company_update(actor=request.user, company=obj, **data)
        else:
            saved = company_create(actor=request.user, **data)
            obj.pk = saved.pk
            obj._state.adding = False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "company", "role")
    list_filter = ("role",)
    search_fields = ("user__email", "company__name")
    autocomplete_fields = ("user", "company")
