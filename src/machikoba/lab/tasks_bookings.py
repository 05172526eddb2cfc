"""Background work of the lab's bookings (run by ``manage.py db_worker``, queued by the
scheduler: ``PERIODIC_TASKS`` in settings)."""

from django_tasks import task

from machikoba.lab.services.bookings import bookings_close_past
from machikoba.lab.services.waitlist import waitlist_expire


@task()
def close_past_bookings() -> int:
    """Every few minutes: bookings nobody checked in to within the lab's grace become
    no-shows, bookings in use whose end has passed are completed. The bookings closed."""
    no_shows, completed = bookings_close_past()
    return no_shows + completed


@task()
def expire_waitlist_offers() -> int:
    """Every few minutes: offers not taken in time expire (their time goes to the next in
    line), and entries whose time has begun expire. The entries expired."""
    return waitlist_expire()
