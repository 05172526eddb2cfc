"""The subsidies API's operations that mirror the office's set-up of a call, the
applicant's bonus claims, the 採択/不採択 notice and the value-added reports: each goes
through the page's service, a refusal carries the service's code and a Japanese message
and writes nothing, input the schema can judge is refused by it (422 ``invalid``), and a
file read back parses (the CSV, the .xlsx, the PDF). Also: only a manufacturer starts an
application, through the API and the page alike."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pypdfium2 as pdfium
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from machikoba.companies.choices import CompanyKind
from machikoba.core.fiscal import fiscal_year
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import (
    SUMIDA,
    CompanyFactory,
    MembershipFactory,
    force_login_with_mfa,
    give_totp,
    ward,
)
from machikoba.core.testing.factories_subsidies import make_application, make_reviewer
from machikoba.core.testing.factories_subsidies_after import make_after
from machikoba.core.testing.factories_subsidies_apply import pdf_upload
from machikoba.core.testing.factories_subsidies_office import (
    future_dates,
    make_future_paper_call,
)
from machikoba.core.testing.factories_subsidies_screening import assign
from machikoba.subsidies.choices import (
    ApplicationStatus,
    AssignmentStatus,
    BonusClaimStatus,
    BonusKind,
    DocumentKind,
    ValueAddedKind,
    ValueAddedStatus,
)
from machikoba.subsidies.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    BonusCriterion,
    Call,
    ExpenseCategory,
    RubricCriterion,
    Stage,
)
from machikoba.subsidies.models_after import ValueAddedReport
from machikoba.subsidies.models_screening import BonusClaim
from machikoba.subsidies.services.payments import report_due_on

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

JSON = "application/json"
EXPORT_HEADER = [
    "受付番号",
    "申請企業",
    "ステージ",
    "状態",
    "補助対象経費 (円)",
    "申請額 (円)",
    "交付決定額 (円)",
    "確定額 (円)",
    "支払額 (円)",
    "提出日時 (日本時間)",
    "加点",
    "合計点",
]


def _api(name, *args):
    return reverse(f"api:{name}", args=list(args))


def _send(client, method, url, payload=None):
    return getattr(client, method)(url, data=json.dumps(payload or {}), content_type=JSON)


def _refused(response, code):
    """A refusal: not a success, with ``code`` and a message in Japanese."""
    assert response.status_code not in (200, 201, 204), response.content
    body = response.json()
    assert body["code"] == code, body
    assert body["message"]
    return body


def _field_named(response, name):
    """Whether the schema's refusal names the field ``name`` (``payload.name``)."""
    return any(key.rpartition(".")[2] == name for key in response.json()["fields"])


def _signed_in(user, *, mfa=False):
    client = Client()
    if mfa:
        give_totp(user)
        force_login_with_mfa(client, user)
    else:
        client.force_login(user)
    return client


@pytest.fixture
def office(officer):
    return _signed_in(officer, mfa=True)


@pytest.fixture
def applicant(owner):
    return _signed_in(owner)


@pytest.fixture
def future_call(db):
    return make_future_paper_call(name="DX導入補助金 (来年度)", budget=70_000_000)


def _call_body(**overrides):
    dates = future_dates()
    body = {
        "municipality_id": ward().pk,
        "fiscal_year": dates["opens_at"].year,
        "name": "DX導入補助金 (API)",
        "description": "区内の製造業のDXを支援します。",
        "budget": 20_000_000,
        "opens_at": dates["opens_at"].isoformat(),
        "closes_at": dates["closes_at"].isoformat(),
        "screening_on": dates["screening_on"].isoformat(),
        "decision_on": dates["decision_on"].isoformat(),
    }
    body.update(overrides)
    return body


def _pdf_text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


# --- the office's set-up of a call ---------------------------------------------------------------


