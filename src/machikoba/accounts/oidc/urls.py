"""allauth's OpenID Connect URLs (same names, same paths), served by ``views``.

allauth's ``urls`` module includes this one because the provider class in settings says
this is its package: ``/accounts/oidc/<provider_id>/login/`` and
``/accounts/oidc/<provider_id>/login/callback/`` (the redirect URI registered with
GビズID, docs/gbizid.md).
"""

from allauth.socialaccount import app_settings
from django.urls import URLPattern, URLResolver, include, path, re_path

from machikoba.accounts.oidc import views

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(
        r"^(?P<provider_id>[^/]+)/",
        include(
            [
                path("login/", views.login, name="openid_connect_login"),
                path("login/callback/", views.callback, name="openid_connect_callback"),
            ]
        ),
    )
]

if app_settings.OPENID_CONNECT_URL_PREFIX:
    urlpatterns = [path(f"{app_settings.OPENID_CONNECT_URL_PREFIX}/", include(urlpatterns))]
