"""The lab staff's settings through the API: the booking rules, the weekly hours,
closures, items (add, withdraw, restore), IT vendors (register, invite) and trainings
(define, records, a pass by hand, revoke). A lab is read with ``CHANGE``: its ward's lab
staff reach it; anyone who may only read the lab is refused (403); another ward's staff
and unknown ids get 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from machikoba.core.access import CHANGE, MANAGE, VIEW, get_for_user_or_404
from machikoba.core.api_fields import WallClockTime
from machikoba.core.api_pages import Page, PageParams, page_of
from machikoba.core.ids import BodyId, PathId
from machikoba.lab.api.catalogue import LabItemOut, WeekdayOut, item_out
from machikoba.lab.api.common import CompanyRef, Done, Email, company_ref, person_name, pick
from machikoba.lab.models import Closure, Item, Lab, Training, TrainingRecord
from machikoba.lab.selectors import catalogue as selectors
from machikoba.lab.selectors import trainings as training_selectors
from machikoba.lab.services import catalogue as catalogue_services
from machikoba.lab.services import labs as lab_services
from machikoba.lab.services import trainings as training_services
from machikoba.lab.services import vendors as vendor_services
from machikoba.lab.services.labs import LAB_RULE_BOUNDS

router = Router(tags=["lab"])

_B = LAB_RULE_BOUNDS


# --- schemas ------------------------------------------------------------------------------


class LabRulesIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    address: str = Field("", max_length=200)
    phone: str = Field("", max_length=20)
    description: str = Field("", max_length=4000)
    slot_minutes: int = Field(ge=_B["slot_minutes"][0], le=_B["slot_minutes"][1])
    cutoff_hours: int = Field(ge=_B["cutoff_hours"][0], le=_B["cutoff_hours"][1])
    book_days_ahead: int = Field(ge=_B["book_days_ahead"][0], le=_B["book_days_ahead"][1])
    max_hours_per_company_month: int = Field(
        ge=_B["max_hours_per_company_month"][0], le=_B["max_hours_per_company_month"][1]
    )
    no_show_grace_minutes: int = Field(
        ge=_B["no_show_grace_minutes"][0], le=_B["no_show_grace_minutes"][1]
    )
    no_show_limit: int = Field(ge=_B["no_show_limit"][0], le=_B["no_show_limit"][1])
    offer_hours: int = Field(ge=_B["offer_hours"][0], le=_B["offer_hours"][1])
    entry_code_seconds: int = Field(ge=_B["entry_code_seconds"][0], le=_B["entry_code_seconds"][1])
    closed_on_holidays: bool = True
    closed_year_end: bool = True


class LabSettingsOut(LabRulesIn):
    id: int
    municipality_id: int
    active: bool


class ClosureIn(Schema):
    starts_on: dt.date
    ends_on: dt.date
    reason: str = Field(min_length=1, max_length=120)


class ClosureOut(ClosureIn):
    id: int
    lab_id: int


class DayHoursIn(Schema):
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    opens: WallClockTime
    closes: WallClockTime


class WeekIn(Schema):
    days: list[DayHoursIn] = Field(
        max_length=7, description="the open weekdays; a weekday not listed is closed"
    )


class LabOfficeStaffItemOut(LabItemOut):
    photo_count: int


class SettingsOut(Schema):
    lab: LabSettingsOut
    week: list[WeekdayOut]
    closures: list[ClosureOut] = Field(description="the lab's closures from today on")
    items: list[LabOfficeStaffItemOut] = Field(description="every item, withdrawn ones too")
    trainings_count: int
    vendors_count: int


class VendorIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    email: Email = Field(description="the contact who is invited")
    contact_name: str = Field("", max_length=80)
    corporate_number: str = Field("", max_length=20)
    postal_code: str = Field("", max_length=10)


class LabInviteIn(Schema):
    email: Email


class VendorOut(Schema):
    company: CompanyRef
    partner_id: int
    has_owner: bool
    open_invitation_until: dt.datetime | None
    exhibits: int


class TrainingIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=4000)
    unlock_item_ids: list[BodyId] = Field(
        default_factory=list, max_length=500, description="items of the lab it unlocks"
    )
    validity_days: int = Field(365, ge=1, le=3650)
    active: bool = True


class TrainingOut(Schema):
    id: int
    lab_id: int
    name: str
    description: str
    unlock_item_ids: list[int]
    validity_days: int
    active: bool
    valid_count: int | None = Field(None, description="records valid today")


class RecordIn(Schema):
    email: Email = Field(description="the person's account")
    company_id: BodyId | None = Field(
        None, description="asked only when the person works for several companies"
    )
    passed_on: dt.date | None = Field(None, description="today when not given")


class RecordOut(Schema):
    id: int
    training_id: int
    user_id: int
    person: str
    company: CompanyRef | None
    event_id: int | None
    passed_on: dt.date
    expires_on: dt.date
    revoked_at: dt.datetime | None
    revoke_reason: str


class RevokeIn(Schema):
    reason: str = Field(min_length=1, max_length=200)


# --- helpers ------------------------------------------------------------------------------


def _lab(request, pk: int) -> Lab:
    return get_for_user_or_404(
        Lab.objects.select_related("municipality"), request.user, CHANGE, pk=pk
    )


def _settings_out(lab: Lab) -> LabSettingsOut:
    return LabSettingsOut(
        id=lab.pk,
        municipality_id=lab.municipality_id,
        active=lab.active,
        **{name: getattr(lab, name) for name in lab_services.LAB_FIELDS},
    )


def _closure_out(closure: Closure) -> ClosureOut:
    return ClosureOut(
        id=closure.pk,
        lab_id=closure.lab_id,
        starts_on=closure.starts_on,
        ends_on=closure.ends_on,
        reason=closure.reason,
    )


def _training_out(training: Training) -> TrainingOut:
    return TrainingOut(
        id=training.pk,
        lab_id=training.lab_id,
        name=training.name,
        description=training.description,
        unlock_item_ids=[i.pk for i in training.unlocks.all()],
        validity_days=training.validity_days,
        active=training.active,
        valid_count=getattr(training, "valid_count", None),
    )


def _record_out(record: TrainingRecord) -> RecordOut:
    return RecordOut(
        id=record.pk,
        training_id=record.training_id,
        user_id=record.user_id,
        person=person_name(record.user),
        company=company_ref(record.company),
        event_id=record.event_id,
        passed_on=record.passed_on,
        expires_on=record.expires_on,
        revoked_at=record.revoked_at,
        revoke_reason=record.revoke_reason,
    )


def _lab_items(user: Any, lab: Lab):
    """The lab's items, as the office reads them through the access layer."""
    return Item.objects.for_user(user, VIEW).filter(lab=lab)