def test_an_officer_sets_up_a_call_through_the_api(office):
    created = _send(office, "post", _api("subsidies_office_calls"), _call_body())
    assert created.status_code == 201, created.json()
    dashboard = created.json()
    call_id = dashboard["call"]["id"]
    assert dashboard["call"]["name"] == "DX導入補助金 (API)"
    assert dashboard["stages"] == []
    assert dashboard["rules_lock"] is None

    stage = _send(
        office,
        "post",
        _api("subsidies_office_stage_create", call_id),
        {
            "number": 1,
            "name": "はじめの一歩",
            "rate_numerator": 3,
            "rate_denominator": 4,
            "cap": 500_000,
            "min_project_cost": 100_000,
            "budget": 15_000_000,
        },
    )
    assert stage.status_code == 201, stage.json()
    stage_id = stage.json()["stage"]["id"]
    assert stage.json()["stage"]["rate_label"]
    category = _send(
        office,
        "post",
        _api("subsidies_office_category_add", stage_id),
        {"code": "devices", "name": "機器購入費", "max_share_percent": 50},
    )
    assert category.status_code == 201, category.json()
    attachment = _send(
        office, "post", _api("subsidies_office_attachment_add", stage_id), {"name": "決算書"}
    )
    assert attachment.status_code == 201
    criterion = _send(
        office,
        "post",
        _api("subsidies_office_rubric", call_id),
        {"name": "課題の明確さ", "max_score": 10},
    )
    assert criterion.status_code == 201
    bonus = _send(
        office,
        "post",
        _api("subsidies_office_bonus_add", call_id),
        {"kind": "claimed", "name": "賃上げの表明", "points": 3},
    )
    assert bonus.status_code == 201

    rules = office.get(_api("subsidies_office_stage", stage_id)).json()
    assert [c["code"] for c in rules["categories"]] == ["devices"]
    assert [a["name"] for a in rules["attachments"]] == ["決算書"]
    rubric = office.get(_api("subsidies_office_rubric", call_id)).json()
    assert rubric["max_total"] == 10
    assert [(b["kind"], b["points"]) for b in rubric["bonuses"]] == [("claimed", 3)]

    # A null clears a category's limit; a field not sent keeps its value.
    changed = _send(
        office,
        "patch",
        _api("subsidies_office_category_update", category.json()["id"]),
        {"max_share_percent": None, "quotes_required": 2},
    )
    assert changed.status_code == 200, changed.json()
    row = ExpenseCategory.objects.get(pk=category.json()["id"])
    assert (row.max_share_percent, row.quotes_required, row.name) == (None, 2, "機器購入費")
    renamed = _send(
        office, "patch", _api("subsidies_office_call", call_id), {"name": "DX導入補助金 (改)"}
    )
    assert renamed.status_code == 200, renamed.json()
    assert renamed.json()["call"]["name"] == "DX導入補助金 (改)"
    assert renamed.json()["call"]["budget"] == 20_000_000
    removed = office.delete(_api("subsidies_office_category_update", category.json()["id"]))
    assert removed.status_code == 204
    assert not ExpenseCategory.objects.filter(pk=category.json()["id"]).exists()
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {
        "subsidy_call.create",
        "subsidy_stage.create",
        "subsidy_category.add",
        "subsidy_attachment.add",
        "subsidy_rubric.add",
        "subsidy_bonus.add",
        "subsidy_category.update",
        "subsidy_call.update",
        "subsidy_category.remove",
    } <= verbs


def test_a_call_whose_dates_are_out_of_order_is_refused_and_nothing_is_made(office):
    dates = future_dates()
    body = _call_body(closes_at=(dates["opens_at"] - dt.timedelta(hours=1)).isoformat())
    before = Call.objects.count()
    refusal = _refused(
        _send(office, "post", _api("subsidies_office_calls"), body),
        "subsidy_call_dates_out_of_order",
    )
    assert refusal["fields"]["closes_at"] == ["受付締切は、受付開始より後の日時にしてください。"]
    assert Call.objects.count() == before


def test_what_the_schema_states_is_refused_by_it(office, future_call):
    """A time without its zone, a category code with a space, a rate beyond 100: 422
    ``invalid`` before any service runs, nothing written."""
    naive = _call_body(opens_at=future_dates()["opens_at"].replace(tzinfo=None).isoformat())
    answer = _send(office, "post", _api("subsidies_office_calls"), naive)
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid"
    stage = future_call.stages.get(number=1)
    answer = _send(
        office,
        "post",
        _api("subsidies_office_category_add", stage.pk),
        {"code": "new code", "name": "新しい区分"},
    )
    assert answer.status_code == 422
    assert _field_named(answer, "code")
    answer = _send(office, "patch", _api("subsidies_office_stage", stage.pk), {"rounding": 0})
    assert answer.status_code == 422
    assert Call.objects.count() == 1
    assert not ExpenseCategory.objects.filter(name="新しい区分").exists()
    assert Stage.objects.get(pk=stage.pk).rounding == 1000


