"""Routes of the ward office's side of the DX subsidy (included by subsidies.urls)."""

from django.urls import path

from machikoba.subsidies import views_office as views

urlpatterns = [
    path("subsidies/office/", views.office_home, name="office_home"),
    path("subsidies/office/calls/new/", views.office_call_create, name="office_call_create"),
    path("subsidies/office/calls/<id:pk>/", views.office_call, name="office_call"),
    path("subsidies/office/calls/<id:pk>/edit/", views.office_call_edit, name="office_call_edit"),
    path(
        "subsidies/office/calls/<id:pk>/stages/new/",
        views.office_stage_create,
        name="office_stage_create",
    ),
    path("subsidies/office/calls/<id:pk>/rubric/", views.office_rubric, name="office_rubric"),
    path(
        "subsidies/office/calls/<id:pk>/applications/",
        views.office_applications,
        name="office_applications",
    ),
    path(
        "subsidies/office/calls/<id:pk>/export/<slug:fmt>/",
        views.office_call_export,
        name="office_call_export",
    ),
    path(
        "subsidies/office/stages/<id:pk>/edit/", views.office_stage_edit, name="office_stage_edit"
    ),
    path(
        "subsidies/office/stages/<id:pk>/delete/",
        views.office_stage_delete,
        name="office_stage_delete",
    ),
    path("subsidies/office/stages/<id:pk>/rules/", views.office_rules, name="office_rules"),
    path(
        "subsidies/office/categories/<id:pk>/edit/",
        views.office_category_edit,
        name="office_category_edit",
    ),
    path(
        "subsidies/office/categories/<id:pk>/delete/",
        views.office_category_delete,
        name="office_category_delete",
    ),
    path(
        "subsidies/office/attachments/<id:pk>/delete/",
        views.office_attachment_delete,
        name="office_attachment_delete",
    ),
    path(
        "subsidies/office/rubric/<id:pk>/edit/", views.office_rubric_edit, name="office_rubric_edit"
    ),
    path(
        "subsidies/office/rubric/<id:pk>/delete/",
        views.office_rubric_delete,
        name="office_rubric_delete",
    ),
    path("subsidies/office/bonus/<id:pk>/edit/", views.office_bonus_edit, name="office_bonus_edit"),
    path(
        "subsidies/office/bonus/<id:pk>/delete/",
        views.office_bonus_delete,
        name="office_bonus_delete",
    ),
]
