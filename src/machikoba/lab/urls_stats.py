"""Pages of the lab: its statistics and their export (staff and the ward's officers)."""

from django.urls import path

from machikoba.lab import views_stats as views

urlpatterns = [
    path("lab/<id:lab_id>/stats/", views.lab_stats_page, name="stats"),
    path("lab/<id:lab_id>/stats/export.<slug:fmt>", views.lab_stats_export, name="stats_export"),
]
