"""The catalogue through the API: the labs, a lab's week, closures, items and trainings,
an item (its photos, the trainings it needs and what the caller may do with it), editing
an item and its photos (the lab's staff; the exhibiting vendor's people), a vendor's
exhibits and a person's own training records. Reads start from the access layer exactly
as the pages do: an inactive lab or a withdrawn item is not found for anyone but its
ward's office and its vendor. The catalogue's reads (the labs, a lab, its items, an item,
a photo) are public like its pages: anyone calls them without a token or a session and
gets what a visitor's page shows; with one, what the caller's page shows."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from machikoba.core.access import CHANGE, VIEW, get_for_user_or_404
from machikoba.core.api_pages import Page, PageParams, page_of
from machikoba.core.ids import BodyId, PathId
from machikoba.lab.api.common import ANYONE, PUBLIC_AUTH, pick
from machikoba.lab.choices import ItemKind
from machikoba.lab.models import Item, ItemPhoto, Lab
from machikoba.lab.selectors import catalogue as selectors
from machikoba.lab.selectors.item_actions import item_actions
from machikoba.lab.selectors.trainings import my_training_records
from machikoba.lab.services import catalogue as services

router = Router(tags=["lab"])


# --- schemas ------------------------------------------------------------------------------


class LabOut(Schema):
    id: int
    name: str
    municipality_id: int
    municipality_name: str
    address: str
    phone: str
    description: str
    active: bool
    item_count: int = Field(0, description="public items")
    manages: bool = Field(description="the caller runs this lab (its ward's lab staff)")


class WeekdayOut(Schema):
    weekday: int = Field(description="0 = Monday")
    label: str
    opens: dt.time | None
    closes: dt.time | None


class ClosedSpanOut(Schema):
    first: dt.date
    last: dt.date
    reason: str


class TrainingRefOut(Schema):
    id: int
    name: str
    held: bool | None = Field(None, description="the caller holds a valid record of it")


class LabItemOut(Schema):
    id: int
    lab_id: int
    lab_name: str
    kind: ItemKind
    name: str
    maker: str
    model_number: str
    summary: str
    use_cases: str
    specs: str
    safety_notes: str
    exhibitor_id: int | None
    exhibitor_name: str | None
    capacity: int
    bookable: bool
    trial_days: int | None
    active: bool


class LabPageOut(LabOut):
    week: list[WeekdayOut]
    closures: list[ClosedSpanOut] = Field(description="closed days ahead (closures, holidays)")
    trainings: list[TrainingRefOut]


class PhotoIn(Schema):
    title: str = Field("", max_length=120)


class PhotoOut(Schema):
    id: int
    title: str
    url: str = Field(description="the API address of the image")


class ItemActionsOut(Schema):
    may_book: bool = Field(description="the caller may book it for their current company")
    may_edit: bool = Field(description="the lab's staff or the exhibiting vendor's people")
    manages: bool = Field(description="the lab's staff (every field, withdraw, restore)")
    may_consult: bool
    may_request_trial: bool


class ItemPageOut(LabItemOut):
    photos: list[PhotoOut]
    trainings: list[TrainingRefOut] = Field(description="trainings that unlock it")
    missing_training_ids: list[int] = Field(description="trainings the caller still needs")
    actions: ItemActionsOut


class ItemFilters(Schema):
    kind: ItemKind | None = Field(None, description="only items of this kind")


class ExhibitIn(Schema):
    """What the exhibiting vendor's people change (the lab's staff too)."""

    summary: str = Field(min_length=1, max_length=200)
    use_cases: str = Field("", max_length=4000)
    specs: str = Field("", max_length=4000)
    safety_notes: str = Field("", max_length=4000)


class LabItemIn(ExhibitIn):
    """Everything the lab's staff set of an item."""

    kind: ItemKind
    name: str = Field(min_length=1, max_length=120)
    maker: str = Field("", max_length=80)
    model_number: str = Field("", max_length=80)
    exhibitor_id: BodyId | None = Field(None, description="an IT vendor registered with the lab")
    capacity: int = Field(1, ge=1, le=50)
    bookable: bool = True
    trial_days: int | None = Field(None, ge=1, le=365, description="software only")


NULLABLE = ("exhibitor_id", "trial_days")


class ItemUpdateIn(Schema):
    """A change of an item; only the fields sent change (null: unchanged, except
    ``exhibitor_id`` and ``trial_days``, where null clears). The lab's staff may send any of
    them; the exhibiting vendor's people only the texts (anything else is refused, 403)."""

    summary: str | None = Field(None, min_length=1, max_length=200)
    use_cases: str | None = Field(None, max_length=4000)
    specs: str | None = Field(None, max_length=4000)
    safety_notes: str | None = Field(None, max_length=4000)
    kind: ItemKind | None = Field(None)
    name: str | None = Field(None, min_length=1, max_length=120)
    maker: str | None = Field(None, max_length=80)
    model_number: str | None = Field(None, max_length=80)
    exhibitor_id: BodyId | None = Field(None, description="null: the lab's own")
    capacity: int | None = Field(None, ge=1, le=50)
    bookable: bool | None = Field(None)
    trial_days: int | None = Field(None, ge=1, le=365)


