from django.urls import path

from . import views_metrics

urlpatterns: list = [
    path("floor/board/", views_metrics.board, name="board"),
    path("floor/board/cards/", views_metrics.board_cards, name="board_cards"),
    path("floor/machines/<id:pk>/day/", views_metrics.machine_day, name="machine_day"),
    path("floor/metrics/", views_metrics.metrics, name="metrics"),
    path("floor/shifts/", views_metrics.shifts, name="shifts"),
    path("floor/shifts/<id:pk>/delete/", views_metrics.shift_delete, name="shift_delete"),
]
