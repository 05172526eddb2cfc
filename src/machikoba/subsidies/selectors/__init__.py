"""Reads of the DX subsidy, one topic per module; every read starts from
``Model.objects.for_user(user, action)``.

The applicant's side: ``calls`` (the calls, whether a company may apply), ``plan`` (the
wizard's steps and the plan's fields), ``breakdown`` (the money in words), ``body`` (an
application's body and the diff of a resubmission), ``wizard`` (pre-fill, the wizard's
page, what refuses a submission), ``applications`` (my applications, one application's
page). Screening: ``screening`` (one application, the reviewer's pages, the notice) and
``ranking`` (scores, ranking, proposal, reviewers' progress). After the selection:
``after`` (who reaches those pages), ``grant_steps``, ``completion_report``,
``value_added``. The office: ``office`` and ``office_rules``; the home pages: ``homes``.

The views' names are re-exported here. ``is_company_editor`` is the after-selection
pages' (of an application); the applicant's (of a company) is ``calls.is_company_editor``.
"""

from machikoba.subsidies.selectors.after import (
    after_application,
    granted_application,
    is_company_editor,
    is_office,
)
from machikoba.subsidies.selectors.applications import (
    DetailPage,
    MyApplicationRow,
    detail_page,
    my_applications,
)
from machikoba.subsidies.selectors.body import ApplicationBody, application_body, body_application
from machikoba.subsidies.selectors.breakdown import BreakdownView, typed_breakdown
from machikoba.subsidies.selectors.calls import (
    CallCard,
    CallPage,
    advised_companies,
    call_page,
    is_dojo_graduate,
    open_calls,
)
from machikoba.subsidies.selectors.completion_report import (
    ReportPage,
    expense_for_company,
    proof_document,
    report_initial,
    report_page,
)
from machikoba.subsidies.selectors.grant_steps import (
    GrantNotice,
    GrantStepsPage,
    change_request_for_office,
    grant_notice,
    grant_steps_page,
)
from machikoba.subsidies.selectors.office import (
    PAGE_SIZE,
    ApplicationRow,
    CallDashboard,
    OfficeHome,
    application_rows,
    call_applications,
    call_dashboard,
    export_table,
    office_home,
    rules_lock,
)
from machikoba.subsidies.selectors.office_rules import (
    CallRubric,
    StageRules,
    call_rubric,
    call_stages,
    stage_rules,
)
from machikoba.subsidies.selectors.plan import (
    STEP_COMPANY,
    STEP_CONFIRM,
    STEP_DOCUMENTS,
    STEP_EXPENSES,
    STEP_FIELDS,
    STEP_PLAN,
    STEPS,
)
from machikoba.subsidies.selectors.ranking import (
    Proposal,
    Ranking,
    StagePage,
    selection_rows,
    stage_page,
)
from machikoba.subsidies.selectors.screening import (
    BonusClaimsPage,
    DecisionNotice,
    ReviewHomeRow,
    ReviewPage,
    ScreeningApplicationPage,
    bonus_claims_page,
    decision_notice,
    may_read_decision_notice,
    review_home,
    review_page,
    reviewer_candidates,
    screening_application_page,
)
from machikoba.subsidies.selectors.value_added import (
    OfficeValueAddedPage,
    ValueAddedPage,
    office_value_added_page,
    office_wards,
    value_added_page,
    value_added_report_for,
)
from machikoba.subsidies.selectors.wizard import WizardPage, editable_application, wizard_page

__all__ = [
    "PAGE_SIZE",
    "STEPS",
    "STEP_COMPANY",
    "STEP_CONFIRM",
    "STEP_DOCUMENTS",
    "STEP_EXPENSES",
    "STEP_FIELDS",
    "STEP_PLAN",
    "ApplicationBody",
    "ApplicationRow",
    "BonusClaimsPage",
    "BreakdownView",
    "CallCard",
    "CallDashboard",
    "CallPage",
    "CallRubric",
    "DecisionNotice",
    "DetailPage",
    "GrantNotice",
    "GrantStepsPage",
    "MyApplicationRow",
    "OfficeHome",
    "OfficeValueAddedPage",
    "Proposal",
    "Ranking",
    "ReportPage",
    "ReviewHomeRow",
    "ReviewPage",
    "ScreeningApplicationPage",
    "StagePage",
    "StageRules",
    "ValueAddedPage",
    "WizardPage",
    "advised_companies",
    "after_application",
    "application_body",
    "application_rows",
    "body_application",
    "bonus_claims_page",
    "call_applications",
    "call_dashboard",
    "call_page",
    "call_rubric",
    "call_stages",
    "change_request_for_office",
    "decision_notice",
    "detail_page",
    "editable_application",
    "expense_for_company",
    "export_table",
    "grant_notice",
    "grant_steps_page",
    "granted_application",
    "is_company_editor",
    "is_dojo_graduate",
    "is_office",
    "may_read_decision_notice",
    "my_applications",
    "office_home",
    "office_value_added_page",
    "office_wards",
    "open_calls",
    "proof_document",
    "report_initial",
    "report_page",
    "review_home",
    "review_page",
    "reviewer_candidates",
    "rules_lock",
    "screening_application_page",
    "selection_rows",
    "stage_page",
    "stage_rules",
    "typed_breakdown",
    "value_added_page",
    "value_added_report_for",
    "wizard_page",
]