def test_another_ward_is_not_the_officer_s_to_choose(office, future_call):
    body = _call_body(municipality_id=ward(SUMIDA).pk)
    assert _send(office, "post", _api("subsidies_office_calls"), body).status_code == 404
    assert Call.objects.count() == 1


def test_a_rate_above_one_is_refused(office, future_call):
    before = Stage.objects.count()
    refusal = _refused(
        _send(
            office,
            "post",
            _api("subsidies_office_stage_create", future_call.pk),
            {
                "number": 4,
                "name": "試行",
                "rate_numerator": 3,
                "rate_denominator": 2,
                "cap": 300_000,
                "budget": 1_000_000,
            },
        ),
        "subsidy_stage_rate_invalid",
    )
    assert "補助率" in refusal["fields"]["rate_numerator"][0]
    assert Stage.objects.count() == before


def test_the_rules_of_an_open_call_are_fixed(office, call):
    """The conftest's call opened a week ago: its rules are fixed (409), its stage's name
    and budget still change."""
    stage = call.stages.get(number=1)
    before = ExpenseCategory.objects.filter(stage=stage).count()
    refusal = _refused(
        _send(
            office,
            "post",
            _api("subsidies_office_category_add", stage.pk),
            {"code": "training", "name": "研修費"},
        ),
        "subsidy_call_rules_locked_open",
    )
    assert "変更できません" in refusal["message"]
    assert ExpenseCategory.objects.filter(stage=stage).count() == before
    _refused(
        _send(office, "patch", _api("subsidies_office_stage", stage.pk), {"cap": 600_000}),
        "subsidy_call_rules_locked_open",
    )
    assert Stage.objects.get(pk=stage.pk).cap == 500_000
    renamed = _send(
        office, "patch", _api("subsidies_office_stage", stage.pk), {"name": "はじめの一歩 (改)"}
    )
    assert renamed.status_code == 200, renamed.json()
    assert renamed.json()["rules_lock"]["code"] == "subsidy_call_rules_locked_open"
    assert Stage.objects.get(pk=stage.pk).name == "はじめの一歩 (改)"


def test_a_duplicate_code_a_second_dojo_bonus_and_a_used_stage_are_refused(
    office, future_call, company
):
    stage = future_call.stages.get(number=1)
    _refused(
        _send(
            office,
            "post",
            _api("subsidies_office_category_add", stage.pk),
            {"code": "software", "name": "ソフトウェア (2)"},
        ),
        "subsidy_category_code_taken",
    )
    assert stage.categories.filter(code="software").count() == 1
    refusal = _refused(
        _send(
            office,
            "post",
            _api("subsidies_office_bonus_add", future_call.pk),
            {"kind": "dojo_graduate", "name": "DX道場の修了 (2)", "points": 5},
        ),
        "subsidy_bonus_invalid",
    )
    assert "1つの公募に1つだけ" in refusal["fields"]["kind"][0]
    assert future_call.bonus_criteria.filter(kind=BonusKind.DOJO_GRADUATE).count() == 1
    make_application(stage, company)  # a draft names the stage
    refusal = _refused(
        office.delete(_api("subsidies_office_stage", stage.pk)), "subsidy_rule_in_use"
    )
    assert "削除できません" in refusal["message"]
    assert Stage.objects.filter(pk=stage.pk).exists()


def test_next_year_s_call_is_copied_with_its_rules(office, future_call):
    dates = future_dates(opens_in_days=400)
    copied = _send(
        office,
        "post",
        _api("subsidies_office_call_copy", future_call.pk),
        {
            "fiscal_year": future_call.fiscal_year + 1,
            "name": future_call.name,
            "budget": 70_000_000,
            "opens_at": dates["opens_at"].isoformat(),
            "closes_at": dates["closes_at"].isoformat(),
            "screening_on": dates["screening_on"].isoformat(),
            "decision_on": dates["decision_on"].isoformat(),
        },
    )
    assert copied.status_code == 201, copied.json()
    new_id = copied.json()["call"]["id"]
    assert [s["stage"]["number"] for s in copied.json()["stages"]] == [1, 2, 3]
    assert RubricCriterion.objects.filter(call_id=new_id).count() == 5
    assert copied.json()["call"]["municipality_id"] == future_call.municipality_id


