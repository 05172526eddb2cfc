"""The lab's public catalogue (the list of labs, a lab's page, an item's page and its
photos: anyone may read them), editing an item (the lab's staff: everything; the
exhibiting vendor's people: its texts and photos), a vendor's list of its exhibits and a
person's own training records."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.accounts.models import User
from machikoba.companies.photos import too_large_message
from machikoba.core.access import CHANGE, VIEW, get_for_user_or_404
from machikoba.core.uploads import limit_upload_size, refuse_oversized
from machikoba.core.views import run_and_flash, safe_next, save_form
from machikoba.lab.forms_catalogue import ExhibitForm, ItemForm, PhotoForm
from machikoba.lab.models import Item, ItemPhoto, Lab
from machikoba.lab.selectors import catalogue as selectors
from machikoba.lab.selectors.item_actions import item_actions
from machikoba.lab.selectors.trainings import my_training_records
from machikoba.lab.services import catalogue as services


class SignedInRequest(HttpRequest):
    user: User


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


# --- the public catalogue ---------------------------------------------------------------


@require_GET
def lab_list(request: HttpRequest) -> HttpResponse:
    return render(request, "lab/catalogue/labs.html", {"rows": selectors.lab_list(request.user)})


@require_GET
def lab_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lab = get_for_user_or_404(Lab.objects.select_related("municipality"), request.user, VIEW, pk=pk)
    page = selectors.lab_page(request.user, lab, kind=request.GET.get("kind", ""))
    return render(request, "lab/catalogue/lab.html", {"page": page, "lab": lab})


@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_for_user_or_404(selectors.item_source(), request.user, VIEW, pk=pk)
    page = selectors.item_page(request.user, item)
    company = getattr(request, "active_company", None) or None
    actions = item_actions(request.user, item, company)  # type: ignore[arg-type]
    return render(
        request,
        "lab/catalogue/item.html",
        {"page": page, "item": item, "actions": actions, "vendor_panel": actions.vendor},
    )


@require_GET
def item_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A photo, read through the access layer (media is never a public folder): anyone
    for a public item, the lab's staff and the vendor for a withdrawn one."""
    photo = get_for_user_or_404(ItemPhoto, request.user, VIEW, pk=pk)
    with photo.file.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- editing an item ---------------------------------------------------------------------


def _item_url(item: Item) -> str:
    return reverse("lab:item_detail", args=[item.pk])


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """The lab's staff change everything of the item; the exhibiting vendor's people its
    summary, specs, use cases and safety notes only (another vendor: not found)."""
    item = get_for_user_or_404(selectors.item_source(), request.user, CHANGE, pk=pk)
    manages = selectors.manages_item(request.user, item)
    form: ItemForm | ExhibitForm
    if manages:
        initial = {name: getattr(item, name) for name in services.ITEM_FIELDS}
        form = ItemForm(
            _posted(request), initial=initial, exhibitors=selectors.exhibitor_choices(item.lab)
        )
    else:
        initial = {name: getattr(item, name) for name in services.EXHIBIT_FIELDS}
        form = ExhibitForm(_posted(request), initial=initial)
    done = save_form(
        request,
        form,
        lambda data: services.item_update(actor=request.user, item=item, **data),
        success_message=_("機器の説明を保存しました。"),
        next_url=_item_url(item),
    )
    return done or render(
        request,
        "lab/catalogue/item_form.html",
        {"form": form, "item": item, "lab": item.lab, "manages": manages},
    )


@login_required
@limit_upload_size(services.photo_max_bytes)
@require_http_methods(["GET", "POST"])
def item_photos(request: SignedInRequest, pk: int) -> HttpResponse:
    """The item's photos: add one, remove one (the lab's staff, the exhibiting vendor)."""
    item = get_for_user_or_404(selectors.item_source(), request.user, CHANGE, pk=pk)
    posted = request.method == "POST"  # bound even when the upload was stopped early
    form = PhotoForm(request.POST if posted else None, request.FILES if posted else None)
    refuse_oversized(request, form, too_large_message)
    done = save_form(
        request,
        form,
        lambda data: services.item_photo_add(
            actor=request.user, item=item, upload=data["image"], title=data["title"]
        ),
        success_message=_("写真を追加しました。"),
        next_url=reverse("lab:item_photos", args=[item.pk]),
    )
    if done:
        return done
    photos = list(ItemPhoto.objects.for_user(request.user, CHANGE).filter(item=item))
    return render(
        request,
        "lab/catalogue/item_photos.html",
        {"form": form, "item": item, "photos": photos, "max_photos": services.MAX_PHOTOS_PER_ITEM},
    )


@login_required
@require_POST
def photo_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    photo = get_for_user_or_404(
        ItemPhoto.objects.select_related("item__lab", "item__exhibitor"),
        request.user,
        CHANGE,
        pk=pk,
    )
    item_pk = photo.item_id
    run_and_flash(
        request,
        lambda: services.item_photo_remove(actor=request.user, photo=photo),
        _("写真を削除しました。"),
    )
    return redirect(safe_next(request, reverse("lab:item_photos", args=[item_pk])))


# --- a vendor's exhibits and a person's trainings -----------------------------------------


@login_required
@require_GET
def vendor_exhibits(request: SignedInRequest) -> HttpResponse:
    """The exhibits of the IT vendors the person works for; people of no vendor: 403."""
    if not selectors.is_vendor_person(request.user):
        raise PermissionDenied
    return render(
        request,
        "lab/catalogue/vendor_exhibits.html",
        {"rows": selectors.vendor_exhibits(request.user)},
    )


@login_required
@require_GET
def my_trainings(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "lab/catalogue/my_trainings.html",
        {"rows": my_training_records(request.user)},
    )
