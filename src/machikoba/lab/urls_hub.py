"""Pages of the lab: the doors from the site menu (マイラボ, ラボの運営)."""

from django.urls import path

from machikoba.lab import views_hub

urlpatterns = [
    path("lab/me/", views_hub.me, name="me"),
    path("lab/office/", views_hub.office, name="office"),
]
