"""Pages after the selection (see urls.py): the grant steps and their buttons, the 実績報告,
the 交付決定通知書, the value-added reports and the office's list with the yearly survey."""

from django.urls import path

from machikoba.subsidies import views_after as views

urlpatterns = [
    path(
        "subsidies/applications/<id:application_id>/grant/",
        views.grant_steps,
        name="grant_steps",
    ),
    path(
        "subsidies/applications/<id:application_id>/grant/request/",
        views.grant_request,
        name="grant_request",
    ),
    path(
        "subsidies/applications/<id:application_id>/grant/decide/",
        views.grant_decide,
        name="grant_decide",
    ),
    path(
        "subsidies/applications/<id:application_id>/grant/notice.pdf",
        views.grant_notice,
        name="grant_notice",
    ),
    path(
        "subsidies/applications/<id:application_id>/grant/changes/",
        views.change_request_file,
        name="change_request_file",
    ),
    path(
        "subsidies/change-requests/<id:change_id>/decide/",
        views.change_request_decide,
        name="change_request_decide",
    ),
    path(
        "subsidies/applications/<id:application_id>/report/",
        views.grant_report,
        name="grant_report",
    ),
    path(
        "subsidies/applications/<id:application_id>/report/expenses/",
        views.actual_expense_add,
        name="actual_expense_add",
    ),
    path(
        "subsidies/actual-expenses/<id:expense_id>/remove/",
        views.actual_expense_remove,
        name="actual_expense_remove",
    ),
    path(
        "subsidies/actual-expenses/<id:expense_id>/proofs/",
        views.actual_expense_proof_add,
        name="actual_expense_proof_add",
    ),
    path(
        "subsidies/proofs/<id:document_id>/remove/",
        views.proof_remove,
        name="proof_remove",
    ),
    path(
        "subsidies/applications/<id:application_id>/inspection/accept/",
        views.inspection_accept,
        name="inspection_accept",
    ),
    path(
        "subsidies/applications/<id:application_id>/inspection/return/",
        views.inspection_return,
        name="inspection_return",
    ),
    path(
        "subsidies/applications/<id:application_id>/payment/",
        views.payment_record,
        name="payment_record",
    ),
    path(
        "subsidies/value-added/<id:report_id>/",
        views.value_added_report,
        name="value_added_report",
    ),
    path("subsidies/office/value-added/", views.office_value_added, name="office_value_added"),
    path(
        "subsidies/office/value-added/survey/",
        views.value_added_survey_send,
        name="value_added_survey_send",
    ),
]