def _training(request, pk: int) -> Training:
    return get_for_user_or_404(Training.objects.select_related("lab"), request.user, CHANGE, pk=pk)


# --- settings, rules, hours, closures -----------------------------------------------------


@router.get(
    "/labs/{lab_id}/settings", response=SettingsOut, summary="The lab's settings (its staff)"
)
def lab_settings(request, lab_id: PathId):
    lab = _lab(request, lab_id)
    page = selectors.settings_page(request.user, lab)
    return SettingsOut(
        lab=_settings_out(lab),
        week=[
            WeekdayOut(weekday=w.weekday, label=w.label, opens=w.opens, closes=w.closes)
            for w in page.week
        ],
        closures=[_closure_out(c) for c in page.closures],
        items=[LabOfficeStaffItemOut(**item_out(i), photo_count=i.photo_count) for i in page.items],
        trainings_count=page.trainings_count,
        vendors_count=page.vendors_count,
    )


@router.put(
    "/labs/{lab_id}/settings", response=LabSettingsOut, summary="Change the lab's booking rules"
)
def lab_rules_update(request, lab_id: PathId, payload: LabRulesIn):
    lab = _lab(request, lab_id)
    lab = lab_services.lab_settings_update(actor=request.user, lab=lab, **payload.model_dump())
    return _settings_out(lab)


@router.put("/labs/{lab_id}/hours", response=list[WeekdayOut], summary="Set the weekly hours")
def lab_hours_set(request, lab_id: PathId, payload: WeekIn):
    lab = _lab(request, lab_id)
    days: dict[int, tuple[dt.time, dt.time] | None] = dict.fromkeys(range(7))
    for row in payload.days:
        days[row.weekday] = (row.opens, row.closes)
    lab_services.opening_hours_set(actor=request.user, lab=lab, days=days)
    return [
        WeekdayOut(weekday=w.weekday, label=w.label, opens=w.opens, closes=w.closes)
        for w in selectors.week_of(lab)
    ]


@router.get(
    "/labs/{lab_id}/closures", response=Page[ClosureOut], summary="The lab's closures ahead"
)
def lab_closures(request, lab_id: PathId, params: Query[PageParams]):
    lab = _lab(request, lab_id)
    return page_of(selectors.future_closures(request.user, lab), params, _closure_out)


@router.post("/labs/{lab_id}/closures", response={201: ClosureOut}, summary="Add a closure")
def lab_closure_add(request, lab_id: PathId, payload: ClosureIn):
    lab = _lab(request, lab_id)
    closure = lab_services.closure_add(actor=request.user, lab=lab, **payload.model_dump())
    return Status(201, _closure_out(closure))


@router.delete("/closures/{closure_id}", response={204: None}, summary="Remove a closure")
def lab_closure_delete(request, closure_id: PathId):
    closure = get_for_user_or_404(
        Closure.objects.select_related("lab"), request.user, MANAGE, pk=closure_id
    )
    lab_services.closure_remove(actor=request.user, closure=closure)
    return Status(204, None)


# --- items --------------------------------------------------------------------------------


def _item_to_manage(request, pk: int) -> Item:
    return get_for_user_or_404(
        Item.objects.select_related("lab", "exhibitor"), request.user, MANAGE, pk=pk
    )


