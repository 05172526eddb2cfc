"""Writes of the DX subsidy, one module per topic; views, the demo and the tasks call only
these. The office's: ``calls`` (a call, its copy for next year, an export), ``call_rules``
(stages, expense categories, required attachments), ``call_rubric`` (the rubric and bonus
points). The applicant's: ``applications`` (start, the wizard's steps, consent, submission,
withdrawal), ``application_files`` (expense lines, quotes, documents). Screening:
``screening`` (eligibility, 差戻し, reviewers, conflicts of interest, scores),
``bonus_claims``, ``selection``. After the selection: ``grants``, ``reports``, ``payments``,
``value_added``.

Caller-trusted writes (the state machine, ``application_transition``) are in
``services.internal``, which is not re-exported here: views never import it."""

from machikoba.subsidies.services.application_files import (
    document_add,
    document_max_bytes,
    document_remove,
    expense_add,
    expense_remove,
    expense_update,
)
from machikoba.subsidies.services.applications import (
    application_consent,
    application_consent_request,
    application_save_step,
    application_start,
    application_submit,
    application_withdraw,
)
from machikoba.subsidies.services.bonus_claims import (
    bonus_claim_add,
    bonus_claim_reject,
    bonus_claim_verify,
    evidence_max_bytes,
)
from machikoba.subsidies.services.call_rubric import (
    bonus_criterion_add,
    bonus_criterion_remove,
    bonus_criterion_update,
    rubric_criterion_add,
    rubric_criterion_remove,
    rubric_criterion_update,
)
from machikoba.subsidies.services.call_rules import (
    STAGE_FIELDS,
    STAGE_RULE_FIELDS,
    attachment_requirement_add,
    attachment_requirement_remove,
    category_add,
    category_remove,
    category_update,
    stage_create,
    stage_delete,
    stage_update,
)
from machikoba.subsidies.services.calls import (
    CALL_RULE_FIELDS,
    call_copy,
    call_create,
    call_export,
    call_update,
)
from machikoba.subsidies.services.grants import (
    change_request_decide,
    change_request_file,
    grant_decide,
    grant_request,
)
from machikoba.subsidies.services.payments import payment_record, report_due_on
from machikoba.subsidies.services.reports import (
    actual_expense_add,
    actual_expense_proof_add,
    actual_expense_proof_remove,
    actual_expense_remove,
    completion_report_save,
    completion_report_save_and_submit,
    completion_report_submit,
    inspection_accept,
    inspection_return,
    proof_max_bytes,
)
from machikoba.subsidies.services.screening import (
    ScoreInput,
    application_return,
    conflict_declare,
    eligibility_fail,
    eligibility_pass,
    reviewer_assign,
    reviewer_unassign,
    scores_save,
    scores_submit,
)
from machikoba.subsidies.services.selection import selection_confirm
from machikoba.subsidies.services.value_added import (
    business_reports_request_due,
    survey_recipients,
    survey_years,
    value_added_remind,
    value_added_submit,
    value_added_survey_send,
)

__all__ = [
    "CALL_RULE_FIELDS",
    "STAGE_FIELDS",
    "STAGE_RULE_FIELDS",
    "ScoreInput",
    "actual_expense_add",
    "actual_expense_proof_add",
    "actual_expense_proof_remove",
    "actual_expense_remove",
    "application_consent",
    "application_consent_request",
    "application_return",
    "application_save_step",
    "application_start",
    "application_submit",
    "application_withdraw",
    "attachment_requirement_add",
    "attachment_requirement_remove",
    "bonus_claim_add",
    "bonus_claim_reject",
    "bonus_claim_verify",
    "bonus_criterion_add",
    "bonus_criterion_remove",
    "bonus_criterion_update",
    "business_reports_request_due",
    "call_copy",
    "call_create",
    "call_export",
    "call_update",
    "category_add",
    "category_remove",
    "category_update",
    "change_request_decide",
    "change_request_file",
    "completion_report_save",
    "completion_report_save_and_submit",
    "completion_report_submit",
    "conflict_declare",
    "document_add",
    "document_max_bytes",
    "document_remove",
    "eligibility_fail",
    "eligibility_pass",
    "evidence_max_bytes",
    "expense_add",
    "expense_remove",
    "expense_update",
    "grant_decide",
    "grant_request",
    "inspection_accept",
    "inspection_return",
    "payment_record",
    "proof_max_bytes",
    "report_due_on",
    "reviewer_assign",
    "reviewer_unassign",
    "rubric_criterion_add",
    "rubric_criterion_remove",
    "rubric_criterion_update",
    "scores_save",
    "scores_submit",
    "selection_confirm",
    "stage_create",
    "stage_delete",
    "stage_update",
    "survey_recipients",
    "survey_years",
    "value_added_remind",
    "value_added_submit",
    "value_added_survey_send",
]
