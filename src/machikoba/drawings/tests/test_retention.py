"""Retention rules, the scheduled purge and the 破棄証明."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.models import AuditEvent
from machikoba.core.testing.clock import in_years
from machikoba.core.testing.matrix import MEMBER, OTHER_COMPANY, STAFF
from machikoba.drawings import services
from machikoba.drawings.models import (
    DestructionCertificate,
    Document,
    DocumentEvent,
    Grant,
    PreviewPage,
    Revision,
)
from machikoba.drawings.tests.factories import make_document, share

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _files(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


def _today():
    return timezone.localdate()


def _set(world, document, actor=MEMBER, **fields):
    return services.document_retention_set(actor=world.users[actor], document=document, **fields)


def _last_january_31() -> dt.date:
    today = _today()
    return dt.date(today.year if today >= dt.date(today.year, 1, 31) else today.year - 1, 1, 31)


def _april_1_last_year() -> dt.date:
    return dt.date(_today().year - 1, 4, 1)


# Dates around today, computed when the test runs (the rules refuse destruction dates in
# the past and closing dates in the future, and a run may cross midnight).
@pytest.mark.parametrize(
    ("fields", "destroy_on"),
    [
        (lambda: {"rule": "keep"}, lambda: None),
        (lambda: {"rule": "on_date", "date": in_years(5)}, lambda: in_years(5)),
        (lambda: {"rule": "on_date", "date": _today()}, _today),  # today is not past
        # N months after the deal closed; a missing day becomes the month's last.
        (
            lambda: {"rule": "after_close", "months": 1, "closed_on": _last_january_31()},
            lambda: dt.date(_last_january_31().year, 3, 1) - dt.timedelta(days=1),
        ),
        (
            lambda: {"rule": "after_close", "months": 36, "closed_on": _april_1_last_year()},
            lambda: _april_1_last_year().replace(year=_today().year + 2),
        ),
        # Not closed yet: no date until it is.
        (lambda: {"rule": "after_close", "months": 12}, lambda: None),
    ],
    ids=["keep", "on_date", "on_date_today", "after_close_month_end", "after_close_36", "open"],
)
def test_the_rule_sets_the_destruction_date(world, fields, destroy_on):
    document = make_document(world.company)
    _set(world, document, **fields())
    document.refresh_from_db()
    assert document.destroy_on == destroy_on()
    assert DocumentEvent.objects.filter(document=document, action="retention").count() == 1
    assert AuditEvent.objects.filter(verb="document.retention").count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (lambda: {"rule": "on_date"}, "date"),
        (lambda: {"rule": "on_date", "date": _today() - dt.timedelta(days=1)}, "date"),
        (lambda: {"rule": "after_close"}, "months"),
        (lambda: {"rule": "after_close", "months": 0}, "months"),
        (lambda: {"rule": "after_close", "months": 601}, "months"),
        (
            lambda: {
                "rule": "after_close",
                "months": 6,
                "closed_on": _today() + dt.timedelta(days=1),
            },
            "closed_on",
        ),
        (lambda: {"rule": "forever"}, "rule"),
    ],
    ids=["no_date", "yesterday", "no_months", "zero", "601", "closed_tomorrow", "forever"],
)
def test_bad_rules_are_refused_and_change_nothing(world, fields, field):
    document = make_document(world.company)
    with pytest.raises(ApplicationError) as refused:
        _set(world, document, **fields())
    assert field in refused.value.fields
    document.refresh_from_db()
    assert (document.retention_rule, document.destroy_on) == ("keep", None)
    assert not DocumentEvent.objects.filter(document=document, action="retention").exists()


def test_only_owners_destroy_and_only_editors_set_retention(world):
    document = make_document(world.company)
    with pytest.raises(PermissionRefused):
        _set(world, document, actor=OTHER_COMPANY, rule="keep")
    with pytest.raises(PermissionRefused):
        services.document_destroy(actor=world.users[STAFF], document=document, reason="x")
    assert not Document.objects.get(pk=document.pk).is_destroyed


def test_the_purge_destroys_what_is_due_and_issues_a_certificate(world, tmp_path):
    due = make_document(world.company, title="期限切れ", drawing_number="D-1")
    kept = make_document(world.company, title="保存中", drawing_number="D-2")
    grant = share(due, world.other_company)
    _set(world, due, rule="after_close", months=1, closed_on=_today() - dt.timedelta(days=40))
    _set(world, kept, rule="on_date", date=_today() + dt.timedelta(days=1))
    files_before = _files(tmp_path)
    assert len(files_before) == 2 * (1 + 2 * 2)  # per document: original + 2 pages x 2 sizes

    (certificate,) = services.documents_purge_due()

    due.refresh_from_db()
    assert due.is_destroyed
    assert due.destroy_on is None
    assert len(_files(tmp_path)) == 5  # only the kept document's files remain
    assert not PreviewPage.objects.filter(revision__document=due).exists()
    assert Revision.objects.get(document=due).file.name == ""
    assert Grant.objects.get(pk=grant.pk).revoked_at is not None
    assert certificate.files_removed == 5
    assert certificate.grants_revoked == 1
    assert certificate.requested_by is None
    assert certificate.revisions[0]["sha256"] == due.revisions.get().sha256
    assert certificate.revisions[0]["preview_pages"] == 2
    assert DocumentEvent.objects.filter(document=due, action="destroy").count() == 1
    assert not Document.objects.get(pk=kept.pk).is_destroyed
    # A second run finds nothing more to do.
    assert services.documents_purge_due() == []
    assert DestructionCertificate.objects.count() == 1


def test_after_destruction_the_partner_sees_nothing_and_the_owner_a_clear_page(world):
    document = make_document(world.company)
    share(document, world.other_company)
    partner = world.client_for(OTHER_COMPANY)
    viewer = reverse("drawings:viewer", kwargs={"pk": document.pk, "number": 1})
    assert partner.get(viewer).status_code == 200
    services.document_destroy(actor=world.users[MEMBER], document=document, reason="取引終了")

    assert partner.get(viewer).status_code == 404
    owner = world.client_for(MEMBER)
    gone = owner.get(viewer)
    assert gone.status_code == 410
    assert "この図面は破棄されました" in gone.content.decode()
    page = reverse("drawings:page_image", kwargs={"pk": document.pk, "number": 1, "page": 1})
    assert owner.get(page).status_code == 410
    detail = owner.get(reverse("drawings:detail", kwargs={"pk": document.pk})).content.decode()
    assert 'data-testid="destroyed-banner"' in detail
    with pytest.raises(ApplicationError):
        services.grant_create(
            actor=world.users[MEMBER], document=document, grantee=world.other_company
        )


def test_the_certificate_pdf_names_what_was_destroyed(world):
    document = make_document(world.company, title="フランジ <試作>", drawing_number="F-9")
    services.document_destroy(actor=world.users[MEMBER], document=document, reason="取引終了")
    response = world.client_for(STAFF).get(reverse("drawings:certificate", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    certificate = DestructionCertificate.objects.get(document=document)
    for expected in ("破棄証明書", certificate.number, "フランジ <試作>", "F-9", "取引終了"):
        assert expected in text
    assert certificate.revisions[0]["sha256"][:16] in text.replace("\n", "")


def test_destroy_page_needs_a_reason_and_the_check(world):
    document = make_document(world.company)
    owner = world.client_for(MEMBER)
    url = reverse("drawings:destroy", args=[document.pk])
    page = owner.post(url, {"reason": "取引終了"})
    assert page.status_code == 200
    assert "確認のチェックを入れてください" in page.content.decode()
    assert not Document.objects.get(pk=document.pk).is_destroyed
    done = owner.post(url, {"reason": "取引終了", "confirm": "on"})
    assert done.status_code == 302
    assert Document.objects.get(pk=document.pk).is_destroyed


def test_retention_page_shows_a_bad_date_in_japanese(world):
    document = make_document(world.company)
    response = world.client_for(MEMBER).post(
        reverse("drawings:retention", args=[document.pk]),
        {"rule": "on_date", "date": f"{_today() - dt.timedelta(days=1)}"},
    )
    assert response.status_code == 200
    assert "今日以降の日付" in response.content.decode()
    assert Document.objects.get(pk=document.pk).retention_rule == "keep"


def test_the_scheduler_queues_the_purge_once_per_interval(
    world, settings, django_capture_on_commit_callbacks
):
    settings.PERIODIC_TASKS = {
        "drawings.purge_due_documents": ("machikoba.drawings.tasks.purge_due_documents", 3600)
    }
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduler", "--once")
        call_command("run_scheduler", "--once")
    queued = DBTaskResult.objects.filter(task_path__endswith="purge_due_documents")
    assert queued.count() == 1


def test_the_purge_task_runs_the_purge(world):
    from machikoba.drawings.tasks import purge_due_documents

    document = make_document(world.company)
    _set(world, document, rule="on_date", date=_today())
    assert purge_due_documents.call() == 1
    assert Document.objects.get(pk=document.pk).is_destroyed
