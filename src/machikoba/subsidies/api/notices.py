"""The 採択/不採択 notice of an application as the page gives it (the same selectors and
PDF): for the company's owner and staff and the officers of its ward once the selection
decided it; a reviewer or the filing advisor who sees the application is refused (403),
anyone else finds nothing. The 交付決定通知書 is ``subsidies_grant_notice`` (``after``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from machikoba.core.ids import PathId
from machikoba.subsidies.api._router import router
from machikoba.subsidies.notice_downloads import decision_notice_response

PDF = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/applications/{application_id}/decision-notice.pdf",
    response={200: None},
    summary="The 採択通知書 or 不採択通知書 (PDF), once the selection decided the application",
    openapi_extra={
        "responses": {200: {"description": "the notice", "content": {"application/pdf": PDF}}}
    },
)
def subsidies_decision_notice(request: Any, application_id: PathId) -> HttpResponse:
    return decision_notice_response(request.user, application_id)
