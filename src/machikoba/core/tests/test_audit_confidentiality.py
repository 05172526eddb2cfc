"""The audit trail carries no confidential value (issue 15, finding 4).

Platform admins read every audit event (the admin shows ``target_repr``, ``before`` and
``after``); an event must not tell them a price, a quantity, terms or text the parties
wrote. A broad flow (RFQ with a question, quote, award, change order, early start, claim,
a joint order's team quotes) runs with recognisable values; then every event is searched.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from machikoba.board import services as board
from machikoba.board.tests.factories import admit, make_buyer, make_request, make_shop, quoted_team
from machikoba.companies.choices import CompanyRole
from machikoba.core.audit import WITHHELD, audit_record
from machikoba.core.models import AuditEvent
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER
from machikoba.messaging import services as messaging
from machikoba.messaging.models import Thread
from machikoba.network import services as network
from machikoba.network.models import Claim, Quote, RfqQuestion
from machikoba.network.tests.factories import deadline, make_job, order_terms

QUOTE_PRICE = 7_654_321
BREAK_PRICE = 6_543_219
MEMBER_PRICE = 3_456_789
TEAM_MARGIN = 2_345_678
TEXTS = {
    "rfq message": "見積依頼の本文ひみつ",
    "question": "質問の本文ひみつ",
    "answer": "回答の本文ひみつ",
    "conditions": "見積条件ひみつ",
    "early start": "先行着手の理由ひみつ",
    "claim": "不良の内容ひみつ",
    "change": "変更の理由ひみつ",
    "message": "メッセージ本文ひみつ",
}


def _owner_of(company):
    return company.memberships.get(role=CompanyRole.OWNER).user


def _secrets() -> list[str]:
    numbers = [QUOTE_PRICE, BREAK_PRICE, MEMBER_PRICE, TEAM_MARGIN]
    return [*TEXTS.values(), *(str(n) for n in numbers), *(f"{n:,}" for n in numbers)]


def _network_flow(world):
    owner = world.users[MEMBER]
    heat = world.other_company
    heat_owner = _owner_of(heat)
    job = make_job(owner, world.company)
    first, second, *_ = job.steps.order_by("position")
    rfq = network.rfq_send(
        actor=owner,
        job=job,
        steps=[second],
        recipients=[heat],
        deadline=deadline(),
        message=TEXTS["rfq message"],
    )
    recipient = rfq.recipients.get()
    question = network.rfq_question_ask(
        actor=heat_owner, recipient=recipient, question=TEXTS["question"]
    )
    network.rfq_question_answer(actor=owner, question=question, answer=TEXTS["answer"])
    network.quote_submit(
        actor=heat_owner,
        recipient=recipient,
        price=QUOTE_PRICE,
        lead_time_days=4,
        valid_until=timezone.localdate() + dt.timedelta(days=30),
        conditions=TEXTS["conditions"],
        quantity_breaks=[{"quantity": 100, "price": BREAK_PRICE}],
    )
    order = network.rfq_award(actor=owner, rfq=rfq, winner=recipient, **order_terms())
    network.order_change(
        actor=owner,
        order=order,
        reason=TEXTS["change"],
        delivery_date=timezone.localdate() + dt.timedelta(days=11),
    )
    network.order_accept(actor=heat_owner, order=order)
    network.step_allow_early_start(actor=owner, step=second, reason=TEXTS["early start"])
    worker = world.users[FLOOR_WORKER]
    network.step_start(actor=worker, step=first)
    network.step_finish(actor=worker, step=first)
    network.step_ship(actor=worker, step=first, quantity=50)
    network.step_receive(
        actor=heat_owner, step=first, good_quantity=47, defect_quantity=3, note=TEXTS["claim"]
    )
    thread = network.job_thread_for(actor=owner, job=job, partner=heat)
    messaging.message_post(actor=owner, company=world.company, thread=thread, body=TEXTS["message"])


def _board_flow(world):
    buyer = make_buyer()
    request = make_request(buyer)
    lead, heat = world.company, make_shop("六郷熱処理")
    admit(request, lead)
    quoted_team(
        request,
        lead,
        {1: lead, 2: heat, 3: lead, 4: lead},
        prices={heat.pk: MEMBER_PRICE},
        margin=TEAM_MARGIN,
    )
    assert board  # the board's services ran through its factories


@pytest.fixture
def trail(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _network_flow(world)
    _board_flow(world)
    return list(AuditEvent.objects.all())


def test_the_flow_reached_the_confidential_objects(trail):
    verbs = {event.verb for event in trail}
    assert {
        "rfq.send",
        "rfq.question",
        "rfq.answer",
        "quote.submit",
        "rfq.award",
        "order.change",
        "order.accept",
        "step.allow_early_start",
        "claim.open",
        "team.member_quote",
        "team.terms",
        "team.quote",
    } <= verbs


def test_no_audit_event_carries_a_price_or_text_of_the_parties(trail):
    leaks = []
    for event in trail:
        shown = " ".join(
            [
                event.target_repr,
                json.dumps(event.before, ensure_ascii=False, default=str),
                json.dumps(event.after, ensure_ascii=False, default=str),
            ]
        )
        leaks += [(event.verb, secret) for secret in _secrets() if secret in shown]
    assert leaks == []


def test_the_early_start_reason_is_named_not_told(trail):
    event = next(e for e in trail if e.verb == "step.allow_early_start")
    assert event.after == {"start_override_reason": WITHHELD}


def test_names_of_confidential_objects_hold_no_price_or_text(trail):
    names = [
        *(str(q) for q in Quote.objects.all()),
        *(str(q) for q in RfqQuestion.objects.all()),
        *(str(c) for c in Claim.objects.all()),
        *(str(t) for t in Thread.objects.all()),
    ]
    assert len(names) >= 4
    assert [n for n in names for secret in _secrets() if secret in n] == []
    assert not any("47" in str(c) for c in Claim.objects.all())  # no quantities either


def test_a_confidential_payload_key_keeps_its_name_not_its_value(world):
    event = audit_record(
        actor=world.users[MEMBER],
        verb="job.update",
        company=world.company,
        before={"price": 1000, "conditions": "前の条件", "quantity": 5},
        after={"price": 2000, "conditions": "後の条件", "quantity": 6},
    )
    event.refresh_from_db()
    assert event.before == {"price": WITHHELD, "conditions": WITHHELD, "quantity": 5}
    assert event.after == {"price": WITHHELD, "conditions": WITHHELD, "quantity": 6}
