from django.urls import path

from machikoba.board import views

app_name = "board"

urlpatterns = [
    path("board/", views.board, name="board"),
    path("board/requests/new/", views.request_create, name="request_create"),
    path("board/requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("board/requests/<int:pk>/admission/", views.admission_request, name="admission_request"),
    path("board/requests/<int:pk>/teams/new/", views.team_form, name="team_form"),
    path("board/requests/<int:pk>/award/", views.request_award, name="request_award"),
    path("board/requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("board/admissions/<int:pk>/decide/", views.admission_decide, name="admission_decide"),
    path("board/processes/<int:pk>/hand/", views.hand_edit, name="hand_edit"),
    path("board/processes/<int:pk>/rfq/", views.hand_rfq, name="hand_rfq"),
    path(
        "board/requests/<int:pk>/messages/<int:company_pk>/",
        views.request_messages,
        name="request_messages",
    ),
    path("board/teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("board/teams/<int:pk>/messages/", views.team_messages, name="team_messages"),
    path("board/teams/<int:pk>/invite/", views.team_invite, name="team_invite"),
    path("board/teams/<int:pk>/assign/", views.team_assign, name="team_assign"),
    path("board/teams/<int:pk>/terms/", views.team_terms, name="team_terms"),
    path("board/teams/<int:pk>/quote/", views.team_quote, name="team_quote"),
    path("board/members/<int:pk>/answer/", views.member_answer, name="member_answer"),
    path("board/members/<int:pk>/quote/", views.member_quote, name="member_quote"),
    path("board/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("jobs/<int:pk>/post/", views.job_post, name="job_post"),
    path("buyers/register/", views.buyer_register, name="buyer_register"),
]
