"""Background work of the lab's events (run by ``manage.py db_worker``)."""

from django_tasks import task

from machikoba.lab.services.events import event_reminders_send, event_surveys_send


@task()
def event_mailings() -> int:
    """Queued by the scheduler (hourly): the reminder to the people registered for
    tomorrow's events, and the survey's link to the attendees of events that ended, each
    once per event. The number of people reached."""
    return event_reminders_send() + event_surveys_send()
