"""The 採択通知書 / 不採択通知書 as a download, the same for the page and the API: the
access layer finds the application, the selector says who may read the notice."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.access import VIEW, get_for_user_or_404
from machikoba.core.views import content_disposition
from machikoba.subsidies import selectors
from machikoba.subsidies.decision_notice_pdf import decision_notice_pdf
from machikoba.subsidies.models import Application


def decision_notice_response(user: User, application_id: int) -> HttpResponse:
    """For the company's owner and staff and the ward's officers; nobody else (a
    reviewer or the filing advisor who sees the application is refused)."""
    application = get_for_user_or_404(
        Application.objects.select_related("stage__call__municipality", "company"),
        user,
        VIEW,
        pk=application_id,
    )
    if not selectors.may_read_decision_notice(user, application):
        raise PermissionDenied
    notice = selectors.decision_notice(user, application)
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
