"""Routes of programs (included by programs.urls)."""

urlpatterns: list = []
