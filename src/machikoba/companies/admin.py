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


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "company", "role")
    list_filter = ("role",)
    search_fields = ("user__email", "company__name")
    autocomplete_fields = ("user", "company")
