"""Routes of homework, graduation, certificates and the follow-up (included by
programs.urls)."""

from django.urls import path

from machikoba.programs import views_homework as views

urlpatterns = [
    path("programs/applications/<id:pk>/worksheet/", views.worksheet, name="worksheet"),
    path(
        "programs/applications/<id:pk>/worksheet/items/",
        views.worksheet_item_add,
        name="worksheet_item_add",
    ),
    path(
        "programs/worksheet-items/<id:pk>/edit/",
        views.worksheet_item_edit,
        name="worksheet_item_edit",
    ),
    path(
        "programs/worksheet-items/<id:pk>/delete/",
        views.worksheet_item_delete,
        name="worksheet_item_delete",
    ),
    path("programs/applications/<id:pk>/roi/", views.roi, name="roi"),
    path("programs/applications/<id:pk>/plan/", views.plan, name="plan"),
    path("programs/applications/<id:pk>/plan/print/", views.plan_print, name="plan_print"),
    path("programs/applications/<id:pk>/plan/submit/", views.plan_submit, name="plan_submit"),
    path("programs/applications/<id:pk>/plan/decide/", views.plan_decide, name="plan_decide"),
    path(
        "programs/applications/<id:pk>/comments/",
        views.homework_comment,
        name="homework_comment",
    ),
    path("office/cohorts/<id:pk>/graduation/", views.graduation_run, name="graduation_run"),
    path("programs/graduations/<id:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("verify/certificates/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("programs/follow-ups/<id:pk>/", views.follow_up, name="follow_up"),
    path("programs/teaching/", views.teaching, name="teaching"),
]
