from django.urls import path

from machikoba.web import csp_reports, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("company/audit/", views.audit_log, name="audit_log"),
    path("ward/", views.officer_home, name="officer_home"),
    path("metro/", views.metro_home, name="metro_home"),
    path("company/switch/", views.company_switch, name="company_switch"),
    path("language/", views.language_switch, name="language_switch"),
    path("healthz", views.healthz, name="healthz"),
    path("csp-report/", csp_reports.csp_report, name="csp_report"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<id:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("help/traveler/", views.help_traveler, name="help_traveler"),
    path("help/rfq/", views.help_rfq, name="help_rfq"),
]
