"""The REST API: one NinjaAPI, one router per app, one error shape.

Every handler reads through the access layer, exactly as the views do.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from machikoba.companies.api import account_router
from machikoba.companies.api import router as companies_router
from machikoba.core.errors import ApplicationError
from machikoba.network.api import router as network_router

api = NinjaAPI(
    title="machikoba API",
    version="1",
    description="町工場ネットワーク machikoba の API。エラーは常に {code, message, fields} です。",
    auth=django_auth,
    urls_namespace="api",
)


def _error(request, status: int, code: str, message, fields=None):
    return api.create_response(
        request,
        {"code": code, "message": str(message), "fields": fields or {}},
        status=status,
    )


@api.exception_handler(ApplicationError)
def on_application_error(request, exc: ApplicationError):
    body = exc.as_dict()
    return _error(request, exc.status_code, body["code"], body["message"], body["fields"])


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "not_found", _("見つかりません。"))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return _error(request, 403, "forbidden", _("この操作を行う権限がありません。"))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return _error(request, 401, "unauthenticated", _("ログインが必要です。"))


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        name = ".".join(str(p) for p in err.get("loc", [])[1:]) or "__all__"
        fields.setdefault(name, []).append(err.get("msg", ""))
    return _error(request, 422, "invalid", _("入力内容を確認してください。"), fields)


api.add_router("/accounts", account_router)
api.add_router("/companies", companies_router)
api.add_router("/network", network_router)