def test_the_dashboard_and_the_export_read_back(office, call, company):
    stage = call.stages.get(number=1)
    make_application(
        stage,
        company,
        status=ApplicationStatus.SUBMITTED,
        reference="S-0001",
        requested_amount=450_000,
        eligible_cost=600_000,
    )
    dashboard = office.get(_api("subsidies_office_call", call.pk)).json()
    assert dashboard["filed"] == 1
    first = dashboard["stages"][0]
    assert first["stage"]["number"] == 1
    assert [(p["status"], p["count"]) for p in first["pipeline"]] == [("submitted", 1)]
    assert dashboard["money"]["budget"] == call.budget

    answer = office.get(_api("subsidies_office_call_export", call.pk), {"format": "csv"})
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    assert answer["Cache-Control"] == "private, no-store"
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0] == EXPORT_HEADER
    assert rows[1][:2] == ["S-0001", company.name]
    assert rows[1][5] == "450000"

    answer = office.get(_api("subsidies_office_call_export", call.pk), {"format": "xlsx"})
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == EXPORT_HEADER
    assert values[1][0] == "S-0001"
    assert values[1][5] == 450_000
    assert AuditEvent.objects.filter(verb="subsidy_call.export").count() == 2
    assert (
        office.get(_api("subsidies_office_call_export", call.pk), {"format": "pdf"}).status_code
        == 422
    )


# --- the applicant's bonus claims --------------------------------------------------------------


def _criterion(call, kind=BonusKind.CLAIMED):
    return BonusCriterion.objects.filter(call=call, kind=kind).first()


@pytest.mark.usefixtures("media")
def test_an_owner_claims_a_bonus_and_the_office_verifies_it(applicant, office, call, company):
    application = make_application(
        call.stages.get(number=1), company, status=ApplicationStatus.SUBMITTED
    )
    page = applicant.get(_api("subsidies_bonus_claims", application.pk)).json()
    assert page["open"] is True
    claimable = {r["criterion_id"] for r in page["rows"] if r["claimable"]}
    assert claimable == set(
        BonusCriterion.objects.filter(call=call, kind=BonusKind.CLAIMED).values_list(
            "pk", flat=True
        )
    )
    criterion = _criterion(call)
    answer = applicant.post(
        _api("subsidies_bonus_claims", application.pk),
        {"criterion_id": criterion.pk, "file": pdf_upload("賃上げ表明書.pdf"), "note": "表明済み"},
    )
    assert answer.status_code == 201, answer.json()
    row = next(r for r in answer.json()["rows"] if r["criterion_id"] == criterion.pk)
    assert row["claim"]["status"] == "claimed"
    assert row["claim"]["evidence"]["original_name"] == "賃上げ表明書.pdf"
    assert row["claim"]["evidence_note"] == "表明済み"
    claim = BonusClaim.objects.get(application=application, criterion=criterion)
    assert claim.evidence.kind == DocumentKind.BONUS_EVIDENCE

    verified = _send(
        office,
        "post",
        _api("subsidies_screening", application.pk),
        {"action": "bonus_verify", "claim_id": claim.pk},
    )
    assert verified.status_code == 200, verified.json()
    row = next(
        r
        for r in applicant.get(_api("subsidies_bonus_claims", application.pk)).json()["rows"]
        if r["criterion_id"] == criterion.pk
    )
    assert row["claim"]["status"] == BonusClaimStatus.VERIFIED
    assert row["claimable"] is False


@pytest.mark.usefixtures("media")
def test_a_bonus_claim_refused_writes_nothing(applicant, call, company):
    application = make_application(call.stages.get(number=1), company)
    url = _api("subsidies_bonus_claims", application.pk)
    refusal = _refused(
        applicant.post(
            url,
            {
                "criterion_id": _criterion(call, BonusKind.DOJO_GRADUATE).pk,
                "file": pdf_upload("修了証.pdf"),
            },
        ),
        "screening_bonus_invalid",
    )
    assert refusal["fields"]["criterion"] == [
        "この加点は区が記録から自動で確認します。申告は要りません。"
    ]
    # The upload's type is sniffed from its content, as for every upload of the platform.
    refusal = _refused(
        applicant.post(
            url,
            {
                "criterion_id": _criterion(call).pk,
                "file": SimpleUploadedFile("memo.txt", b"hello", content_type="text/plain"),
            },
        ),
        "file_type_unsupported",
    )
    assert "対応していない形式" in refusal["fields"]["file"][0]
    other_call = make_future_paper_call(name="別の公募")
    answer = applicant.post(
        url, {"criterion_id": _criterion(other_call).pk, "file": pdf_upload("根拠.pdf")}
    )
    assert answer.status_code == 404
    assert BonusClaim.objects.count() == 0
    assert ApplicationDocument.objects.count() == 0


