"""Routes of the KPI dashboard pages: every indicator, one indicator and the records
behind it, the wards side by side, a ward's own targets."""

from django.urls import path, register_converter

from machikoba.kpi.views import dashboard as views


class IndicatorCode:
    """``<indicator:code>``: an indicator's code, M1.KGI … M3.P3 (anything else: 404)."""

    regex = r"M[1-3]\.(?:KGI|KSI|OUT|P[1-3])"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(IndicatorCode, "indicator")

urlpatterns = [
    path("kpi/", views.dashboard, name="dashboard"),
    path("kpi/compare/", views.compare, name="compare"),
    path("kpi/targets/", views.targets, name="targets"),
    path("kpi/<indicator:code>/", views.indicator, name="indicator"),
    path("kpi/<indicator:code>/records.csv", views.indicator_csv, name="indicator_csv"),
]
