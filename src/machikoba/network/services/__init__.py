"""Writes for jobs, routes, RFQs, quotes, orders and step progress, one module per topic.
Views and the API call only these. Every state change checks the allowed source state
under a row lock, so of two concurrent attempts exactly one wins and the other gets a
clear message. Caller-trusted writes (no check of the actor) are in ``network.internal``."""

from machikoba.network.order_terms import MAX_PAYMENT_DAYS, ORDER_TERMS, order_terms_errors
from machikoba.network.selectors.steps import STARTED_STATES
from machikoba.network.services.feedback import (
    OWNER_CRITERIA,
    PERFORMER_CRITERIA,
    claim_resolve,
    rating_respond,
    rating_submit,
    rfq_question_answer,
    rfq_question_ask,
)
from machikoba.network.services.guest_links import (
    GUEST_TOKEN_PATTERN,
    GuestLinkRefused,
    guest_account_request,
    guest_decline,
    guest_link_issue,
    guest_link_resolve,
    guest_nda_accept,
    guest_quote_submit,
)
from machikoba.network.services.jobs import job_close, job_copy, job_create, job_update
from machikoba.network.services.orders import (
    business_match_record,
    order_accept,
    order_cancel,
    order_change,
    rfq_award,
)
from machikoba.network.services.progress import (
    LATE_STATES,
    step_allow_early_start,
    step_finish,
    step_receive,
    step_ship,
    step_start,
    steps_notify_late,
)
from machikoba.network.services.rfqs import (
    MAX_LEAD_TIME_DAYS,
    MAX_QUOTE_PRICE,
    PlannedRequest,
    plan_rfqs_send,
    quote_decline,
    quote_submit,
    rfq_send,
)
from machikoba.network.services.routes import step_add, step_move, step_remove, step_update
from machikoba.network.services.threads import job_thread_for

__all__ = [
    "GUEST_TOKEN_PATTERN",
    "LATE_STATES",
    "MAX_LEAD_TIME_DAYS",
    "MAX_PAYMENT_DAYS",
    "MAX_QUOTE_PRICE",
    "ORDER_TERMS",
    "OWNER_CRITERIA",
    "PERFORMER_CRITERIA",
    "STARTED_STATES",
    "GuestLinkRefused",
    "PlannedRequest",
    "business_match_record",
    "claim_resolve",
    "guest_account_request",
    "guest_decline",
    "guest_link_issue",
    "guest_link_resolve",
    "guest_nda_accept",
    "guest_quote_submit",
    "job_close",
    "job_copy",
    "job_create",
    "job_thread_for",
    "job_update",
    "order_accept",
    "order_cancel",
    "order_change",
    "order_terms_errors",
    "plan_rfqs_send",
    "quote_decline",
    "quote_submit",
    "rating_respond",
    "rating_submit",
    "rfq_award",
    "rfq_question_answer",
    "rfq_question_ask",
    "rfq_send",
    "step_add",
    "step_allow_early_start",
    "step_finish",
    "step_move",
    "step_receive",
    "step_remove",
    "step_ship",
    "step_start",
    "step_update",
    "steps_notify_late",
]
