"""Routes of the participant's side of the programmes (included by programs.urls)."""

from django.urls import path

from machikoba.programs import views_cohorts as views

urlpatterns = [
    path("programs/", views.cohort_list, name="list"),
    path("programs/cohorts/<id:pk>/", views.cohort, name="cohort"),
    path("programs/cohorts/<id:pk>/apply/", views.apply, name="apply"),
    path("programs/mine/", views.mine, name="mine"),
    path("programs/applications/<id:pk>/", views.application, name="application"),
    path("programs/applications/<id:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("programs/applications/<id:pk>/decline/", views.decline, name="decline"),
    path("programs/checkin/<str:code>/", views.checkin, name="checkin"),
    path("programs/sessions/<id:pk>/", views.session, name="session"),
    path("programs/sessions/<id:pk>/roll/", views.roll_call, name="roll_call"),
    path("programs/sessions/<id:pk>/code/", views.rotate_code, name="rotate_code"),
]
