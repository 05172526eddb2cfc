from django.urls import path

from machikoba.drawings import views

app_name = "drawings"

urlpatterns = [
    path("drawings/", views.document_list, name="list"),
    path("drawings/new/", views.document_create, name="create"),
    path("drawings/nda/", views.nda_edit, name="nda_edit"),
    path("drawings/nda/<int:nda_pk>/accept/", views.nda_accept, name="nda_accept"),
    path("drawings/<int:pk>/", views.document_detail, name="detail"),
    path("drawings/<int:pk>/revisions/new/", views.revision_create, name="revision_create"),
    path("drawings/<int:pk>/rev/<int:number>/", views.viewer, name="viewer"),
    path(
        "drawings/<int:pk>/rev/<int:number>/page/<int:page>.png",
        views.page_image,
        name="page_image",
    ),
    path("drawings/<int:pk>/rev/<int:number>/download/", views.download, name="download"),
    path("drawings/<int:pk>/grants/new/", views.grant_create, name="grant_create"),
    path(
        "drawings/<int:pk>/grants/<int:grant_pk>/revoke/", views.grant_revoke, name="grant_revoke"
    ),
    path("drawings/<int:pk>/retention/", views.retention_edit, name="retention"),
    path("drawings/<int:pk>/destroy/", views.document_destroy, name="destroy"),
    path("drawings/<int:pk>/certificate.pdf", views.certificate_pdf, name="certificate"),
    path("drawings/<int:pk>/log/", views.document_log, name="log"),
    path("drawings/<int:pk>/log.csv", views.document_log_csv, name="log_csv"),
]
