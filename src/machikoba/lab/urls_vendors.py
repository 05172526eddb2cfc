"""Pages of the lab: what IT vendors do there (the vendor portal, demo slots and their
seats, consultations, software trials)."""

from django.urls import path

from machikoba.lab import views_vendors as views

urlpatterns = [
    # the vendor's side
    path("lab/vendor/", views.vendor_portal, name="vendor_portal"),
    path("lab/vendor/demos/new/", views.vendor_demo_create, name="vendor_demo_create"),
    path("lab/vendor/demos/<id:pk>/", views.vendor_demo, name="vendor_demo"),
    path("lab/vendor/demos/<id:pk>/cancel/", views.vendor_demo_cancel, name="vendor_demo_cancel"),
    # demos as shops see them
    path("lab/demos/", views.demo_list, name="demos"),
    path("lab/demos/<id:pk>/book/", views.demo_book, name="demo_book"),
    path("lab/demos/seats/<id:pk>/cancel/", views.demo_seat_cancel, name="demo_seat_cancel"),
    # consultations (導入相談)
    path("lab/consultations/", views.consultation_list, name="consultations"),
    path("lab/consultations/new/<id:pk>/", views.consultation_create, name="consultation_create"),
    path("lab/consultations/<id:pk>/", views.consultation_detail, name="consultation"),
    path(
        "lab/consultations/<id:pk>/answer/",
        views.consultation_answer,
        name="consultation_answer",
    ),
    path("lab/consultations/<id:pk>/close/", views.consultation_close, name="consultation_close"),
    # software trials
    path("lab/trials/", views.trial_list, name="trials"),
    path("lab/trials/new/<id:pk>/", views.trial_create, name="trial_create"),
    path("lab/trials/<id:pk>/", views.trial_detail, name="trial"),
    path("lab/trials/<id:pk>/approve/", views.trial_approve, name="trial_approve"),
    path("lab/trials/<id:pk>/decline/", views.trial_decline, name="trial_decline"),
    path("lab/trials/<id:pk>/withdraw/", views.trial_withdraw, name="trial_withdraw"),
    path("lab/trials/<id:pk>/end/", views.trial_end, name="trial_end"),
]