class ExhibitRowOut(LabItemOut):
    may_edit: bool


class MyTrainingOut(Schema):
    id: int
    training_id: int
    training_name: str
    lab_name: str
    company_name: str | None
    passed_on: dt.date
    expires_on: dt.date
    valid: bool
    expires_soon: bool
    status_label: str
    revoked: bool
    revoke_reason: str


# --- helpers ------------------------------------------------------------------------------


def lab_out(lab: Lab, *, item_count: int = 0, manages: bool = False) -> dict:
    return {
        "id": lab.pk,
        "name": lab.name,
        "municipality_id": lab.municipality_id,
        "municipality_name": lab.municipality.name,
        "address": lab.address,
        "phone": lab.phone,
        "description": lab.description,
        "active": lab.active,
        "item_count": item_count,
        "manages": manages,
    }


def item_out(item: Item) -> dict:
    return {
        "id": item.pk,
        "lab_id": item.lab_id,
        "lab_name": item.lab.name,
        "kind": item.kind,
        "name": item.name,
        "maker": item.maker,
        "model_number": item.model_number,
        "summary": item.summary,
        "use_cases": item.use_cases,
        "specs": item.specs,
        "safety_notes": item.safety_notes,
        "exhibitor_id": item.exhibitor_id,
        "exhibitor_name": item.exhibitor.name if item.exhibitor else None,
        "capacity": item.capacity,
        "bookable": item.bookable,
        "trial_days": item.trial_days,
        "active": item.active,
    }


def _photo_out(photo: ItemPhoto) -> PhotoOut:
    return PhotoOut(
        id=photo.pk, title=photo.title, url=reverse("api:lab_item_photo", args=[photo.pk])
    )


def _item(request, pk: int, action: str = VIEW) -> Item:
    return get_for_user_or_404(selectors.item_source(), request.user, action, pk=pk)


def _item_page(request, item: Item) -> ItemPageOut:
    page = selectors.item_page(request.user, item)
    company = getattr(request, "active_company", None) or None
    actions = item_actions(request.user, item, company)
    return ItemPageOut(
        **item_out(item),
        photos=[_photo_out(p) for p in page.photos],
        trainings=[
            TrainingRefOut(id=n.training.pk, name=n.training.name, held=n.held)
            for n in page.trainings
        ],
        missing_training_ids=[t.pk for t in page.missing],
        actions=ItemActionsOut(
            may_book=actions.may_book,
            may_edit=page.may_edit,
            manages=page.manages,
            may_consult=actions.vendor.may_consult,
            may_request_trial=actions.vendor.may_request_trial,
        ),
    )


# --- the catalogue ------------------------------------------------------------------------


@router.get(
    "/labs",
    response=Page[LabOut],
    auth=PUBLIC_AUTH,
    openapi_extra=ANYONE,
    summary="The labs (active ones; the office's own): anyone",
)
def lab_labs(request, params: Query[PageParams]):
    rows = selectors.lab_list(request.user)
    return page_of(
        rows, params, lambda r: lab_out(r.lab, item_count=r.item_count, manages=r.manages)
    )


@router.get(
    "/labs/{lab_id}",
    response=LabPageOut,
    auth=PUBLIC_AUTH,
    openapi_extra=ANYONE,
    summary="A lab: its week, closures, trainings (anyone)",
)
def lab_lab(request, lab_id: PathId):
    lab = get_for_user_or_404(
        Lab.objects.select_related("municipality"), request.user, VIEW, pk=lab_id
    )
    page = selectors.lab_page(request.user, lab)
    return LabPageOut(
        **lab_out(lab, item_count=len(page.items), manages=page.manages),
        week=[
            WeekdayOut(weekday=w.weekday, label=w.label, opens=w.opens, closes=w.closes)
            for w in page.week
        ],
        closures=[
            ClosedSpanOut(first=c.first, last=c.last, reason=str(c.reason)) for c in page.closures
        ],
        trainings=[TrainingRefOut(id=t.pk, name=t.name, held=None) for t in page.trainings],
    )


