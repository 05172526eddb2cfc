"""The 日報's state machine: draft → submitted → approved | returned → submitted …, every
transition through its service, every refusal, the worker told of a send-back, and the
pages' buttons read from the same table."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.notifications import KINDS
from machikoba.core.testing.factories_floor import floor, in_house_step, make_report
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.shopfloor import services_reports as services
from machikoba.shopfloor.choices import ReportStatus
from machikoba.shopfloor.error_codes_reports import ReportErrorCode
from machikoba.shopfloor.internal_reports import REPORT_TRANSITIONS, report_may_move
from machikoba.shopfloor.labels_reports import NOTIFICATION_KINDS
from machikoba.shopfloor.models_reports import DailyReport
from machikoba.shopfloor.selectors_reports import (
    APPROVE,
    EDIT,
    RETURN,
    SUBMIT,
    report_actions,
)
from machikoba.shopfloor.services_reports import EntryFields

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture
def labels(monkeypatch):
    """The report's notification kinds, as ``ShopfloorConfig.ready`` registers them."""
    for kind, texts in NOTIFICATION_KINDS.items():
        monkeypatch.setitem(KINDS, kind, texts)


@pytest.fixture
def day(db):
    """The floor worker's report of today with one entry."""
    people = floor()
    step = in_house_step(people.owner, people.shop)
    services.entry_record(
        actor=people.worker,
        company=people.shop,
        step=step,
        idempotency_key=uuid.uuid4(),
        fields=EntryFields(minutes=120, good=40),
    )
    return people, DailyReport.objects.get(), step


def refused(call) -> ApplicationError:
    with pytest.raises(ApplicationError) as error:
        call()
    return error.value


def test_the_table():
    assert REPORT_TRANSITIONS == {
        ReportStatus.DRAFT: (ReportStatus.SUBMITTED,),
        ReportStatus.SUBMITTED: (ReportStatus.APPROVED, ReportStatus.RETURNED),
        ReportStatus.RETURNED: (ReportStatus.SUBMITTED,),
        ReportStatus.APPROVED: (),
    }
    allowed = {
        (a, b) for a in ReportStatus.values for b in ReportStatus.values if report_may_move(a, b)
    }
    assert allowed == {
        ("draft", "submitted"),
        ("submitted", "approved"),
        ("submitted", "returned"),
        ("returned", "submitted"),
    }


def test_submit_then_approve(day):
    people, report, _step = day
    assert report_actions(people.worker, report) == {EDIT, SUBMIT}
    assert report_actions(people.owner, report) == frozenset()

    report = services.report_submit(actor=people.worker, report=report)
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_at is not None
    assert report_actions(people.worker, report) == frozenset()
    assert report_actions(people.staff, report) == {APPROVE, RETURN}

    report = services.report_approve(actor=people.staff, report=report)
    assert (report.status, report.reviewed_by, report.review_note) == (
        ReportStatus.APPROVED,
        people.staff,
        "",
    )
    assert report_actions(people.owner, report) == frozenset()
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="floor_report.")
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == ["floor_report.submitted", "floor_report.approved"]


def test_send_back_tells_the_worker_who_fixes_and_submits_again(
    day, labels, django_capture_on_commit_callbacks
):
    people, report, _step = day
    services.report_submit(actor=people.worker, report=report)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_return(
            actor=people.owner, report=report, note="良品数が現品票と合いません"
        )
    run_queued_tasks()
    assert (report.status, report.review_note) == (
        ReportStatus.RETURNED,
        "良品数が現品票と合いません",
    )
    notice = Notification.objects.get(user=people.worker)
    assert notice.kind == "floor_report_returned"
    assert "良品数が現品票と合いません" in notice.body
    assert notice.url == f"/floor/reports/{report.pk}/"
    assert not Notification.objects.exclude(user=people.worker).exists()

    # The worker fixes the entry (the report is open again) and submits it again.
    assert report_actions(people.worker, report) == {EDIT, SUBMIT}
    entry = report.entries.get()
    services.entry_update(
        actor=people.worker, entry=entry, fields=EntryFields(minutes=120, good=38)
    )
    report = services.report_submit(actor=people.worker, report=report)
    assert report.status == ReportStatus.SUBMITTED
    report = services.report_approve(actor=people.owner, report=report)
    assert report.status == ReportStatus.APPROVED
    assert report.entries.get().good == 38


