from django.urls import path

from machikoba.board import views

app_name = "board"

urlpatterns = [
    path("board/", views.board, name="board"),
    path("board/requests/new/", views.request_create, name="request_create"),
    path("board/requests/<id:pk>/", views.request_detail, name="request_detail"),
    path("board/requests/<id:pk>/admission/", views.admission_request, name="admission_request"),
    path("board/requests/<id:pk>/teams/new/", views.team_form, name="team_form"),
    path("board/requests/<id:pk>/award/", views.request_award, name="request_award"),
    path("board/requests/<id:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("board/admissions/<id:pk>/decide/", views.admission_decide, name="admission_decide"),
    path("board/processes/<id:pk>/hand/", views.hand_edit, name="hand_edit"),
    path("board/processes/<id:pk>/rfq/", views.hand_rfq, name="hand_rfq"),
    path(
        "board/requests/<id:pk>/messages/<id:company_pk>/",
        views.request_messages,
        name="request_messages",
    ),
    path("board/teams/<id:pk>/", views.team_detail, name="team_detail"),
    path("board/teams/<id:pk>/messages/", views.team_messages, name="team_messages"),
    path("board/teams/<id:pk>/invite/", views.team_invite, name="team_invite"),
    path("board/teams/<id:pk>/assign/", views.team_assign, name="team_assign"),
    path("board/teams/<id:pk>/terms/", views.team_terms, name="team_terms"),
    path("board/teams/<id:pk>/quote/", views.team_quote, name="team_quote"),
    path("board/members/<id:pk>/answer/", views.member_answer, name="member_answer"),
    path("board/members/<id:pk>/quote/", views.member_quote, name="member_quote"),
    path("board/members/<id:pk>/remove/", views.member_remove, name="member_remove"),
    path("jobs/<id:pk>/post/", views.job_post, name="job_post"),
    path("buyers/register/", views.buyer_register, name="buyer_register"),
]
