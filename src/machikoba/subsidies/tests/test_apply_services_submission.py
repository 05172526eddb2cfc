"""The applicant's submission: each refusal (its code, and nothing changed), the
deadline in Japan time, the owner's consent to an advisor's application, resubmission
after 差戻し, and withdrawal."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from machikoba.core.testing.factories_subsidies import (
    make_application,
    make_officer,
    make_paper_call,
)
from machikoba.core.testing.factories_subsidies_apply import (
    make_company_advisor,
    make_ready_application,
)
from machikoba.subsidies import services
from machikoba.subsidies.choices import ApplicationStatus, DocumentKind
from machikoba.subsidies.error_codes_apply import ApplyErrorCode
from machikoba.subsidies.models import Application, ApplicationSnapshot
from machikoba.subsidies.selectors.body import application_body
from machikoba.subsidies.services.internal import application_transition
from machikoba.subsidies.tests.conftest import refused

TOKYO = ZoneInfo("Asia/Tokyo")

pytestmark = pytest.mark.usefixtures("media")


# --- submission ------------------------------------------------------------------------------


def test_a_complete_draft_is_submitted_with_its_amounts_and_a_snapshot(stage1, company, owner):
    application = make_ready_application(stage1, company, lines=[("software", 400_000)])

    submitted = services.application_submit(actor=owner, application=application)

    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.reference == f"DX{stage1.call.fiscal_year}-1-{application.pk:05d}"
    assert submitted.eligible_cost == 400_000
    assert submitted.requested_amount == 300_000  # 3/4
    assert submitted.submitted_by == owner
    snapshot = ApplicationSnapshot.objects.get(application=application)
    assert snapshot.version == 1
    assert snapshot.data["plan"]["title"] == "日報の電子化"
    assert snapshot.data["lines"][0]["amount"] == 400_000
    assert submitted.events.get().to_status == ApplicationStatus.SUBMITTED


def test_the_requested_amount_is_capped_by_the_stage(stage1, company, owner):
    application = make_ready_application(stage1, company, lines=[("software", 900_000)])
    submitted = services.application_submit(actor=owner, application=application)
    assert submitted.requested_amount == 500_000  # 3/4 × 900,000 = 675,000 > the cap
    assert submitted.eligible_cost == 900_000


def _advisor_filed(stage, company):
    advisor = make_company_advisor(company)
    application = make_ready_application(stage, company, filed_by=advisor)
    return application


def _gbiz_call(stage, company):
    stage.call.requires_gbiz_verified = True
    stage.call.save()
    return make_ready_application(stage, company)


def _ineligible(stage, company):
    application = make_ready_application(stage, company)
    other = stage.call.stages.get(number=2).categories.get(code="cloud")
    line = application.expenses.first()
    line.category = other
    line.save()
    return application


def _one_quote_short(stage, company):
    stage2 = stage.call.stages.get(number=2)
    application = make_ready_application(stage2, company, lines=[("system", 2_000_000)])
    application.documents.filter(kind=DocumentKind.QUOTE).first().delete()
    return application


def _no_expert(stage, company):
    stage2 = stage.call.stages.get(number=2)
    application = make_ready_application(stage2, company, lines=[("system", 2_000_000)])
    application.documents.filter(kind=DocumentKind.EXPERT_EVALUATION).delete()
    return application


def _no_attachment(stage, company):
    application = make_ready_application(stage, company)
    application.documents.filter(kind=DocumentKind.ATTACHMENT).delete()
    return application


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (
            lambda s, c: make_ready_application(s, c, title=""),
            ApplyErrorCode.PLAN_INCOMPLETE,
        ),
        (
            lambda s, c: make_ready_application(s, c, baseline_sales=None),
            ApplyErrorCode.PLAN_INCOMPLETE,
        ),
        (
            lambda s, c: make_ready_application(s, c, partners="都立産業技術研究センター"),
            ApplyErrorCode.PARTNERS_NOT_ALLOWED,
        ),
        (
            lambda s, c: make_ready_application(s, c, lines=[]),
            ApplyErrorCode.NO_EXPENSES,
        ),
        (_ineligible, ApplyErrorCode.INELIGIBLE_EXPENSE),
        (
            lambda s, c: make_ready_application(s, c, lines=[("software", 60_000)]),
            ApplyErrorCode.BELOW_MINIMUM,
        ),
        (_one_quote_short, ApplyErrorCode.QUOTES_MISSING),
        (_no_attachment, ApplyErrorCode.ATTACHMENTS_MISSING),
        (_no_expert, ApplyErrorCode.EXPERT_EVALUATION_MISSING),
        (_advisor_filed, ApplyErrorCode.CONSENT_MISSING),
        (_gbiz_call, ApplyErrorCode.GBIZ_REQUIRED),
    ],
    ids=[
        "title",
        "baseline",
        "partners",
        "no-lines",
        "ineligible",
        "below-minimum",
        "quotes",
        "attachment",
        "expert",
        "consent",
        "gbiz",
    ],
)
def test_a_submission_is_refused_precisely_and_nothing_changes(stage1, company, owner, build, code):
    application = build(stage1, company)
    before = Application.objects.values().get(pk=application.pk)

    error = refused(code, services.application_submit, actor=owner, application=application)

    assert error.message  # a Japanese sentence the page shows as is
    assert Application.objects.values().get(pk=application.pk) == before
    assert not ApplicationSnapshot.objects.exists()
    assert not application.events.exists()


@pytest.mark.clock_sensitive
def test_the_deadline_is_kept_in_japan_time_to_the_second(db, company, owner):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    closes = dt.datetime.combine(tomorrow, dt.time(17, 0), tzinfo=TOKYO)
    call = make_paper_call(closes_at=closes, opens_at=closes - dt.timedelta(days=30))
    stage = call.stages.get(number=1)
    late = make_ready_application(stage, company)
    on_time = make_ready_application(call.stages.get(number=2), company)
    with time_machine.travel(closes + dt.timedelta(seconds=1), tick=False):
        error = refused(
            ApplyErrorCode.DEADLINE_PASSED,
            services.application_submit,
            actor=owner,
            application=late,
        )
    assert "17:00:00" in str(error.message)
    late.refresh_from_db()
    assert late.status == ApplicationStatus.DRAFT
    with time_machine.travel(closes, tick=False):
        services.application_submit(actor=owner, application=on_time)
    on_time.refresh_from_db()
    assert on_time.status == ApplicationStatus.SUBMITTED


def test_an_advisors_application_is_submitted_once_the_owner_consents(
    stage1, company, owner, staff
):
    application = _advisor_filed(stage1, company)
    advisor = application.filed_by
    refused(
        ApplyErrorCode.CONSENT_NOT_ALLOWED,
        services.application_consent,
        actor=staff,
        application=application,
    )

    services.application_consent(actor=owner, application=application)
    application.refresh_from_db()
    assert application.consent_by == owner
    assert application.consent_at is not None

    services.application_submit(actor=advisor, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_an_advisors_change_after_consent_asks_for_consent_again(stage1, company, owner):
    application = _advisor_filed(stage1, company)
    services.application_consent(actor=owner, application=application)
    services.application_save_step(
        actor=application.filed_by, application=application, step=2, data={"title": "変更"}
    )
    application.refresh_from_db()
    assert application.consent_at is None
    refused(
        ApplyErrorCode.CONSENT_MISSING,
        services.application_submit,
        actor=application.filed_by,
        application=application,
    )


def test_an_owners_own_application_needs_no_consent(stage1, company, owner):
    application = make_ready_application(stage1, company, filed_by=owner)
    refused(
        ApplyErrorCode.CONSENT_NOT_ALLOWED,
        services.application_consent,
        actor=owner,
        application=application,
    )


def test_a_returned_application_is_resubmitted_as_version_two_and_the_diff_shows(
    stage1, company, owner
):
    application = make_ready_application(stage1, company, lines=[("software", 400_000)])
    services.application_submit(actor=owner, application=application)
    application.refresh_from_db()
    application_transition(
        application=application,
        to=ApplicationStatus.RETURNED,
        actor=make_officer(),
        comment="効果の目標値を具体的に",
    )
    services.application_save_step(
        actor=owner, application=application, step=2, data={"effect_after": 1}
    )
    line = application.expenses.get()
    services.expense_update(
        actor=owner,
        expense=line,
        category=line.category,
        description=line.description,
        vendor=line.vendor,
        amount=380_000,
    )

    # 差戻し reopens the application: the resubmission may come after the deadline.
    with time_machine.travel(stage1.call.closes_at + dt.timedelta(days=3), tick=False):
        services.application_submit(actor=owner, application=application)

    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.requested_amount == 285_000
    assert list(application.snapshots.values_list("version", flat=True)) == [1, 2]
    body = application_body(owner, application)
    assert body.versions == 2
    assert [(c.label, c.old, c.new) for c in body.diff.fields] == [("導入後の目標値", "2", "1")]
    assert [line.amount for line in body.diff.removed_lines] == [400_000]
    assert [line.amount for line in body.diff.added_lines] == [380_000]
    assert "再提出" in application.events.order_by("-pk").first().comment


# --- withdrawal ----------------------------------------------------------------------------------


def test_the_company_withdraws_a_submitted_application_the_advisor_may_not(
    stage1, company, owner, staff
):
    advisor = make_company_advisor(company)
    application = make_application(
        stage1, company, status=ApplicationStatus.SUBMITTED, filed_by=advisor
    )
    refused(
        ApplyErrorCode.NOT_ALLOWED,
        services.application_withdraw,
        actor=advisor,
        application=application,
    )
    services.application_withdraw(actor=staff, application=application, reason="今回は見送り")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert application.events.get().comment == "今回は見送り"


def test_a_paid_application_is_not_withdrawn(stage1, company, owner):
    application = make_application(stage1, company, status=ApplicationStatus.PAID)
    refused(
        ApplyErrorCode.NOT_EDITABLE,
        services.application_withdraw,
        actor=owner,
        application=application,
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PAID
