"""The daily reports (日報), their reasons and the actual cost per job."""

from django.urls import path

from . import views_reports as views
from .reports import views_master

urlpatterns = [
    path("floor/reports/today/", views.report_today, name="report_today"),
    path("floor/reports/mine/", views.report_mine, name="report_mine"),
    path("floor/reports/review/", views.report_review, name="report_review"),
    path("floor/reports/entries/new/", views.report_entry_new, name="report_entry_new"),
    path("floor/reports/entries/start/", views.report_entry_start, name="report_entry_start"),
    path("floor/reports/entries/<id:pk>/", views.report_entry_edit, name="report_entry_edit"),
    path("floor/reports/entries/<id:pk>/stop/", views.report_entry_stop, name="report_entry_stop"),
    path(
        "floor/reports/entries/<id:pk>/delete/",
        views.report_entry_delete,
        name="report_entry_delete",
    ),
    path("floor/reports/steps/<id:pk>/", views.report_from_step, name="report_from_step"),
    path("floor/reports/photos/<id:pk>/", views.report_photo, name="report_photo"),
    path(
        "floor/reports/photos/<id:pk>/delete/",
        views.report_photo_delete,
        name="report_photo_delete",
    ),
    path("floor/reports/<id:pk>/", views.report_detail, name="report_detail"),
    path("floor/reports/<id:pk>/submit/", views.report_submit, name="report_submit"),
    path("floor/reports/<id:pk>/approve/", views.report_approve, name="report_approve"),
    path("floor/reports/<id:pk>/return/", views.report_return, name="report_return"),
    path("floor/reasons/", views_master.reasons, name="reasons"),
    path("floor/reasons/<id:pk>/", views_master.reason_edit, name="reason_edit"),
    path("floor/costs/", views_master.job_costs, name="job_costs"),
    path("floor/costs/rates/", views_master.cost_rates, name="cost_rates"),
]
