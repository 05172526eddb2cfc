from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from machikoba.accounts.rules import (
    is_advisor,
    is_instructor,
    is_lab_staff,
    is_metro_viewer,
    is_reviewer,
    is_ward_officer,
)
from machikoba.companies.choices import CompanyKind
from machikoba.companies.selectors import company_members
from machikoba.companies.selectors_join import verification_pending
from machikoba.companies.services import active_company_switch
from machikoba.core.access import (
    CHANGE,
    OWNER_ROLES,
    VIEW,
    allowed,
    get_for_user_or_404,
    has_role,
)
from machikoba.core.ids import parse_id
from machikoba.core.models import Notification, NotificationPreference
from machikoba.core.notifications import KINDS
from machikoba.core.views import active_company_or_403, safe_next
from machikoba.shopfloor.metrics.ward import ward_floor_summary
from machikoba.web import selectors
from machikoba.web.todo import todo


@login_required
def home(request):
    """The shop member's home: their active company and what needs them."""
    membership = request.active_membership
    if not membership:
        if is_ward_officer(request.user):
            return redirect("web:officer_home")
        if is_metro_viewer(request.user):
            return redirect("web:metro_home")
        if is_advisor(request.user):
            return redirect("advisory:home")
        if is_instructor(request.user):
            return redirect("programs:teaching")
        if is_reviewer(request.user):
            return redirect("subsidies:review_home")
        if is_lab_staff(request.user):
            return redirect("lab:office")
        return render(request, "web/home_no_company.html")
    company = membership.company
    # An IT vendor's or a partner bank's people start where their work is.
    if company.kind == CompanyKind.VENDOR:
        return redirect("lab:vendor_portal")
    if company.kind == CompanyKind.BANK:
        return redirect("lab:referral_list")
    return render(
        request,
        "web/home_shop.html",
        {
            "company": company,
            "membership": membership,
            "todo": todo(user=request.user, company=company),
            "members": company_members(user=request.user, company=company),
            "sees_audit": has_role(request.user, company, OWNER_ROLES, VIEW),
            "first_steps": selectors.first_steps(user=request.user, membership=membership),
            "verification": verification_pending(user=request.user, company=company),
            "support": selectors.support_card(user=request.user, company=company),
        },
    )


@login_required
def help_traveler(request):
    """How the 現品票 (traveler tag) carries parts from shop to shop, in pictures."""
    return render(request, "web/help_traveler.html")


@login_required
def help_rfq(request):
    """How to answer a request for a quote (見積依頼)."""
    return render(request, "web/help_rfq.html")


@login_required
def audit_log(request):
    """The active company's audit trail, on its own page (owners only)."""
    company = active_company_or_403(request)
    if not has_role(request.user, company, OWNER_ROLES, VIEW):
        raise PermissionDenied
    events = selectors.recent_company_events(user=request.user, company=company, limit=200)
    return render(request, "web/audit_log.html", {"company": company, "events": events})


@login_required
def officer_home(request):
    """The ward officer's home: the cluster at a glance (aggregates only)."""
    if not allowed(request.user, "web.view_officer_home"):
        raise PermissionDenied
    context = selectors.ward_overview(user=request.user)
    context["todo"] = todo(user=request.user, company=None)
    context["support_office"] = selectors.support_office(user=request.user)
    context["floor"] = ward_floor_summary(request.user)
    return render(request, "web/home_officer.html", context)


@login_required
def metro_home(request):
    """The metro viewer's home (特別区全体 / 東京都): each ward's figures, aggregates only."""
    if not allowed(request.user, "web.view_metro_home"):
        raise PermissionDenied
    return render(request, "web/home_metro.html", selectors.metro_overview(user=request.user))


@login_required
@require_POST
def company_switch(request):
    """Make another of the user's companies the active one.

    Only the user's own memberships are candidates: a foreign or unknown company id
    is a 404 and the session is left as it was.
    """
    company_id = parse_id(request.POST.get("company"))
    if company_id is None:
        messages.error(request, _("切り替える企業を選んでください。"))
        return redirect(safe_next(request, "/", referer=True))
    company = active_company_switch(
        actor=request.user, session=request.session, company_id=company_id
    )
    messages.success(request, _("%(company)s の画面に切り替えました。") % {"company": company.name})
    return redirect(safe_next(request, "/", referer=True))


@require_POST
def language_switch(request):
    """Set the UI language; an unknown code is refused with a message and changes nothing."""
    from django.conf import settings
    from django.utils import translation

    code = request.POST.get("language", "")
    response = redirect(safe_next(request, "/", referer=True))
    if code not in dict(settings.LANGUAGES):
        messages.error(
            request, _("選択された言語には対応していません。日本語か英語を選んでください。")
        )
        return response
    translation.activate(code)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
        httponly=getattr(settings, "LANGUAGE_COOKIE_HTTPONLY", False),
    )
    return response


@require_GET
def healthz(request):
    """Liveness: the process answers requests. It touches nothing else, so a database
    outage does not make a supervisor restart healthy app servers; whether they can work
    is ``/readyz`` (ops/views.py)."""
    return JsonResponse({"status": "ok"})


# --- notifications ----------------------------------------------------------------------


@login_required
def notifications(request):
    mine = Notification.objects.for_user(request.user, VIEW)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, _("すべて既読にしました。"))
        return redirect("web:notifications")
    return render(request, "web/notifications.html", {"notifications": mine[:100]})


@login_required
@require_POST
def notification_open(request, pk: int):
    """Mark one notice read and go where it points (only to a page of this site)."""
    notice = get_for_user_or_404(Notification, request.user, CHANGE, pk=pk)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    target = notice.url if notice.url.startswith("/") and not notice.url.startswith("//") else ""
    return redirect(target or "web:notifications")


@login_required
def notification_settings(request):
    saved = {p.kind: p for p in NotificationPreference.objects.for_user(request.user, VIEW)}
    if request.method == "POST":
        for kind in KINDS:
            NotificationPreference.objects.update_or_create(
                user=request.user,
                kind=kind,
                defaults={
                    "in_app": request.POST.get(f"{kind}-in_app") == "on",
                    "email": request.POST.get(f"{kind}-email") == "on",
                },
            )
        messages.success(request, _("お知らせの設定を保存しました。"))
        return redirect("web:notification_settings")
    rows = [
        {
            "kind": kind,
            "label": label,
            "in_app": saved[kind].in_app if kind in saved else True,
            "email": saved[kind].email if kind in saved else True,
        }
        for kind, (label, _subject, _body) in KINDS.items()
    ]
    return render(request, "web/notification_settings.html", {"rows": rows})
