"""The lab's state machines as tables: which status may follow which. Services take a step
through ``services.internal``; pages read the same tables for their buttons."""

from __future__ import annotations

from machikoba.lab.choices import BookingStatus, RegistrationStatus

BOOKING_TRANSITIONS: dict[str, tuple[str, ...]] = {
    # Checked in (kiosk or desk), cancelled before the cut-off (or by the lab), or not come.
    BookingStatus.BOOKED: (
        BookingStatus.IN_USE,
        BookingStatus.CANCELLED,
        BookingStatus.NO_SHOW,
        BookingStatus.COMPLETED,
    ),
    BookingStatus.IN_USE: (BookingStatus.COMPLETED,),
    BookingStatus.COMPLETED: (),
    BookingStatus.CANCELLED: (),
    BookingStatus.NO_SHOW: (),
}

REGISTRATION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    RegistrationStatus.REGISTERED: (RegistrationStatus.ATTENDED, RegistrationStatus.CANCELLED),
    # A place freed: the first on the waitlist moves up.
    RegistrationStatus.WAITLISTED: (RegistrationStatus.REGISTERED, RegistrationStatus.CANCELLED),
    RegistrationStatus.ATTENDED: (),
    RegistrationStatus.CANCELLED: (),
}


def booking_may_move(current: str, to: str) -> bool:
    return to in BOOKING_TRANSITIONS.get(current, ())


def registration_may_move(current: str, to: str) -> bool:
    return to in REGISTRATION_TRANSITIONS.get(current, ())
