"""The REST API: one NinjaAPI, one router per app, one error shape.

Every handler reads through the access layer, exactly as the views do.
"""

from django.core.exceptions import PermissionDenied
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from machikoba.advisory.api import router as advisory_router
from machikoba.apitokens.auth import ApiTokenAuth, TokenScopeDenied
from machikoba.apitokens.error_codes import ApiTokensErrorCode
from machikoba.board.api import router as board_router
from machikoba.companies.api import account_router
from machikoba.companies.api import router as companies_router
from machikoba.config.api_schema import add_shared_answers
from machikoba.core.errors import ApplicationError
from machikoba.drawings.api import router as drawings_router
from machikoba.kpi.api import router as kpi_router
from machikoba.lab.api import router as lab_router
from machikoba.messaging.api import router as messaging_router
from machikoba.network.api import router as network_router
from machikoba.programs.api import router as programs_router
from machikoba.shopfloor.api import router as shopfloor_router
from machikoba.subsidies.api import router as subsidies_router
from machikoba.telemetry.api import router as telemetry_router

DESCRIPTION = """町工場ネットワーク machikoba の API。エラーは常に {code, message, fields} です。

The machikoba API: every capability of the pages, through the same services and access layer.

* **Authentication**: an API token (`Authorization: Bearer mkb_…`, issued on the API tokens
  page per company or per ward role, read or write per area, with an expiry) or a signed-in
  session (with its CSRF token for writes).
* **Lists**: `?page=1&per_page=50` (at most 200); the answer is `{count, page, pages, results}`.
* **Writes**: send `Idempotency-Key` to make a retry safe.
* **Limits**: per caller and minute (`X-RateLimit-Limit`, `X-RateLimit-Remaining`); over it, 429
  with `Retry-After`.
* **Errors**: always `{code, message, fields}`; every status code an operation can return is
  listed with it.
"""


class MachikobaAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation):
        # The handler's name, unique across the project (it is the URL name too).
        return operation.view_func.__name__

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return add_shared_answers(schema)


api = MachikobaAPI(
    title="machikoba API",
    version="1",
    description=DESCRIPTION,
    auth=[ApiTokenAuth(), django_auth],
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
    return _error(request, exc.http_status(), body["code"], body["message"], body["fields"])


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "not_found", _("見つかりません。"))


@api.exception_handler(TokenScopeDenied)
def on_token_scope(request, exc):
    return _error(request, 403, ApiTokensErrorCode.TOKEN_SCOPE, str(exc))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return _error(request, 403, "forbidden", _("この操作を行う権限がありません。"))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return _error(request, 401, "unauthenticated", _("ログインが必要です。"))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unavailable(request, exc):
    # The database restarting or unreachable: a clean answer the client may retry (the
    # connection is checked again on the next request, CONN_HEALTH_CHECKS).
    response = _error(
        request,
        503,
        "unavailable",
        _("ただいま混み合っています。少し待ってからやり直してください。"),
    )
    response["Retry-After"] = "5"
    return response


@api.exception_handler(DataError)
def on_data_refused(request, exc):
    # A value the schema let through but the database cannot store (a NUL character in
    # text, a number beyond its column): the transaction rolled back; the caller's input.
    return _error(request, 422, "invalid", _("入力内容を確認してください。"))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    # Ninja's own refusals (a session's CSRF check, an unsupported body): the one shape.
    if exc.status_code == 403:
        return _error(
            request, 403, "csrf_failed", _("画面を読み込み直してから、もう一度送ってください。")
        )
    return _error(request, exc.status_code, "invalid", _("入力内容を確認してください。"))


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
api.add_router("/drawings", drawings_router)
api.add_router("/messaging", messaging_router)
api.add_router("/board", board_router)
api.add_router("/shopfloor", shopfloor_router)
api.add_router("/telemetry", telemetry_router)
api.add_router("/programs", programs_router)
api.add_router("/advisory", advisory_router)
api.add_router("/subsidies", subsidies_router)
api.add_router("/lab", lab_router)
api.add_router("/kpi", kpi_router)
