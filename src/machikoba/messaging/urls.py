from django.urls import path

from machikoba.messaging import views

app_name = "messaging"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/<id:pk>/", views.thread_detail, name="thread"),
]