@pytest.mark.usefixtures("media")
def test_a_selected_application_takes_no_bonus_claim(applicant, call, company):
    application = make_application(
        call.stages.get(number=1), company, status=ApplicationStatus.SELECTED
    )
    refusal = _refused(
        applicant.post(
            _api("subsidies_bonus_claims", application.pk),
            {"criterion_id": _criterion(call).pk, "file": pdf_upload("根拠.pdf")},
        ),
        "screening_bonus_not_allowed",
    )
    assert "申告できません" in refusal["message"]
    assert BonusClaim.objects.count() == 0


# --- the 採択/不採択 notice ----------------------------------------------------------------------


def _decided(call, company, status):
    application = make_application(
        call.stages.get(number=1), company, status=status, requested_amount=300_000
    )
    ApplicationEvent.objects.create(
        application=application, from_status=ApplicationStatus.SCREENING, to_status=status
    )
    return application


@pytest.mark.parametrize(
    ("status", "title"),
    [(ApplicationStatus.SELECTED, "採択通知書"), (ApplicationStatus.NOT_SELECTED, "不採択通知書")],
)
def test_the_decision_notice_is_a_pdf_for_the_company_and_its_ward(
    applicant, office, call, company, status, title
):
    application = _decided(call, company, status)
    for client in (applicant, office):
        answer = client.get(_api("subsidies_decision_notice", application.pk))
        assert answer.status_code == 200
        assert answer["Content-Type"] == "application/pdf"
        text = _pdf_text(answer.content)
        assert title in text
        assert company.name in text


def test_no_notice_before_the_decision_and_none_for_the_reviewer(applicant, call, company):
    application = make_application(
        call.stages.get(number=1), company, status=ApplicationStatus.SCREENING
    )
    assert applicant.get(_api("subsidies_decision_notice", application.pk)).status_code == 404
    reviewer = make_reviewer()
    assign(application, reviewer, status=AssignmentStatus.CLEARED)
    answer = _signed_in(reviewer).get(_api("subsidies_decision_notice", application.pk))
    assert answer.status_code == 403


# --- value-added reports -------------------------------------------------------------------------


def _report(company, *, status=ValueAddedStatus.REQUESTED):
    application = make_after(company=company, status=ApplicationStatus.PAID)
    year = fiscal_year(timezone.localdate()) - 1
    return ValueAddedReport.objects.create(
        company=company,
        municipality=application.stage.call.municipality,
        kind=ValueAddedKind.BUSINESS_REPORT,
        application=application,
        year_index=1,
        fiscal_year=year,
        status=status,
        requested_at=timezone.now() if status != ValueAddedStatus.SCHEDULED else None,
        due_on=report_due_on(year),
    )


