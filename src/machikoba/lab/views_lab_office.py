"""The lab staff's pages: the lab's settings (booking rules, weekly hours, closures), its
items (add, withdraw, restore), its IT vendors (register, invite the first person) and its
trainings (define, see the records, record a pass by hand, revoke one).

A lab is fetched with ``CHANGE``: its staff get the page, anyone who may only read the lab
(a shop, an officer) is refused (403), another ward's staff and unknown ids get "not
found", visitors the sign-in page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.accounts.models import User
from machikoba.core.access import CHANGE, MANAGE, get_for_user_or_404
from machikoba.core.views import run_and_flash, safe_next, save_form
from machikoba.lab.forms_catalogue import (
    ClosureForm,
    ItemForm,
    LabSettingsForm,
    OpeningHoursForm,
    RevokeForm,
    TrainingForm,
    TrainingRecordForm,
    VendorForm,
    VendorInviteForm,
)
from machikoba.lab.models import Closure, Item, Lab, Training, TrainingRecord
from machikoba.lab.selectors import catalogue as selectors
from machikoba.lab.selectors import trainings as training_selectors
from machikoba.lab.services import catalogue as catalogue_services
from machikoba.lab.services import labs as lab_services
from machikoba.lab.services import trainings as training_services
from machikoba.lab.services import vendors as vendor_services


class StaffRequest(HttpRequest):
    user: User


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _lab(request: StaffRequest, pk: int) -> Lab:
    return get_for_user_or_404(
        Lab.objects.select_related("municipality"), request.user, CHANGE, pk=pk
    )


def _settings_url(lab: Lab | int) -> str:
    return reverse("lab:settings", args=[lab if isinstance(lab, int) else lab.pk])


# --- the settings' hub, the rules, the week, closures ------------------------------------


@login_required
@require_GET
def lab_settings(request: StaffRequest, pk: int) -> HttpResponse:
    lab = _lab(request, pk)
    page = selectors.settings_page(request.user, lab)
    return render(request, "lab/catalogue/office/settings.html", {"page": page, "lab": lab})


@login_required
@require_http_methods(["GET", "POST"])
def lab_rules(request: StaffRequest, pk: int) -> HttpResponse:
    lab = _lab(request, pk)
    initial = {name: getattr(lab, name) for name in lab_services.LAB_FIELDS}
    form = LabSettingsForm(_posted(request), initial=initial)
    done = save_form(
        request,
        form,
        lambda data: lab_services.lab_settings_update(actor=request.user, lab=lab, **data),
        success_message=_("ラボの設定を保存しました。"),
        next_url=_settings_url(lab),
    )
    return done or render(request, "lab/catalogue/office/rules.html", {"form": form, "lab": lab})


@login_required
@require_http_methods(["GET", "POST"])
def lab_hours(request: StaffRequest, pk: int) -> HttpResponse:
    lab = _lab(request, pk)
    initial: dict[str, Any] = {}
    for row in selectors.week_of(lab):
        initial[f"open_{row.weekday}"] = row.is_open
        initial[f"opens_{row.weekday}"] = row.opens
        initial[f"closes_{row.weekday}"] = row.closes
    form = OpeningHoursForm(_posted(request), initial=initial)
    done = save_form(
        request,
        form,
        lambda data: lab_services.opening_hours_set(actor=request.user, lab=lab, days=form.days()),
        success_message=_("開館時間を保存しました。"),
        next_url=_settings_url(lab),
    )
    return done or render(request, "lab/catalogue/office/hours.html", {"form": form, "lab": lab})


@login_required
@require_http_methods(["GET", "POST"])
def lab_closures(request: StaffRequest, pk: int) -> HttpResponse:
    lab = _lab(request, pk)
    form = ClosureForm(_posted(request))
    done = save_form(
        request,
        form,
        lambda data: lab_services.closure_add(actor=request.user, lab=lab, **data),
        success_message=_("臨時休館を追加しました。"),
        next_url=reverse("lab:closures", args=[lab.pk]),
    )
    if done:
        return done
    return render(
        request,
        "lab/catalogue/office/closures.html",
        {
            "form": form,
            "lab": lab,
            "closures": selectors.future_closures(request.user, lab),
            "upcoming": selectors.upcoming_closures(lab),
        },
    )


@login_required
@require_POST
def closure_delete(request: StaffRequest, pk: int) -> HttpResponse:
    closure = get_for_user_or_404(
        Closure.objects.select_related("lab"), request.user, MANAGE, pk=pk
    )
    lab_pk = closure.lab_id
    run_and_flash(
        request,
        lambda: lab_services.closure_remove(actor=request.user, closure=closure),
        _("臨時休館を削除しました。"),
    )
    return redirect(reverse("lab:closures", args=[lab_pk]))


# --- items -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request: StaffRequest, pk: int) -> HttpResponse:
    lab = _lab(request, pk)
    form = ItemForm(
        _posted(request),
        initial={"capacity": 1, "bookable": True},
        exhibitors=selectors.exhibitor_choices(lab),
    )
    done = save_form(
        request,
        form,
        lambda data: catalogue_services.item_create(actor=request.user, lab=lab, **data),
        success_message=_("機器を登録しました。写真を追加してください。"),
        next_url=lambda item: reverse("lab:item_photos", args=[item.pk]),
    )
    return done or render(
        request,
        "lab/catalogue/item_form.html",
        {"form": form, "lab": lab, "item": None, "manages": True},
    )


def _item_to_manage(request: StaffRequest, pk: int) -> Item:
    return get_for_user_or_404(Item.objects.select_related("lab"), request.user, MANAGE, pk=pk)


@login_required
@require_POST
def item_deactivate(request: StaffRequest, pk: int) -> HttpResponse:
    item = _item_to_manage(request, pk)
    run_and_flash(
        request,
        lambda: catalogue_services.item_deactivate(actor=request.user, item=item),
        _("「%(item)s」を非公開にしました。") % {"item": item.name},
    )
    return redirect(safe_next(request, _settings_url(item.lab_id)))


@login_required
@require_POST
def item_activate(request: StaffRequest, pk: int) -> HttpResponse:
    item = _item_to_manage(request, pk)
    run_and_flash(
        request,
        lambda: catalogue_services.item_activate(actor=request.user, item=item),
        _("「%(item)s」を公開しました。") % {"item": item.name},
    )
    return redirect(safe_next(request, _settings_url(item.lab_id)))


# --- vendors -----------------------------------------------------------------------------


@login_required
@require_GET
def lab_vendors(request: StaffRequest, pk: int) -> HttpResponse:
    lab = _lab(request, pk)
    return render(
        request,
        "lab/catalogue/office/vendors.html",
        {
            "lab": lab,
            "rows": selectors.lab_vendors(request.user, lab),
            "invite_form": VendorInviteForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def vendor_register(request: StaffRequest, pk: int) -> HttpResponse:
    lab = _lab(request, pk)
    form = VendorForm(_posted(request))
    done = save_form(
        request,
        form,
        lambda data: vendor_services.vendor_register(actor=request.user, lab=lab, **data),
        success_message=_("ITベンダーを登録し、担当者に招待のメールを送りました。"),
        next_url=reverse("lab:vendors", args=[lab.pk]),
    )
    return done or render(
        request, "lab/catalogue/office/vendor_form.html", {"form": form, "lab": lab}
    )


@login_required
@require_POST
def vendor_invite(request: StaffRequest, pk: int, vendor_pk: int) -> HttpResponse:
    lab = _lab(request, pk)
    vendor = selectors.lab_vendor_company(request.user, lab, vendor_pk)
    if vendor is None:
        raise Http404
    form = VendorInviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("招待する人のメールアドレスを正しく入力してください。"))
    else:
        run_and_flash(
            request,
            lambda: vendor_services.vendor_invite(
                actor=request.user, lab=lab, vendor=vendor, email=form.cleaned_data["email"]
            ),
            _("%(email)s に招待のメールを送りました。") % {"email": form.cleaned_data["email"]},
        )
    return redirect(reverse("lab:vendors", args=[lab.pk]))


# --- trainings ---------------------------------------------------------------------------


@login_required
@require_GET
def lab_trainings(request: StaffRequest, pk: int) -> HttpResponse:
    lab = _lab(request, pk)
    return render(
        request,
        "lab/catalogue/office/trainings.html",
        {"lab": lab, "trainings": training_selectors.lab_trainings(request.user, lab)},
    )


def _lab_items(lab: Lab) -> Any:
    return Item.objects.filter(lab=lab).order_by("-active", "kind", "name", "id")


@login_required
@require_http_methods(["GET", "POST"])
def training_create(request: StaffRequest, pk: int) -> HttpResponse:
    lab = _lab(request, pk)
    form = TrainingForm(
        _posted(request), items=_lab_items(lab), initial={"validity_days": 365, "active": True}
    )
    done = save_form(
        request,
        form,
        lambda data: training_services.training_create(actor=request.user, lab=lab, **data),
        success_message=_("講習を登録しました。"),
        next_url=reverse("lab:trainings", args=[lab.pk]),
    )
    return done or render(
        request,
        "lab/catalogue/office/training_form.html",
        {"form": form, "lab": lab, "training": None},
    )


def _training(request: StaffRequest, pk: int) -> Training:
    return get_for_user_or_404(Training.objects.select_related("lab"), request.user, CHANGE, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def training_edit(request: StaffRequest, pk: int) -> HttpResponse:
    training = _training(request, pk)
    initial = {
        "name": training.name,
        "description": training.description,
        "unlocks": list(training.unlocks.all()),
        "validity_days": training.validity_days,
        "active": training.active,
    }
    form = TrainingForm(_posted(request), items=_lab_items(training.lab), initial=initial)
    done = save_form(
        request,
        form,
        lambda data: training_services.training_update(
            actor=request.user, training=training, **data
        ),
        success_message=_("講習を変更しました。"),
        next_url=reverse("lab:trainings", args=[training.lab_id]),
    )
    return done or render(
        request,
        "lab/catalogue/office/training_form.html",
        {"form": form, "lab": training.lab, "training": training},
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_records(request: StaffRequest, pk: int) -> HttpResponse:
    """The training's records, and a pass recorded by hand (by the person's e-mail; their
    company is asked only when they have several)."""
    training = _training(request, pk)
    companies = (
        training_selectors.person_companies(
            request.user, training.lab, request.POST.get("email", "")
        )
        if request.method == "POST"
        else []
    )
    form = TrainingRecordForm(_posted(request), companies=companies if len(companies) > 1 else None)
    done = save_form(
        request,
        form,
        lambda data: training_services.training_record_add(
            actor=request.user, training=training, **data
        ),
        success_message=_("修了を記録しました。"),
        next_url=reverse("lab:training_records", args=[training.pk]),
    )
    return done or render(
        request,
        "lab/catalogue/office/training_records.html",
        {
            "form": form,
            "lab": training.lab,
            "training": training,
            "records": training_selectors.training_records(request.user, training),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_revoke(request: StaffRequest, pk: int) -> HttpResponse:
    record = get_for_user_or_404(
        TrainingRecord.objects.select_related("training__lab", "user", "company"),
        request.user,
        CHANGE,
        pk=pk,
    )
    form = RevokeForm(_posted(request))
    done = save_form(
        request,
        form,
        lambda data: training_services.training_record_revoke(
            actor=request.user, record=record, **data
        ),
        success_message=_("修了記録を取り消しました。"),
        next_url=reverse("lab:training_records", args=[record.training_id]),
    )
    return done or render(
        request,
        "lab/catalogue/office/revoke.html",
        {"form": form, "record": record, "lab": record.training.lab, "training": record.training},
    )
