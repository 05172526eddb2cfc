"""The platform admins' audit trail: filters, newest first, pages, the CSV export, and the
record that an admin read it. (Who else gets nothing: test_permissions.py.)"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from machikoba.core.audit import audit_record
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import CompanyFactory, force_login_with_mfa
from machikoba.core.testing.matrix import ADMIN, MEMBER
from machikoba.ops.selectors import PAGE_SIZE


@pytest.fixture
def admin_client(client, world):
    force_login_with_mfa(client, world.users[ADMIN])
    return client


def _shown(response) -> list[int]:
    return [event.pk for event in response.context["events"]]


def _trail(world):
    """Three events on three days, by two people, about two companies."""
    member = world.users[MEMBER]
    today = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    events = {}
    with time_machine.travel(today - dt.timedelta(days=10), tick=False):
        events["old"] = audit_record(
            actor=member, verb="company.update", target=world.company, company=world.company
        )
    with time_machine.travel(today - dt.timedelta(days=3), tick=False):
        events["middle"] = audit_record(
            actor=world.users[ADMIN],
            verb="company.deactivate",
            target=world.other_company,
            company=world.other_company,
        )
    with time_machine.travel(today - dt.timedelta(hours=1), tick=False):
        events["new"] = audit_record(actor=None, verb="company.create", target=world.company)
    return events, today


def test_the_trail_lists_every_company_newest_first(admin_client, world):
    events, _ = _trail(world)
    response = admin_client.get(reverse("ops:audit_events"))
    assert response.status_code == 200
    shown = _shown(response)
    assert shown[:3] == [events["new"].pk, events["middle"].pk, events["old"].pk]
    body = response.content.decode()
    assert world.other_company.name in body
    assert 'class="table-std table-cards"' in body
    assert " style=" not in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # The whole address: a prefix such as "user1000" would also match "user10005@…".
        (lambda w, e: {"actor": w.users[MEMBER].email}, ["old"]),
        (lambda w, e: {"company": w.other_company.name[:3]}, ["middle"]),
        (lambda w, e: {"company_id": w.company.pk, "verb": "company.update"}, ["old"]),
        (lambda w, e: {"verb": "company.create"}, ["new"]),
        (
            lambda w, e: {
                "target_type": ContentType.objects.get_for_model(w.company).pk,
                "target_id": str(w.company.pk),
            },
            ["new", "old"],
        ),
    ],
    ids=["actor", "company name", "company id and verb", "verb", "object"],
)
def test_filters_narrow_the_trail(admin_client, world, query, expected):
    events, _ = _trail(world)
    response = admin_client.get(reverse("ops:audit_events"), query(world, events))
    assert _shown(response) == [events[name].pk for name in expected]


def test_a_date_range_includes_both_days(admin_client, world):
    events, today = _trail(world)
    day = (today - dt.timedelta(days=3)).date()
    response = admin_client.get(
        reverse("ops:audit_events"), {"date_from": day.isoformat(), "date_to": day.isoformat()}
    )
    assert _shown(response) == [events["middle"].pk]
    response = admin_client.get(
        reverse("ops:audit_events"), {"date_from": (day - dt.timedelta(days=7)).isoformat()}
    )
    assert events["old"].pk in _shown(response)


def test_a_reversed_date_range_is_refused_and_shows_nothing(admin_client, world):
    _trail(world)
    today = timezone.localdate()
    response = admin_client.get(
        reverse("ops:audit_events"),
        {"date_from": today.isoformat(), "date_to": (today - dt.timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date_to"]
    assert _shown(response) == []


def test_pages_of_fifty_without_counting(admin_client, world):
    company = CompanyFactory()
    for _ in range(PAGE_SIZE + 5):
        audit_record(actor=None, verb="company.update", target=company, company=company)
    first = admin_client.get(reverse("ops:audit_events"), {"company_id": company.pk})
    assert len(_shown(first)) == PAGE_SIZE
    assert first.context["has_next"] is True
    assert "page=2" in first.content.decode()
    second = admin_client.get(reverse("ops:audit_events"), {"company_id": company.pk, "page": 2})
    assert len(_shown(second)) == 5
    assert second.context["has_next"] is False
    assert not set(_shown(first)) & set(_shown(second))


def test_opening_the_trail_is_itself_recorded(admin_client, world):
    admin_client.get(reverse("ops:audit_events"), {"verb": "company.update"})
    event = AuditEvent.objects.filter(verb="admin.view").latest("id")
    assert event.actor == world.users[ADMIN]
    assert event.after == {
        "model": "core.AuditEvent",
        "page": "list",
        "filters": {"verb": "company.update"},
    }


def _csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


def test_the_csv_export_follows_the_filters_and_escapes_formulas(admin_client, world):
    _trail(world)
    company = CompanyFactory(name="=HYPERLINK(1)")
    audit_record(actor=None, verb="company.update", target=company, company=company)
    response = admin_client.get(reverse("ops:audit_events_csv"), {"verb": "company.update"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    header, *rows = _csv_rows(response)
    assert header[:5] == ["日時", "実行者", "実行者ID", "操作コード", "操作"]
    assert [row[3] for row in rows] == ["company.update", "company.update"]
    assert rows[0][8] == "'=HYPERLINK(1)"  # a formula is shown, never run
    assert rows[1][1] == world.users[MEMBER].email
    assert rows[1][5] == "companies.company"
    assert rows[1][6] == str(world.company.pk)
    export = AuditEvent.objects.filter(verb="admin.view").latest("id")
    assert export.after["page"] == "export"


def test_the_csv_export_refuses_bad_filters(admin_client, world):
    response = admin_client.get(reverse("ops:audit_events_csv"), {"date_from": "yesterday"})
    assert response.status_code == 400
