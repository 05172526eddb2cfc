from django.urls import path

from . import views

app_name = "telemetry"

urlpatterns = [
    path("floor/machines/", views.machines, name="machines"),
    path("floor/machines/new/", views.machine_register, name="machine_register"),
    path("floor/machines/<id:pk>/", views.machine_detail, name="machine_detail"),
    path("floor/machines/<id:pk>/edit/", views.machine_edit, name="machine_edit"),
    path("floor/machines/<id:pk>/stop/", views.machine_deactivate, name="machine_deactivate"),
    path("floor/machines/<id:pk>/resume/", views.machine_activate, name="machine_activate"),
    path("floor/machines/<id:pk>/key/", views.machine_key_rotate, name="machine_key_rotate"),
]
