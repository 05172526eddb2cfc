"""Pages of the entry log (入退館): a person's QR code and visits, the kiosk, the phone's
page for the lab's rotating code, the desk and the staff's day view."""

from django.urls import path

from machikoba.lab import views_visits as views

urlpatterns = [
    path("lab/my-code/", views.my_code, name="visits_my_code"),
    path("lab/visits/mine/", views.mine, name="visits_mine"),
    path("lab/<id:lab_id>/kiosk/", views.kiosk, name="visits_kiosk"),
    path("lab/<id:lab_id>/kiosk/scan/", views.kiosk_scan, name="visits_kiosk_scan"),
    path("lab/<id:lab_id>/kiosk/code/", views.kiosk_code, name="visits_kiosk_code"),
    path("lab/<id:lab_id>/enter/", views.enter, name="visits_enter"),
    path("lab/<id:lab_id>/desk/", views.desk, name="visits_desk"),
    path("lab/<id:lab_id>/desk/visitors/", views.desk_register, name="visits_desk_register"),
    path(
        "lab/<id:lab_id>/desk/visitors/<id:visitor_id>/",
        views.desk_visitor,
        name="visits_desk_visitor",
    ),
    path("lab/<id:lab_id>/desk/people/", views.desk_user, name="visits_desk_user"),
    path("lab/<id:lab_id>/today/", views.day, name="visits_day"),
]
