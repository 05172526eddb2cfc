"""Routes of the ward office's side of the programmes (included by programs.urls)."""

from django.urls import path

from machikoba.programs import views_office as views

urlpatterns = [
    path("office/programs/", views.office, name="office"),
    path("office/programs/new/", views.program_create, name="program_create"),
    path("office/programs/funnel/", views.funnel, name="funnel"),
    path("office/programs/overdue/", views.overdue, name="overdue"),
    path("office/programs/<id:pk>/edit/", views.program_edit, name="program_edit"),
    path("office/programs/<id:pk>/cohorts/new/", views.cohort_create, name="cohort_create"),
    path("office/cohorts/<id:pk>/", views.cohort_office, name="cohort_office"),
    path("office/cohorts/<id:pk>/edit/", views.cohort_edit, name="cohort_edit"),
    path(
        "office/cohorts/<id:pk>/instructors/",
        views.cohort_instructors,
        name="cohort_instructors",
    ),
    path("office/cohorts/<id:pk>/attendance/", views.attendance_grid, name="attendance_grid"),
    path("office/cohorts/<id:pk>/sessions/new/", views.session_create, name="session_create"),
    path("office/sessions/<id:pk>/edit/", views.session_edit, name="session_edit"),
    path("programs/sessions/<id:pk>/materials/", views.material_upload, name="material_upload"),
    path("programs/materials/<id:pk>/", views.material, name="material"),
    path("programs/materials/<id:pk>/delete/", views.material_delete, name="material_delete"),
]
