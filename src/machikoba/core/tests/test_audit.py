import pytest

from machikoba.core.audit import SYSTEM_ACTOR_LABEL, audit_record, snapshot
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import CompanyFactory, UserFactory


@pytest.mark.django_db
def test_record_keeps_who_what_object_and_change():
    user = UserFactory(email="a@example.test")
    company = CompanyFactory(name="監査精機株式会社")
    event = audit_record(
        actor=user,
        verb="company.create",
        target=company,
        company=company,
        before=None,
        after=snapshot(company, ["name", "employees"]),
    )
    event.refresh_from_db()
    assert event.actor == user
    assert event.actor_label == "a@example.test"
    assert event.target_repr == "監査精機株式会社"
    assert event.target_id == str(company.pk)
    assert event.after == {"name": "監査精機株式会社", "employees": 12}
    assert event.verb_label == "企業を登録"


@pytest.mark.django_db
def test_system_actions_are_labelled_system():
    event = audit_record(actor=None, verb="company.create")
    assert event.actor is None
    assert event.actor_label == SYSTEM_ACTOR_LABEL


@pytest.mark.django_db
def test_events_are_append_only():
    event = audit_record(actor=None, verb="company.create")
    event.verb = "something.else"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).verb == "company.create"


@pytest.mark.django_db
def test_an_event_needs_a_verb():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        audit_record(actor=None, verb="")
    assert AuditEvent.objects.count() == 0
