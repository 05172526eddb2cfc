"""The bridge from stored rules to the arithmetic: a stage's rows give the rules (a share in
percent becomes an exact fraction), an application's quotes are counted per line, and the
実績報告 is computed under the same rules without asking for quotes again."""

from django.core.files.base import ContentFile
from django.utils import timezone

from machikoba.core.testing.factories_subsidies import make_application, make_paper_call
from machikoba.subsidies import money
from machikoba.subsidies.arithmetic import Reduction
from machikoba.subsidies.choices import ApplicationStatus, DocumentKind
from machikoba.subsidies.models import ApplicationDocument, ExpenseCategory
from machikoba.subsidies.models_after import ActualExpense, CompletionReport


def _quote(line, kind=DocumentKind.QUOTE):
    document = ApplicationDocument(
        application=line.application,
        kind=kind,
        expense=line,
        title="見積書",
        original_name="q.pdf",
        mime="application/pdf",
        size=4,
        sha256="0" * 64,
    )
    document.file.save("q.pdf", ContentFile(b"%PDF"), save=False)
    document.save()


def test_stage_rules_come_from_its_rows(db):
    stage = make_paper_call().stages.get(number=2)
    rule = money.stage_rule(stage)
    assert (rule.rate.numerator, rule.rate.denominator, rule.cap) == (2, 3, 5_000_000)
    expert = next(r for r in money.category_rules(stage) if r.code == "expert")
    assert (expert.max_share.numerator, expert.max_share.denominator) == (1, 5)  # 20 %
    assert expert.quotes_required == 1


def test_an_application_counts_its_quotes_per_line_and_applies_the_share_caps(db):
    stage = make_paper_call().stages.get(number=2)
    # システム 2,000,000 + 専門家 1,000,000: the expert may be at most 20 % of the eligible
    # total T = 2,000,000 + e, e ≤ 0.2 T → e ≤ 500,000; T = 2,500,000 → 2/3 = 1,666,666 →
    # 1,666,000.
    application = make_application(stage, lines=[("system", 2_000_000), ("expert", 1_000_000)])
    system_line, expert_line = application.expenses.order_by("order")
    _quote(system_line)
    _quote(system_line)
    _quote(expert_line, kind=DocumentKind.ATTACHMENT)  # not a quote
    result = money.application_breakdown(application)
    assert result.total_eligible == 2_500_000
    assert result.subsidy == 1_666_000
    expert_row = next(row for row in result.rows if row.code == "expert")
    assert (expert_row.eligible, expert_row.reduction) == (500_000, Reduction.SHARE_CAP)
    assert [(m.index, m.required, m.attached) for m in result.missing_quotes] == [(1, 1, 0)]


def test_a_category_ceiling_in_yen_is_applied(db):
    stage = make_paper_call().stages.get(number=1)
    ExpenseCategory.objects.filter(stage=stage, code="software").update(max_amount=200_000)
    result = money.lines_breakdown(stage, [("software", 300_000, 1), ("unknown", 50_000, 0)])
    # 200,000 × 3/4 = 150,000; the unknown category is left out.
    assert (result.total_claimed, result.total_eligible, result.subsidy) == (
        350_000,
        200_000,
        150_000,
    )
    assert [line.category for line in result.ineligible] == ["unknown"]


def test_the_completion_report_is_computed_without_asking_for_quotes(db):
    stage = make_paper_call().stages.get(number=1)
    application = make_application(stage, status=ApplicationStatus.GRANTED)
    report = CompletionReport.objects.create(application=application)
    ActualExpense.objects.create(
        report=report,
        category=stage.categories.get(code="software"),
        description="日報アプリ",
        vendor="ベンダー",
        amount=410_000,
        paid_on=timezone.localdate(),
    )
    result = money.actual_breakdown(report)
    assert result.missing_quotes == ()
    assert result.subsidy == 307_000  # 410,000 × 3/4 = 307,500 → 307,000
