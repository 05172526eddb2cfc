"""Routes of the KPI downloads: every indicator as CSV / Excel, the wards side by side,
and the annual report PDF."""

from django.urls import path

from machikoba.kpi.views import exports

urlpatterns = [
    path("kpi/export.csv", exports.export_indicators, {"fmt": "csv"}, name="export_csv"),
    path("kpi/export.xlsx", exports.export_indicators, {"fmt": "xlsx"}, name="export_xlsx"),
    path("kpi/export-wards.csv", exports.export_wards, {"fmt": "csv"}, name="export_wards_csv"),
    path("kpi/export-wards.xlsx", exports.export_wards, {"fmt": "xlsx"}, name="export_wards_xlsx"),
    path("kpi/report.pdf", exports.report_pdf, name="report_pdf"),
]
