from django.urls import path

from machikoba.ops import views

app_name = "ops"

urlpatterns = [
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    path("platform/audit/", views.audit_events, name="audit_events"),
    path("platform/audit/export.csv", views.audit_events_csv, name="audit_events_csv"),
]
