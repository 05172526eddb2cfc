"""Reads of what IT vendors do at the lab: the vendor portal, the demo slots (on the item
page, on the demos page, a slot with its seats for its vendor), consultations and
software trials, each from ``for_user`` so that a vendor sees only its own exhibits'
rows and a consultation only its two companies."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.companies.choices import CompanyKind
from machikoba.companies.models import Company
from machikoba.core.access import (
    CHANGE,
    EDITOR_ROLES,
    MEMBER_ROLES,
    VIEW,
    can,
    company_ids_for,
    get_for_user_or_404,
    has_role,
)
from machikoba.lab.choices import (
    HOLDING_BOOKING_STATUSES,
    ConsultationStatus,
    ItemKind,
    TrialStatus,
)
from machikoba.lab.models import Item
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_vendors import Consultation, DemoSlot, TrialRequest
from machikoba.lab.services.consultations import consultation_may_move
from machikoba.lab.services.trials import OPEN_TRIAL_STATUSES, trial_may_move

Visitor = User | AnonymousUser | None

LIST_LIMIT = 100


def _signed_in(user: Visitor) -> bool:
    return user is not None and user.is_authenticated


def is_vendor_member(user: Visitor, company: Company | None) -> bool:
    """Whether ``company`` is an IT vendor and ``user`` one of its people (to read)."""
    if company is None or not isinstance(user, User) or company.kind != CompanyKind.VENDOR:
        return False
    return has_role(user, company, MEMBER_ROLES, VIEW)


def _with_seats_taken(slots: QuerySet[DemoSlot]) -> QuerySet[DemoSlot]:
    return slots.annotate(
        taken=Count("bookings", filter=Q(bookings__status__in=HOLDING_BOOKING_STATUSES))
    )


def _upcoming_public(slots: QuerySet[DemoSlot]) -> QuerySet[DemoSlot]:
    """Slots still to start, not called off, of active exhibits of active labs."""
    return slots.filter(
        cancelled_at__isnull=True,
        starts_at__gt=timezone.now(),
        item__active=True,
        item__lab__active=True,
    )


# --- demo slots as shops see them ---------------------------------------------------------


@dataclass(frozen=True)
class DemoRow:
    slot: DemoSlot
    taken: int
    my_seat: Booking | None  # the company's booked seat
    may_book: bool
    why_not: str  # why the company cannot book it ("" when it can, or has a seat)

    @property
    def left(self) -> int:
        return max(self.slot.seats - self.taken, 0)

    @property
    def full(self) -> bool:
        return self.taken >= self.slot.seats


def _demo_rows(user: Visitor, company: Company | None, slots: list[DemoSlot]) -> list[DemoRow]:
    seats: dict[int, Booking] = {}
    member = False
    if company is not None and isinstance(user, User) and user.is_authenticated:
        member = has_role(user, company, MEMBER_ROLES)
        for booking in Booking.objects.for_user(user, VIEW).filter(
            company=company,
            demo_slot__in=[s.pk for s in slots],
            status__in=HOLDING_BOOKING_STATUSES,
        ):
            if booking.demo_slot_id is not None:
                seats[booking.demo_slot_id] = booking
    rows = []
    for slot in slots:
        taken: int = getattr(slot, "taken", 0)
        mine = seats.get(slot.pk)
        own = company is not None and slot.item.exhibitor_id == company.pk
        why_not = ""
        if own:
            why_not = "own"
        elif mine is None and taken >= slot.seats:
            why_not = "full"
        rows.append(
            DemoRow(
                slot=slot,
                taken=taken,
                my_seat=mine,
                may_book=member and not own and mine is None and taken < slot.seats,
                why_not=why_not,
            )
        )
    return rows


@dataclass(frozen=True)
class DemosPage:
    rows: list[DemoRow]
    company: Company | None
    may_book: bool  # a member of an active company (others read only)


def demos_page(*, user: User, company: Company | None) -> DemosPage:
    """Every upcoming demo of the active labs, soonest first, with the seats left and the
    company's own seat."""
    slots = list(
        _with_seats_taken(_upcoming_public(DemoSlot.objects.for_user(user, VIEW)))
        .select_related("item__lab", "item__exhibitor")
        .order_by("starts_at", "pk")[:LIST_LIMIT]
    )
    may_book = company is not None and has_role(user, company, MEMBER_ROLES)
    return DemosPage(rows=_demo_rows(user, company, slots), company=company, may_book=may_book)


def demo_slot_or_404(user: User, pk: int) -> DemoSlot:
    """A slot the user may read (a shop booking a seat)."""
    return get_for_user_or_404(
        DemoSlot.objects.select_related("item__lab", "item__exhibitor"), user, VIEW, pk=pk
    )


