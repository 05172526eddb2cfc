"""Pages: screening (see urls.py): the office's screening of an application and of a
stage, the reviewer's assignments, the applicant's bonus claims and the 採択/不採択
notice."""

from django.urls import path

from machikoba.subsidies import views_review, views_screening

urlpatterns = [
    path(
        "subsidies/office/applications/<id:application_id>/screening/",
        views_screening.screening_application,
        name="screening_application",
    ),
    path(
        "subsidies/office/stages/<id:stage_id>/screening/",
        views_screening.screening_stage,
        name="screening_stage",
    ),
    path(
        "subsidies/applications/<id:application_id>/bonus/",
        views_screening.bonus_claim,
        name="bonus_claim",
    ),
    path(
        "subsidies/applications/<id:application_id>/decision-notice/",
        views_screening.decision_notice,
        name="decision_notice",
    ),
    path("subsidies/review/", views_review.review_home, name="review_home"),
    path(
        "subsidies/review/<id:assignment_id>/",
        views_review.review_assignment,
        name="review_assignment",
    ),
]
