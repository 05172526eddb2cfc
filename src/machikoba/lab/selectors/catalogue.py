"""Reads of the lab's catalogue: the list of labs, a lab's page (address, weekly hours, the
closures to come, its items as cards filterable by kind), an item's page, the staff's
settings page and the vendors of a lab, and a vendor's own exhibits.

Everything starts from ``for_user``: anyone reads the active labs and items; the lab's
staff (and the ward's officers) see withdrawn items too; a vendor's people see their own
exhibits, withdrawn or not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from machikoba.accounts.models import User
from machikoba.companies.choices import CompanyKind
from machikoba.companies.models import Company, Membership
from machikoba.companies.models_people import Invitation
from machikoba.core.access import (
    CHANGE,
    EDITOR_ROLES,
    MANAGE,
    MEMBER_ROLES,
    OWNER_ROLES,
    VIEW,
    AccessQuerySet,
    company_ids_for,
)
from machikoba.lab.calendar import day_hours, weekly_hours
from machikoba.lab.choices import ItemKind, PartnerKind
from machikoba.lab.models import Closure, Item, ItemPhoto, Lab, Training
from machikoba.lab.models_ecosystem import Partner
from machikoba.lab.selectors.trainings import missing_trainings, valid_training_ids

AnyUser = User | AnonymousUser

WEEKDAY_LABELS = (
    gettext_lazy("月曜日"),
    gettext_lazy("火曜日"),
    gettext_lazy("水曜日"),
    gettext_lazy("木曜日"),
    gettext_lazy("金曜日"),
    gettext_lazy("土曜日"),
    gettext_lazy("日曜日"),
)
# How far ahead the lab's page lists its closures.
CLOSURES_AHEAD_DAYS = 90


def _signed_in(user: AnyUser | None) -> bool:
    return user is not None and user.is_authenticated


def _photos_first() -> Prefetch:
    return Prefetch("photos", queryset=ItemPhoto.objects.order_by("id"), to_attr="photo_list")


def _first_photo(item: Item) -> ItemPhoto | None:
    photos = getattr(item, "photo_list", [])  # set by _photos_first()
    return photos[0] if photos else None


# --- the list of labs --------------------------------------------------------------------


@dataclass(frozen=True)
class LabRow:
    lab: Lab
    item_count: int
    manages: bool


def lab_list(user: AnyUser) -> list[LabRow]:
    """The active labs, and for their staff and the ward's officers their own labs even
    while not running; with the number of public items, by ward."""
    managed = set(_managed_lab_ids(user))
    labs = (
        Lab.objects.for_user(user, VIEW)
        .select_related("municipality")
        .annotate(item_count=Count("items", filter=Q(items__active=True)))
        .order_by("municipality__code", "name", "id")
    )
    return [LabRow(lab, lab.item_count, lab.pk in managed) for lab in labs]


def _managed_lab_ids(user: AnyUser | None) -> list[int]:
    if not _signed_in(user):
        return []
    return list(Lab.objects.for_user(user, CHANGE).values_list("pk", flat=True))


def managed_labs(user: AnyUser) -> list[Lab]:
    """The labs ``user`` runs (for the staff's menu)."""
    if not _signed_in(user):
        return []
    return list(Lab.objects.for_user(user, CHANGE).select_related("municipality"))


# --- a lab's page ------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekdayHours:
    weekday: int
    label: str
    opens: dt.time | None
    closes: dt.time | None

    @property
    def is_open(self) -> bool:
        return self.opens is not None


@dataclass(frozen=True)
class ClosedSpan:
    first: dt.date
    last: dt.date
    reason: str

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class KindChip:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class LabPage:
    lab: Lab
    week: list[WeekdayHours]
    closures: list[ClosedSpan]
    items: list[Item]
    kinds: list[KindChip]
    kind: str
    manages: bool
    trainings: list[Training] = field(default_factory=list)


def week_of(lab: Lab) -> list[WeekdayHours]:
    hours = weekly_hours(lab)
    return [
        WeekdayHours(
            day,
            str(WEEKDAY_LABELS[day]),
            hours[day][0] if day in hours else None,
            hours[day][1] if day in hours else None,
        )
        for day in range(7)
    ]


def upcoming_closures(
    lab: Lab, *, start: dt.date | None = None, days: int = CLOSURES_AHEAD_DAYS
) -> list[ClosedSpan]:
    """The days the lab is closed beyond its weekly closed days (祝日, the year end, its own
    closures) from ``start`` (today) for ``days`` days, as spans of one reason: 12/29–1/3
    is one span even when a weekly closed day falls inside it."""
    first = start or timezone.localdate()
    hours = weekly_hours(lab)
    spans: list[ClosedSpan] = []
    open_since_last = False
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        state = day_hours(lab, day)
        if state.is_open:
            open_since_last = True
            continue
        continues = spans and not open_since_last and spans[-1].reason == state.closed_reason
        if day.weekday() not in hours and not continues:
            continue  # a weekly closed day: the table of hours says so already
        if continues:
            spans[-1] = ClosedSpan(spans[-1].first, day, state.closed_reason)
        else:
            spans.append(ClosedSpan(day, day, state.closed_reason))
        open_since_last = False
    return spans


def _cards(user: AnyUser, lab: Lab) -> QuerySet[Item]:
    return (
        Item.objects.for_user(user, VIEW)
        .filter(lab=lab, active=True)
        .select_related("exhibitor")
        .prefetch_related(_photos_first())
        .order_by("kind", "name", "id")
    )


def lab_page(user: AnyUser, lab: Lab, *, kind: str = "") -> LabPage:
    """The lab's public page: its week, the closures to come, its items (of ``kind`` when
    it names a kind; an unknown kind shows them all) and the trainings it runs."""
    items = list(_cards(user, lab))
    counts: dict[str, int] = {}
    for item in items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    chosen = kind if kind in counts else ""
    chips = [
        KindChip(value, str(label), counts[value], value == chosen)
        for value, label in ItemKind.choices
        if value in counts
    ]
    trainings = list(
        Training.objects.for_user(user, VIEW)
        .filter(lab=lab, active=True)
        .prefetch_related(Prefetch("unlocks", queryset=Item.objects.filter(active=True)))
        .order_by("name", "id")
    )
    return LabPage(
        lab=lab,
        week=week_of(lab),
        closures=upcoming_closures(lab),
        items=[item for item in items if not chosen or item.kind == chosen],
        kinds=chips,
        kind=chosen,
        manages=lab.pk in _managed_lab_ids(user),
        trainings=trainings,
    )


# --- an item's page ----------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingNeed:
    training: Training
    held: bool


@dataclass
class ItemPage:
    item: Item
    photos: list[ItemPhoto]
    trainings: list[TrainingNeed]
    signed_in: bool
    may_edit: bool  # the lab's staff or the exhibiting vendor's people
    manages: bool  # the lab's staff
    missing: list[Training]


def item_page(user: AnyUser, item: Item) -> ItemPage:
    """What the item's page shows: photos, texts, the trainings it needs (and, signed in,
    whether the visitor holds each) and which edit links to offer."""
    today = timezone.localdate()
    required = list(item.required_trainings.filter(active=True).order_by("name", "id"))
    held = valid_training_ids(user, today) if _signed_in(user) else set()
    signed_in = _signed_in(user)
    return ItemPage(
        item=item,
        photos=list(ItemPhoto.objects.for_user(user, VIEW).filter(item=item).order_by("id")),
        trainings=[TrainingNeed(training, training.pk in held) for training in required],
        signed_in=signed_in,
        may_edit=signed_in and Item.objects.for_user(user, CHANGE).filter(pk=item.pk).exists(),
        manages=signed_in and Item.objects.for_user(user, MANAGE).filter(pk=item.pk).exists(),
        missing=missing_trainings(user, item, today) if signed_in else required,
    )


def manages_item(user: AnyUser, item: Item) -> bool:
    """Whether ``user`` runs the item's lab (the full form) rather than exhibits it."""
    return _signed_in(user) and Item.objects.for_user(user, MANAGE).filter(pk=item.pk).exists()


def item_source() -> AccessQuerySet[Item]:
    """The source of an item's page (for ``get_for_user_or_404``)."""
    return Item.objects.select_related("lab", "lab__municipality", "exhibitor")


# --- the staff's settings page -----------------------------------------------------------


@dataclass
class SettingsPage:
    lab: Lab
    week: list[WeekdayHours]
    closures: list[Closure]
    items: list[Any]  # Item annotated with photo_count
    trainings_count: int
    vendors_count: int


def future_closures(user: User, lab: Lab) -> list[Closure]:
    """The lab's own closures from today on, for its staff."""
    today = timezone.localdate()
    return list(Closure.objects.for_user(user, MANAGE).filter(lab=lab, ends_on__gte=today))


def settings_page(user: User, lab: Lab) -> SettingsPage:
    """The lab's staff page: the week, closures from today on, every item (withdrawn ones
    too) with its exhibitor and photo count."""
    items = list(
        Item.objects.for_user(user, MANAGE)
        .filter(lab=lab)
        .select_related("exhibitor")
        .annotate(photo_count=Count("photos"))
        .order_by("-active", "kind", "name", "id")
    )
    return SettingsPage(
        lab=lab,
        week=week_of(lab),
        closures=future_closures(user, lab),
        items=items,
        trainings_count=Training.objects.for_user(user, MANAGE).filter(lab=lab).count(),
        vendors_count=lab_vendor_partners(user, lab).count(),
    )


# --- vendors ----------------------------------------------------------------------------


def lab_vendor_partners(user: User, lab: Lab) -> QuerySet[Partner]:
    return Partner.objects.for_user(user, MANAGE).filter(
        municipality_id=lab.municipality_id, kind=PartnerKind.VENDOR, company__isnull=False
    )


@dataclass(frozen=True)
class VendorRow:
    partner: Partner
    company: Company
    has_owner: bool
    open_invitation_until: dt.datetime | None
    exhibits: int


def lab_vendors(user: User, lab: Lab) -> list[VendorRow]:
    """The IT vendors of the lab's ward consortium, whether their first person joined (or
    until when the invitation works) and how many of the lab's items they exhibit."""
    now = timezone.now()
    owners = Membership.objects.filter(
        company=OuterRef("company"), role__in=OWNER_ROLES, user__is_active=True
    )
    partners = (
        lab_vendor_partners(user, lab)
        .select_related("company")
        .annotate(has_owner=Exists(owners))
        .order_by("name", "id")
    )
    rows = []
    for partner in partners:
        company = partner.company
        if company is None:  # excluded by the query; for the type checker
            continue
        invitation = (
            Invitation.objects.filter(
                company=company, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
            )
            .order_by("-expires_at")
            .first()
        )
        rows.append(
            VendorRow(
                partner=partner,
                company=company,
                has_owner=partner.has_owner,
                open_invitation_until=invitation.expires_at if invitation else None,
                exhibits=Item.objects.filter(lab=lab, exhibitor=company).count(),
            )
        )
    return rows


def exhibitor_choices(lab: Lab) -> QuerySet[Company]:
    """The vendors an item of ``lab`` may be exhibited by: active IT vendors with an active
    partner row in the lab's ward."""
    partners = Partner.objects.filter(
        municipality_id=lab.municipality_id, kind=PartnerKind.VENDOR, active=True
    ).values("company")
    return Company.objects.filter(
        pk__in=partners, kind=CompanyKind.VENDOR, is_active=True
    ).order_by("name", "pk")


def lab_vendor_company(user: User, lab: Lab, pk: int) -> Company | None:
    """One vendor of the lab's ward consortium, or None (another ward's: not found)."""
    partner = lab_vendor_partners(user, lab).filter(company_id=pk).select_related("company")
    found = partner.first()
    return found.company if found is not None else None


# --- a vendor's own exhibits -------------------------------------------------------------


@dataclass(frozen=True)
class ExhibitRow:
    item: Item
    photo: ItemPhoto | None
    may_edit: bool


def vendor_exhibits(user: User) -> list[ExhibitRow]:
    """The items the vendors ``user`` works for exhibit (withdrawn ones too), each with
    whether ``user`` may edit it (the vendor's owner and staff)."""
    vendors = company_ids_for(user, MEMBER_ROLES, VIEW)
    editable = set(
        Item.objects.for_user(user, CHANGE)
        .filter(exhibitor__in=company_ids_for(user, EDITOR_ROLES, CHANGE))
        .values_list("pk", flat=True)
    )
    items = (
        Item.objects.for_user(user, VIEW)
        .filter(exhibitor__in=vendors, exhibitor__kind=CompanyKind.VENDOR)
        .select_related("lab", "exhibitor")
        .prefetch_related(_photos_first())
        .order_by("lab__name", "name", "id")
    )
    return [ExhibitRow(item, _first_photo(item), item.pk in editable) for item in items]


def is_vendor_person(user: AnyUser) -> bool:
    """Whether ``user`` works for an IT vendor (the exhibits page answers them)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return Company.objects.filter(
        pk__in=company_ids_for(user, MEMBER_ROLES, VIEW), kind=CompanyKind.VENDOR
    ).exists()
