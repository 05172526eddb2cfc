"""What a visitor may do on an item's page: book it (for the company they work for now),
the trainings it needs and each one's next session, and the vendor's demos, consultation
and trial (``selectors.vendors.item_demo_slots``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.lab.models import Item, Training
from machikoba.lab.models_events import Event
from machikoba.lab.selectors.bookings import may_book_for, next_training_session
from machikoba.lab.selectors.trainings import missing_trainings
from machikoba.lab.selectors.vendors import ItemDemoSlots, item_demo_slots


@dataclass(frozen=True)
class NeededTraining:
    training: Training
    next_session: Event | None


@dataclass(frozen=True)
class ItemActions:
    signed_in: bool
    bookable: bool  # the item takes bookings at all
    may_book: bool  # this visitor, for their current company
    needed: list[NeededTraining]
    vendor: ItemDemoSlots


def item_actions(user: User, item: Item, company: object | None) -> ItemActions:
    signed_in = bool(user.is_authenticated)
    needed: list[NeededTraining] = []
    if signed_in:
        needed = [
            NeededTraining(training, next_training_session(user, training))
            for training in missing_trainings(user, item, timezone.localdate())
        ]
    return ItemActions(
        signed_in=signed_in,
        bookable=item.bookable and item.active and item.lab.active,
        may_book=signed_in and company is not None and may_book_for(user, company),
        needed=needed,
        vendor=item_demo_slots(user=user, item=item, company=company),  # type: ignore[arg-type]
    )