@router.post("/items/{item_id}/deactivate", response=LabItemOut, summary="Withdraw an item")
def lab_item_deactivate(request, item_id: PathId):
    item = catalogue_services.item_deactivate(
        actor=request.user, item=_item_to_manage(request, item_id)
    )
    return item_out(item)


@router.post("/items/{item_id}/activate", response=LabItemOut, summary="Publish an item again")
def lab_item_activate(request, item_id: PathId):
    item = catalogue_services.item_activate(
        actor=request.user, item=_item_to_manage(request, item_id)
    )
    return item_out(item)


# --- vendors ------------------------------------------------------------------------------


def _vendor_out(row) -> VendorOut:
    return VendorOut(
        company=CompanyRef(id=row.company.pk, name=row.company.name),
        partner_id=row.partner.pk,
        has_owner=row.has_owner,
        open_invitation_until=row.open_invitation_until,
        exhibits=row.exhibits,
    )


@router.get("/labs/{lab_id}/vendors", response=Page[VendorOut], summary="The lab's IT vendors")
def lab_vendors(request, lab_id: PathId, params: Query[PageParams]):
    lab = _lab(request, lab_id)
    return page_of(selectors.lab_vendors(request.user, lab), params, _vendor_out)


@router.post(
    "/labs/{lab_id}/vendors",
    response={201: VendorOut},
    summary="Register an IT vendor and invite its contact",
)
def lab_vendor_register(request, lab_id: PathId, payload: VendorIn):
    lab = _lab(request, lab_id)
    done = vendor_services.vendor_register(actor=request.user, lab=lab, **payload.model_dump())
    rows = [r for r in selectors.lab_vendors(request.user, lab) if r.company.pk == done.company.pk]
    return Status(201, _vendor_out(rows[0]))


@router.post(
    "/labs/{lab_id}/vendors/{vendor_id}/invite",
    response=Done,
    summary="Invite a person to an IT vendor of the lab",
)
def lab_vendor_invite(request, lab_id: PathId, vendor_id: PathId, payload: LabInviteIn):
    lab = _lab(request, lab_id)
    vendor = selectors.lab_vendor_company(request.user, lab, vendor_id)
    if vendor is None:
        raise Http404
    vendor_services.vendor_invite(actor=request.user, lab=lab, vendor=vendor, email=payload.email)
    return Done(ok=True, message="")


# --- trainings ----------------------------------------------------------------------------


@router.get("/labs/{lab_id}/trainings", response=Page[TrainingOut], summary="The lab's trainings")
def lab_trainings(request, lab_id: PathId, params: Query[PageParams]):
    lab = _lab(request, lab_id)
    return page_of(training_selectors.lab_trainings(request.user, lab), params, _training_out)


def _unlocks(user: Any, lab: Lab, ids: list[int]) -> list[Item]:
    return [pick(_lab_items(user, lab), pk) for pk in dict.fromkeys(ids)]


@router.post("/labs/{lab_id}/trainings", response={201: TrainingOut}, summary="Define a training")
def lab_training_create(request, lab_id: PathId, payload: TrainingIn):
    lab = _lab(request, lab_id)
    data = payload.model_dump()
    data["unlocks"] = _unlocks(request.user, lab, data.pop("unlock_item_ids"))
    training = training_services.training_create(actor=request.user, lab=lab, **data)
    return Status(201, _training_out(training))


@router.put("/trainings/{training_id}", response=TrainingOut, summary="Change a training")
def lab_training_update(request, training_id: PathId, payload: TrainingIn):
    training = _training(request, training_id)
    data = payload.model_dump()
    data["unlocks"] = _unlocks(request.user, training.lab, data.pop("unlock_item_ids"))
    training = training_services.training_update(actor=request.user, training=training, **data)
    return _training_out(training)


@router.get(
    "/trainings/{training_id}/records",
    response=Page[RecordOut],
    summary="A training's records (the lab's staff)",
)
def lab_training_records(request, training_id: PathId, params: Query[PageParams]):
    training = _training(request, training_id)
    return page_of(training_selectors.training_records(request.user, training), params, _record_out)


@router.post(
    "/trainings/{training_id}/records",
    response={201: RecordOut},
    summary="Record a pass by hand",
)
def lab_training_record_add(request, training_id: PathId, payload: RecordIn):
    training = _training(request, training_id)
    company = None
    if payload.company_id is not None:
        companies = training_selectors.person_companies(request.user, training.lab, payload.email)
        company = next((c for c in companies if c.pk == payload.company_id), None)
        if company is None:
            raise Http404
    record = training_services.training_record_add(
        actor=request.user,
        training=training,
        email=payload.email,
        company=company,
        passed_on=payload.passed_on,
    )
    return Status(201, _record_out(record))


@router.post("/training-records/{record_id}/revoke", response=RecordOut, summary="Revoke a record")
def lab_training_record_revoke(request, record_id: PathId, payload: RevokeIn):
    record = get_for_user_or_404(
        TrainingRecord.objects.select_related("training__lab", "user", "company"),
        request.user,
        CHANGE,
        pk=record_id,
    )
    record = training_services.training_record_revoke(
        actor=request.user, record=record, reason=payload.reason
    )
    return _record_out(record)
