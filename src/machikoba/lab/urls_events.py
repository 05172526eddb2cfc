"""Pages of the lab: events (see ``views_events``)."""

from django.urls import path

from machikoba.lab import views_events

urlpatterns = [
    path("lab/events/", views_events.event_list, name="event_list"),
    path("lab/events/mine/", views_events.event_mine, name="event_mine"),
    path("lab/events/staff/", views_events.event_staff_list, name="event_staff_list"),
    path("lab/events/new/", views_events.event_create, name="event_create"),
    path("lab/events/<id:event_id>/", views_events.event_detail, name="event_detail"),
    path("lab/events/<id:event_id>/register/", views_events.event_register, name="event_register"),
    path("lab/events/<id:event_id>/survey/", views_events.event_survey, name="event_survey"),
    path("lab/events/<id:event_id>/edit/", views_events.event_edit, name="event_edit"),
    path("lab/events/<id:event_id>/staff/", views_events.event_staff, name="event_staff"),
    path("lab/events/<id:event_id>/publish/", views_events.event_publish, name="event_publish"),
    path("lab/events/<id:event_id>/cancel/", views_events.event_cancel, name="event_cancel"),
    path(
        "lab/events/<id:event_id>/register-visitor/",
        views_events.event_register_visitor,
        name="event_register_visitor",
    ),
    path(
        "lab/events/<id:event_id>/attendance/",
        views_events.event_attendance,
        name="event_attendance",
    ),
    path(
        "lab/events/<id:event_id>/training-records/",
        views_events.event_training_records,
        name="event_training_records",
    ),
    path(
        "lab/events/registrations/<id:registration_id>/cancel/",
        views_events.event_registration_cancel,
        name="event_registration_cancel",
    ),
    path(
        "lab/events/registrations/<id:registration_id>/attend/",
        views_events.event_registration_attend,
        name="event_registration_attend",
    ),
]
