"""Routes of the yearly company survey: the office's rounds (``kpi/surveys/``) and a
company's requests and answers (``kpi/my-surveys/``)."""

from django.urls import path

from machikoba.kpi.views import surveys as views

urlpatterns = [
    path("kpi/surveys/", views.survey_rounds, name="survey_rounds"),
    path("kpi/surveys/create/", views.survey_round_create, name="survey_round_create"),
    path("kpi/surveys/<id:pk>/", views.survey_round, name="survey_round"),
    path("kpi/surveys/<id:pk>/edit/", views.survey_round_edit, name="survey_round_edit"),
    path("kpi/surveys/<id:pk>/send/", views.survey_round_send, name="survey_round_send"),
    path("kpi/surveys/<id:pk>/remind/", views.survey_round_remind, name="survey_round_remind"),
    path("kpi/surveys/<id:pk>/close/", views.survey_round_close, name="survey_round_close"),
    path("kpi/my-surveys/", views.my_surveys, name="my_surveys"),
    path("kpi/my-surveys/<id:pk>/", views.my_survey, name="my_survey"),
]
