"""A buyer and its request for the shaft (旋削 → 焼入れ → 硬質クロムめっき → 研削), and the
steps of a joint order up to the buyer's award."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from machikoba.board import services
from machikoba.companies.choices import CompanyKind, CompanyRole
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.network.tests.factories import SHAFT_ROUTE, process


def owner_of(company):
    return company.memberships.filter(role=CompanyRole.OWNER).first().user


def make_buyer(name="大森重工 調達部"):
    company = CompanyFactory(name=name, kind=CompanyKind.BUYER)
    MembershipFactory(company=company, role=CompanyRole.OWNER)
    return company


def make_shop(name):
    return MembershipFactory(company=CompanyFactory(name=name), role=CompanyRole.OWNER).company


def make_request(buyer, *, documents=(), **overrides):
    today = timezone.localdate()
    fields = {
        "part_name": "油圧シリンダ用シャフト",
        "drawing_number": "OS-7731",
        "quantity": 40,
        "due_date": today + dt.timedelta(days=45),
        "answer_by": today + dt.timedelta(days=7),
        "processes": [(process(code), "") for code, _in_house in SHAFT_ROUTE],
        "description": "φ40 h6、全長 320。",
        "documents": documents,
    }
    fields.update(overrides)
    return services.request_post(actor=owner_of(buyer), company=buyer, **fields)


def admit(request, company):
    admission = services.admission_request(
        actor=owner_of(company), company=company, request=request, nda_accepted=True
    )
    return services.admission_decide(
        actor=owner_of(request.company), admission=admission, admit=True
    )


def award_terms(request):
    return {
        "delivery_place": "大森重工 第二工場",
        "inspection_date": request.due_date,
        "payment_date": request.due_date + dt.timedelta(days=30),
        "payment_method": "bank_transfer",
    }


def quoted_team(request, lead, members: dict, *, prices=None, margin=20_000):
    """``lead`` leads; ``members`` maps process position → company (the lead included);
    every member joins and quotes; the quote goes to the buyer."""
    prices = prices or {}
    lead_user = owner_of(lead)
    team = services.team_form(actor=lead_user, company=lead, request=request)
    processes = {p.position: p for p in request.processes.all()}
    rows = {}
    for position, company in members.items():
        if company.pk not in rows:
            row = team.members.filter(company=company).first()
            if row is None:
                row = services.team_invite(actor=lead_user, team=team, company=company)
                services.member_answer(actor=owner_of(company), member=row, join=True)
            rows[company.pk] = row
        services.team_assign(
            actor=lead_user, team=team, process=processes[position], member=rows[company.pk]
        )
    for company_pk, row in rows.items():
        row.refresh_from_db()
        services.member_quote(
            actor=owner_of(row.company),
            member=row,
            price=prices.get(company_pk, 100_000),
            delivery_date=request.due_date - dt.timedelta(days=5),
        )
    services.team_terms_set(
        actor=lead_user, team=team, margin=margin, share_split=False, payment_days=30
    )
    return services.team_quote_send(
        actor=lead_user,
        team=team,
        lead_time_days=30,
        valid_until=timezone.localdate() + dt.timedelta(days=30),
    )
