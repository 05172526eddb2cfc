"""The KPI dashboard's pages; each topic keeps its routes beside its views."""

from machikoba.kpi.urls_dashboard import urlpatterns as dashboard
from machikoba.kpi.urls_exports import urlpatterns as exports
from machikoba.kpi.urls_public import urlpatterns as public
from machikoba.kpi.urls_surveys import urlpatterns as surveys

app_name = "kpi"
urlpatterns = [*dashboard, *exports, *public, *surveys]