def test_a_company_answers_its_value_added_report(applicant, office, company):
    report = _report(company)
    due = applicant.get(_api("subsidies_value_added_due")).json()
    assert [r["id"] for r in due["results"]] == [report.pk]
    page = applicant.get(_api("subsidies_value_added_report", report.pk)).json()
    assert page["can_answer"] is True
    assert page["is_office"] is False
    assert page["hint"]["sales"] == 120_000_000  # the application's figures
    answer = _send(
        applicant,
        "put",
        _api("subsidies_value_added_report", report.pk),
        {"sales": 130_000_000, "external_costs": 72_000_000, "employees": 13},
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["report"]["status"] == "submitted"
    assert answer.json()["report"]["value_added"] == 58_000_000
    report.refresh_from_db()
    assert (report.status, report.sales, report.employees) == ("submitted", 130_000_000, 13)
    assert AuditEvent.objects.filter(verb="subsidy_value_added.submit").count() == 1
    reports = applicant.get(_api("subsidies_business_reports", report.application_id)).json()
    assert [(r["year_index"], r["status"]) for r in reports["results"]] == [(1, "submitted")]
    assert applicant.get(_api("subsidies_value_added_due")).json()["count"] == 0

    seen = office.get(_api("subsidies_value_added_report", report.pk)).json()
    assert seen["is_office"] is True
    assert seen["can_answer"] is False
    _refused(
        _send(
            office,
            "put",
            _api("subsidies_value_added_report", report.pk),
            {"sales": 1, "external_costs": 1, "employees": 1},
        ),
        "subsidy_after_not_company",
    )
    report.refresh_from_db()
    assert report.sales == 130_000_000


def test_a_value_added_answer_refused_writes_nothing(applicant, company):
    scheduled = _report(company, status=ValueAddedStatus.SCHEDULED)
    refusal = _refused(
        _send(
            applicant,
            "put",
            _api("subsidies_value_added_report", scheduled.pk),
            {"sales": 1_000_000, "external_costs": 400_000, "employees": 3},
        ),
        "subsidy_value_added_not_open",
    )
    assert "終わってから" in refusal["message"]
    answer = _send(
        applicant,
        "put",
        _api("subsidies_value_added_report", scheduled.pk),
        {"sales": -1, "external_costs": 400_000, "employees": 3},
    )
    assert answer.status_code == 422
    assert _field_named(answer, "sales")
    scheduled.refresh_from_db()
    assert scheduled.status == ValueAddedStatus.SCHEDULED
    assert scheduled.sales is None


def test_the_office_lists_the_reports_and_sends_the_survey(office, company, sumida_officer):
    report = _report(company)
    shop = CompanyFactory(name="調査先製作所", kind=CompanyKind.SHOP)
    MembershipFactory(company=shop)
    listed = office.get(_api("subsidies_office_value_added")).json()
    assert [r["id"] for r in listed["results"]] == [report.pk]
    assert listed["results"][0]["company_name"] == company.name
    summary = office.get(_api("subsidies_office_value_added_summary")).json()
    assert summary["years"] == [report.fiscal_year]
    assert [w["id"] for w in summary["wards"]] == [ward().pk]
    last_year = summary["survey_years"][0]

    url = _api("subsidies_value_added_survey_send")
    before = ValueAddedReport.objects.count()
    _refused(
        _send(office, "post", url, {"municipality_id": ward().pk, "fiscal_year": last_year + 1}),
        "subsidy_survey_year_invalid",
    )
    assert ValueAddedReport.objects.count() == before
    answer = _send(
        office, "post", url, {"municipality_id": ward(SUMIDA).pk, "fiscal_year": last_year}
    )
    assert answer.status_code == 404
    sent = _send(office, "post", url, {"municipality_id": ward().pk, "fiscal_year": last_year})
    assert sent.status_code == 200, sent.json()
    surveyed = set(
        ValueAddedReport.objects.filter(kind=ValueAddedKind.SURVEY).values_list(
            "company__name", flat=True
        )
    )
    assert "調査先製作所" in surveyed
    assert company.name not in surveyed  # a recipient
    assert sent.json()["sent"] == len(surveyed)
    again = _send(office, "post", url, {"municipality_id": ward().pk, "fiscal_year": last_year})
    assert again.json()["sent"] == 0


# --- only a manufacturer applies ----------------------------------------------------------------


@pytest.mark.parametrize("kind", [CompanyKind.VENDOR, CompanyKind.BANK, CompanyKind.BUYER])
def test_a_company_that_is_not_a_manufacturer_may_not_apply(call, kind):
    stage = call.stages.get(number=1)
    other = CompanyFactory(name="区内の他業種株式会社", kind=kind)
    client = _signed_in(MembershipFactory(company=other, role="owner").user)
    page = client.get(_api("subsidies_call", call.pk)).json()
    card = next(s for s in page["stages"] if s["id"] == stage.pk)
    assert card["may_apply"] is False
    assert "製造業" in card["refusal"]
    refusal = _refused(
        _send(client, "post", _api("subsidies_application_start", stage.pk), {}),
        "subsidy_apply_not_manufacturer",
    )
    assert "製造業" in refusal["message"]
    answer = client.post(reverse("subsidies:application_start", args=[stage.pk]))
    assert answer.status_code == 302
    flashed = [str(m) for m in get_messages(answer.wsgi_request)]
    assert any("製造業" in m for m in flashed), flashed
    assert not Application.objects.filter(company=other).exists()


def test_a_manufacturer_still_applies(applicant, call):
    stage = call.stages.get(number=1)
    answer = _send(applicant, "post", _api("subsidies_application_start", stage.pk), {})
    assert answer.status_code == 201, answer.json()
    assert Application.objects.get().stage == stage