def demo_seat_or_404(user: User, pk: int) -> Booking:
    """A demo seat the user may give back (booked by them, or their company's editors)."""
    return get_for_user_or_404(Booking.objects.filter(demo_slot__isnull=False), user, CHANGE, pk=pk)


@dataclass(frozen=True)
class ItemDemoSlots:
    """What the item page shows of a vendor's exhibit: its upcoming demos, and whether
    the visitor's company may ask the vendor (consultation) or try the software."""

    item: Item
    rows: list[DemoRow]
    signed_in: bool
    may_consult: bool
    may_request_trial: bool
    open_trial: TrialRequest | None
    trial_days: int | None = field(default=None)


def item_demo_slots(*, user: Visitor, item: Item, company: Company | None) -> ItemDemoSlots:
    """For ``lab/vendors/_item_demo_slots.html`` on the item page (``company``: the
    visitor's active company, or None)."""
    signed_in = _signed_in(user)
    rows: list[DemoRow] = []
    may_consult = may_trial = False
    open_trial = None
    if isinstance(user, User) and signed_in and item.exhibitor_id is not None:
        slots = list(
            _with_seats_taken(
                _upcoming_public(DemoSlot.objects.for_user(user, VIEW).filter(item=item))
            )
            .select_related("item__lab", "item__exhibitor")
            .order_by("starts_at", "pk")[:20]
        )
        rows = _demo_rows(user, company, slots)
        shop_editor = (
            company is not None
            and company.pk != item.exhibitor_id
            and has_role(user, company, EDITOR_ROLES)
            and item.active
        )
        may_consult = shop_editor
        offers_trial = item.kind == ItemKind.SOFTWARE and bool(item.trial_days)
        if shop_editor and offers_trial:
            open_trial = (
                TrialRequest.objects.for_user(user, VIEW)
                .filter(item=item, company=company, status__in=OPEN_TRIAL_STATUSES)
                .first()
            )
            may_trial = open_trial is None
    return ItemDemoSlots(
        item=item,
        rows=rows,
        signed_in=signed_in,
        may_consult=may_consult,
        may_request_trial=may_trial,
        open_trial=open_trial,
        trial_days=item.trial_days,
    )


def exhibit_or_404(user: User, pk: int) -> Item:
    """An exhibit of a vendor the user may read (to ask its vendor, or to try it)."""
    return get_for_user_or_404(
        Item.objects.filter(exhibitor__isnull=False).select_related("lab", "exhibitor"),
        user,
        VIEW,
        pk=pk,
    )


# --- the vendor portal ----------------------------------------------------------------------


@dataclass(frozen=True)
class VendorPortal:
    vendor: Company
    may_edit: bool  # owner or staff: publish and cancel demos, answer, decide on trials
    exhibits: list[Item]
    slots: list[DemoSlot]  # upcoming, with ``taken``
    bookings: list[Booking]  # upcoming bookings (demo seats and item bookings) of its exhibits
    consultations: list[Consultation]  # not closed, the unanswered first
    trials: list[TrialRequest]  # requested first, then running


def vendor_portal_page(*, user: User, vendor: Company) -> VendorPortal:
    now = timezone.now()
    exhibits = list(
        Item.objects.for_user(user, VIEW)
        .filter(exhibitor=vendor)
        .select_related("lab")
        .order_by("lab__name", "name", "pk")
    )
    slots = list(
        _with_seats_taken(
            DemoSlot.objects.for_user(user, VIEW).filter(
                item__exhibitor=vendor, ends_at__gt=now, cancelled_at__isnull=True
            )
        )
        .select_related("item__lab")
        .order_by("starts_at", "pk")[:LIST_LIMIT]
    )
    bookings = list(
        Booking.objects.for_user(user, VIEW)
        .filter(item__exhibitor=vendor, ends_at__gt=now, status__in=HOLDING_BOOKING_STATUSES)
        .select_related("item", "company", "demo_slot")
        .order_by("starts_at", "pk")[:LIST_LIMIT]
    )
    consultations = list(
        Consultation.objects.for_user(user, VIEW)
        .filter(vendor=vendor)
        .exclude(status=ConsultationStatus.CLOSED)
        .select_related("company", "item")
        .order_by("-status", "-created_at", "pk")[:LIST_LIMIT]  # "open" sorts after "answered"
    )
    trials = list(
        TrialRequest.objects.for_user(user, VIEW)
        .filter(item__exhibitor=vendor, status__in=OPEN_TRIAL_STATUSES)
        .select_related("item", "company")
        .order_by("-status", "created_at", "pk")[:LIST_LIMIT]  # "requested" before "active"
    )
    return VendorPortal(
        vendor=vendor,
        may_edit=has_role(user, vendor, EDITOR_ROLES),
        exhibits=exhibits,
        slots=slots,
        bookings=bookings,
        consultations=consultations,
        trials=trials,
    )