@router.get(
    "/labs/{lab_id}/items",
    response=Page[LabItemOut],
    auth=PUBLIC_AUTH,
    openapi_extra=ANYONE,
    summary="A lab's catalogue (anyone)",
)
def lab_items(request, lab_id: PathId, params: Query[PageParams], filters: Query[ItemFilters]):
    lab = get_for_user_or_404(
        Lab.objects.select_related("municipality"), request.user, VIEW, pk=lab_id
    )
    page = selectors.lab_page(request.user, lab, kind=filters.kind or "")
    return page_of(page.items, params, item_out)


# (the staff's: on the same path as the catalogue, so in the same router)
@router.post("/labs/{lab_id}/items", response={201: LabItemOut}, summary="Add an item")
def lab_item_create(request, lab_id: PathId, payload: LabItemIn):
    lab = get_for_user_or_404(
        Lab.objects.select_related("municipality"), request.user, CHANGE, pk=lab_id
    )
    data = payload.model_dump()
    data["exhibitor"] = pick(selectors.exhibitor_choices(lab), data.pop("exhibitor_id"))
    item = services.item_create(actor=request.user, lab=lab, **data)
    return Status(201, item_out(item))


@router.get(
    "/items/{item_id}",
    response=ItemPageOut,
    auth=PUBLIC_AUTH,
    openapi_extra=ANYONE,
    summary="An item of the catalogue (anyone; a withdrawn one: its lab's office, its vendor)",
)
def lab_item(request, item_id: PathId):
    return _item_page(request, _item(request, item_id))


@router.get(
    "/photos/{photo_id}",
    auth=PUBLIC_AUTH,
    summary="An item's photo (JPEG), through the access layer (anyone, for a public item)",
    openapi_extra={
        **ANYONE,
        "responses": {
            200: {
                "description": "the photo",
                "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
            }
        },
    },
)
def lab_item_photo(request, photo_id: PathId):
    photo = get_for_user_or_404(ItemPhoto, request.user, VIEW, pk=photo_id)
    with photo.file.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- editing an item ----------------------------------------------------------------------


@router.patch("/items/{item_id}", response=ItemPageOut, summary="Change an item")
def lab_item_update(request, item_id: PathId, payload: ItemUpdateIn):
    item = _item(request, item_id, CHANGE)
    changes = {
        name: value
        for name, value in payload.model_dump(exclude_unset=True).items()
        if value is not None or name in NULLABLE
    }
    if "exhibitor_id" in changes:
        exhibitor_id = changes.pop("exhibitor_id")
        manages = selectors.manages_item(request.user, item)
        # A vendor sending it is refused by the service, whatever the id.
        changes["exhibitor"] = (
            pick(selectors.exhibitor_choices(item.lab), exhibitor_id) if manages else None
        )
    item = services.item_update(actor=request.user, item=item, **changes)
    return _item_page(request, _item(request, item.pk))


@router.post("/items/{item_id}/photos", response={201: PhotoOut}, summary="Add a photo to an item")
def lab_item_photo_add(
    request,
    item_id: PathId,
    image: File[UploadedFile],
    payload: Form[PhotoIn],
):
    item = _item(request, item_id, CHANGE)
    photo = services.item_photo_add(
        actor=request.user, item=item, upload=image, title=payload.title
    )
    return Status(201, _photo_out(photo))


@router.delete("/photos/{photo_id}", response={204: None}, summary="Remove an item's photo")
def lab_item_photo_delete(request, photo_id: PathId):
    photo = get_for_user_or_404(
        ItemPhoto.objects.select_related("item__lab", "item__exhibitor"),
        request.user,
        CHANGE,
        pk=photo_id,
    )
    services.item_photo_remove(actor=request.user, photo=photo)
    return Status(204, None)


# --- a vendor's exhibits, a person's trainings --------------------------------------------


@router.get(
    "/vendor/exhibits",
    response=Page[ExhibitRowOut],
    summary="The exhibits of the IT vendors the caller works for",
)
def lab_vendor_exhibits(request, params: Query[PageParams]):
    if not selectors.is_vendor_person(request.user):
        raise PermissionDenied
    rows = selectors.vendor_exhibits(request.user)
    return page_of(rows, params, lambda r: {**item_out(r.item), "may_edit": r.may_edit})


@router.get(
    "/trainings/mine", response=Page[MyTrainingOut], summary="The caller's training records"
)
def lab_my_trainings(request, params: Query[PageParams]):
    def out(row) -> dict:
        record = row.record
        return {
            "id": record.pk,
            "training_id": record.training_id,
            "training_name": record.training.name,
            "lab_name": record.training.lab.name,
            "company_name": record.company.name if record.company else None,
            "passed_on": record.passed_on,
            "expires_on": record.expires_on,
            "valid": row.valid,
            "expires_soon": row.expires_soon,
            "status_label": str(row.status_label),
            "revoked": record.revoked_at is not None,
            "revoke_reason": record.revoke_reason,
        }

    return page_of(my_training_records(request.user), params, out)
