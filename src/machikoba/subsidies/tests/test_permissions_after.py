"""Permission matrix of the pages after the selection. The company's owner and staff and
the officers of the call's ward see the grant steps, the 実績報告, the notice and the
value-added reports; the company presses the company's buttons and the office the
office's (the other side gets a 403); a floor worker, another company, another ward's
officer, the metro viewer, an advisor, an instructor and a platform admin do not find
them (404), and the office's buttons refuse anyone who is not an officer (403).

(``core/tests/test_url_coverage.py`` collects ``MATRIX`` from ``test_permissions*``
modules: ``test_permissions_after.py`` re-exports this one.)"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.core.fiscal import fiscal_year
from machikoba.core.testing.factories_subsidies_after import (
    add_proof,
    make_after,
    make_report,
    proof_upload,
)
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    DONE,
    LOGIN,
    MEMBER,
    OFFICER,
    OTHER_WARD_OFFICER,
    STAFF,
    Case,
    assert_case,
    expect,
)
from machikoba.subsidies.choices import (
    ApplicationStatus,
    DocumentKind,
    ReportStatus,
    ValueAddedKind,
    ValueAddedStatus,
)
from machikoba.subsidies.models import Application, ApplicationDocument
from machikoba.subsidies.models_after import (
    ActualExpense,
    ChangeRequest,
    CompletionReport,
    ValueAddedReport,
)
from machikoba.subsidies.services.payments import report_due_on

# Reading: the company's editors and the ward's office; nobody else finds it.
READERS = expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, OFFICER: 200})
# The company's buttons: the office sees the page but may not press them.
COMPANY = expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, OFFICER: 403})
# The office's buttons: officers only (another ward does not find the application).
OFFICE = expect(403, **{ANONYMOUS: LOGIN, OFFICER: DONE, OTHER_WARD_OFFICER: 404})


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _grant(w, status, report_status=None):
    """An application of the world's company at ``status`` (with a 実績報告 in
    ``report_status`` when given)."""
    w.grant = make_after(company=w.company, status=status)
    if report_status:
        make_report(w.grant, status=report_status)
    return w.grant


def _at(status, name, report_status=None):
    return lambda w: reverse(f"subsidies:{name}", args=[_grant(w, status, report_status).pk])


def _change_url(w):
    application = _grant(w, ApplicationStatus.GRANTED)
    change = ChangeRequest.objects.create(application=application, description="a", reason="b")
    return reverse("subsidies:change_request_decide", args=[change.pk])


def _expense_url(name):
    def url(w):
        report = make_report(_grant(w, ApplicationStatus.GRANTED), proofs=False)
        return reverse(f"subsidies:{name}", args=[report.expenses.get().pk])

    return url


def _proof_url(w):
    report = make_report(_grant(w, ApplicationStatus.GRANTED), proofs=False)
    document = add_proof(report.expenses.get(), DocumentKind.RECEIPT)
    return reverse("subsidies:proof_remove", args=[document.pk])


def _value_added_url(w):
    application = _grant(w, ApplicationStatus.PAID)
    year = fiscal_year(timezone.localdate()) - 1
    report = ValueAddedReport.objects.create(
        company=w.company,
        municipality=application.stage.call.municipality,
        kind=ValueAddedKind.BUSINESS_REPORT,
        application=application,
        year_index=1,
        fiscal_year=year,
        status=ValueAddedStatus.REQUESTED,
        requested_at=timezone.now(),
        due_on=report_due_on(year),
    )
    return reverse("subsidies:value_added_report", args=[report.pk])


def _statuses(w):
    return Application.objects.values_list("status", flat=True)


def _line(w):
    return {
        "expense-category": w.grant.stage.categories.get(code="software").pk,
        "expense-description": "日報アプリ",
        "expense-vendor": "クラウド日報株式会社",
        "expense-amount": "300000",
        "expense-paid_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
    }


def _survey_data(w):
    return {
        "fiscal_year": str(fiscal_year(timezone.localdate()) - 1),
        "municipality": str(w.company.ward_id),
    }


MATRIX = [
    Case("subsidies:grant_steps", _at(ApplicationStatus.GRANTED, "grant_steps"), READERS),
    Case(
        "subsidies:grant_request",
        _at(ApplicationStatus.SELECTED, "grant_request"),
        COMPANY,
        method="POST",
        data=lambda w: {"confirm": "on"},
        effect=_statuses,
    ),
    Case(
        "subsidies:grant_decide",
        _at(ApplicationStatus.GRANT_REQUESTED, "grant_decide"),
        OFFICE,
        method="POST",
        data=lambda w: {"amount": ""},
        effect=_statuses,
    ),
    Case("subsidies:grant_notice", _at(ApplicationStatus.GRANTED, "grant_notice"), READERS),
    Case(
        "subsidies:change_request_file",
        _at(ApplicationStatus.GRANTED, "change_request_file"),
        COMPANY,
        method="POST",
        data=lambda w: {"description": "台数を減らす", "reason": "人が減った"},
        effect=lambda w: ChangeRequest.objects.count(),
    ),
    Case(
        "subsidies:change_request_decide",
        _change_url,
        OFFICE,
        method="POST",
        data=lambda w: {"decision": "approve", "comment": "承認します"},
        effect=lambda w: ChangeRequest.objects.values_list("status", flat=True),
    ),
    Case("subsidies:grant_report", _at(ApplicationStatus.GRANTED, "grant_report"), READERS),
    Case(
        "subsidies:grant_report",
        _at(ApplicationStatus.GRANTED, "grant_report"),
        COMPANY,
        method="POST",
        data=lambda w: {
            "completed_on": "",
            "felt_efficiency": "yes",
            "felt_cost_reduction": "no",
            "felt_productivity": "yes",
        },
        effect=lambda w: CompletionReport.objects.count(),
    ),
    Case(
        "subsidies:actual_expense_add",
        _at(ApplicationStatus.GRANTED, "actual_expense_add"),
        COMPANY,
        method="POST",
        data=_line,
        effect=lambda w: ActualExpense.objects.count(),
    ),
    Case(
        "subsidies:actual_expense_remove",
        _expense_url("actual_expense_remove"),
        COMPANY,
        method="POST",
        effect=lambda w: ActualExpense.objects.count(),
    ),
    Case(
        "subsidies:actual_expense_proof_add",
        _expense_url("actual_expense_proof_add"),
        COMPANY,
        method="POST",
        data=lambda w: {"proof-kind": DocumentKind.RECEIPT, "proof-file": proof_upload()},
        effect=lambda w: ApplicationDocument.objects.count(),
    ),
    Case(
        "subsidies:proof_remove",
        _proof_url,
        COMPANY,
        method="POST",
        effect=lambda w: ApplicationDocument.objects.count(),
    ),
    Case(
        "subsidies:inspection_accept",
        _at(ApplicationStatus.REPORTED, "inspection_accept", ReportStatus.SUBMITTED),
        OFFICE,
        method="POST",
        data=lambda w: {"comment": ""},
        effect=_statuses,
    ),
    Case(
        "subsidies:inspection_return",
        _at(ApplicationStatus.REPORTED, "inspection_return", ReportStatus.SUBMITTED),
        OFFICE,
        method="POST",
        data=lambda w: {"comment": "領収書の宛名が違います"},
        effect=_statuses,
    ),
    Case(
        "subsidies:payment_record",
        _at(ApplicationStatus.CONFIRMED, "payment_record", ReportStatus.ACCEPTED),
        OFFICE,
        method="POST",
        data=lambda w: {"paid_on": timezone.localdate().isoformat(), "reference": ""},
        effect=_statuses,
    ),
    Case("subsidies:value_added_report", _value_added_url, READERS),
    Case(
        "subsidies:value_added_report",
        _value_added_url,
        COMPANY,
        method="POST",
        data=lambda w: {"sales": "1000000", "external_costs": "400000", "employees": "3"},
        effect=lambda w: ValueAddedReport.objects.values_list("status", flat=True),
    ),
    Case(
        "subsidies:office_value_added",
        lambda w: reverse("subsidies:office_value_added"),
        expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 200}),
    ),
    Case(
        "subsidies:value_added_survey_send",
        lambda w: reverse("subsidies:value_added_survey_send"),
        # Another ward's officer may not choose this ward: the form says so (200).
        expect(403, **{ANONYMOUS: LOGIN, OFFICER: DONE, OTHER_WARD_OFFICER: 200}),
        method="POST",
        data=_survey_data,
        effect=lambda w: ValueAddedReport.objects.filter(kind=ValueAddedKind.SURVEY).count(),
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
