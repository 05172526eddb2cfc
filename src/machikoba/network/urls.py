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
    path("jobs/<id:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<id:pk>/close/", jobs.job_close, name="job_close"),
    path("jobs/<id:pk>/copy/", jobs.job_copy, name="job_copy"),
    path("jobs/<id:pk>/ratings/", jobs.rating_submit, name="rating_submit"),
    path("ratings/<id:pk>/respond/", jobs.rating_respond, name="rating_respond"),
    path("jobs/<id:pk>/steps/new/", routes.step_add, name="step_add"),
    path("jobs/<id:pk>/rfqs/new/", rfqs.rfq_create, name="rfq_create"),
    path("jobs/<id:pk>/plan/", plan.job_plan, name="job_plan"),
    path("jobs/<id:pk>/plan/send/", plan.job_plan_send, name="job_plan_send"),
    path("steps/<id:pk>/move/", routes.step_move, name="step_move"),
    path("steps/<id:pk>/suggestions/", routes.step_suggestions, name="step_suggestions"),
    path("steps/<id:pk>/remove/", routes.step_remove, name="step_remove"),
    path(
        "steps/<id:pk>/<str:action>/",
        work.step_progress,
        name="step_progress",
    ),
    path("claims/<id:pk>/resolve/", jobs.claim_resolve, name="claim_resolve"),
    path("rfqs/<id:pk>/", rfqs.rfq_detail, name="rfq_detail"),
    path("rfqs/<id:pk>/quote/", rfqs.quote_submit, name="quote_submit"),
    path("rfqs/<id:pk>/decline/", rfqs.quote_decline, name="quote_decline"),
    path("rfqs/<id:pk>/award/", rfqs.rfq_award, name="rfq_award"),
    path(
        "rfqs/<id:pk>/recipients/<id:recipient_pk>/link/email/",
        guest.guest_link_email,
        name="guest_link_email",
    ),
    path(
        "rfqs/<id:pk>/recipients/<id:recipient_pk>/link/print/",
        guest.guest_link_print,
        name="guest_link_print",
    ),
    path("rfqs/<id:pk>/questions/", rfqs.rfq_ask, name="rfq_ask"),
    path(
        "rfqs/<id:pk>/questions/<id:question_pk>/answer/",
        rfqs.rfq_answer,
        name="rfq_answer",
    ),
    path("orders/<id:pk>/", orders.order_detail, name="order_detail"),
    path("orders/<id:pk>/accept/", orders.order_accept, name="order_accept"),
    path("orders/<id:pk>/change/", orders.order_change, name="order_change"),
    path("orders/<id:pk>/cancel/", orders.order_cancel, name="order_cancel"),
    path("orders/<id:pk>/order.pdf", handoff.order_pdf, name="order_pdf"),
    path("steps/<id:pk>/traveler.pdf", handoff.traveler_pdf, name="traveler_pdf"),
    path("t/<id:pk>/", handoff.handoff, name="handoff"),
    path("my-work/", work.my_work, name="my_work"),
    path("jobs/<id:job_pk>/messages/<id:company_pk>/", threads.job_thread, name="job_thread"),
    # One-time links (回答用リンク): public, authorised by the token in the address.
    path("r/<str:token>/", guest.guest_rfq_page, name="guest_rfq"),
    path("r/<str:token>/quote/", guest.guest_quote, name="guest_quote"),
    path("r/<str:token>/decline/", guest.guest_decline, name="guest_decline"),
    path("r/<str:token>/claim/", guest.guest_claim, name="guest_claim"),
    path("r/<str:token>/nda/", guest.guest_nda, name="guest_nda"),
    path(
        "r/<str:token>/drawings/<id:document_pk>/<id:page>.png",
        guest.guest_page_image,
        name="guest_page_image",
    ),
]
