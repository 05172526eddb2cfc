"""Writes for the open board and joint orders, one module per topic. Views and the API
call only these; each checks its actor. The rules the people using it see are in each
module's docstring (requests, admission, hands, teams, award, threads, buyers)."""

# A read, kept here for callers that know it as a service.
from machikoba.board.selectors import team_quote_problems
from machikoba.board.services.admission import admission_decide, admission_request
from machikoba.board.services.award import request_award
from machikoba.board.services.buyers import buyer_register
from machikoba.board.services.hands import hand_raise, hand_rfq, hand_update, hand_withdraw
from machikoba.board.services.requests import (
    MAX_PROCESSES,
    request_cancel,
    request_post,
    request_post_job,
)
from machikoba.board.services.teams import (
    member_answer,
    member_quote,
    member_remove,
    team_assign,
    team_form,
    team_invite,
    team_quote_send,
    team_quote_withdraw,
    team_terms_set,
)
from machikoba.board.services.threads import request_thread_open, team_thread_open

__all__ = [
    "MAX_PROCESSES",
    "admission_decide",
    "admission_request",
    "buyer_register",
    "hand_raise",
    "hand_rfq",
    "hand_update",
    "hand_withdraw",
    "member_answer",
    "member_quote",
    "member_remove",
    "request_award",
    "request_cancel",
    "request_post",
    "request_post_job",
    "request_thread_open",
    "team_assign",
    "team_form",
    "team_invite",
    "team_quote_problems",
    "team_quote_send",
    "team_quote_withdraw",
    "team_terms_set",
    "team_thread_open",
]
