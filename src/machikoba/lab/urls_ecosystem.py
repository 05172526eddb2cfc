"""Pages of the 産学官金 consortium (partners, projects, DX-loan referrals) and the business
matchings."""

from django.urls import path

from machikoba.lab import views_ecosystem as views
from machikoba.lab import views_matchings

urlpatterns = [
    # Partners (the office)
    path("lab/consortium/partners/", views.partner_list, name="partner_list"),
    path("lab/consortium/partners/new/", views.partner_create, name="partner_create"),
    path("lab/consortium/partners/<id:pk>/edit/", views.partner_edit, name="partner_edit"),
    path(
        "lab/consortium/partners/<id:pk>/deactivate/",
        views.partner_deactivate,
        name="partner_deactivate",
    ),
    path(
        "lab/consortium/partners/<id:pk>/reactivate/",
        views.partner_reactivate,
        name="partner_reactivate",
    ),
    # Projects
    path("lab/consortium/projects/", views.project_list, name="project_list"),
    path("lab/consortium/projects/new/", views.project_create, name="project_create"),
    path("lab/consortium/projects/<id:pk>/", views.project_detail, name="project_detail"),
    path("lab/consortium/projects/<id:pk>/edit/", views.project_edit, name="project_edit"),
    path("lab/consortium/projects/<id:pk>/status/", views.project_status, name="project_status"),
    path(
        "lab/consortium/projects/<id:pk>/participants/",
        views.participant_add,
        name="project_participant_add",
    ),
    path(
        "lab/consortium/participants/<id:pk>/remove/",
        views.participant_remove,
        name="project_participant_remove",
    ),
    path(
        "lab/consortium/projects/<id:pk>/documents/",
        views.document_add,
        name="project_document_add",
    ),
    path(
        "lab/consortium/documents/<id:pk>/",
        views.document_download,
        name="project_document_download",
    ),
    path(
        "lab/consortium/documents/<id:pk>/remove/",
        views.document_remove,
        name="project_document_remove",
    ),
    # DX-loan referrals
    path("lab/referrals/", views.referral_list, name="referral_list"),
    path("lab/referrals/new/", views.referral_create, name="referral_create"),
    path("lab/referrals/<id:pk>/", views.referral_detail, name="referral_detail"),
    path("lab/referrals/<id:pk>/outcome/", views.referral_outcome, name="referral_outcome"),
    path("lab/referrals/<id:pk>/withdraw/", views.referral_withdraw, name="referral_withdraw"),
    # Matchings
    path("lab/matchings/", views_matchings.matching_list, name="matching_list"),
    path("lab/matchings/new/", views_matchings.matching_record, name="matching_record"),
    path("lab/matchings/surveys/", views_matchings.matching_surveys, name="matching_surveys"),
    path(
        "lab/matchings/surveys/<id:survey_id>/propose/",
        views_matchings.matching_propose,
        name="matching_propose",
    ),
    path("lab/matchings/<id:pk>/", views_matchings.matching_detail, name="matching_detail"),
    path(
        "lab/matchings/<id:pk>/confirm/", views_matchings.matching_confirm, name="matching_confirm"
    ),
    path(
        "lab/matchings/<id:pk>/decline/", views_matchings.matching_decline, name="matching_decline"
    ),
    path(
        "lab/matchings/<id:pk>/follow-up/",
        views_matchings.matching_follow_up,
        name="matching_follow_up",
    ),
]
