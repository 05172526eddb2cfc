"""Pages: apply (see urls.py): the open calls, the wizard, the company's applications,
consent and submission, and every application document's download."""

from django.urls import path

from machikoba.subsidies import views_apply as views

urlpatterns = [
    path("subsidies/", views.calls, name="calls"),
    path("subsidies/calls/<id:call_id>/", views.call_detail, name="call_detail"),
    path(
        "subsidies/stages/<id:stage_id>/start/",
        views.application_start,
        name="application_start",
    ),
    path("subsidies/applications/", views.my_applications, name="my_applications"),
    path(
        "subsidies/applications/<id:application_id>/",
        views.application_detail,
        name="application_detail",
    ),
    path(
        "subsidies/applications/<id:application_id>/step/<id:step>/",
        views.wizard,
        name="wizard",
    ),
    path(
        "subsidies/applications/<id:application_id>/breakdown/",
        views.breakdown_preview,
        name="breakdown_preview",
    ),
    path(
        "subsidies/applications/<id:application_id>/submit/",
        views.application_submit,
        name="application_submit",
    ),
    path(
        "subsidies/applications/<id:application_id>/consent/",
        views.application_consent,
        name="application_consent",
    ),
    path(
        "subsidies/applications/<id:application_id>/consent-request/",
        views.consent_request,
        name="consent_request",
    ),
    path(
        "subsidies/applications/<id:application_id>/withdraw/",
        views.application_withdraw,
        name="application_withdraw",
    ),
    path("subsidies/expenses/<id:expense_id>/edit/", views.expense_update, name="expense_update"),
    path("subsidies/expenses/<id:expense_id>/remove/", views.expense_remove, name="expense_remove"),
    path("subsidies/expenses/<id:expense_id>/quotes/", views.quote_add, name="quote_add"),
    path(
        "subsidies/documents/<id:document_id>/", views.document_download, name="document_download"
    ),
    path(
        "subsidies/documents/<id:document_id>/remove/",
        views.document_remove,
        name="document_remove",
    ),
]
