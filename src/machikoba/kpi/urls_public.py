"""Routes of the KPI public pages: a ward's published figures, open to anyone."""

from django.urls import path

from machikoba.kpi.views import public as views

urlpatterns = [
    path("kpi/public/<str:code>/", views.public, name="public"),
]