def vendor_exhibits_for_demos(*, user: User, vendor: Company) -> list[Item]:
    """The vendor's active exhibits its owner or staff may publish a demo of."""
    return list(
        Item.objects.for_user(user, CHANGE)
        .filter(exhibitor=vendor, active=True, lab__active=True)
        .select_related("lab")
        .order_by("lab__name", "name", "pk")
    )


@dataclass(frozen=True)
class VendorDemoPage:
    slot: DemoSlot
    seats: list[Booking]  # holding seats first, then cancelled ones
    taken: int
    may_cancel: bool


def vendor_demo_slot_or_404(user: User, pk: int) -> DemoSlot:
    """One of the demo slots of the exhibits of the user's vendors; anyone else's is a
    404 (the slot itself is public, its seats are the vendor's)."""
    mine = company_ids_for(user, MEMBER_ROLES, VIEW)
    return get_for_user_or_404(
        DemoSlot.objects.filter(item__exhibitor__in=mine).select_related(
            "item__lab", "item__exhibitor"
        ),
        user,
        VIEW,
        pk=pk,
    )


def vendor_demo_page(*, user: User, slot: DemoSlot) -> VendorDemoPage:
    seats = list(
        Booking.objects.for_user(user, VIEW)
        .filter(demo_slot=slot)
        .select_related("company", "user")
        .order_by("created_at", "pk")
    )
    holding = [b for b in seats if b.status in HOLDING_BOOKING_STATUSES]
    standing = slot.cancelled_at is None and slot.starts_at > timezone.now()
    return VendorDemoPage(
        slot=slot,
        seats=holding + [b for b in seats if b not in holding],
        taken=len(holding),
        may_cancel=standing and can(user, CHANGE, slot),
    )


# --- consultations ------------------------------------------------------------------------


def shop_consultations(*, user: User, company: Company) -> list[Consultation]:
    """The company's consultations, newest first (its owner and staff read them)."""
    return list(
        Consultation.objects.for_user(user, VIEW)
        .filter(company=company)
        .select_related("vendor", "item")
        .order_by("-created_at", "pk")[:LIST_LIMIT]
    )


@dataclass(frozen=True)
class ConsultationPage:
    consultation: Consultation
    is_vendor: bool  # the reader is on the vendor's side
    may_answer: bool
    may_close: bool


def consultation_page(*, user: User, consultation: Consultation) -> ConsultationPage:
    vendor_editor = has_role(user, consultation.vendor, EDITOR_ROLES)
    shop_editor = has_role(user, consultation.company, EDITOR_ROLES)
    status = consultation.status
    return ConsultationPage(
        consultation=consultation,
        is_vendor=has_role(user, consultation.vendor, MEMBER_ROLES, VIEW),
        may_answer=vendor_editor and consultation_may_move(status, ConsultationStatus.ANSWERED),
        may_close=shop_editor and consultation_may_move(status, ConsultationStatus.CLOSED),
    )


def consultation_or_404(user: User, pk: int, action: str = VIEW) -> Consultation:
    return get_for_user_or_404(
        Consultation.objects.select_related("vendor", "company", "item", "user", "answered_by"),
        user,
        action,
        pk=pk,
    )


# --- software trials ----------------------------------------------------------------------


def shop_trials(*, user: User, company: Company) -> list[TrialRequest]:
    """The company's trial requests, newest first (its owner and staff read them)."""
    return list(
        TrialRequest.objects.for_user(user, VIEW)
        .filter(company=company)
        .select_related("item__exhibitor", "item__lab")
        .order_by("-created_at", "pk")[:LIST_LIMIT]
    )


@dataclass(frozen=True)
class TrialPage:
    trial: TrialRequest
    is_vendor: bool
    may_decide: bool  # approve or decline
    may_end: bool
    may_withdraw: bool


def trial_page(*, user: User, trial: TrialRequest) -> TrialPage:
    vendor = trial.item.exhibitor
    vendor_editor = has_role(user, vendor, EDITOR_ROLES)
    shop_editor = has_role(user, trial.company, EDITOR_ROLES)
    status = trial.status
    today = timezone.localdate()
    due = trial.ends_on is not None and trial.ends_on < today
    return TrialPage(
        trial=trial,
        is_vendor=has_role(user, vendor, MEMBER_ROLES, VIEW),
        may_decide=vendor_editor and trial_may_move(status, TrialStatus.ACTIVE),
        may_end=vendor_editor and due and trial_may_move(status, TrialStatus.ENDED),
        may_withdraw=shop_editor and trial_may_move(status, TrialStatus.WITHDRAWN),
    )


def trial_or_404(user: User, pk: int, action: str = VIEW) -> TrialRequest:
    return get_for_user_or_404(
        TrialRequest.objects.select_related("item__exhibitor", "item__lab", "company", "user"),
        user,
        action,
        pk=pk,
    )
