from django.urls import path

from machikoba.network import views

app_name = "network"

urlpatterns = [
    path("jobs/", views.job_list, name="jobs"),
    path("jobs/new/", views.job_create, name="job_create"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/close/", views.job_close, name="job_close"),
    path("jobs/<int:pk>/copy/", views.job_copy, name="job_copy"),
    path("jobs/<int:pk>/ratings/", views.rating_submit, name="rating_submit"),
    path("ratings/<int:pk>/respond/", views.rating_respond, name="rating_respond"),
    path("jobs/<int:pk>/steps/new/", views.step_add, name="step_add"),
    path("jobs/<int:pk>/rfqs/new/", views.rfq_create, name="rfq_create"),
    path("jobs/<int:pk>/plan/", views.job_plan, name="job_plan"),
    path("jobs/<int:pk>/plan/send/", views.job_plan_send, name="job_plan_send"),
    path("steps/<int:pk>/move/", views.step_move, name="step_move"),
    path("steps/<int:pk>/suggestions/", views.step_suggestions, name="step_suggestions"),
    path("steps/<int:pk>/remove/", views.step_remove, name="step_remove"),
    path(
        "steps/<int:pk>/<str:action>/",
        views.step_progress,
        name="step_progress",
    ),
    path("claims/<int:pk>/resolve/", views.claim_resolve, name="claim_resolve"),
    path("rfqs/<int:pk>/", views.rfq_detail, name="rfq_detail"),
    path("rfqs/<int:pk>/quote/", views.quote_submit, name="quote_submit"),
    path("rfqs/<int:pk>/decline/", views.quote_decline, name="quote_decline"),
    path("rfqs/<int:pk>/award/", views.rfq_award, name="rfq_award"),
    path(
        "rfqs/<int:pk>/recipients/<int:recipient_pk>/link/email/",
        views.guest_link_email,
        name="guest_link_email",
    ),
    path(
        "rfqs/<int:pk>/recipients/<int:recipient_pk>/link/print/",
        views.guest_link_print,
        name="guest_link_print",
    ),
    path("rfqs/<int:pk>/questions/", views.rfq_ask, name="rfq_ask"),
    path(
        "rfqs/<int:pk>/questions/<int:question_pk>/answer/",
        views.rfq_answer,
        name="rfq_answer",
    ),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/accept/", views.order_accept, name="order_accept"),
    path("orders/<int:pk>/change/", views.order_change, name="order_change"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/order.pdf", views.order_pdf, name="order_pdf"),
    path("steps/<int:pk>/traveler.pdf", views.traveler_pdf, name="traveler_pdf"),
    path("t/<int:pk>/", views.handoff, name="handoff"),
    path("my-work/", views.my_work, name="my_work"),
    # One-time links (回答用リンク): public, authorised by the token in the address.
    path("r/<str:token>/", views.guest_rfq_page, name="guest_rfq"),
    path("r/<str:token>/quote/", views.guest_quote, name="guest_quote"),
    path("r/<str:token>/decline/", views.guest_decline, name="guest_decline"),
    path("r/<str:token>/claim/", views.guest_claim, name="guest_claim"),
    path("r/<str:token>/nda/", views.guest_nda, name="guest_nda"),
    path(
        "r/<str:token>/drawings/<int:document_pk>/<int:page>.png",
        views.guest_page_image,
        name="guest_page_image",
    ),
]
