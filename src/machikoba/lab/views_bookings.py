"""Pages of the lab's bookings: booking an item (the day's free slots, the form, the
refusal with what to do, 「空き待ちに登録」), マイ予約 (bookings, waitlist entries and offers),
one booking (its change and cancel), and the staff's day of bookings with the no-show and
completed buttons. Views call selectors and services only.

Who reaches what: a company's people book for the company they work for now (a vendor, a
bank, an officer: 403); a booking is found by its company's people, the vendor whose
exhibit it is and the lab's staff (anyone else: 404), and changed by the person who
booked, the company's owner and staff and the lab's staff (the others who see it: 403).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.accounts.models import User
from machikoba.core.access import CHANGE, MANAGE, VIEW
from machikoba.core.errors import ApplicationError
from machikoba.core.views import active_company_or_403, run_and_flash, safe_next
from machikoba.lab.error_codes_bookings import BookingErrorCode
from machikoba.lab.forms_bookings import BookingForm
from machikoba.lab.models import Item
from machikoba.lab.models_bookings import Booking
from machikoba.lab.selectors import bookings as selectors
from machikoba.lab.services import bookings as services
from machikoba.lab.services import waitlist as waitlist_services


class SignedInRequest(HttpRequest):
    user: User


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        return None


def _time_text(text: str | None) -> str:
    try:
        return dt.time.fromisoformat(text or "").strftime("%H:%M")
    except ValueError:
        return ""


def _my_bookings() -> str:
    return reverse("lab:my_bookings")


def _book_url(item: Item, day: dt.date | None) -> str:
    url = reverse("lab:item_book", args=[item.pk])
    return f"{url}?day={day.isoformat()}" if day else url


def _booking_company(request: SignedInRequest) -> Any:
    """The company the person books for: the one they work for now; refused (403) for
    people without one, and for vendors and banks."""
    company = active_company_or_403(request)
    if not selectors.may_book_for(request.user, company):
        raise PermissionDenied
    return company


def _initial(page: selectors.BookingPage, start_text: str) -> dict[str, Any]:
    """The form's first values: the slot tapped (``?start=``), else the first free one."""
    starts = [value for value, _label in page.start_choices]
    free = [slot.label for slot in page.slots if slot.state == selectors.FREE]
    start = start_text if start_text in starts else (free[0] if free else "")
    end = ""
    if start:
        ends = [value for value, _label in page.end_choices]
        later = [value for value in ends if value > start]
        end = later[0] if later else ""
    return {"day": page.day.isoformat() if page.day else "", "start": start, "end": end}


def _render_book(
    request: SignedInRequest,
    page: selectors.BookingPage,
    form: BookingForm,
    refusal: ApplicationError | None,
    *,
    booking: Booking | None = None,
) -> HttpResponse:
    full = refusal is not None and refusal.code == BookingErrorCode.CAPACITY_FULL
    return render(
        request,
        "lab/bookings/book.html",
        {
            "page": page,
            "form": form,
            "refusal": refusal,
            "offer_waitlist": full and booking is None,
            "booking": booking,
        },
        status=200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_book(request: SignedInRequest, item_id: int) -> HttpResponse:
    item = selectors.bookable_item(request.user, item_id)
    company = _booking_company(request)
    source = request.POST if request.method == "POST" else request.GET
    page = selectors.booking_page(request.user, item, company, _date(source.get("day")))
    refusal: ApplicationError | None = None
    if request.method == "POST":
        form = BookingForm(request.POST, page=page)
        if form.is_valid():
            try:
                services.booking_create(
                    actor=request.user, item=item, company=company, **form.times()
                )
            except ApplicationError as error:
                refusal = error
            else:
                messages.success(
                    request, _("予約しました。変更・キャンセルはこのページからできます。")
                )
                return redirect(_my_bookings())
    else:
        form = BookingForm(page=page, initial=_initial(page, _time_text(request.GET.get("start"))))
    return _render_book(request, page, form, refusal)


@login_required
@require_POST
def waitlist_join(request: SignedInRequest, item_id: int) -> HttpResponse:
    item = selectors.bookable_item(request.user, item_id)
    company = _booking_company(request)
    day = _date(request.POST.get("day"))
    form = BookingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("日時を選び直してください。"))
        return redirect(_book_url(item, day))
    done = run_and_flash(
        request,
        lambda: waitlist_services.waitlist_join(
            actor=request.user, item=item, company=company, **form.times()
        ),
        _("空き待ちに登録しました。空きが出たらお知らせします。"),
    )
    return redirect(_my_bookings() if done else _book_url(item, day))


