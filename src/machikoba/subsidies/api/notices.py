"""The 採択/不採択 notice of an application as the page gives it (the same selectors and
PDF): for the company's owner and staff and the officers of its ward once the selection
decided it; a reviewer or the filing advisor who sees the application is refused (403),
anyone else finds nothing. The 交付決定通知書 is ``subsidies_grant_notice`` (``after``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from machikoba.core.access import VIEW, get_for_user_or_404
from machikoba.core.ids import PathId
from machikoba.core.views import content_disposition
from machikoba.subsidies import selectors
from machikoba.subsidies.api._router import router
from machikoba.subsidies.decision_notice_pdf import decision_notice_pdf
from machikoba.subsidies.models import Application

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
    application = get_for_user_or_404(
        Application.objects.select_related("stage__call__municipality", "company"),
        request.user,
        VIEW,
        pk=application_id,
    )
    if not selectors.may_read_decision_notice(request.user, application):
        raise PermissionDenied
    notice = selectors.decision_notice(request.user, application)
    if notice is None:
        raise Http404
    title = _("採択通知書") if notice.selected else _("不採択通知書")
    response = HttpResponse(decision_notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        _("%(title)s_%(reference)s.pdf")
        % {"title": title, "reference": application.reference or application.pk},
        inline=True,
    )
    response["Cache-Control"] = "private, no-store"
    return response
