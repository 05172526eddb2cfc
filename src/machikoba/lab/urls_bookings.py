"""Pages of the lab: bookings (booking an item, マイ予約, one booking and its change and
cancel, the waitlist's buttons, the staff's day with no-show and completed)."""

from django.urls import path

from machikoba.lab import views_bookings as views

urlpatterns = [
    path("lab/items/<id:item_id>/book/", views.item_book, name="item_book"),
    path("lab/items/<id:item_id>/waitlist/", views.waitlist_join, name="waitlist_join"),
    path("lab/bookings/", views.my_bookings, name="my_bookings"),
    path("lab/bookings/<id:booking_id>/", views.booking_detail, name="booking_detail"),
    path("lab/bookings/<id:booking_id>/change/", views.booking_change, name="booking_change"),
    path("lab/bookings/<id:booking_id>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("lab/bookings/<id:booking_id>/no-show/", views.booking_no_show, name="booking_no_show"),
    path("lab/bookings/<id:booking_id>/complete/", views.booking_complete, name="booking_complete"),
    path("lab/waitlist/<id:entry_id>/accept/", views.waitlist_accept, name="waitlist_accept"),
    path("lab/waitlist/<id:entry_id>/cancel/", views.waitlist_cancel, name="waitlist_cancel"),
    path("lab/<id:lab_id>/bookings/", views.staff_bookings, name="staff_bookings"),
]