def test_the_app_registers_the_reports_notification_kinds_and_audit_labels():
    """``ShopfloorConfig.ready`` adds labels_reports to core's tables (the lead's hook)."""
    from machikoba.core.models import AUDIT_VERB_LABELS
    from machikoba.shopfloor.labels_reports import AUDIT_VERBS

    assert set(NOTIFICATION_KINDS) <= set(KINDS)
    assert set(AUDIT_VERBS) <= set(AUDIT_VERB_LABELS)


def test_a_send_back_needs_its_reason(day):
    people, report, _step = day
    services.report_submit(actor=people.worker, report=report)
    error = refused(lambda: services.report_return(actor=people.owner, report=report, note="  "))
    assert error.code == ReportErrorCode.RETURN_NOTE_MISSING
    assert "note" in error.fields
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_an_empty_report_or_one_with_running_work_is_not_submitted(day):
    people, report, step = day
    empty = make_report(
        people.shop, people.worker, day=timezone.localdate() - timezone.timedelta(days=1)
    )
    assert (
        refused(lambda: services.report_submit(actor=people.worker, report=empty)).code
        == ReportErrorCode.EMPTY
    )
    services.entry_start(
        actor=people.worker, company=people.shop, step=step, idempotency_key=uuid.uuid4()
    )
    error = refused(lambda: services.report_submit(actor=people.worker, report=report))
    assert error.code == ReportErrorCode.STILL_RUNNING
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_a_second_submit_or_review_press_changes_nothing(day, labels):
    people, report, _step = day
    services.report_submit(actor=people.worker, report=report)
    again = services.report_submit(actor=people.worker, report=report)
    assert again.status == ReportStatus.SUBMITTED
    services.report_return(actor=people.owner, report=report, note="写真を付けて")
    services.report_return(actor=people.owner, report=report, note="写真を付けて")
    assert AuditEvent.objects.filter(verb="floor_report.submitted").count() == 1
    assert AuditEvent.objects.filter(verb="floor_report.returned").count() == 1
    services.report_submit(actor=people.worker, report=report)
    services.report_approve(actor=people.owner, report=report)
    services.report_approve(actor=people.owner, report=report)
    assert AuditEvent.objects.filter(verb="floor_report.approved").count() == 1


@pytest.mark.parametrize(
    ("status", "move"),
    [
        (ReportStatus.DRAFT, "approve"),
        (ReportStatus.DRAFT, "return"),
        (ReportStatus.RETURNED, "approve"),
        (ReportStatus.RETURNED, "return"),
        (ReportStatus.APPROVED, "submit"),
        (ReportStatus.APPROVED, "return"),
    ],
)
def test_moves_the_table_does_not_allow_are_refused(day, status, move):
    people, report, _step = day
    report.status = status
    report.save()
    calls = {
        "approve": lambda: services.report_approve(actor=people.staff, report=report),
        "return": lambda: services.report_return(actor=people.staff, report=report, note="x"),
        "submit": lambda: services.report_submit(actor=people.worker, report=report),
    }
    error = refused(calls[move])
    assert error.code == ReportErrorCode.TRANSITION_NOT_ALLOWED
    report.refresh_from_db()
    assert report.status == status


def test_who_reviews(day):
    """Owners and staff review; a floor worker does not, nor anyone outside; staff do
    not approve their own report, an owner (the last one to ask) may."""
    people, report, step = day
    services.report_submit(actor=people.worker, report=report)
    for outsider in (people.worker, people.customer_owner, people.officer):
        error = refused(
            lambda outsider=outsider: services.report_approve(actor=outsider, report=report)
        )
        assert error.code == ReportErrorCode.NOT_SUPERVISOR
    assert report_actions(people.customer_owner, report) == frozenset()

    def own_report(person):
        services.entry_record(
            actor=person,
            company=people.shop,
            step=step,
            idempotency_key=uuid.uuid4(),
            fields=EntryFields(minutes=30),
        )
        mine = DailyReport.objects.get(worker=person)
        return services.report_submit(actor=person, report=mine)

    staffs = own_report(people.staff)
    assert report_actions(people.staff, staffs) == frozenset()
    error = refused(lambda: services.report_approve(actor=people.staff, report=staffs))
    assert error.code == ReportErrorCode.OWN_REVIEW
    owners = own_report(people.owner)
    assert report_actions(people.owner, owners) == {APPROVE, RETURN}
    assert services.report_approve(actor=people.owner, report=owners).status == "approved"


def test_only_the_worker_submits_their_report(day):
    people, report, _step = day
    error = refused(lambda: services.report_submit(actor=people.owner, report=report))
    assert error.code == ReportErrorCode.NOT_WORKER
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
