from django.urls import path

from machikoba.messaging import views

app_name = "messaging"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/<int:pk>/", views.thread_detail, name="thread"),
    path("jobs/<int:job_pk>/messages/<int:company_pk>/", views.job_thread, name="job_thread"),
]