@login_required
@require_GET
def my_bookings(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "lab/bookings/my_bookings.html",
        {"page": selectors.my_bookings_page(request.user)},
    )


@login_required
@require_GET
def booking_detail(request: SignedInRequest, booking_id: int) -> HttpResponse:
    booking = selectors.booking_for(request.user, booking_id, VIEW)
    return render(
        request,
        "lab/bookings/detail.html",
        {"detail": selectors.booking_detail(request.user, booking), "booking": booking},
    )


@login_required
@require_http_methods(["GET", "POST"])
def booking_change(request: SignedInRequest, booking_id: int) -> HttpResponse:
    booking = selectors.booking_for(request.user, booking_id, CHANGE)
    source = request.POST if request.method == "POST" else request.GET
    day = _date(source.get("day")) or timezone.localtime(booking.starts_at).date()
    page = selectors.booking_page(
        request.user,
        booking.item,
        booking.company,
        day,
        exclude_booking=booking.pk,
        person=booking.user,
    )
    refusal: ApplicationError | None = None
    if request.method == "POST":
        form = BookingForm(request.POST, page=page)
        if form.is_valid():
            try:
                services.booking_modify(actor=request.user, booking=booking, **form.times())
            except ApplicationError as error:
                refusal = error
            else:
                messages.success(request, _("予約の時間を変更しました。"))
                return redirect(reverse("lab:booking_detail", args=[booking.pk]))
    else:
        initial = _initial(page, _time_text(request.GET.get("start")))
        if "start" not in request.GET and page.day == timezone.localtime(booking.starts_at).date():
            initial.update(
                start=selectors.local_label(booking.starts_at),
                end=selectors.local_label(booking.ends_at),
            )
        initial["purpose"] = booking.purpose
        form = BookingForm(page=page, initial=initial)
    return _render_book(request, page, form, refusal, booking=booking)


@login_required
@require_POST
def booking_cancel(request: SignedInRequest, booking_id: int) -> HttpResponse:
    booking = selectors.booking_for(request.user, booking_id, CHANGE)
    run_and_flash(
        request,
        lambda: services.booking_cancel(actor=request.user, booking=booking),
        _("予約をキャンセルしました。"),
    )
    return redirect(safe_next(request, _my_bookings()))


@login_required
@require_POST
def waitlist_accept(request: SignedInRequest, entry_id: int) -> HttpResponse:
    entry = selectors.waitlist_entry_for(request.user, entry_id, CHANGE)
    run_and_flash(
        request,
        lambda: waitlist_services.waitlist_accept(actor=request.user, entry=entry),
        _("空きの出た時間を予約しました。"),
    )
    return redirect(_my_bookings())


@login_required
@require_POST
def waitlist_cancel(request: SignedInRequest, entry_id: int) -> HttpResponse:
    entry = selectors.waitlist_entry_for(request.user, entry_id, CHANGE)
    run_and_flash(
        request,
        lambda: waitlist_services.waitlist_cancel(actor=request.user, entry=entry),
        _("空き待ちを取り消しました。"),
    )
    return redirect(_my_bookings())


# --- the lab's staff -----------------------------------------------------------------------


def _staff_day_url(booking: Booking) -> str:
    day = timezone.localtime(booking.starts_at).date().isoformat()
    return reverse("lab:staff_bookings", args=[booking.lab_id]) + f"?day={day}"


@login_required
@require_GET
def staff_bookings(request: SignedInRequest, lab_id: int) -> HttpResponse:
    lab = selectors.staff_lab(request.user, lab_id)
    day = _date(request.GET.get("day")) or timezone.localdate()
    return render(
        request,
        "lab/bookings/staff_day.html",
        {"day": selectors.staff_day(request.user, lab, day)},
    )


@login_required
@require_POST
def booking_no_show(request: SignedInRequest, booking_id: int) -> HttpResponse:
    booking = selectors.booking_for(request.user, booking_id, MANAGE)
    run_and_flash(
        request,
        lambda: services.booking_mark_no_show(actor=request.user, booking=booking),
        _("無断キャンセルとして記録しました。"),
    )
    return redirect(safe_next(request, _staff_day_url(booking)))


@login_required
@require_POST
def booking_complete(request: SignedInRequest, booking_id: int) -> HttpResponse:
    booking = selectors.booking_for(request.user, booking_id, MANAGE)
    run_and_flash(
        request,
        lambda: services.booking_complete(actor=request.user, booking=booking),
        _("利用済みとして記録しました。"),
    )
    return redirect(safe_next(request, _staff_day_url(booking)))
