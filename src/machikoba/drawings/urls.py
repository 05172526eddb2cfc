from django.urls import path

from machikoba.drawings import views

app_name = "drawings"

urlpatterns = [
    path("drawings/", views.document_list, name="list"),
    path("drawings/new/", views.document_create, name="create"),
    path("drawings/nda/", views.nda_edit, name="nda_edit"),
    path("drawings/nda/<id:nda_pk>/accept/", views.nda_accept, name="nda_accept"),
    path("drawings/<id:pk>/", views.document_detail, name="detail"),
    path("drawings/<id:pk>/revisions/new/", views.revision_create, name="revision_create"),
    path("drawings/<id:pk>/rev/<id:number>/", views.viewer, name="viewer"),
    path(
        "drawings/<id:pk>/rev/<id:number>/page/<id:page>.png",
        views.page_image,
        name="page_image",
    ),
    path("drawings/<id:pk>/rev/<id:number>/download/", views.download, name="download"),
    path("drawings/<id:pk>/grants/new/", views.grant_create, name="grant_create"),
    path("drawings/<id:pk>/grants/<id:grant_pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("drawings/<id:pk>/retention/", views.retention_edit, name="retention"),
    path("drawings/<id:pk>/destroy/", views.document_destroy, name="destroy"),
    path("drawings/<id:pk>/certificate.pdf", views.certificate_pdf, name="certificate"),
    path("drawings/<id:pk>/log/", views.document_log, name="log"),
    path("drawings/<id:pk>/log.csv", views.document_log_csv, name="log_csv"),
]
