from django.urls import path

from machikoba.network.views import (
    guest,
    handoff,
    jobs,
    orders,
    plan,
    rfqs,
    routes,
    threads,
    work,
)

app_name = "network"

urlpatterns = [
    path("jobs/", jobs.job_list, name="jobs"),
    path("jobs/new/", jobs.job_create, name="job_create"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/close/", jobs.job_close, name="job_close"),
    path("jobs/<int:pk>/copy/", jobs.job_copy, name="job_copy"),
    path("jobs/<int:pk>/ratings/", jobs.rating_submit, name="rating_submit"),
    path("ratings/<int:pk>/respond/", jobs.rating_respond, name="rating_respond"),
    path("jobs/<int:pk>/steps/new/", routes.step_add, name="step_add"),
    path("jobs/<int:pk>/rfqs/new/", rfqs.rfq_create, name="rfq_create"),
    path("jobs/<int:pk>/plan/", plan.job_plan, name="job_plan"),
    path("jobs/<int:pk>/plan/send/", plan.job_plan_send, name="job_plan_send"),
    path("steps/<int:pk>/move/", routes.step_move, name="step_move"),
    path("steps/<int:pk>/suggestions/", routes.step_suggestions, name="step_suggestions"),
    path("steps/<int:pk>/remove/", routes.step_remove, name="step_remove"),
    path(
        "steps/<int:pk>/<str:action>/",
        work.step_progress,
        name="step_progress",
    ),
    path("claims/<int:pk>/resolve/", jobs.claim_resolve, name="claim_resolve"),
    path("rfqs/<int:pk>/", rfqs.rfq_detail, name="rfq_detail"),
    path("rfqs/<int:pk>/quote/", rfqs.quote_submit, name="quote_submit"),
    path("rfqs/<int:pk>/decline/", rfqs.quote_decline, name="quote_decline"),
    path("rfqs/<int:pk>/award/", rfqs.rfq_award, name="rfq_award"),
    path(
        "rfqs/<int:pk>/recipients/<int:recipient_pk>/link/email/",
        guest.guest_link_email,
        name="guest_link_email",
    ),
    path(
        "rfqs/<int:pk>/recipients/<int:recipient_pk>/link/print/",
        guest.guest_link_print,
        name="guest_link_print",
    ),
    path("rfqs/<int:pk>/questions/", rfqs.rfq_ask, name="rfq_ask"),
    path(
        "rfqs/<int:pk>/questions/<int:question_pk>/answer/",
        rfqs.rfq_answer,
        name="rfq_answer",
    ),
    path("orders/<int:pk>/", orders.order_detail, name="order_detail"),
    path("orders/<int:pk>/accept/", orders.order_accept, name="order_accept"),
    path("orders/<int:pk>/change/", orders.order_change, name="order_change"),
    path("orders/<int:pk>/cancel/", orders.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/order.pdf", handoff.order_pdf, name="order_pdf"),
    path("steps/<int:pk>/traveler.pdf", handoff.traveler_pdf, name="traveler_pdf"),
    path("t/<int:pk>/", handoff.handoff, name="handoff"),
    path("my-work/", work.my_work, name="my_work"),
    path("jobs/<int:job_pk>/messages/<int:company_pk>/", threads.job_thread, name="job_thread"),
    # One-time links (回答用リンク): public, authorised by the token in the address.
    path("r/<str:token>/", guest.guest_rfq_page, name="guest_rfq"),
    path("r/<str:token>/quote/", guest.guest_quote, name="guest_quote"),
    path("r/<str:token>/decline/", guest.guest_decline, name="guest_decline"),
    path("r/<str:token>/claim/", guest.guest_claim, name="guest_claim"),
    path("r/<str:token>/nda/", guest.guest_nda, name="guest_nda"),
    path(
        "r/<str:token>/drawings/<int:document_pk>/<int:page>.png",
        guest.guest_page_image,
        name="guest_page_image",
    ),
]
