"""Municipalities are reference data (no company's or person's records): platform
admins add the neighbouring cities and other prefectures the network reaches."""

from django.contrib import admin

from machikoba.wards.models import Municipality, MunicipalityGroup


@admin.register(MunicipalityGroup)
class MunicipalityGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en")
    search_fields = ("name", "name_en")


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "prefecture", "group")
    list_filter = ("prefecture", "group")
    search_fields = ("code", "name", "name_en")
