from django.urls import path

from machikoba.apitokens import views

app_name = "apitokens"

urlpatterns = [
    path("settings/api-tokens/", views.tokens, name="tokens"),
    path("settings/api-tokens/<id:pk>/revoke/", views.token_revoke, name="revoke"),
]
