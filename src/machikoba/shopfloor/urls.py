from django.urls import path

from . import urls_metrics, urls_reports, views

app_name = "shopfloor"

urlpatterns = [
    path("schedule/", views.schedule, name="schedule"),
    path("schedule/plan/", views.plan, name="plan"),
    path("schedule/runs/<id:pk>/progress/", views.run_progress, name="run_progress"),
    path("schedule/steps/", views.steps, name="steps"),
    path("schedule/steps/<id:pk>/", views.step_work, name="step_work"),
    path("schedule/calendar/", views.calendar, name="calendar"),
    path("schedule/operations/<id:pk>/move/", views.operation_move, name="operation_move"),
    *urls_reports.urlpatterns,
    *urls_metrics.urlpatterns,
]
